# lib.sh -- TAP helpers for the shell tests (sourced).
# Every check prints one TAP line; tap_done prints the plan and sets the exit status.
tap_n=0
tap_fail=0
ok() {    # ok COND-STATUS NAME...
	st=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$st" -eq 0 ]; then echo "ok $tap_n - $*"; else echo "not ok $tap_n - $*"; tap_fail=$((tap_fail + 1)); fi
}
skip() {  # skip REASON...
	tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# is GOT WANT NAME...: exact string comparison
is() {
	got=$1; want=$2; shift 2
	if [ "$got" = "$want" ]; then ok 0 "$@"; else ok 1 "$@"; diag "got:  $got" "want: $want"; fi
}
# same_file A B NAME...: byte-identical files, a diff on failure
same_file() {
	a=$1; b=$2; shift 2
	if cmp -s "$a" "$b"; then ok 0 "$@"; else ok 1 "$@"; diff "$a" "$b" | head -20 | sed 's/^/# /'; fi
}
tap_done() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; exit $?; }
tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/pfc-test.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT
