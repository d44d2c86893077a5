# veth_lib.sh -- what the live capture tests share (sourced after tests/lib.sh):
# a network namespace $ns (the caller names it, unique per test) holding a
# veth pair va <-> vb, pfc run in it in the background under a watchdog, and
# readers of pfc's statistics and files.  The EXIT trap kills the watchdogs,
# deletes the namespace and removes $tmpdir, so nothing is left behind.
: "${PFC:=src/pfc}"
SEND=${top_builddir:-.}/tests/tools/pktsend
watchdogs=
trap 'kill $watchdogs 2>/dev/null; ip netns del "$ns" 2>/dev/null; rm -rf "$tmpdir"' EXIT

X() { ip netns exec "$ns" "$@"; }
# background jobs run `ip netns exec` directly (it execs the program: $! is its pid)
NSX="ip netns exec $ns"

# veth_setup [addr]: the namespace with lo, va and vb up, IPv6 off; with
# addr also 198.18.0.2/30 on va and 198.18.0.1/30 on vb.  Skips the whole
# test when no namespace can be made.
veth_setup() {
	if ! ip netns add "$ns" 2>"$tmpdir/ns.err"; then
		skip "cannot create a network namespace: $(cat "$tmpdir/ns.err")"
		tap_done
	fi
	X sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	X ip link set lo up
	X ip link add va type veth peer name vb
	X ip link set va up
	X ip link set vb up
	if [ "${1:-}" = addr ]; then
		X ip addr add 198.18.0.2/30 dev va
		X ip addr add 198.18.0.1/30 dev vb
	fi
}

# ready NAME: wait (up to 5 s) for the "listening on" line in $tmpdir/NAME.err
ready() {
	i=0
	while ! grep -q 'listening on' "$tmpdir/$1.err" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
# start NAME ARGS...: pfc ARGS in the namespace, in the background, $pid;
# waits until ready.  A pfc that never ends is killed after $watchdog_s
# seconds (default 60): the test fails instead of hanging.
start() {
	name=$1; shift
	$NSX "$PFC" "$@" >"$tmpdir/$name.out" 2>"$tmpdir/$name.err" &
	pid=$!
	(sleep "${watchdog_s:-60}"; kill -KILL $pid) >/dev/null 2>&1 &
	watchdogs="$watchdogs $!"
	ready "$name"
}
# stats NAME: the three statistics lines of NAME.err, joined with '/'
stats() { grep -E '^[0-9]+ packets? (captured|received by filter|dropped by kernel)$' "$tmpdir/$1.err" | cut -d' ' -f1 | paste -sd/; }
captured() { sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmpdir/$1.err"; }
# sports FILE: the UDP source ports of a capture, one line
sports() { "$PFC" -r "$1" 2>/dev/null | sed -n 's/.* 198\.18\.0\.1\.\([0-9]*\) > .*/\1/p' | paste -sd' '; }
# records FILE: packets in a capture according to pfc -r
records() { "$PFC" -r "$1" -w /dev/null 2>&1 | sed -n 's/^\([0-9]*\) packets read.*/\1/p'; }
# stop_mid_flood SIG NAME OPTIONS...: pfc OPTIONS -w $tmpdir/NAME.pcap 'udp dst
# port 7' on a flood from vb (ports 7 and 9), sent SIG 0.3 s in: checks exit
# status 0, some packets captured, and a file holding exactly those packets
stop_mid_flood() {
	sig=$1; name=$2; shift 2
	start "$name" "$@" -w "$tmpdir/$name.pcap" 'udp dst port 7'
	pfc_pid=$pid
	$NSX "$SEND" vb 0 7,9 &
	flood=$!
	sleep 0.3
	kill -"$sig" $pfc_pid
	wait $pfc_pid; st=$?
	kill $flood; wait $flood 2>/dev/null
	n=$(captured "$name")
	ok "$([ "$st" = 0 ] && [ "${n:-0}" -gt 0 ]; echo $?)" "SIG$sig: exit status 0 ($st), packets captured ($n)"
	is "$(records "$tmpdir/$name.pcap")" "$n" "SIG$sig: the file holds exactly the $n packets reported"
}
