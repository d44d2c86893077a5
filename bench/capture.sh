#!/bin/sh
# capture.sh -- make bench section 7: live capture, pfc -i against tcpdump -i.
#
# A network namespace with a veth pair (created and deleted here, addresses
# in 198.18.0.0/15); trafgen (netsniff-ng; tests/tools/pktsend if missing)
# pushes 60-byte UDP frames into vb; pfc and tcpdump capture on va in turn
# with the same filter and -w /dev/null.  Per run: packets captured and
# dropped (their own statistics lines) and the CPU time of the capture
# process while the traffic flows (se.sum_exec_runtime of every thread, from
# /proc/PID/task/*/sched, read after the ring has been drained: tcpdump
# holds packets up to 1 s), divided by the packets captured.  Medians of
# PFC_BENCH_ROUNDS runs (default 5).  Two loads: one sender process
# (steady), and one per CPU (a burst that leaves the capture little CPU).
# Packets missing from "captured" with none "dropped" were lost by the
# veth's backlog before any packet socket saw them.
set -u
: "${top_builddir:?}"
PFC=$top_builddir/src/pfc
TCPDUMP=${TCPDUMP:-tcpdump}
rounds=${PFC_BENCH_ROUNDS:-5}
npkts=${PFC_BENCH_PACKETS:-1000000}
filter='udp dst port 7'
ns=pfcbench$$
work=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bench.XXXXXX")
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT

if ! command -v "$TCPDUMP" >/dev/null 2>&1; then
	echo "skipped: tcpdump not found"
	exit 0
fi
if ! ip netns add "$ns" 2>/dev/null; then
	echo "skipped: cannot create a network namespace (needs root)"
	exit 0
fi
X() { ip netns exec "$ns" "$@"; }
X sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
X ip link add va type veth peer name vb
X ip link set va up
X ip link set vb up

# 198.18.0.1.10000 > 198.18.0.2.7, 18 bytes of payload: 60 bytes on the wire
cat >"$work/frame.cfg" <<'EOF'
{ 0x02,0x00,0x00,0x00,0x00,0x02, 0x02,0x00,0x00,0x00,0x00,0x01, 0x08,0x00,
  0x45,0x00,0x00,0x2e, 0x00,0x00,0x00,0x00, 0x40,0x11, csumip(14, 33),
  198,18,0,1, 198,18,0,2,
  0x27,0x10, 0x00,0x07, 0x00,0x1a, 0x00,0x00,
  fill(0x00, 18) }
EOF
if command -v trafgen >/dev/null 2>&1; then
	gen=trafgen
else
	gen=pktsend
fi

# send PROCS COUNT: COUNT frames in all from PROCS sender processes
send() {
	if [ $gen = trafgen ]; then
		# --no-sock-mem, --notouch-irq: leave the machine's settings alone
		X trafgen --no-sock-mem --notouch-irq --cpus "$1" --in "$work/frame.cfg" --out vb \
			--num "$2" >/dev/null 2>&1
	else
		p=0
		while [ $p -lt "$1" ]; do
			X "$top_builddir/tests/tools/pktsend" vb $(($2 / $1)) 7 & p=$((p + 1))
		done
		wait
	fi
}

# cpu_ns PID: CPU time of all threads of PID, in ns
cpu_ns() {
	cat /proc/"$1"/task/*/sched 2>/dev/null |
		awk '/se.sum_exec_runtime/ { s += $3 } END { printf "%.0f\n", s * 1e6 }'
}

# one TOOL PROCS COUNT: prints "captured dropped ns_per_packet"
one() {
	tool=$1
	if [ "$tool" = pfc ]; then cmd=$PFC; else cmd=$TCPDUMP; fi
	ip netns exec "$ns" "$cmd" -i va -w /dev/null "$filter" 2>"$work/err" &
	pid=$!
	i=0
	while ! grep -q 'listening on' "$work/err" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	c0=$(cpu_ns $pid)
	send "$2" "$3"
	sleep 1.5	# tcpdump's block timeout is 1 s: let both drain
	c1=$(cpu_ns $pid)
	kill -INT $pid
	wait $pid
	cap=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$work/err")
	drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$work/err")
	awk -v c="${cap:-0}" -v d="${drop:-0}" -v t=$((c1 - c0)) \
		'BEGIN { printf "%d %d %.1f\n", c, d, c ? t / c : 0 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# load NAME PROCS COUNT
load() {
	echo "$1: $2 $gen process(es), $3 60-byte frames into a veth, filter '$filter', -w /dev/null"
	: >"$work/pfc.txt"
	: >"$work/tcpdump.txt"
	r=0
	while [ $r -lt "$rounds" ]; do
		one pfc "$2" "$3" >>"$work/pfc.txt"
		one tcpdump "$2" "$3" >>"$work/tcpdump.txt"
		r=$((r + 1))
	done
	printf '  %-8s %10s %10s %14s %16s\n' "" captured dropped "CPU ns/packet" "dropped, all runs"
	for t in pfc tcpdump; do
		printf '  %-8s %10s %10s %14s %16s\n' $t "$(cut -d' ' -f1 "$work/$t.txt" | median)" \
			"$(cut -d' ' -f2 "$work/$t.txt" | median)" "$(cut -d' ' -f3 "$work/$t.txt" | median)" \
			"$(awk '{ s += $2 } END { print s + 0 }' "$work/$t.txt")"
	done
	a=$(cut -d' ' -f3 "$work/pfc.txt" | median)
	b=$(cut -d' ' -f3 "$work/tcpdump.txt" | median)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "  CPU per packet: tcpdump/pfc %.2fx (pfc target: <= 80 ns)\n", a ? b / a : 0 }'
	echo "  per run (captured dropped ns): pfc $(paste -sd, "$work/pfc.txt"); tcpdump $(paste -sd, "$work/tcpdump.txt")"
}

ncpu=$(nproc)
load steady 1 "$npkts"
load burst "$ncpu" $((npkts * 2))
