#!/bin/sh
# fuzz_asm.sh -- replay the assembler's fuzz corpus (no libFuzzer needed):
# every file of tests/fuzz/corpus/asm through LLVMFuzzerTestOneInput, one TAP
# line each; a broken invariant aborts, which the TAP driver reports.
exec "$top_builddir/tests/fuzz/fuzz_asm_replay" "$top_srcdir/tests/fuzz/corpus/asm"
