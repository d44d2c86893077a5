#!/bin/sh
# attach_tc_ebpf.sh -- pfc -i IFACE --attach tc --ebpf: eBPF capture
# programs at IFACE's clsact hooks write matches (up to the snap length,
# with direction and ifindex) into a BPF ring buffer pfc reads.  On a veth
# pair in a network namespace the test creates and deletes,
# tests/tools/pktsend sends crafted UDP frames out of vb into va.  Checked:
# exact counts with -c, only matches, the packets byte for byte those a
# plain pfc -i captures, real-time stamps, -Q, -s, printing, and after every
# exit (count, SIGINT, SIGTERM) no filter or qdisc of pfc's remains.
. "${top_srcdir:-.}/tests/lib.sh"
ns=pfcate$$
watchdog_s=30
. "${top_srcdir:-.}/tests/capture/veth_lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v tc >/dev/null 2>&1; then
	skip "not root, or no tc (iproute2): no TC capture"
	tap_done
fi
veth_setup
left() {
	X tc qdisc show | grep -v '^qdisc noqueue'
	for d in va vb; do
		X tc filter show dev $d ingress; X tc filter show dev $d egress
	done
}

# ---- -c: exact count, only matches, real-time stamps ----
t0=$(date +%s)
start c3 -i va --attach tc --ebpf -c 3 -w "$tmpdir/c3.pcap" 'udp dst port 7'
is "$(head -1 "$tmpdir/c3.err")" \
	"pfc: listening on va (TC hook, eBPF ring buffer), link-type EN10MB (Ethernet), snapshot length 65535 bytes" \
	"--attach tc --ebpf: the listening line"
is "$(X tc filter show dev va ingress | grep -c 'pfc_capture direct-action')/$(X tc filter show dev va egress | grep -c 'pfc_capture direct-action')" \
	"1/1" "while capturing: a capture program at each hook of va"
X "$SEND" vb 9 7,9
wait $pid; st=$?
t1=$(date +%s)
is "$st/$(captured c3)" "0/3" "-c 3: exit status 0, 3 packets captured"
is "$(sports "$tmpdir/c3.pcap")" "10000 10002 10004" "-c 3: the first three matching packets, in order"
is "$(od -An -tu4 -j16 -N8 "$tmpdir/c3.pcap" | tr -s ' ')" " 65535 1" "-w: snap length 65535, link type EN10MB"
ts=$(od -An -tu4 -j24 -N4 "$tmpdir/c3.pcap" | tr -d ' ')
ok "$([ "$ts" -ge "$t0" ] && [ "$ts" -le "$t1" ]; echo $?)" "real-time stamps ($ts within $t0..$t1)"
is "$(left)" "" "-c 3: nothing left (no filter, no qdisc)"

# ---- matching only; the same bytes as a plain pfc -i ----
start mix -i va --attach tc --ebpf -c 20 -w "$tmpdir/mix.pcap" 'udp dst port 7'
X "$SEND" vb 100 9,9,9,9,7
wait $pid
"$PFC" -r "$tmpdir/mix.pcap" -w "$tmpdir/nomatch.pcap" 'not udp dst port 7' 2>/dev/null
is "$(records "$tmpdir/mix.pcap")/$(records "$tmpdir/nomatch.pcap")" "20/0" \
	"-c 20 of 1 in 5 matching: 20 packets, none the filter rejects"
start eb -i va --attach tc --ebpf -Q in -c 4 -w "$tmpdir/eb.pcap" 'udp dst port 7'; p1=$!
p1=$pid
start plain -i va -c 4 -w "$tmpdir/plain.pcap" 'udp dst port 7'; p2=$pid
X "$SEND" vb 8 7,9
wait $p1 $p2
"$PFC" -r "$tmpdir/eb.pcap" -t -xx >"$tmpdir/eb.hex" 2>/dev/null
"$PFC" -r "$tmpdir/plain.pcap" -t -xx >"$tmpdir/plain.hex" 2>/dev/null
is "$(wc -l <"$tmpdir/eb.hex" | tr -d ' ')" 20 "-t -xx of the ring-buffer capture: 4 packets of 5 lines"
same_file "$tmpdir/eb.hex" "$tmpdir/plain.hex" "the ring-buffer capture holds byte for byte what pfc -i va captured"

# ---- -Q, -s, printing ----
start qin -i va --attach tc --ebpf -Q in 'udp dst port 7'; p1=$pid
start qout -i va --attach tc --ebpf -Q out 'udp dst port 7'; p2=$pid
start vbout -i vb --attach tc --ebpf -Q out -s 42 -w "$tmpdir/snap.pcap" 'udp dst port 7'; p3=$pid
X "$SEND" vb 4 7
sleep 0.3
kill -INT $p1 $p2 $p3; wait $p1 $p2 $p3
is "$(captured qin)/$(captured qout)/$(captured vbout)" "4/0/4" "-Q: va ingress 4, va egress 0, vb egress 4"
is "$(stats qin)" "4/4/0" "statistics: 4 captured, 4 received by filter, 0 dropped"
is "$(stat -c %s "$tmpdir/snap.pcap")" $((24 + 4 * (16 + 42))) "-s 42: records cut to 42 bytes"
is "$(grep -c '198\.18\.0\.1\.1000[0-3] > 198\.18\.0\.2\.7: UDP' "$tmpdir/qin.out")" 4 "printing: four lines"
is "$(left)" "" "after SIGINT of three captures: nothing left"

# ---- drops: a record of 65535 bytes never fits a 64 KiB ring ----
start drop -i va --attach tc --ebpf -B 64 -s 65535 -w "$tmpdir/drop.pcap" 'udp dst port 7'
X "$SEND" vb 6 7,9
sleep 0.3
kill -INT $pid; wait $pid; st=$?
is "$st/$(stats drop)/$(records "$tmpdir/drop.pcap")" "0/0/3/3/0" \
	"no room in the ring: 0 captured, 3 received by filter, 3 dropped by kernel, an empty file"

# ---- SIGINT and SIGTERM in the middle of a flood ----
for sig in INT TERM; do
	stop_mid_flood $sig s$sig -i va --attach tc --ebpf
	is "$(left)" "" "SIG$sig: nothing left"
done

"$PFC" -i va --ebpf -c 1 2>"$tmpdir/e1"; st=$?
is "$st/$(cat "$tmpdir/e1")" "2/pfc: --ebpf captures at the TC hook: give it with --attach tc" "--ebpf alone: usage error"
X "$PFC" -i nosuch0 --attach tc --ebpf -c 1 2>"$tmpdir/e2"; st=$?
is "$st/$(cat "$tmpdir/e2")" "1/pfc: nosuch0: cannot capture at the TC hook: nosuch0: no such device" \
	"missing interface: message"
tap_done
