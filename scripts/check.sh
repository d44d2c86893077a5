#!/usr/bin/env bash
# check.sh -- the whole test suite, as CI runs it: install what is missing,
# then `make check` in a sanitizer build (ASan + UBSan) and in the normal
# in-tree build, warnings as errors in both.  Ends with the totals of both
# runs on one line: "totals: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
pfc_install_deps || { echo "cannot install dependencies" >&2; exit 1; }
./bootstrap >/dev/null || exit 1
jobs=$(nproc)
log=$(mktemp)
status=0

run_check() {   # run_check DIR CONFIGURE-ARGS...
	dir=$1; shift
	echo "== make check in $dir ($*) =="
	if ! (cd "$dir" && "$OLDPWD/configure" -q "$@" && make -s -j"$jobs"); then
		echo "build failed in $dir"; status=1; return
	fi
	(cd "$dir" && make -s -j"$jobs" check) 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

# A VPATH build needs an unconfigured source tree.
[ -f config.status ] && make -s distclean >/dev/null 2>&1
rm -rf _build-san && mkdir -p _build-san
run_check _build-san --enable-sanitizers --enable-werror
rm -rf _build-san

echo "== make check in the source tree (--enable-werror) =="
if ./configure -q --enable-werror && make -s -j"$jobs"; then
	make -s -j"$jobs" check 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
else
	echo "build failed"; status=1
fi

sum() { awk -v k="$1" '$1 == "#" && $2 == k":" { n += $3 } END { print n + 0 }' "$log"; }
pass=$(sum PASS); skip=$(sum SKIP); xfail=$(sum XFAIL)
fail=$(( $(sum FAIL) + $(sum XPASS) + $(sum ERROR) ))
rm -f "$log"
[ "$fail" -eq 0 ] || status=1
echo "totals: $((pass + xfail)) passed, $fail failed, $skip skipped"
exit $status
