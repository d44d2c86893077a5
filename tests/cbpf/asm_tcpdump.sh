#!/bin/sh
# asm_tcpdump.sh -- the assembler reads what tcpdump writes: for each
# expression, `tcpdump -d`, `-dd` and `-ddd` assembled (syntax detected, then
# named) give exactly the numbers `tcpdump -dd` prints.  asm_read prints our
# result in the -dd format, so this test needs no disassembler.
. "$top_srcdir/tests/lib.sh"
read_prog="$top_builddir/tests/cbpf/asm_read"

if [ -z "$TCPDUMP" ]; then
	skip "tcpdump not found: no round trip against tcpdump -d/-dd/-ddd"
	tap_done
fi

while IFS= read -r expr; do
	"$TCPDUMP" -dd "$expr" >"$tmpdir/ref" 2>/dev/null &&
		"$TCPDUMP" -d "$expr" >"$tmpdir/d" 2>/dev/null &&
		"$TCPDUMP" -ddd "$expr" >"$tmpdir/ddd" 2>/dev/null ||
		{ skip "tcpdump cannot compile '$expr'"; continue; }
	cp "$tmpdir/ref" "$tmpdir/dd"
	for f in d dd ddd; do
		"$read_prog" "$tmpdir/$f" >"$tmpdir/out" 2>"$tmpdir/err"
		same_file "$tmpdir/out" "$tmpdir/ref" "tcpdump -$f '$expr' reads back (auto)"
		[ -s "$tmpdir/err" ] && diag "$(cat "$tmpdir/err")"
		is "$("$read_prog" -D "$tmpdir/$f" 2>&1)" "$f" "tcpdump -$f '$expr' detected as '$f'"
		"$read_prog" -s "$f" "$tmpdir/$f" >"$tmpdir/out" 2>&1
		same_file "$tmpdir/out" "$tmpdir/ref" "tcpdump -$f '$expr' reads back (-s $f)"
	done
done <<'EXPRS'
ip
ip6
arp
tcp port 80
ip and tcp port 80
udp port 53 or udp port 123
host 198.18.0.1
src net 198.18.0.0/15 and not dst port 22
portrange 1000-2000
tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn
icmp[icmptype] == icmp-echo
ip6 and ip6[6] == 6 and ip6[40+13] & 2 != 0
ether host 02:00:5e:10:00:01
vlan 100 and udp
vlan and vlan
mpls
pppoes and ip
less 64
greater 1000
len > 100 and len < 1500
tcp[13] & 2 != 0 and tcp[(tcp[12] >> 4) * 4] = 0x47
udp[8:4] = 0x12345678 or udp[8:4] * 3 - 7 / 2 % 5 = 9
ip[9] << 2 | 1 ^ 3 = 21
not ip and not arp
EXPRS
tap_done
