#!/usr/bin/env bash
# setup.sh -- on a fresh Debian machine: install the build dependencies,
# build pfc (in the source tree: the CLI is src/pfc), generate the sample
# capture and run the main job on it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
pfc_install_deps
./bootstrap >/dev/null
[ -f Makefile ] || ./configure -q
make -j"$(nproc)" -s
make -s tests/pcaps/sample.pcap
echo "== the example program, validated and listed as tcpdump -d would =="
src/pfc asm -d examples/http.bpf
echo "== its verdict on each packet of tests/pcaps/sample.pcap =="
src/pfc asm -r tests/pcaps/sample.pcap examples/http.bpf
