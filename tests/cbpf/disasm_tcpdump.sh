#!/bin/sh
# disasm_tcpdump.sh -- our -d/-dd/-ddd text against the tcpdump binary itself,
# and our bpf_asm text assembled by netsniff-ng's bpfc against tcpdump -dd.
# The program comes from `tcpdump -ddd EXPR` and is rendered by the test-only
# tests/cbpf/disasm_tool.  Skips when $TCPDUMP (or, for bpfc, $BPFC) is empty.
. "$top_srcdir/tests/lib.sh"

tool="$top_builddir/tests/cbpf/disasm_tool"

if [ -z "$TCPDUMP" ]; then
	skip "tcpdump not found by configure"
	tap_done
fi

while IFS= read -r expr; do
	[ -n "$expr" ] || continue
	if ! "$TCPDUMP" -ddd "$expr" </dev/null >"$tmpdir/ddd" 2>"$tmpdir/err"; then
		ok 1 "tcpdump compiles '$expr'"
		diag "$(cat "$tmpdir/err")"
		continue
	fi
	for f in d dd ddd; do
		"$TCPDUMP" -"$f" "$expr" </dev/null >"$tmpdir/want" 2>/dev/null
		"$tool" "$f" <"$tmpdir/ddd" >"$tmpdir/got"
		same_file "$tmpdir/got" "$tmpdir/want" "-$f of '$expr' matches tcpdump"
	done
	if [ -n "$BPFC" ]; then
		"$TCPDUMP" -dd "$expr" </dev/null >"$tmpdir/want" 2>/dev/null
		"$tool" asm <"$tmpdir/ddd" >"$tmpdir/prog.bpf" &&
			"$BPFC" -b -i "$tmpdir/prog.bpf" >"$tmpdir/got" 2>&1
		same_file "$tmpdir/got" "$tmpdir/want" "bpfc assembles our asm of '$expr' to tcpdump -dd"
	else
		skip "bpfc not found by configure: '$expr' asm round trip"
	fi
done <<'EOF'
ip
ip6
arp
tcp port 80
udp port 53 or udp port 5353
host 192.168.1.1 and not net 10.0.0.0/8
ether host 02:00:5e:10:00:01
ether broadcast or ether multicast
vlan and udp
vlan 100 and tcp
mpls 42 and ip
tcp[tcpflags] & tcp-syn != 0
ip6 and tcp
icmp[icmptype] == icmp-echo
ip[6:2] & 0x1fff = 0
greater 100 and less 1500
portrange 1000-2000
tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420
len % 3 = 1 or len ^ 5 = 2
pppoes and ip
geneve
ip host 1.2.3.4 or ip6 host ::1
EOF

tap_done
