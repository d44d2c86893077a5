#!/bin/sh
# live_capture.sh -- pfc -i on a veth pair in a network namespace the test
# creates and deletes.  tests/tools/pktsend sends crafted UDP frames
# 198.18.0.1.SPORT > 198.18.0.2.DPORT on vb; pfc captures on va (or vb, or
# any).  Checked: exact counts with -c, files byte-identical to tcpdump's
# capture of the same packets, SIGINT in the middle of a flood leaves a
# valid file of exactly the packets reported, nothing the filter rejects
# ever lands (non-matching traffic flooding during start-up), -i any writes
# LINUX_SLL2, -D, -Q, -s, --fanout, --lock, -B, the ~10 ms path to the
# file, and the errors (missing or down interface, no permission,
# net.core.optmem_max too small, the interface going down).
. "${top_srcdir:-.}/tests/lib.sh"
: "${TCPDUMP:=tcpdump}"
ns=pfclive$$
. "${top_srcdir:-.}/tests/capture/veth_lib.sh"

veth_setup addr
have_tcpdump=0
command -v "$TCPDUMP" >/dev/null 2>&1 && have_tcpdump=1
hexdump_of() { "$TCPDUMP" -r "$1" -n -t -xx 2>/dev/null; }

# ---- -D ----
X "$PFC" -D >"$tmpdir/D.out"; st=$?
is "$st" 0 "-D: exit status 0"
ok "$(grep -cxE '[0-9]+\.va \[Up, Running\]' "$tmpdir/D.out" | grep -qx 1; echo $?)" "-D lists va as up and running"
ok "$(grep -cxE '[0-9]+\.any \(Pseudo-device that captures on all interfaces\) \[Up, Running\]' "$tmpdir/D.out" | grep -qx 1; echo $?)" "-D lists any"
n=$(grep -xE '[0-9]+\.va .*' "$tmpdir/D.out" | cut -d. -f1)
start num -i "$n" -c 1 'udp dst port 7'
X "$SEND" vb 1 7
wait $pid; st=$?
is "$st/$(head -1 "$tmpdir/num.err")" "0/pfc: listening on va, link-type EN10MB (Ethernet), snapshot length 262144 bytes" \
	"-i $n (the number -D gave va) captures on va"

# ---- -c: exact count, the same packets as tcpdump, read back by pfc -r and tcpdump -r ----
start c5 -i va -c 5 -w "$tmpdir/c5.pcap" 'udp dst port 7'
pfc_pid=$pid
if [ $have_tcpdump = 1 ]; then
	$NSX "$TCPDUMP" -i va -c 5 -w "$tmpdir/td.pcap" 'udp dst port 7' 2>"$tmpdir/td.err" &
	td_pid=$!
	ready td
fi
X "$SEND" vb 16 9,7	# 8 match (odd ones), 3 more than -c
wait $pfc_pid; st=$?
is "$st" 0 "-c 5: exit status 0"
is "$(captured c5)" 5 "-c 5: 5 packets captured"
is "$(stats c5 | cut -d/ -f3)" 0 "-c 5: 0 dropped by kernel"
is "$(sports "$tmpdir/c5.pcap")" "10001 10003 10005 10007 10009" "-c 5: the first five matching packets, in order"
is "$(records "$tmpdir/c5.pcap")" 5 "-c 5: pfc -r reads 5 records"
if [ $have_tcpdump = 1 ]; then
	wait $td_pid
	is "$("$TCPDUMP" -r "$tmpdir/c5.pcap" -n 2>/dev/null | wc -l)" 5 "-c 5: tcpdump -r reads 5 records"
	hexdump_of "$tmpdir/c5.pcap" >"$tmpdir/c5.hex"
	hexdump_of "$tmpdir/td.pcap" >"$tmpdir/td.hex"
	same_file "$tmpdir/c5.hex" "$tmpdir/td.hex" "-c 5: the packets are byte for byte those tcpdump captured"
	is "$(od -An -tx1 -N24 "$tmpdir/c5.pcap")" "$(od -An -tx1 -N24 "$tmpdir/td.pcap")" \
		"-c 5: the file header is tcpdump's"
