#!/bin/sh
# compile_cli.sh -- pfc's compile mode end to end: tcpdump's three output
# formats, link types, -s, -F with comments, `--`, diagnostics with a caret,
# exit statuses, and every program accepted by the kernel's rules (pfc asm).
. "$top_srcdir/tests/lib.sh"

"$PFC" -ddd 'ip' >"$tmpdir/out"
printf '4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n' >"$tmpdir/want"
same_file "$tmpdir/out" "$tmpdir/want" "pfc -ddd ip"
"$PFC" -dd 'ip' >"$tmpdir/out"
printf '{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 1, 0x00000800 },\n{ 0x6, 0, 0, 0x00040000 },\n{ 0x6, 0, 0, 0x00000000 },\n' >"$tmpdir/want"
same_file "$tmpdir/out" "$tmpdir/want" "pfc -dd ip"
"$PFC" -d 'ip' >"$tmpdir/out"
printf '(000) ldh      [12]\n(001) jeq      #0x800           jt 2\tjf 3\n(002) ret      #262144\n(003) ret      #0\n' >"$tmpdir/want"
same_file "$tmpdir/out" "$tmpdir/want" "pfc -d ip"
is "$("$PFC" -ddd tcp port 80 | head -1)" "$("$PFC" -ddd 'tcp port 80' | head -1)" "words are joined with spaces"
is "$("$PFC" -s 96 -ddd '' | tr '\n' ' ')" "1 6 0 0 96 " "-s sets the accept value; empty expression accepts all"
is "$("$PFC" -s 0 -ddd '' | tr '\n' ' ')" "1 6 0 0 262144 " "-s 0 is the default"
is "$("$PFC" -y RAW -ddd ip | tr '\n' ' ')" "5 48 0 0 0 84 0 0 240 21 0 1 64 6 0 0 262144 6 0 0 0 " "-y RAW"
is "$("$PFC" -y 12 -ddd ip | tr '\n' ' ')" "5 48 0 0 0 84 0 0 240 21 0 1 64 6 0 0 262144 6 0 0 0 " "-y takes numbers"
is "$("$PFC" -y dlt_linux_sll2 -ddd ip | sed -n 2p)" "40 0 0 0" "-y takes DLT_ names in any case"
"$PFC" -y 1000 -d ip >/dev/null 2>&1; is "$?" 2 "an unsupported link type is a usage error"
is "$("$PFC" -d -- asm 2>&1 | head -1)" "expression:1:1: error: 'asm' is not a keyword; a name needs a qualifier, e.g. 'host asm'" "-- lets an expression start with a command word"

printf '# web traffic\ntcp port 80 # plain http\n  or tcp port 443\n' >"$tmpdir/filter"
"$PFC" -ddd -F "$tmpdir/filter" >"$tmpdir/out"
"$PFC" -ddd 'tcp port 80 or tcp port 443' >"$tmpdir/want"
same_file "$tmpdir/out" "$tmpdir/want" "-F reads the expression, '#' comments ignored"
printf 'tcp port 80\n  or tcp portt 443\n' >"$tmpdir/bad"
"$PFC" -d -F "$tmpdir/bad" >/dev/null 2>"$tmpdir/err"
is "$?" 1 "-F: an error exits 1"
is "$(head -1 "$tmpdir/err")" "$tmpdir/bad:2:10: error: syntax error: unexpected name 'portt'" "-F: error names the file, line and column"
is "$(sed -n 2p "$tmpdir/err")" "  or tcp portt 443" "-F: the line is shown"
is "$(sed -n 3p "$tmpdir/err")" "         ^~~~~" "-F: the caret is under the word"

