# ebpf.sh -- make bench section: pfc's eBPF translation against the kernel's
# classic converter (xlated instruction counts) and BPF_PROG_TEST_RUN speed,
# over the realistic expressions of tests/cli/exprs.txt.  Needs CAP_BPF.
"$top_builddir/bench/ebpf_bench" "$top_srcdir/tests/cli/exprs.txt"
