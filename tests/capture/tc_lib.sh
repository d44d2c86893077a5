# tc_lib.sh -- network namespaces for the TC tests (sourced after tests/lib.sh).
# tc_setup makes two namespaces joined by a veth pair, va (198.18.0.1/24) in
# $NSA and vb (198.18.0.2/24) in $NSB, plus a veth pair vm0/vm1 in $NSB (a
# mirror target); IPv6 is off so that nothing but the test's own traffic
# flows.  The namespaces (and with them every device, qdisc and filter) are
# deleted on exit.  tc_setup returns 1, after a SKIP line, when namespaces
# cannot be made here.
: "${PFC:=src/pfc}"
UDPIO=${top_builddir:-.}/tests/tools/udpio
NSA=pfctc$$a
NSB=pfctc$$b

tc_cleanup() {
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$tmpdir"
}

tc_setup() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "not root: no network namespaces"
		return 1
	fi
	if ! command -v ip >/dev/null 2>&1 || ! command -v tc >/dev/null 2>&1; then
		skip "ip or tc (iproute2) not found"
		return 1
	fi
	trap tc_cleanup EXIT
	if ! ip netns add "$NSA" 2>/dev/null || ! ip netns add "$NSB" 2>/dev/null; then
		skip "cannot create network namespaces"
		return 1
	fi
	for ns in "$NSA" "$NSB"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
		ip -n "$ns" link set lo up
	done
	ip -n "$NSA" link add va type veth peer name vb netns "$NSB" &&
	ip -n "$NSB" link add vm0 type veth peer name vm1 &&
	ip -n "$NSA" addr add 198.18.0.1/24 dev va &&
	ip -n "$NSB" addr add 198.18.0.2/24 dev vb &&
	ip -n "$NSA" link set va up && ip -n "$NSB" link set vb up &&
	ip -n "$NSB" link set vm0 up && ip -n "$NSB" link set vm1 up
}

ina() { ip netns exec "$NSA" "$@"; }
inb() { ip netns exec "$NSB" "$@"; }

# wait_file F: until F exists (at most 5 s)
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
}

# traffic [SNIFF-IFACE]: 5 datagrams to 198.18.0.2:5001 and 3 to :5002 from
# $NSA; prints what $NSB's sockets received, "5001 N 5002 M", and with
# SNIFF-IFACE (in $NSB) what a packet socket there saw, "sniff 5001 N 5002 M".
traffic() {
	rm -f "$tmpdir/ready" "$tmpdir/sready"
	if [ -n "${1:-}" ]; then
		inb "$UDPIO" sniff -t 1500 -r "$tmpdir/sready" "$1" 5001 5002 >"$tmpdir/sniff" &
		spid=$!
		wait_file "$tmpdir/sready"
	fi
	inb "$UDPIO" recv -r "$tmpdir/ready" -x 5999 198.18.0.2 5001 5002 >"$tmpdir/recv" &
	rpid=$!
	wait_file "$tmpdir/ready"
	ina "$UDPIO" send 198.18.0.2 5001 5
	ina "$UDPIO" send 198.18.0.2 5002 3
	ina "$UDPIO" send 198.18.0.2 5999 1
	wait $rpid
	out=$(tr '\n' ' ' <"$tmpdir/recv")
	if [ -n "${1:-}" ]; then
		wait $spid
		out="$out""sniff $(tr '\n' ' ' <"$tmpdir/sniff")"
	fi
	echo "${out% }"
}

# leftovers NS DEV: what TC state DEV has (qdiscs other than the default root one, filters)
leftovers() {
	ip netns exec "$1" tc qdisc show dev "$2" | grep -v '^qdisc \(noqueue\|pfifo_fast\) 0: root'
	ip netns exec "$1" tc filter show dev "$2" ingress 2>/dev/null
	ip netns exec "$1" tc filter show dev "$2" egress 2>/dev/null
}