"$PFC" -d 'vlan 4096' >"$tmpdir/out" 2>"$tmpdir/err"
is "$?" 1 "semantic error: exit 1"
is "$(wc -c <"$tmpdir/out" | tr -d ' ')" 0 "semantic error: nothing on stdout"
printf 'expression:1:1: error: VLAN tag 4096 greater than maximum 4095\nvlan 4096\n^~~~~~~~~\n' >"$tmpdir/want"
same_file "$tmpdir/err" "$tmpdir/want" "semantic error: message, line and caret"
"$PFC" -y RAW -d arp 2>"$tmpdir/err"; is "$?" 1 "RAW: arp rejects all packets"
grep -q "expression rejects all packets" "$tmpdir/err"; ok $? "... with tcpdump's message"
"$PFC" -O -y RAW -ddd arp >"$tmpdir/out"; is "$(tr '\n' ' ' <"$tmpdir/out")" "1 6 0 0 0 " "-O: compiled, rejects all"
"$PFC" -d >/dev/null 2>&1 </dev/null; is "$?" 0 "no expression: accept everything"
"$PFC" 'ip' >/dev/null 2>&1; is "$?" 2 "no -d: usage error (nothing to do)"
"$PFC" --netmask 255.255.0.0 -ddd 'ip broadcast' >/dev/null; is "$?" 0 "--netmask enables ip broadcast"
"$PFC" --netmask 300.1.1.1 -ddd 'ip broadcast' >/dev/null 2>&1; is "$?" 2 "a bad --netmask is a usage error"

# A long expression's error shows a window of the line around the caret.
i=1; long=""
while [ $i -le 60 ]; do long="$long port $i or"; i=$((i + 1)); done
"$PFC" -d "$long ip proto nosuchproto or $long port 61" 2>"$tmpdir/err"
head -1 "$tmpdir/err" | grep -q "^expression:1:[0-9]*: error: unknown ip proto 'nosuchproto'$"; ok $? "long line: the error and its position"
is "$(sed -n 2p "$tmpdir/err" | cut -c1-3)" "..." "long line: the shown part starts with ..."
is "$(sed -n 2p "$tmpdir/err" | wc -c | tr -d ' ')" "127" "long line: 120 characters are shown, ... at both ends"
col=$(sed -n 3p "$tmpdir/err" | awk '{ print index($0, "^") }')
is "$(sed -n 2p "$tmpdir/err" | cut -c"$col"- | cut -c1-11)" "nosuchproto" "long line: the caret is under the name"
is "$(sed -n 3p "$tmpdir/err" | tr -d ' ')" "^~~~~~~~~~~" "long line: the caret spans the name"
# An error about the whole program has no caret.
"$PFC" -y RAW -d 'ip6 protochain 17 or ip6 protochain 6' 2>"$tmpdir/err"
is "$(wc -l <"$tmpdir/err" | tr -d ' ')" 1 "whole-program error: one line, no caret"
grep -q '^expression: error: the program needs [0-9]* instructions; the kernel takes at most 4096$' "$tmpdir/err"
ok $? "whole-program error: says how many instructions and the limit"

# IR dump: blocks, branches and returns.
"$PFC" --dump-ir 'ip' >"$tmpdir/out"
printf 'b0:\n\tldh [12]\n\tjeq #0x800 -> b1, b2\nb1:\n\tret #262144\nb2:\n\tret #0\n' >"$tmpdir/want"
same_file "$tmpdir/out" "$tmpdir/want" "--dump-ir"

# Every program of the round-trip set passes the kernel's rules, as pfc asm checks them
# (`inbound` needs Linux's ancillary data on Ethernet: pfc refuses it without).
n=0; bad=0
while IFS= read -r expr; do
	case "$expr" in ''|'#'*|inbound) continue;; esac
	n=$((n + 1))
	"$PFC" -d "$expr" >"$tmpdir/prog" 2>"$tmpdir/err" || { bad=$((bad + 1)); diag "pfc refuses: $expr: $(head -1 "$tmpdir/err")"; continue; }
	"$PFC" asm -ddd "$tmpdir/prog" >/dev/null 2>&1 || { bad=$((bad + 1)); diag "invalid program: $expr"; }
done <"$top_srcdir/tests/cli/exprs.txt"
is "$bad" 0 "all $n programs of tests/cli/exprs.txt compile and validate"
tap_done