else
	skip "tcpdump not found: no comparison"
fi

# ---- SIGINT in the middle of a flood ----
start int -i va -w "$tmpdir/int.pcap" 'udp dst port 7'
pfc_pid=$pid
$NSX "$SEND" vb 0 7,9 &
flood=$!
sleep 0.3
kill -INT $pfc_pid
wait $pfc_pid; st=$?
kill $flood; wait $flood 2>/dev/null
n=$(captured int)
is "$st" 0 "SIGINT: exit status 0"
ok "$([ "${n:-0}" -gt 0 ]; echo $?)" "SIGINT: packets were captured ($n)"
is "$(records "$tmpdir/int.pcap")" "$n" "SIGINT: the file holds exactly the $n packets reported"
is "$(stat -c %s "$tmpdir/int.pcap")" $((24 + n * 76)) "SIGINT: file size 24 + $n x (16 + 60): no torn record"
"$PFC" -r "$tmpdir/int.pcap" -w /dev/null 2>/dev/null
is "$?" 0 "SIGINT: pfc -r reads the file without error"
if [ "$(stats int | cut -d/ -f3)" = 0 ]; then
	# matching packets are the even ones: source ports step by 2, 65534 wraps to 10000
	gap=$(sports "$tmpdir/int.pcap" | awk '{ for (i = 2; i <= NF; i++) {
		want = $(i - 1) + 2 == 65536 ? 10000 : $(i - 1) + 2
		if ($i != want) { print "packet " i ": port " $i " after " $(i - 1); exit } } }')
	is "$gap" "" "SIGINT: no packet lost or repeated (ports step by 2)"
else
	skip "the kernel dropped packets under the flood ($(stats int)): no sequence check"
fi
if [ $have_tcpdump = 1 ]; then
	"$TCPDUMP" -r "$tmpdir/int.pcap" -n >/dev/null 2>"$tmpdir/int.td"
	is "$(grep -v '^reading from' "$tmpdir/int.td")" "" "SIGINT: tcpdump -r reads the file without a warning"
fi

# ---- nothing unfiltered: non-matching traffic floods while pfc starts ----
$NSX "$SEND" vb 0 9,9,9,9,9,9,9,7 &
flood=$!
bad=0; short=0
for i in 1 2 3 4 5 6; do
	iface=va; [ $i -gt 4 ] && iface=any
	X timeout 10 "$PFC" -i $iface -c 3 -w "$tmpdir/f$i.pcap" 'udp dst port 7' 2>"$tmpdir/f$i.err"
	[ "$(records "$tmpdir/f$i.pcap")" = 3 ] || short=$((short + 1))
	"$PFC" -r "$tmpdir/f$i.pcap" -w "$tmpdir/g$i.pcap" 'not udp dst port 7' 2>/dev/null
	[ "$(records "$tmpdir/g$i.pcap")" = 0 ] || bad=$((bad + 1))
done
kill $flood; wait $flood 2>/dev/null
is "$short" 0 "start-up under a flood: 6 captures of exactly 3 packets"
is "$bad" 0 "start-up under a flood: no packet the filter rejects in any of them (va x4, any x2)"

# ---- -i any: LINUX_SLL2, each packet seen leaving vb and entering va ----
start any -i any -c 4 -w "$tmpdir/any.pcap" 'udp dst port 7'
pfc_pid=$pid
if [ $have_tcpdump = 1 ]; then
	$NSX "$TCPDUMP" -i any -y LINUX_SLL2 -c 4 -w "$tmpdir/tdany.pcap" 'udp dst port 7' 2>"$tmpdir/tdany.err" &
	td_pid=$!
	ready tdany
