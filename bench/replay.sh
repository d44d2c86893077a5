#!/bin/sh
# replay.sh -- offline replay speed: pfc -r F -w OUT 'tcp port 80' against
# tcpdump -r F -w OUT 'tcp port 80', with `cat F >/dev/null` as the floor.
# Two files of about $BENCH_REPLAY_MB MB (default 300): small packets
# (tests/tools/mkpcap repeated), and the Ethernet captures of
# $PFC_SHARED/pcaps concatenated over and over (real packet sizes).  Runs
# alternate between the tools; the median of $BENCH_ROUNDS (default 5) wall
# times is printed, and the ratios.  For the real-size file, printing too:
# pfc -n -r F >/dev/null against tcpdump -n -r F >/dev/null (every packet,
# same text for the covered protocols).  The big files are deleted afterwards.
# Called by bench/run.sh (section 4) from the build directory.
set -u
: "${top_builddir:?}"
cd "$top_builddir" || exit 1
mb=${BENCH_REPLAY_MB:-300}
rounds=${BENCH_ROUNDS:-5}
TCPDUMP=${TCPDUMP:-tcpdump}
dir=$(mktemp -d "${TMPDIR:-/tmp}/pfc-bench-replay.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT INT TERM
expr='tcp port 80'

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# time_one KEY CMD...: append the wall time of CMD to $dir/KEY.t
time_one() {
	key=$1; shift
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo "$t1 - $t0" | bc -l >>"$dir/$key.t"
}

# Small packets: the project's sample set, repeated (964 bytes per repeat).
make_small() {
	tests/tools/mkpcap "$1" $((mb * 1024 * 1024 / 964)) || return 1
}

# Real sizes: every little-endian microsecond Ethernet capture of the shared
# set, normalised by pfc itself, records concatenated, then repeated.
make_real() {
	out=$1; chunk=$dir/chunk
	: >"$chunk"
	for f in "$PFC_SHARED"/pcaps/tcpdump/*.pcap; do
		[ "$(od -An -tx1 -N4 "$f" | tr -d ' ')" = d4c3b2a1 ] || continue
		[ "$(od -An -tu4 -j20 -N4 "$f" | tr -d ' ')" = 1 ] || continue
		src/pfc -r "$f" -w - 2>/dev/null | tail -c +25 >>"$chunk"
	done
	[ -s "$chunk" ] || return 1
	head -c 24 tests/pcaps/sample.pcap >"$out"	# EN10MB, snap length 262144
	n=$(( mb * 1024 * 1024 / $(wc -c <"$chunk") + 1 ))
	i=0
	while [ $i -lt $n ]; do cat "$chunk"; i=$((i + 1)); done >>"$out"
}

bench_file() {
	name=$1; f=$2
	rm -f "$dir"/*.t
	size=$(wc -c <"$f")
	pkts=$(src/pfc -r "$f" -w /dev/null 2>&1 | awk '/packets read/ { print $1 }')
	matched=$(src/pfc -r "$f" -w /dev/null "$expr" 2>&1 | awk '/packets read/ { print $4 }')
	cat "$f" >/dev/null	# warm the page cache
	r=0
	while [ $r -lt "$rounds" ]; do
		time_one pfc src/pfc -r "$f" -w "$dir/out-pfc.pcap" "$expr"
		time_one tcpdump "$TCPDUMP" -r "$f" -w "$dir/out-tcpdump.pcap" "$expr"
		time_one cat cat "$f"
		r=$((r + 1))
	done
	same=differ
	cmp -s "$dir/out-pfc.pcap" "$dir/out-tcpdump.pcap" && same=identical
	p=$(median <"$dir/pfc.t"); t=$(median <"$dir/tcpdump.t"); c=$(median <"$dir/cat.t")
	printf '%s: %d MB, %s packets, %s match; outputs %s\n' "$name" $((size / 1048576)) \
		"$pkts" "$matched" "$same"
	printf '  pfc     %6.3f s  %7.0f MB/s\n' "$p" "$(echo "$size / 1048576 / $p" | bc -l)"
	printf '  tcpdump %6.3f s  %7.0f MB/s   tcpdump/pfc %.2fx\n' "$t" \
		"$(echo "$size / 1048576 / $t" | bc -l)" "$(echo "$t / $p" | bc -l)"
	printf '  cat     %6.3f s  %7.0f MB/s   pfc/cat %.2fx\n' "$c" \
		"$(echo "$size / 1048576 / $c" | bc -l)" "$(echo "$p / $c" | bc -l)"
	[ -n "${3:-}" ] && bench_print "$f"
	rm -f "$f" "$dir"/out-*.pcap
}

# bench_print F: printing every packet, pfc against tcpdump
bench_print() {
	rm -f "$dir"/*.t
	r=0
	while [ $r -lt "$rounds" ]; do
		time_one pfc src/pfc -n -r "$1"
		time_one tcpdump "$TCPDUMP" -n -r "$1"
		r=$((r + 1))
	done
	p=$(median <"$dir/pfc.t"); t=$(median <"$dir/tcpdump.t")
	printf '  printing (-n, no filter): pfc %.3f s, tcpdump %.3f s, tcpdump/pfc %.2fx\n' \
		"$p" "$t" "$(echo "$t / $p" | bc -l)"
}

if ! command -v "$TCPDUMP" >/dev/null 2>&1 || ! command -v bc >/dev/null 2>&1; then
	echo "skipped: needs $TCPDUMP and bc"
	exit 0
fi
echo "median wall time of $rounds alternated rounds, filter '$expr', page cache warm"
if make_small "$dir/small.pcap"; then
	bench_file "small packets (mkpcap)" "$dir/small.pcap"
fi
if [ -d "$PFC_SHARED/pcaps/tcpdump" ] && make_real "$dir/real.pcap"; then
	bench_file "real packets (shared Ethernet captures)" "$dir/real.pcap" print
else
	echo "real packets: skipped ($PFC_SHARED/pcaps not found)"
fi
