#!/bin/sh
# seccomp_cli.sh -- pfc seccomp: every output format, diagnostics with
# carets, warnings, pfc seccomp run, the generated C file installed for
# real, and Docker's profile through --oci ($PFC_SHARED).
. "$top_srcdir/tests/lib.sh"

cat > "$tmpdir/small.pol" <<'POL'
# a small policy
arch x86_64
default errno(EPERM)
allow read, write, exit_group
allow socket if arg0 == 2 || arg0 == 10
kill_process ptrace
POL

"$PFC" seccomp "$tmpdir/small.pol" > "$tmpdir/out" 2> "$tmpdir/err"
ok $? "disasm: exit status 0"
cat > "$tmpdir/want" <<'OUT'
(000) ld       [4]                       ; arch
(001) jeq      #0xc000003e      jt 2	jf 17 ; x86_64
(002) ld       [0]                       ; syscall number
(003) jge      #0xe8            jt 4	jf 6 ; >= epoll_wait
(004) jge      #0x40000000      jt 5	jf 15 ; >= x32 bit
(005) jge      #0xffffffff      jt 15	jf 17 ; >= nr -1
(006) jge      #0x66            jt 7	jf 8 ; >= getuid
(007) jge      #0xe7            jt 16	jf 15 ; >= exit_group
(008) jge      #0x2a            jt 9	jf 10 ; >= connect
(009) jge      #0x65            jt 17	jf 15 ; >= ptrace
(010) jge      #0x2             jt 11	jf 16 ; >= open
(011) jge      #0x29            jt 12	jf 15 ; >= socket
(012) ld       [16]                      ; arg0, low word
(013) jeq      #0x2             jt 16	jf 14
(014) jeq      #0xa             jt 16	jf 15
(015) ret      #327681                   ; errno(1)
(016) ret      #2147418112               ; allow
(017) ret      #-2147483648              ; kill_process
OUT
same_file "$tmpdir/out" "$tmpdir/want" "disasm: annotated listing"
is "$(wc -c < "$tmpdir/err")" 0 "disasm: nothing on stderr"

"$PFC" seccomp "$tmpdir/small.pol" --format explain > "$tmpdir/out"
cat > "$tmpdir/want" <<'OUT'
arch x86_64 (AUDIT_ARCH 0xc000003e):
  default: errno(1)
  allow: read(0) write(1) exit_group(231)
  kill_process: ptrace(101)
  socket(41): allow if arg0 == 2 || arg0 == 10; else errno(1)
other architectures: kill_process
OUT
same_file "$tmpdir/out" "$tmpdir/want" "explain: which syscalls get which action"

"$PFC" seccomp --format raw -o "$tmpdir/raw" "$tmpdir/small.pol"
is "$(wc -c < "$tmpdir/raw")" 144 "raw: 18 struct sock_filter of 8 bytes"
"$PFC" seccomp --format dd "$tmpdir/small.pol" > "$tmpdir/dd"
"$PFC" asm --seccomp -d "$tmpdir/dd" > "$tmpdir/dd.d" 2>&1
ok $? "dd: pfc asm --seccomp reads it back and validates it"
"$PFC" seccomp --format ddd "$tmpdir/small.pol" > "$tmpdir/ddd"
is "$(head -1 "$tmpdir/ddd")" 18 "ddd: instruction count first"
is "$(sed -n 2p "$tmpdir/ddd")" "32 0 0 4" "ddd: ld [4] in decimal"

# the x86_64 ABI and i386 in one filter: two arch checks
printf 'default kill_process\nallow getpid\n' > "$tmpdir/multi.pol"
"$PFC" seccomp --arch x86_64,i386 --format explain "$tmpdir/multi.pol" > "$tmpdir/out"
is "$(grep -c '^arch' "$tmpdir/out")" 2 "--arch x86_64,i386: both explained"
is "$(grep 'allow:' "$tmpdir/out" | tr '\n' '|')" "  allow: getpid(39)|  allow: getpid(20)|" \
	"--arch: getpid resolved per ABI"

# diagnostics
printf 'allow read\nallow opne\n' > "$tmpdir/bad.pol"
"$PFC" seccomp "$tmpdir/bad.pol" > /dev/null 2> "$tmpdir/err"
is "$?" 1 "unknown syscall: exit status 1"
printf '%s\n' "$tmpdir/bad.pol:2:7: error: unknown syscall 'opne'; did you mean 'open'?" \
	"allow opne" "      ^~~~" > "$tmpdir/want"
same_file "$tmpdir/err" "$tmpdir/want" "unknown syscall: message, line, caret"
printf 'allow socket if arg9 == 1\n' > "$tmpdir/bad.pol"
"$PFC" seccomp "$tmpdir/bad.pol" > /dev/null 2> "$tmpdir/err"
is "$(head -1 "$tmpdir/err")" "$tmpdir/bad.pol:1:17: error: expected an argument (arg0 .. arg5), '!' or '('" \
	"bad argument name"
printf 'arch x86_64\nallow read\nerrno(EPERM) read, write\n' > "$tmpdir/shadow.pol"
"$PFC" seccomp "$tmpdir/shadow.pol" > /dev/null 2> "$tmpdir/err"
ok $? "shadowed rule: still compiles"
is "$(head -1 "$tmpdir/err")" \
	"$tmpdir/shadow.pol:3:14: warning: this rule never applies to 'read': the rule on line 2 matches it unconditionally first" \
	"shadowed rule: warning with position"
