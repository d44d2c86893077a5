# ebpf.sh -- make bench section: pfc's eBPF translation against the kernel's
# classic converter: xlated instruction counts (bench/kconv.h) and
# BPF_PROG_TEST_RUN ns per run of the converter's program rebuilt by
# bench/kconv_gen.h against ours, in the same run, over the realistic
# expressions of tests/cli/exprs.txt, then (totals only, repeat 10^5) over
# the EN10MB rows of the shared conformance table.  Socket filters are
# measured in both forms: portable (LD_ABS/LD_IND helpers) and, where this
# kernel allows it, direct (skb->data read in place through kfuncs; the
# "socket-k" column and the "socket reading the packet directly" line).
# Needs CAP_BPF.
"$top_builddir/bench/ebpf_bench" "$top_srcdir/tests/cli/exprs.txt"
acc="$PFC_SHARED/conformance/accept.tsv"
if [ -f "$acc" ]; then
	echo "conformance rows (EN10MB, no netmask):"
	awk -F'\t' 'NR > 1 && $11 == 1 && $5 !~ /^_/ && $9 !~ /opt_rejects|linuxext/ && $6 == "" &&
		$3 == "EN10MB" { print $3 "\t" $5 }' "$acc" >bench/exprs-ebpf.txt
	"$top_builddir/bench/ebpf_bench" -q -n 100000 bench/exprs-ebpf.txt
	rm -f bench/exprs-ebpf.txt
fi
