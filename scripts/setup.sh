#!/usr/bin/env bash
# setup.sh -- on a fresh Debian machine: install the build dependencies,
# build pfc (in the source tree: the CLI is src/pfc), generate the sample
# capture and run the main job on it: compile a filter, run it over the
# capture.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
pfc_install_deps
./bootstrap >/dev/null
[ -f Makefile ] || ./configure -q
make -j"$(nproc)" -s
make -s tests/pcaps/sample.pcap
echo "== pfc compiles a filter (its own compiler, not libpcap's) =="
src/pfc -d 'ip and tcp port 80'
echo "== and runs it over each packet of tests/pcaps/sample.pcap (return value per packet) =="
src/pfc -d 'ip and tcp port 80' | src/pfc asm -r tests/pcaps/sample.pcap
echo "== the hand-written examples/http.bpf, validated with the kernel's rules, gives the same =="
src/pfc asm -r tests/pcaps/sample.pcap examples/http.bpf | tr '\n' ' '; echo
