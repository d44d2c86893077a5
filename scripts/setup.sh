#!/usr/bin/env bash
# setup.sh -- on a fresh Debian machine: install the build dependencies,
# build pfc (in the source tree: the CLI is src/pfc), generate the sample
# capture and run the main job on it: compile a filter, replay the capture
# through it.
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
echo "== and replays tests/pcaps/sample.pcap through it (pfc -r, one line per matching packet) =="
src/pfc -n -r tests/pcaps/sample.pcap 'ip and tcp port 80'
src/pfc -r tests/pcaps/sample.pcap -w tests/pcaps/http.pcap 'ip and tcp port 80'
if command -v tcpdump >/dev/null; then
	tcpdump -r tests/pcaps/sample.pcap -w tests/pcaps/http-tcpdump.pcap 'ip and tcp port 80' 2>/dev/null &&
		cmp tests/pcaps/http.pcap tests/pcaps/http-tcpdump.pcap && echo "pfc -w wrote exactly what tcpdump -w writes"
fi
echo "== the hand-written examples/http.bpf, validated with the kernel's rules, gives the same =="
src/pfc asm -r tests/pcaps/sample.pcap examples/http.bpf | tr '\n' ' '; echo
