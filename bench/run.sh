#!/bin/sh
# run.sh -- `make bench`: pfc measured against its peers in the same run.
#  1. the interpreter against libpcap's bpf_filter(), ns per packet, medians;
#  2. program sizes: pfc's compiler against libpcap 1.10.3 over the
#     conformance expressions (instruction counts, optimized libpcap and
#     unoptimized libpcap side by side);
#  3. instructions executed per packet, pfc against optimized libpcap, over
#     ../shared/pcaps (the same counting interpreter runs both);
#  4. offline replay: pfc -r -w against tcpdump -r -w and cat, wall time
#     over ~300 MB files (bench/replay.sh);
#  5. compile time and size of long host, port and net lists (bench/lists.sh);
#  6. eBPF: pfc ebpf against the kernel's classic converter, size and
#     BPF_PROG_TEST_RUN ns per run (bench/ebpf.sh);
#  7. live capture: pfc -i against tcpdump -i, packets captured and dropped,
#     CPU ns per packet (bench/capture.sh);
#  8. seccomp filters from Docker's profile against libseccomp (bench/seccomp.sh).
# Sections 2 and 3 need ../shared (PFC_SHARED); without it they say so and
# the others still run.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
cd "$top_builddir" || exit 1
large=bench/sample-large.pcap
tests/tools/mkpcap "$large" 200 || exit 1

echo "== 1. interpreter: pfc's VM vs libpcap bpf_filter (median ns/packet of 7 rounds) =="
bench/interp_bench "$large" 7
for f in "$PFC_SHARED/pcaps/tcpdump/afs.pcap"; do
	[ -f "$f" ] && bench/interp_bench "$f" 7
done

echo
echo "== 2. program size: pfc vs libpcap 1.10.3 over the conformance rows, every link type (instructions) =="
acc="$PFC_SHARED/conformance/accept.tsv"
if [ ! -f "$acc" ]; then
	echo "skipped: $acc not found (sections 2 and 3 need ../shared)"
else
awk -F'\t' 'NR > 1 && $11 == 1 && $5 !~ /^_/ && $9 !~ /opt_rejects|linuxext/ {
	print $3 "\037" $4 "\037" $6 "\037" $5 }' "$acc" |
while IFS="$(printf '\037')" read -r dlt snap mask expr; do
	m=${mask:+--netmask $mask}; pm=${mask:+-m $mask}
	ours=$(src/pfc -y "$dlt" -s "$snap" $m -d "$expr" 2>/dev/null | wc -l)
	opt=$(tests/tools/pcapc -y "$dlt" -s "$snap" $pm "$expr" 2>/dev/null | wc -l)
	unopt=$(tests/tools/pcapc -O -y "$dlt" -s "$snap" $pm "$expr" 2>/dev/null | wc -l)
	case "$expr" in *protochain*) pc=1;; *) pc=0;; esac
	[ "$ours" -gt 0 ] && [ "$opt" -gt 0 ] && echo "$ours $opt $unopt $pc"
done | awk '{ n++; o += $1; p += $2; u += $3; if ($1 > $2) larger++
	      if (!$4) { n2++; o2 += $1; p2 += $2; u2 += $3; if ($1 > $2) larger2++ } }
	END { printf "%d expressions both compile\n", n;
	      printf "pfc %d, libpcap optimized %d (pfc/libpcap %.2fx), libpcap unoptimized %d (%.2fx)\n",
		      o, p, o / p, u, o / u;
	      printf "pfc larger than optimized libpcap on %d (%.1f%%)\n", larger, 100 * larger / n;
	      printf "without protochain (unrolled by pfc; libpcap loops with a backward ja, which the kernel refuses): %d expressions, pfc %d, optimized %d (%.2fx), unoptimized %d (%.2fx); pfc larger on %d (%.1f%%)\n",
		      n2, o2, p2, o2 / p2, u2, o2 / u2, larger2, 100 * larger2 / n2 }'

echo
echo "== 3. instructions executed per packet: pfc vs libpcap 1.10.3 optimized (same interpreter, ../shared/pcaps) =="
awk -F'\t' 'NR > 1 && $11 == 1 && $5 !~ /^_/ && $9 !~ /opt_rejects|linuxext/ && $6 == "" &&
	$3 ~ /^(EN10MB|LINUX_SLL|LINUX_SLL2|RAW|IPV4|IPV6|NULL|LOOP|PPP)$/ { print $3 "\t" $5 }' "$acc" >bench/exprs-conformance.txt
echo "conformance rows:"
bench/insncount bench/exprs-conformance.txt
echo "the realistic set (tests/cli/exprs.txt):"
bench/insncount "$top_srcdir/tests/cli/exprs.txt"
rm -f bench/exprs-conformance.txt
fi

echo
echo "== 4. offline replay: pfc -r -w vs tcpdump -r -w vs cat (median wall time) =="
top_builddir="$top_builddir" PFC_SHARED="$PFC_SHARED" $SHELL "$top_srcdir/bench/replay.sh"

echo
echo "== 5. long lists: compile time and size, pfc vs libpcap 1.10.3 (libpcap cut at 10 s) =="
sh "$top_srcdir/bench/lists.sh"

echo
echo "== 6. eBPF: pfc ebpf vs the kernel's classic converter (xlated size; test-run ns) =="
top_builddir="$top_builddir" top_srcdir="$top_srcdir" PFC_SHARED="$PFC_SHARED" $SHELL "$top_srcdir/bench/ebpf.sh"

echo
echo "== 7. live capture: pfc -i vs tcpdump -i, trafgen into a veth (medians) =="
top_builddir="$top_builddir" sh "$top_srcdir/bench/capture.sh"

echo
echo "== 8. seccomp: Docker's default profile, pfc vs libseccomp 2.5.4 optimize=1 and =2 (instructions, executed over nr 0..450) =="
top_builddir="$top_builddir" PFC_SHARED="$PFC_SHARED" $SHELL "$top_srcdir/bench/seccomp.sh"
