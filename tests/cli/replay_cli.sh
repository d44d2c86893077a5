#!/bin/sh
# replay_cli.sh -- pfc -r FILE -w OUT EXPR against tcpdump -r FILE -w OUT EXPR.
# For the captures of $PFC_SHARED/pcaps whose (first) link type pfc compiles
# for, and a few expressions each, the two output files must be byte for
# byte the same, and where tcpdump fails pfc must fail too.  pfc writes a
# nanosecond file for a nanosecond input; that one is compared with
# tcpdump --time-stamp-precision=nano.  PFC_REPLAY_SAMPLE=N takes every Nth
# capture only (default 2, about 1,200 comparisons in ~12 s; 1: all).  Then the CLI's own behaviour: -c, -r -,
# -w -, printing, errors, a full disk.
. "${top_srcdir:-.}/tests/lib.sh"
: "${PFC:=src/pfc}" "${TCPDUMP:=tcpdump}"
sample=${PFC_REPLAY_SAMPLE:-2}

# magic FILE: the first 4 bytes in hex
magic() { od -An -tx1 -N4 "$1" | tr -d ' \n'; }

prec=micro; prec_of=
# compare F EXPR [loose]: one differential check; loose: when both fail,
# the outputs may differ (pfc reads further than libpcap in some files)
compare() {
	f=$1; e=$2; loose=${3:-}; a=$tmpdir/a.pcap; b=$tmpdir/b.pcap
	rm -f "$a" "$b"
	"$PFC" -r "$f" -w "$a" $e 2>"$tmpdir/a.err"; ra=$?
	# the precision pfc chose, found once per file (it depends on the input only)
	if [ "$f" != "$prec_of" ] && [ -s "$a" ]; then
		prec=micro
		[ "$(magic "$a")" = 4d3cb2a1 ] && prec=nano
		prec_of=$f
	fi
	"$TCPDUMP" --time-stamp-precision=$prec -r "$f" -w "$b" $e 2>"$tmpdir/b.err"; rb=$?
	name="${f##*/} '$e'"
	if [ $rb -ne 0 ] && [ $ra -eq 0 ]; then
		skip "$name: tcpdump fails, pfc reads it: $(grep -v '^reading' "$tmpdir/b.err" | head -1)"
		return
	fi
	if [ $ra -ne 0 ] && [ $rb -eq 0 ]; then
		ok 1 "$name: pfc fails where tcpdump succeeds"
		diag "$(cat "$tmpdir/a.err")"
		return
	fi
	if [ $ra -ne 0 ] && [ $rb -ne 0 ] && [ -n "$loose" ]; then
		ok 0 "$name: both fail: $(grep -v '^reading' "$tmpdir/b.err" | head -1)"
	elif [ ! -e "$a" ] && [ ! -e "$b" ] && [ $ra -ne 0 ]; then
		ok 0 "$name: both fail before writing: $(grep -v '^reading' "$tmpdir/b.err" | head -1)"
	elif cmp -s "$a" "$b"; then
		ok 0 "$name ($prec$([ $ra -ne 0 ] && echo ", both exit $ra"))"
	else
		ok 1 "$name: output differs from tcpdump's"
		cmp "$a" "$b" 2>&1 | sed 's/^/# /'
	fi
}

# known110 FILE EXPR: why tcpdump (libpcap 1.10.3) and pfc (libpcap master's
# meaning, checked by ../shared/conformance/apply.tsv) differ there, or nothing
known110() {
	case "${1##*/}:$2" in
	mstp_*:?*) echo "libpcap 1.10.3 gives BACnet MS/TP a protocol field; master (and pfc) refuse";;
	arcnet-rfc1051-*:?*) echo "libpcap 1.10.3 takes RFC 1051 IDs on Linux ARCnet; master (and pfc) do not";;
	esac
}

if ! command -v "$TCPDUMP" >/dev/null 2>&1; then
	skip "tcpdump not found: no differential replay tests"
elif [ ! -d "$PFC_SHARED/pcaps" ]; then
	skip "no captures in $PFC_SHARED/pcaps"
