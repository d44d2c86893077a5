#!/bin/sh
# fuzz_parse.sh -- replay the front end's fuzz corpus (no libFuzzer needed):
# every file of tests/fuzz/corpus/parse through LLVMFuzzerTestOneInput, one
# TAP line each; a broken invariant aborts, which the TAP driver reports.
exec "$top_builddir/tests/fuzz/fuzz_parse_replay" "$top_srcdir/tests/fuzz/corpus/parse"
