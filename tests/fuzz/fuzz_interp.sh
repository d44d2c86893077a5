#!/bin/sh
# fuzz_interp.sh -- replay the interpreter's fuzz target over its seed corpus.
# Run by make check (which exports top_srcdir and top_builddir); prints TAP.
exec "${top_builddir:-.}/tests/fuzz/fuzz_interp_replay" "${top_srcdir:-.}/tests/fuzz/corpus/interp"
