#!/bin/sh
# attach_ebpf.sh -- pfc -i IFACE --attach ebpf: the filter (and its -Q
# prefix) translated to an eBPF socket filter, attached with SO_ATTACH_BPF
# before bind.  On a veth pair in a network namespace the test creates and
# deletes, tests/tools/pktsend sends crafted UDP frames out of vb into va.
# Checked as live_capture.sh checks the classic path: exact counts with -c,
# nothing the filter rejects during start-up under a flood, the file
# byte-identical to the classic capture's, -i any (cooked), -Q, --lock, and
# that the program on the socket is an eBPF socket filter while capturing.
. "${top_srcdir:-.}/tests/lib.sh"
ns=pfcaeb$$
watchdog_s=30
. "${top_srcdir:-.}/tests/capture/veth_lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "not root: no eBPF socket filter"
	tap_done
fi
veth_setup

# ---- -c: exact count, the first matches; SO_ATTACH_BPF before bind (strace) ----
have_strace=0
command -v strace >/dev/null 2>&1 && have_strace=1
st_pre=
# LeakSanitizer cannot run under ptrace: leaks are checked by the other runs
[ $have_strace = 1 ] && st_pre="env ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=setsockopt,bind -o $tmpdir/c5.strace"
$NSX $st_pre "$PFC" -i va --attach ebpf -c 5 -w "$tmpdir/c5.pcap" 'udp dst port 7' \
	>"$tmpdir/c5.out" 2>"$tmpdir/c5.err" &
pid=$!
(sleep 30; kill -KILL $pid) >/dev/null 2>&1 &
watchdogs="$watchdogs $!"
ready c5
is "$(grep 'listening on' "$tmpdir/c5.err")" \
	"pfc: listening on va (eBPF socket filter), link-type EN10MB (Ethernet), snapshot length 262144 bytes" \
	"--attach ebpf: the listening line says so"
X "$SEND" vb 16 9,7
wait $pid; st=$?
is "$st/$(captured c5)" "0/5" "-c 5: exit status 0, 5 packets captured"
is "$(sports "$tmpdir/c5.pcap")" "10001 10003 10005 10007 10009" "-c 5: the first five matching packets, in order"
if [ $have_strace = 1 ]; then
	calls=$(sed -n 's/^[0-9]* *\(setsockopt([0-9]*, SOL_SOCKET, SO_ATTACH[A-Z_]*\|bind\)(*.*/\1/p' \
		"$tmpdir/c5.strace" | sed 's/setsockopt([0-9]*, SOL_SOCKET, //' | paste -sd' ')
	is "$calls" "SO_ATTACH_BPF bind" "the eBPF program is attached (SO_ATTACH_BPF, no classic filter) before bind"
else
	skip "strace not found: the attach call is not checked"
fi

# ---- the same file as the classic path ----
start eb -i va --attach ebpf -c 4 -w "$tmpdir/eb.pcap" 'udp dst port 7 and udp[8:2] = 0'; p1=$pid
start cl -i va -c 4 -w "$tmpdir/cl.pcap" 'udp dst port 7 and udp[8:2] = 0'; p2=$pid
X "$SEND" vb 8 7,9
wait $p1 $p2
"$PFC" -r "$tmpdir/eb.pcap" -t -xx >"$tmpdir/eb.hex" 2>/dev/null
"$PFC" -r "$tmpdir/cl.pcap" -t -xx >"$tmpdir/cl.hex" 2>/dev/null
is "$(records "$tmpdir/eb.pcap")" 4 "eBPF and classic side by side: 4 packets"
same_file "$tmpdir/eb.hex" "$tmpdir/cl.hex" "the eBPF capture is byte for byte the classic one"

# ---- nothing unfiltered at start-up under a flood ----
$NSX "$SEND" vb 0 9,9,9,9,9,9,9,7 &
flood=$!
bad=0; short=0
for i in 1 2 3 4 5; do
	iface=va; [ $i -gt 3 ] && iface=any
	X timeout 10 "$PFC" -i $iface --attach ebpf -c 3 -w "$tmpdir/f$i.pcap" 'udp dst port 7' 2>"$tmpdir/f$i.err"
	[ "$(records "$tmpdir/f$i.pcap")" = 3 ] || short=$((short + 1))
	"$PFC" -r "$tmpdir/f$i.pcap" -w "$tmpdir/g$i.pcap" 'not udp dst port 7' 2>/dev/null
	[ "$(records "$tmpdir/g$i.pcap")" = 0 ] || bad=$((bad + 1))
done
kill $flood; wait $flood 2>/dev/null
is "$short" 0 "start-up under a flood: 5 captures of exactly 3 packets"
is "$bad" 0 "start-up under a flood: no packet the filter rejects (va x3, any x2)"

# ---- -i any (cooked: header loads become eBPF context reads), -Q, --lock ----
start any -i any --attach ebpf -c 4 -w "$tmpdir/any.pcap" 'udp dst port 7'
X "$SEND" vb 2 7
wait $pid
is "$(captured any)/$(od -An -tu4 -j20 -N4 "$tmpdir/any.pcap" | tr -d ' ')" "4/276" \
	"-i any: 2 packets seen twice, LINUX_SLL2"
start anyin -i any --attach ebpf -Q in --lock -c 2 -w "$tmpdir/anyin.pcap" 'udp dst port 7'
X "$SEND" vb 2 7
wait $pid; st=$?
is "$st/$(captured anyin)/$(od -An -tu1 -j50 -N1 "$tmpdir/anyin.pcap" | tr -d ' ')" "0/2/3" \
	"-i any -Q in --lock: the 2 packets entering va (packet type 3)"
start qout -i va --attach ebpf -Q out 'udp dst port 7'; p1=$pid
start qin -i va --attach ebpf -Q in 'udp dst port 7'; p2=$pid
X "$SEND" vb 3 7
sleep 0.2
kill -INT $p1 $p2; wait $p1 $p2
is "$(captured qout)/$(captured qin)" "0/3" "-Q: va out 0, va in 3"
is "$(grep -c '198\.18\.0\.1\.1000[0-2] > 198\.18\.0\.2\.7: UDP' "$tmpdir/qin.out")" 3 "printing: three lines"
tap_done
