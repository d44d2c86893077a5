#!/bin/sh
# asm_cli.sh -- `pfc asm` end to end: tcpdump's three formats read and written
# byte for byte, the default format, validation errors, exit statuses, and
# runs over the sample capture.
. "$top_srcdir/tests/lib.sh"

is "$("$PFC" --version)" "pfc 0.1.0" "pfc --version"
"$PFC" --help >/dev/null; ok $? "pfc --help exits 0"
"$PFC" nosuchcommand >/dev/null 2>&1; is "$?" 2 "unknown command is a usage error"
"$PFC" asm --format xml </dev/null >/dev/null 2>&1; is "$?" 2 "unknown --format is a usage error"

# tcpdump -dX EXPR | pfc asm -dY  ==  tcpdump -dY EXPR, for every X and Y.
if [ -z "$TCPDUMP" ]; then
	skip "tcpdump not installed: round trips against tcpdump"
else
	n=0
	while IFS= read -r expr; do
		case "$expr" in ''|'#'*) continue;; esac
		n=$((n + 1))
		for o in d dd ddd; do
			"$TCPDUMP" -$o "$expr" >"$tmpdir/ref.$o" 2>/dev/null || { skip "tcpdump -$o '$expr' failed"; continue 2; }
		done
		for i in d dd ddd; do
			for o in d dd ddd; do
				"$PFC" asm -$o <"$tmpdir/ref.$i" >"$tmpdir/out" 2>"$tmpdir/err"
				st=$?
				if [ $st -eq 0 ] && cmp -s "$tmpdir/out" "$tmpdir/ref.$o"; then
					ok 0 "tcpdump -$i '$expr' | pfc asm -$o"
				else
					ok 1 "tcpdump -$i '$expr' | pfc asm -$o"
					diag "exit $st" "$(head -3 "$tmpdir/err")"
					diff "$tmpdir/out" "$tmpdir/ref.$o" | head -6 | sed 's/^/# /'
				fi
			done
		done
		# bpf_asm source written by pfc reads back to the same program.
		"$PFC" asm --format asm <"$tmpdir/ref.d" >"$tmpdir/prog.bpf" &&
			"$PFC" asm -dd "$tmpdir/prog.bpf" >"$tmpdir/out"
		same_file "$tmpdir/out" "$tmpdir/ref.dd" "pfc asm --format asm round trip: '$expr'"
	done <"$top_srcdir/tests/cli/exprs.txt"
	diag "$n expressions"
fi

# Default output format is tcpdump -d.
printf 'ldh [12]\njeq #0x800, yes, no\nyes: ret #262144\nno: ret #0\n' >"$tmpdir/p.bpf"
"$PFC" asm "$tmpdir/p.bpf" >"$tmpdir/out"
printf '(000) ldh      [12]\n(001) jeq      #0x800           jt 2\tjf 3\n(002) ret      #262144\n(003) ret      #0\n' >"$tmpdir/want"
same_file "$tmpdir/out" "$tmpdir/want" "default format is -d"

# An invalid program is an error naming the instruction, exit status 1, nothing printed.
printf 'ld M[3]\nret a\n' | "$PFC" asm -dd >"$tmpdir/out" 2>"$tmpdir/err"
is "$?" 1 "reading M[3] before a store: exit 1"
is "$(wc -c <"$tmpdir/out" | tr -d ' ')" 0 "invalid program: nothing on stdout"
grep -q "instruction 0" "$tmpdir/err"; ok $? "invalid program: error names instruction 0"
printf 'ret x\n' | "$PFC" asm >/dev/null 2>&1
is "$?" 1 "ret x is refused like the kernel refuses it"
printf 'ret x\n' | "$PFC" asm --no-validate -dd >"$tmpdir/out" 2>&1
is "$(cat "$tmpdir/out")" "{ 0xe, 0, 0, 0x00000000 }," "--no-validate prints ret x"

# seccomp rules: byte loads are not allowed, word loads of seccomp_data are.
printf 'ldb [0]\nret #0\n' | "$PFC" asm --seccomp >/dev/null 2>&1
is "$?" 1 "--seccomp refuses ldb"
printf 'ld [4]\njeq #0xc000003e, ok, kill\nok: ret #0x7fff0000\nkill: ret #0\n' | "$PFC" asm --seccomp -ddd >"$tmpdir/out"
is "$(head -1 "$tmpdir/out")" "4" "--seccomp accepts an arch check"

# A syntax error is reported with line, column and a caret.
printf 'ldh [12]\n  jeq #1 foo\n' | "$PFC" asm >/dev/null 2>"$tmpdir/err"
is "$?" 1 "syntax error: exit 1"
head -1 "$tmpdir/err" | grep -q '^<stdin>:2:[0-9]*: error: '; ok $? "syntax error: <stdin>:2:COL: error:"
is "$(sed -n 2p "$tmpdir/err")" "  jeq #1 foo" "syntax error: the source line is shown"
sed -n 3p "$tmpdir/err" | grep -q '^ *\^~*$'; ok $? "syntax error: a caret line follows"

# Runs over the sample capture: the example program's verdict per packet.
sample="$top_builddir/tests/pcaps/sample.pcap"
"$PFC" asm -r "$sample" "$top_srcdir/examples/http.bpf" >"$tmpdir/out" 2>"$tmpdir/err"
is "$?" 0 "pfc asm -r sample.pcap examples/http.bpf"
is "$(tr '\n' ' ' <"$tmpdir/out")" "262144 262144 0 0 0 0 0 0 0 0 0 262144 0 0 " "http.bpf verdicts on sample.pcap"
is "$(cat "$tmpdir/err")" "14 packets read, 3 matched" "counts on stderr"
if [ -n "$TCPDUMP" ]; then
	"$TCPDUMP" -dd 'ip and tcp port 80' >"$tmpdir/ref.dd" 2>/dev/null
	"$PFC" asm -dd "$top_srcdir/examples/http.bpf" >"$tmpdir/out"
	same_file "$tmpdir/out" "$tmpdir/ref.dd" "examples/http.bpf is tcpdump's 'ip and tcp port 80'"
	m=$("$TCPDUMP" -r "$sample" 'ip and tcp port 80' 2>/dev/null | wc -l | tr -d ' ')
	is "$m" 3 "tcpdump matches the same 3 packets"
fi
"$PFC" asm -r /nonexistent.pcap "$top_srcdir/examples/http.bpf" >/dev/null 2>&1
is "$?" 1 "missing capture: exit 1"
tap_done
