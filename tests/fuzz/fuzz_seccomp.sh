#!/bin/sh
# fuzz_seccomp.sh -- replay the seccomp front end's fuzz corpus (no libFuzzer
# needed): every file of tests/fuzz/corpus/seccomp, one TAP line each.
exec "$top_builddir/tests/fuzz/fuzz_seccomp_replay" "$top_srcdir/tests/fuzz/corpus/seccomp"