fi
X "$SEND" vb 2 7
wait $pfc_pid
is "$(od -An -tu4 -j20 -N4 "$tmpdir/any.pcap" | tr -d ' ')" 276 "-i any: link type LINUX_SLL2 (276) in the file header"
is "$(captured any)" 4 "-i any: 2 packets seen twice (out of vb, into va)"
if [ $have_tcpdump = 1 ]; then
	wait $td_pid
	hexdump_of "$tmpdir/any.pcap" >"$tmpdir/any.hex"
	hexdump_of "$tmpdir/tdany.pcap" >"$tmpdir/tdany.hex"
	same_file "$tmpdir/any.hex" "$tmpdir/tdany.hex" "-i any: SLL2 headers and packets byte for byte tcpdump's"
fi
start anyin -i any -c 2 -w "$tmpdir/anyin.pcap" 'inbound and udp dst port 7'
X "$SEND" vb 2 7
wait $pid
is "$(captured anyin)/$(records "$tmpdir/anyin.pcap")" "2/2" "-i any 'inbound': the 2 packets entering va"

start anyq -i any -Q in -c 2 -w "$tmpdir/anyq.pcap" 'udp dst port 7'
X "$SEND" vb 2 7
wait $pid
# the SLL2 packet type (byte 10 of each record: 24 + 16 + 10, then + 16 + 66): 3, PACKET_OTHERHOST, entering va
is "$(captured anyq)/$(od -An -tu1 -j50 -N1 "$tmpdir/anyq.pcap" | tr -d ' ')/$(od -An -tu1 -j132 -N1 "$tmpdir/anyq.pcap" | tr -d ' ')" \
	"2/3/3" "-i any -Q in: the 2 packets entering va (packet type 3, other host)"

# ---- the loopback: each packet once (libpcap drops the outgoing copy) ----
start lo -i lo -c 3 -w "$tmpdir/lo.pcap" 'udp dst port 7'
pfc_pid=$pid
if [ $have_tcpdump = 1 ]; then
	$NSX "$TCPDUMP" -i lo -c 3 -w "$tmpdir/tdlo.pcap" 'udp dst port 7' 2>"$tmpdir/tdlo.err" &
	td_pid=$!
	ready tdlo
fi
X "$SEND" lo 3 7
wait $pfc_pid
is "$(captured lo)/$(sports "$tmpdir/lo.pcap")" "3/10000 10001 10002" "-i lo -c 3: three packets, none twice"
if [ $have_tcpdump = 1 ]; then
	wait $td_pid
	hexdump_of "$tmpdir/lo.pcap" >"$tmpdir/lo.hex"
	hexdump_of "$tmpdir/tdlo.pcap" >"$tmpdir/tdlo.hex"
	same_file "$tmpdir/lo.hex" "$tmpdir/tdlo.hex" "-i lo: the packets tcpdump captured"
fi

# ---- SIGTERM ends a capture as SIGINT does ----
start term -i va -w "$tmpdir/term.pcap" 'udp dst port 7'
X "$SEND" vb 6 7,9
sleep 0.1
kill -TERM $pid; wait $pid; st=$?
is "$st/$(stats term)/$(records "$tmpdir/term.pcap")" "0/3/3/0/3" "SIGTERM: exit 0, 3 captured, 3 in the file"

# ---- -Q ----
start qout -i vb -Q out 'udp dst port 7'; p1=$pid
start qin -i vb -Q in 'udp dst port 7'; p2=$pid
start qin2 -i va -Q in 'udp dst port 7'; p3=$pid
start qout2 -i va -Q out 'udp dst port 7'; p4=$pid
X "$SEND" vb 4 7
sleep 0.2
kill -INT $p1 $p2 $p3 $p4; wait $p1 $p2 $p3 $p4
is "$(captured qout)/$(captured qin)/$(captured qin2)/$(captured qout2)" "4/0/4/0" \
	"-Q: vb out 4, vb in 0, va in 4, va out 0"