"$PFC" seccomp --format nope "$tmpdir/small.pol" > /dev/null 2>&1
is "$?" 2 "unknown format: usage error"

# run: the command runs under the filter
printf 'default allow\nerrno(EACCES) mkdir, mkdirat\n' > "$tmpdir/deny.pol"
"$PFC" seccomp run "$tmpdir/deny.pol" -- mkdir "$tmpdir/d1" 2> "$tmpdir/err"
is "$?" 1 "run: mkdir refused under the filter"
ok "$(grep -c 'Permission denied' "$tmpdir/err" | sed 's/^1$/0/')" "run: EACCES as the policy says"
[ ! -d "$tmpdir/d1" ]
ok $? "run: the directory was not made"
"$PFC" seccomp run "$tmpdir/deny.pol" -- sh -c 'exit 7'
is "$?" 7 "run: the command's exit status"

# the C output installs the same filter
if command -v cc > /dev/null 2>&1; then
	"$PFC" seccomp --format c -o "$tmpdir/f.c" "$tmpdir/deny.pol"
	cat > "$tmpdir/main.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
int pfc_seccomp_install(void);
int main(int argc, char **argv)
{
	(void)argc;
	if (pfc_seccomp_install() != 0)
		return 2;
	return mkdir(argv[1], 0700) == -1 && errno == EACCES ? 0 : 1;
}
C
	cc -o "$tmpdir/inst" "$tmpdir/f.c" "$tmpdir/main.c"
	ok $? "c: the generated file compiles"
	"$tmpdir/inst" "$tmpdir/d2"
	is "$?" 0 "c: pfc_seccomp_install() installs the filter (mkdir gets EACCES)"
else
	skip "no C compiler"
	skip "no C compiler"
fi

docker="$PFC_SHARED/seccomp/docker-default.json"
if [ -r "$docker" ]; then
	"$PFC" seccomp --oci "$docker" --arch x86_64 --format explain > "$tmpdir/out"
	is "$(grep '^  socket' "$tmpdir/out")" \
		"  socket(41): allow if arg0 < 38; allow if arg0 == 39; allow if arg0 > 40; else errno(1)" \
		"--oci: Docker's socket rules"
	is "$(grep -c '^arch' "$tmpdir/out")" 1 "--oci --arch x86_64: one architecture"
	"$PFC" seccomp --oci "$docker" --format explain > "$tmpdir/out"
	is "$(grep '^arch' "$tmpdir/out" | cut -d' ' -f2 | tr '\n' ' ')" "x86_64 i386 x32 " \
		"--oci: archMap gives x86_64 with its sub-architectures"
	"$PFC" seccomp --oci "$docker" --caps CAP_SYS_ADMIN --arch x86_64 --format explain > "$tmpdir/out"
	ok "$(grep -c ' mount(165)' "$tmpdir/out" | sed 's/^1$/0/')" "--caps CAP_SYS_ADMIN: mount allowed"
	"$PFC" seccomp run --oci "$docker" -- sh -c 'echo under docker' > "$tmpdir/out"
	is "$(cat "$tmpdir/out")" "under docker" "run --oci: a shell runs under Docker's profile"
	"$PFC" seccomp --oci "$docker" --arch x86_64 --format explain > "$tmpdir/out"
	ok "$(grep -c "^  errno(38) above [0-9]*: newer than the profile (runc's ENOSYS stub)\$" \
		"$tmpdir/out" | sed 's/^1$/0/')" "--oci: explain names runc's ENOSYS stub"
	"$PFC" seccomp --oci --no-enosys-stub "$docker" --arch x86_64 --format explain > "$tmpdir/out"
	is "$(grep -c 'ENOSYS stub' "$tmpdir/out")" 0 "--no-enosys-stub: no stub"
	# runc's stub, for real: a number above the profile's last fails with ENOSYS
	call1000='my $r = syscall(1000); print "$r $!\n"'
	if command -v perl > /dev/null 2>&1; then
		"$PFC" seccomp run --oci "$docker" -- perl -e "$call1000" > "$tmpdir/out" 2>&1
		is "$(cat "$tmpdir/out")" "-1 Function not implemented" \
			"run --oci: syscall 1000 gets ENOSYS from runc's stub"
		"$PFC" seccomp run --oci --no-enosys-stub "$docker" -- perl -e "$call1000" \
			> "$tmpdir/out" 2>&1
		is "$(cat "$tmpdir/out")" "-1 Operation not permitted" \
			"run --oci --no-enosys-stub: syscall 1000 gets the default EPERM"
	else
		skip "no perl (Debian's perl-base is essential)"
		skip "no perl (Debian's perl-base is essential)"
	fi
else
	for i in 1 2 3 4 5 6 7 8 9; do skip "$docker not found"; done
fi
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}' \
	> "$tmpdir/bad.json"
"$PFC" seccomp --oci "$tmpdir/bad.json" > /dev/null 2> "$tmpdir/err"
is "$(head -1 "$tmpdir/err")" "$tmpdir/bad.json:1:80: error: unknown action 'SCMP_ACT_NOPE'" \
	"--oci: unknown action, positioned"
tap_done
