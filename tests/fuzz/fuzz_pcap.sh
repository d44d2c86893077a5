#!/bin/sh
# fuzz_pcap.sh -- replay the capture reader's fuzz target over its seed corpus.
# Run by make check (which exports top_srcdir and top_builddir); prints TAP.
exec "${top_builddir:-.}/tests/fuzz/fuzz_pcap_replay" "${top_srcdir:-.}/tests/fuzz/corpus/pcap"
