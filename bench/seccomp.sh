#!/bin/sh
# seccomp.sh -- make bench section 8: seccomp filters from Docker's default
# profile, pfc against libseccomp 2.5.4 with optimize=1 and optimize=2,
# built in this run from the same rules: instructions, and the average and
# maximum instructions executed over syscall numbers 0..450 (counted by
# the same reference loop, its verdicts checked against our interpreter).
# Counts are exact, so one run each.  Targets from the issue: at most 120
# instructions, 12 executed on average, 16 at most.
b="$top_builddir/bench/seccomp_bench"
docker="$PFC_SHARED/seccomp/docker-default.json"
# not a prerequisite of `make bench`: it only exists when libseccomp does
(cd "$top_builddir" && ${MAKE:-make} -s bench/seccomp_bench >/dev/null 2>&1)
if [ ! -x "$b" ]; then
	echo "skipped: libseccomp was not found at configure time"
	exit 0
fi
if [ ! -r "$docker" ]; then
	echo "skipped: $docker not found"
	exit 0
fi
for arch in x86_64 aarch64 i386; do
	"$b" --oci "$docker" "$arch" 0 450
done
echo "(for reference, from the issue: a kafel-style range tree is about 90 instructions, 10.5 executed on average)"