is "$(grep -c '198\.18\.0\.1\.1000[0-3] > 198\.18\.0\.2\.7' "$tmpdir/qout.out")" 4 "-Q out: four lines printed"

# ---- -s, -B, --lock, --fanout, -U, -l ----
start snap -i va -c 2 -s 42 -w "$tmpdir/snap.pcap" 'udp dst port 7'
X "$SEND" vb 2 7
wait $pid
is "$(stat -c %s "$tmpdir/snap.pcap")" $((24 + 2 * (16 + 42))) "-s 42: records cut to 42 bytes"
is "$(od -An -tu4 -j16 -N4 "$tmpdir/snap.pcap" | tr -d ' ')" 42 "-s 42: snap length 42 in the header"
start lock -i va -c 3 --lock -B 256 -w "$tmpdir/lock.pcap" 'udp dst port 7'
X "$SEND" vb 3 7
wait $pid; st=$?
is "$st/$(records "$tmpdir/lock.pcap")" "0/3" "--lock -B 256: 3 packets"
start fan -i va -c 40 --fanout 2 -w "$tmpdir/fan.pcap" 'udp dst port 7'
X "$SEND" vb 60 7
wait $pid; st=$?
is "$st/$(captured fan)/$(records "$tmpdir/fan.pcap")" "0/40/40" "--fanout 2 -c 40: exactly 40 packets"
is "$(sports "$tmpdir/fan.pcap" | tr ' ' '\n' | sort -u | wc -l)" 40 "--fanout 2: 40 distinct packets"
start fan3 -i va --fanout 3 'udp dst port 7'
is "$(X awk 'NR > 1' /proc/net/packet | wc -l)" 3 "--fanout 3: three packet sockets while capturing"
kill -INT $pid; wait $pid
is "$(X awk 'NR > 1' /proc/net/packet | wc -l)" 0 "--fanout 3: none left after SIGINT"
start promisc -i va 'udp dst port 7'
promiscuity() { X ip -d link show va | sed -n 's/.* promiscuity \([0-9]*\).*/\1/p'; }
is "$(promiscuity)" 1 "promiscuous while capturing (PACKET_MR_PROMISC)"
kill -INT $pid; wait $pid
is "$(promiscuity)" 0 "not promiscuous after"
start nopromisc -i va -p 'udp dst port 7'
is "$(promiscuity)" 0 "-p: not promiscuous"
kill -INT $pid; wait $pid
is "$(X "$PFC" -i va -d 'udp')" "$("$PFC" -y EN10MB -d 'udp')" "-d -i va: compiled for EN10MB"
is "$(X "$PFC" -i any -d 'ip')" "$("$PFC" -y LINUX_SLL2 -d 'ip')" "-d -i any: compiled for LINUX_SLL2"
start lat -i va -w "$tmpdir/lat.pcap" 'udp dst port 7'
X "$SEND" vb 1 7
sleep 0.15
is "$(stat -c %s "$tmpdir/lat.pcap")" 100 "-w: a packet is in the file 150 ms later, pfc still running"
kill -INT $pid; wait $pid
start lb -i va -l 'udp dst port 7'
X "$SEND" vb 1 7
sleep 0.15
is "$(grep -c '198\.18\.0\.1\.10000 > 198\.18\.0\.2\.7' "$tmpdir/lb.out")" 1 "-l: the line is out 150 ms later"
kill -INT $pid; wait $pid
start ub -i va -U -w "$tmpdir/ub.pcap" 'udp dst port 7'
X "$SEND" vb 2 7
sleep 0.15
is "$(stat -c %s "$tmpdir/ub.pcap")" 176 "-U: both packets in the file 150 ms later"
kill -INT $pid; wait $pid

