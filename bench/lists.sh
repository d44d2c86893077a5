#!/bin/sh
# lists.sh -- compile time and size for long host, port and net lists:
# pfc against libpcap 1.10.3 (optimized, as tcpdump compiles), in one run.
# Lists of 10 to 10,000 random entries (addresses in 198.18.0.0/15 only;
# 2,000 src-or-dst hosts is about the most a socket filter holds);
# libpcap gets at most 10 s per list (it needs minutes for 1,000 hosts).
# Prints: entries, pfc seconds and instructions, libpcap seconds and
# instructions ("E2BIG" over 4,096 instructions, ">10 s" when cut off).
set -u
: "${top_builddir:?}"
cd "$top_builddir" || exit 1
list=$(mktemp)
trap 'rm -f "$list"' EXIT

# make_list KIND N: KIND host | srchost | port | net
make_list() {
	awk -v kind="$1" -v n="$2" 'BEGIN {
		srand(n); m = 0
		while (m < n) {
			if (kind == "port") { v = 1 + int(rand() * 65535); key = v }
			else { v = int(rand() * 131072); key = v }
			if (key in seen) continue
			seen[key] = 1; m++
			if (kind == "port") s = "port " v
			else if (kind == "net") s = "net 198." (18 + int(v / 65536)) "." int(v / 256) % 256 ".0/24"
			else s = (kind == "srchost" ? "src host " : "host ") "198." (18 + int(v / 65536)) "." int(v / 256) % 256 "." v % 256
			printf "%s%s", (m > 1 ? " or " : ""), s
		}
		print ""
	}' >"$list"
}

now() { date +%s.%N; }

# run TOOL...: prints "seconds instructions" (instructions: E2BIG, err or a count)
run() {
	t0=$(now)
	out=$(timeout 10 "$@" -F "$list" -d 2>&1)
	st=$?
	t1=$(now)
	secs=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
	if [ $st -eq 124 ]; then echo ">10s -"; return; fi
	case "$out" in
	*"takes at most 4096"*|*"too large"*) echo "$secs E2BIG";;
	"("*) echo "$secs $(printf '%s\n' "$out" | grep -c '^(')";;
	*) echo "$secs err";;
	esac
}

printf '%-8s %7s  %-8s %-7s  %-8s %-7s\n' list entries "pfc s" insns "pcap s" insns
for kind in srchost host port net; do
	for n in 10 100 1000 2000 10000; do
		make_list "$kind" "$n"
		set -- $(run src/pfc)
		ps=$1 pi=$2
		if [ "$n" -le 1000 ]; then
			set -- $(run tests/tools/pcapc)
		else
			set -- "skipped" "-"
		fi
		printf '%-8s %7s  %-8s %-7s  %-8s %-7s\n' "$kind" "$n" "$ps" "$pi" "$1" "$2"
	done
done
