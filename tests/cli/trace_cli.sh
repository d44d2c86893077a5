#!/bin/sh
# trace_cli.sh -- pfc trace: the packet it picks, the steps it prints, and
# verdicts that agree with pfc -r and tcpdump -r over every packet of the
# sample capture for a set of expressions.
. "${top_srcdir:-.}/tests/lib.sh"
: "${PFC:=src/pfc}" "${TCPDUMP:=tcpdump}"
TZ=UTC
export TZ
s=$top_builddir/tests/pcaps/sample.pcap

out=$("$PFC" trace -r "$s" 'udp port 53'); st=$?
is "$st" 0 "trace: exit status 0"
is "$(echo "$out" | sed -n 1p)" "packet 3 of $s: 54 of 54 bytes captured, link type 1" \
	"trace: the first matching packet is the third"
is "$(echo "$out" | sed -n 2p)" "22:13:22.002026 IP 198.18.0.1.5353 > 198.18.0.3.53: UDP, length 12" \
	"trace: the packet as tcpdump prints it"
is "$(echo "$out" | sed -n 3p)" "(000) ldh      [12]                              A=0x00000800 X=0x00000000  pkt[12:2]=0800" \
	"trace: first step: instruction, registers, bytes loaded"
is "$(echo "$out" | sed -n 4p)" "(001) jeq      #0x800           jt 2    jf 6     A=0x00000800 X=0x00000000  -> 002" \
	"trace: a jump and where it went"
is "$(echo "$out" | tail -1)" "verdict: 262144 (match: keep 54 of 54 bytes) after 11 instructions" \
	"trace: verdict line"
is "$(echo "$out" | grep -c '^(')" 11 "trace: one line per instruction executed"

out=$("$PFC" trace -r "$s" --nomatch 'tcp port 80')
is "$(echo "$out" | sed -n 1p | cut -d: -f1)" "packet 3 of $s" "--nomatch: the first packet rejected"
is "$(echo "$out" | tail -1)" "verdict: 0 (no match) after 7 instructions" "--nomatch: verdict 0"

printf 'ldh [12]\nst M[5]\njeq #0x806, yes, no\nyes: ret #1\nno: ret #0\n' >"$tmpdir/arp.bpf"
out=$("$PFC" trace -r "$s" --asm "$tmpdir/arp.bpf")
is "$(echo "$out" | sed -n 1p | cut -d: -f1)" "packet 10 of $s" "--asm: the first ARP packet"
case "$(echo "$out" | sed -n 4p)" in *"M[5]=0x00000806") ok 0 "--asm: the scratch word written";;
*) ok 1 "--asm: scratch word: $(echo "$out" | sed -n 4p)";; esac
is "$(echo "$out" | tail -1)" "verdict: 1 (match: keep 1 of 42 bytes) after 4 instructions" "--asm: verdict"

out=$("$PFC" trace -r "$s" -p 12 'tcp' 2>&1); st=$?
is "$(echo "$out" | tail -1)" "verdict: 262144 (match: keep 40 of 40 bytes) after 5 instructions" \
	"-p 12: a truncated packet"
out=$("$PFC" trace -r "$s" -p 99 tcp 2>&1); st=$?
is "$st" 1 "-p past the end: exit status 1"
is "$out" "pfc: $s has 14 packets, not 99" "-p past the end: message"
out=$("$PFC" trace -r "$s" 'port 9' 2>&1); st=$?
is "$st" 1 "no match: exit status 1"
is "$out" "pfc: $s: none of the 14 packets matches the filter" "no match: message"
out=$("$PFC" trace -r "$s" 'tcp port' 2>&1); st=$?
is "$st" 1 "bad expression: exit status 1"
"$PFC" trace -p 1 tcp >/dev/null 2>&1; st=$?
is "$st" 2 "no -r: usage error"

# every packet, several expressions: trace's verdicts against pfc -r and tcpdump -r
for e in 'tcp' 'udp port 53' 'ip6' 'arp' 'vlan and udp' 'tcp[13] & 2 != 0' 'ip[6:2] & 0x1fff != 0' \
	 'icmp or icmp6' 'len > 60' 'not ip'; do
	m=0; p=1
	while [ $p -le 14 ]; do
		"$PFC" trace -r "$s" -p $p "$e" | tail -1 | grep -q '^verdict: 0 ' || m=$((m + 1))
		p=$((p + 1))
	done
	want=$("$PFC" -r "$s" "$e" 2>&1 >/dev/null | awk '{ print $4 }')
	is "$m" "$want" "'$e': trace matches $m of 14 packets, as pfc -r"
	if command -v "$TCPDUMP" >/dev/null 2>&1; then
		is "$m" "$("$TCPDUMP" -r "$s" "$e" 2>/dev/null | wc -l)" "'$e': as tcpdump -r"
	fi
done
tap_done
