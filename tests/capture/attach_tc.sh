#!/bin/sh
# attach_tc.sh -- pfc -i IFACE --attach tc: the filter runs at IFACE's TC
# hooks and mirrors its matches into a tap pfc creates and reads.  On a
# veth pair in a network namespace the test creates and deletes,
# tests/tools/pktsend sends crafted UDP frames 198.18.0.1.SPORT >
# 198.18.0.2.DPORT out of vb, into va.  Checked: exact counts with -c,
# only matches, the file holds what a plain pfc -i on the same device
# captures, -Q picks the hook, printing, and after every exit (count,
# SIGINT, SIGTERM, errors) no device, qdisc or filter of pfc's remains.
. "${top_srcdir:-.}/tests/lib.sh"
ns=pfcatc$$
watchdog_s=30
. "${top_srcdir:-.}/tests/capture/veth_lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v tc >/dev/null 2>&1; then
	skip "not root, or no tc (iproute2): no TC capture"
	tap_done
fi
veth_setup addr
# left: devices beyond lo/va/vb, qdiscs other than noqueue, filters on va and vb
left() {
	X ip -o link show | cut -d: -f2 | tr -d ' ' | grep -v -x -e lo -e 'va@vb' -e 'vb@va'
	X tc qdisc show | grep -v '^qdisc noqueue'
	for d in va vb; do
		X tc filter show dev $d ingress; X tc filter show dev $d egress
	done
}

# ---- -c: exact count, only matches, the file ----
start c3 -i va --attach tc -c 3 -w "$tmpdir/c3.pcap" 'udp dst port 7'
is "$(head -1 "$tmpdir/c3.err")" \
	"pfc: listening on va (TC hook), link-type EN10MB (Ethernet), snapshot length 262144 bytes" \
	"--attach tc: the listening line names the tapped device and the hook"
is "$(X ip -o link show | grep -c 'pfc[0-9]*[rt]@')" 2 "while capturing: the tap's veth pair exists"
is "$(X tc filter show dev va ingress | grep -c 'mirred')" 1 "while capturing: a mirror filter at va ingress"
X "$SEND" vb 9 7,9
wait $pid; st=$?
is "$st/$(captured c3)" "0/3" "-c 3: exit status 0, 3 packets captured"
is "$(sports "$tmpdir/c3.pcap")" "10000 10002 10004" "-c 3: the first three matching packets, in order"
is "$(od -An -tu4 -j20 -N4 "$tmpdir/c3.pcap" | tr -d ' ')" 1 "-w: link type EN10MB (1) in the header"
is "$(left)" "" "-c 3: nothing left (no veth, qdisc or filter)"

# ---- matching only, under traffic that mostly does not match ----
start mix -i va --attach tc -c 20 -w "$tmpdir/mix.pcap" 'udp dst port 7'
X "$SEND" vb 100 9,9,9,9,7
wait $pid
"$PFC" -r "$tmpdir/mix.pcap" -w "$tmpdir/nomatch.pcap" 'not udp dst port 7' 2>/dev/null
is "$(records "$tmpdir/mix.pcap")/$(records "$tmpdir/nomatch.pcap")" "20/0" \
	"-c 20 of 1 in 5 matching: 20 packets, none the filter rejects"

# ---- the same packets as a plain pfc -i on va ----
start tcw -i va --attach tc -c 4 -w "$tmpdir/tcw.pcap" 'udp dst port 7'; p1=$pid
start plain -i va -c 4 -w "$tmpdir/plain.pcap" 'udp dst port 7'; p2=$pid
X "$SEND" vb 8 7,9
wait $p1 $p2
"$PFC" -r "$tmpdir/tcw.pcap" -t -xx >"$tmpdir/tcw.hex" 2>/dev/null
"$PFC" -r "$tmpdir/plain.pcap" -t -xx >"$tmpdir/plain.hex" 2>/dev/null
is "$(wc -l <"$tmpdir/tcw.hex" | tr -d ' ')" 20 "-t -xx of the TC capture: 4 packets of 5 lines"
same_file "$tmpdir/tcw.hex" "$tmpdir/plain.hex" "the TC capture holds byte for byte what pfc -i va captured"
is "$(od -An -tx1 -N24 "$tmpdir/tcw.pcap")" "$(od -An -tx1 -N24 "$tmpdir/plain.pcap")" \
	"the file header is the plain capture's"

# ---- -Q: one hook ----
start qin -i va --attach tc -Q in 'udp dst port 7'; p1=$pid
start qout -i va --attach tc -Q out 'udp dst port 7'; p2=$pid
start vbout -i vb --attach tc -Q out 'udp dst port 7'; p3=$pid
start vbboth -i vb --attach tc 'udp dst port 7'; p4=$pid
is "$(X tc filter show dev va ingress | grep -c mirred)/$(X tc filter show dev va egress | grep -c mirred)" \
	"1/1" "-Q in and -Q out on va: one mirror filter per hook"
X "$SEND" vb 4 7
sleep 0.3
kill -INT $p1 $p2 $p3 $p4; wait $p1 $p2 $p3 $p4
is "$(captured qin)/$(captured qout)/$(captured vbout)/$(captured vbboth)" "4/0/4/4" \
	"-Q: va ingress 4, va egress 0, vb egress 4, vb both hooks 4"
is "$(grep -c '198\.18\.0\.1\.1000[0-3] > 198\.18\.0\.2\.7: UDP' "$tmpdir/qin.out")" 4 "printing: four lines"
is "$(left)" "" "after SIGINT of four captures: nothing left"

# ---- SIGINT and SIGTERM in the middle of a flood ----
for sig in INT TERM; do
	stop_mid_flood $sig s$sig -i va --attach tc
	is "$(left)" "" "SIG$sig: nothing left"
done

# ---- errors leave nothing ----
X "$PFC" -i nosuch0 --attach tc -c 1 2>"$tmpdir/e1"; st=$?
is "$st/$(cat "$tmpdir/e1")" "1/pfc: nosuch0: cannot capture at the TC hook: nosuch0: no such device" \
	"missing interface: message"
X "$PFC" -i va --attach tc -c 1 'udp dst port 7 and' 2>"$tmpdir/e2"; st=$?
is "$st/$(head -1 "$tmpdir/e2" | cut -d: -f1-4)" "1/expression:1:19: error" "a bad expression: its diagnostic"
is "$(left)" "" "after the errors: nothing left"
"$PFC" -i va --attach sideways 2>"$tmpdir/e4"; st=$?
is "$st/$(cat "$tmpdir/e4")" "2/pfc: invalid --attach 'sideways' (socket, tc or ebpf)" "--attach sideways: usage error"
tap_done