# ---- a reader that goes away: stop as at SIGINT (tcpdump ... | head) ----
$NSX "$PFC" -i va -l 'udp dst port 7' 2>"$tmpdir/pipe.err" | head -1 >"$tmpdir/pipe.out" &
pipe_pid=$!	# waits for the whole pipeline
ready pipe
X "$SEND" vb 5 7
sleep 0.3	# head has gone: the next line pfc writes fails with EPIPE
X "$SEND" vb 5 7
wait $pipe_pid
is "$(wc -l <"$tmpdir/pipe.out")/$(grep -c 'packets\{0,1\} captured$' "$tmpdir/pipe.err")/$(grep -c '^pfc: .*[Bb]roken pipe' "$tmpdir/pipe.err")" \
	"1/1/0" "| head -1: one line read, pfc ends with its statistics and no error"

# ---- errors ----
X "$PFC" -i nosuch0 -c 1 2>"$tmpdir/e1"; st=$?
is "$st/$(cat "$tmpdir/e1")" "1/pfc: nosuch0: no such interface (pfc -D lists them)" "missing interface: message"
X ip link add vc type veth peer name vd
X "$PFC" -i vc -c 1 2>"$tmpdir/e2"; st=$?
is "$st/$(cat "$tmpdir/e2")" "1/pfc: vc: the interface is down (bring it up: ip link set vc up)" "down interface: message"
X ip link set vc up
X ip link set vd up
start gone -i vd -w "$tmpdir/gone.pcap"
X ip link set vd down
wait $pid; st=$?
is "$st/$(sed -n 2p "$tmpdir/gone.err")/$(stats gone)" "1/pfc: vd: the interface went down/0/0/0" \
	"the interface going down: error, then the statistics"
if command -v setpriv >/dev/null 2>&1; then
	X setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$PFC" -i va -c 1 2>"$tmpdir/e3"; st=$?
	is "$st/$(head -1 "$tmpdir/e3")" \
		"1/pfc: va: you don't have permission to capture on that device (socket(AF_PACKET): Operation not permitted)" \
		"no CAP_NET_RAW: message"
	is "$(sed -n 2p "$tmpdir/e3")" "pfc: capturing needs CAP_NET_RAW: run as root, or grant it with" "no CAP_NET_RAW: hint"
else
	skip "setpriv not found: no permission test"
fi
"$PFC" -i va -Q sideways 2>"$tmpdir/e4"; st=$?
is "$st/$(cat "$tmpdir/e4")" "2/pfc: invalid direction 'sideways' (in, out or inout)" "-Q sideways: usage error"
"$PFC" -i va -r "$tmpdir/c5.pcap" 2>"$tmpdir/e5"; st=$?
is "$st/$(cat "$tmpdir/e5")" "2/pfc: -r and -i exclude each other: read a file or capture live" "-r with -i: usage error"
X "$PFC" -i any -c 1 'ether src 02:00:00:00:00:01' 2>"$tmpdir/e6"; st=$?
is "$st/$(head -1 "$tmpdir/e6")" "1/expression:1:1: error: Ethernet addresses are not supported on link type LINUX_SLL2" \
	"-i any: compiled for LINUX_SLL2 (no Ethernet addresses)"
# net.core.optmem_max is per namespace: starve this one
if X sysctl -qw net.core.optmem_max=256 2>/dev/null; then
	X "$PFC" -i va -c 1 'udp dst port 7' 2>"$tmpdir/e7"; st=$?
	is "$st/$(head -1 "$tmpdir/e7" | sed 's/([0-9]* instructions)/(N instructions)/')" \
		"1/pfc: the kernel could not charge the filter (N instructions) to the socket: its option memory limit net.core.optmem_max is 256 bytes" \
		"optmem_max too small: the cause"
	is "$(sed -n 2p "$tmpdir/e7")" "pfc: raise it, for instance: sysctl -w net.core.optmem_max=131072" \
		"optmem_max too small: the fix"
else
	skip "net.core.optmem_max is not per namespace here: no ENOMEM test"
fi
tap_done
