# ebpf.sh -- make bench section: pfc's eBPF translation against the kernel's
# classic converter: xlated instruction counts (bench/kconv.h) and
# BPF_PROG_TEST_RUN ns per run of the converter's program rebuilt by
# bench/kconv_gen.h against ours, in the same run, over the realistic
# expressions of tests/cli/exprs.txt.  Needs CAP_BPF.
"$top_builddir/bench/ebpf_bench" "$top_srcdir/tests/cli/exprs.txt"