else
	i=0; nfiles=0
	for f in $(find "$PFC_SHARED/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort); do
		i=$((i + 1))
		[ $((i % sample)) -eq 0 ] || continue
		# -d with -r compiles for the file's link type: fails when pfc has no lowering for it
		"$PFC" -r "$f" -d '' >/dev/null 2>&1 || continue
		nfiles=$((nfiles + 1))
		for e in '' ip 'tcp or udp' 'not ip6'; do
			why=$(known110 "$f" "$e")
			if [ -n "$why" ]; then skip "${f##*/} '$e': $why"; else compare "$f" "$e"; fi
		done
	done
	diag "$nfiles captures with a link type pfc supports, 4 expressions each"
fi

# ---- crafted files (the fuzz corpus): same output, or both fail ----
if command -v "$TCPDUMP" >/dev/null 2>&1; then
	for f in "$top_srcdir"/tests/fuzz/corpus/pcap/*; do
		compare "$f" '' loose
	done
fi
err=$("$PFC" -r "$top_srcdir/tests/fuzz/corpus/pcap/pcapng_two_sections" -w "$tmpdir/x.pcap" 2>&1); st=$?
is "$st" 1 "pcapng with two link types and -w: exit status 1"
case "$err" in *"interface 1 has link type 101, the output file 1"*) ok 0 "two link types: message";;
*) ok 1 "two link types: $err";; esac
is "$("$PFC" -r "$top_srcdir/tests/fuzz/corpus/pcap/pcapng_two_sections" tcp 2>&1 | tail -1)" \
	"4 packets read, 2 matched" "pcapng with three interfaces, two sections, printed: one program per link type"

# ---- the CLI itself, on the project's sample capture ----
s=$top_builddir/tests/pcaps/sample.pcap
n=$("$PFC" -r "$s" 2>/dev/null | wc -l)
is "$n" 14 "prints one line per packet"
is "$("$PFC" -r "$s" tcp 2>&1 >/dev/null)" "14 packets read, 5 matched" "counts line on stderr"
is "$("$PFC" -r "$s" -c 2 udp 2>/dev/null | wc -l)" 2 "-c 2 stops after two matches"
is "$("$PFC" -r "$s" -c 2 udp 2>&1 >/dev/null)" "6 packets read, 2 matched" "-c stops reading"
# a pipe larger than the reader's 4 MiB buffer: records cross refills
"$top_builddir/tests/tools/mkpcap" "$tmpdir/big.pcap" 6000
cat "$tmpdir/big.pcap" | "$PFC" -r - -w "$tmpdir/pipe.pcap" 'tcp port 80' 2>/dev/null
"$PFC" -r "$tmpdir/big.pcap" -w "$tmpdir/nopipe.pcap" 'tcp port 80' 2>/dev/null
same_file "$tmpdir/pipe.pcap" "$tmpdir/nopipe.pcap" "6 MB through a pipe: the same output as from the file"
if command -v "$TCPDUMP" >/dev/null 2>&1; then
	"$TCPDUMP" -r "$tmpdir/big.pcap" -w "$tmpdir/big-tcpdump.pcap" 'tcp port 80' 2>/dev/null
	same_file "$tmpdir/nopipe.pcap" "$tmpdir/big-tcpdump.pcap" "6 MB file: the same output as tcpdump's"
fi
rm -f "$tmpdir"/big*.pcap "$tmpdir"/*pipe.pcap
"$PFC" -r - -w - tcp <"$s" >"$tmpdir/stdio.pcap" 2>/dev/null
"$PFC" -r "$s" -w "$tmpdir/file.pcap" tcp 2>/dev/null
same_file "$tmpdir/stdio.pcap" "$tmpdir/file.pcap" "-r - and -w - are standard input and output"
if command -v "$TCPDUMP" >/dev/null 2>&1; then
	"$PFC" -r "$s" -c 3 -w "$tmpdir/c3a.pcap" udp 2>/dev/null
	"$TCPDUMP" -r "$s" -c 3 -w "$tmpdir/c3b.pcap" udp 2>/dev/null
	same_file "$tmpdir/c3a.pcap" "$tmpdir/c3b.pcap" "-c 3 -w: the same file as tcpdump -c 3 -w"
	"$PFC" -q -r "$s" >"$tmpdir/q.pfc" 2>/dev/null
	"$TCPDUMP" -n -q -r "$s" >"$tmpdir/q.tcpdump" 2>/dev/null
	same_file "$tmpdir/q.pfc" "$tmpdir/q.tcpdump" "printed lines of sample.pcap with -q are tcpdump -n -q's"
fi
line=$("$PFC" -r "$s" -c 1 2>/dev/null)
case "$line" in
*" IP 198.18.0.1.40000 > 198.18.0.2.80: Flags [S], seq 1000, win 65535, length 0") ok 0 "printed line: $line";;
*) ok 1 "printed line: $line";;
esac
"$PFC" -r "$s" -s 40 -w "$tmpdir/s40.pcap" 2>/dev/null
is "$(od -An -tu4 -j16 -N4 "$tmpdir/s40.pcap" | tr -d ' ')" 40 "-s 40: header snap length 40"
is "$(od -An -tu4 -j32 -N4 "$tmpdir/s40.pcap" | tr -d ' ')" 40 "-s 40: first record cut to 40 bytes"

err=$("$PFC" -r "$s" -w /dev/full 2>&1); st=$?
is "$st" 1 "a full disk is exit status 1"
case "$err" in *"/dev/full: write failed: No space left on device"*) ok 0 "full disk: $err";;
*) ok 1 "full disk message: $err";; esac
err=$("$PFC" -r "$s" 'tcp port' 2>&1); st=$?
is "$st" 1 "a bad expression is exit status 1"
case "$err" in *"error:"*) ok 0 "bad expression: diagnostic";; *) ok 1 "bad expression: $err";; esac
head -c 100 "$s" >"$tmpdir/trunc.pcap"
err=$("$PFC" -r "$tmpdir/trunc.pcap" 2>&1); st=$?
is "$st" 1 "a truncated file is exit status 1"
case "$err" in *"offset "*"truncated record"*"packets read"*) ok 0 "truncated: $(echo "$err" | grep "^pfc:")";;
*) ok 1 "truncated file message: $err";; esac
err=$("$PFC" -r /nonexistent.pcap 2>&1); st=$?
is "$st" 1 "a missing file is exit status 1"
err=$("$PFC" -w "$tmpdir/x.pcap" tcp 2>&1); st=$?
is "$st" 2 "-w without -r is a usage error"
tap_done
