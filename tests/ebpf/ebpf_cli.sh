#!/bin/sh
# ebpf_cli.sh -- `pfc ebpf` end to end: the -d listing (golden), --action
# verdicts, errors and exit statuses, --load through the verifier for each
# target, and the -o object loaded by the tools users load objects with:
# `bpftool prog load` (libbpf) and `tc filter add ... bpf da obj F.o sec tc`
# in a network namespace this test creates and deletes.
. "$top_srcdir/tests/lib.sh"

# Golden listings.
cat >"$tmpdir/want.xdp" <<'X'
   0: (61) r8 = *(u32 *)(r1 +0)
   1: (61) r9 = *(u32 *)(r1 +4)
   2: (bf) r2 = r8
   3: (07) r2 += 14
   4: (2d) if r2 > r9 goto pc+4
   5: (69) r0 = *(u16 *)(r8 +12)
   6: (56) if w0 != 0x8 goto pc+2
   7: (b4) w0 = 262144
   8: (95) exit
   9: (b4) w0 = 0
  10: (95) exit
X
"$PFC" ebpf --target xdp ip >"$tmpdir/out.xdp" 2>&1
same_file "$tmpdir/out.xdp" "$tmpdir/want.xdp" "pfc ebpf --target xdp ip: listing"
cat >"$tmpdir/want.sock" <<'X'
   0: (bf) r6 = r1
   1: (28) r0 = *(u16 *)skb[12]
   2: (56) if w0 != 0x800 goto pc+2
   3: (b4) w0 = 262144
   4: (95) exit
   5: (b4) w0 = 0
   6: (95) exit
X
"$PFC" ebpf -d ip >"$tmpdir/out.sock" 2>&1
same_file "$tmpdir/out.sock" "$tmpdir/want.sock" "pfc ebpf -d ip: socket filter by default, LD_ABS"

# What the translator leaves out: dead code, guards it can prove useless,
# separate bounds checks.
shape() {	# shape NAME TARGET PROGRAM WANT
	printf '%b' "$3" >"$tmpdir/shape.bpf"
	is "$("$PFC" ebpf --target "$2" --asm "$tmpdir/shape.bpf" 2>&1)" "$4" "$1"
}
shape "a dead definition is dropped" socket 'ld #1\nld #2\nret a\n' \
"   0: (b4) w0 = 2
   1: (95) exit"
shape "X known: division by an immediate, unreachable code dropped" socket \
	'ldx #4\nld len\ndiv x\nja l\nret #9\nl: ret a\n' \
"   0: (61) r0 = *(u32 *)(r1 +0)
   1: (34) w0 /= 4
   2: (95) exit"
shape "X unknown: one guard serves two divisions" socket \
	'ld len\ntax\nld [0]\ndiv x\nmod x\nret a\n' \
"   0: (bf) r6 = r1
   1: (61) r0 = *(u32 *)(r6 +0)
   2: (bc) w7 = w0
   3: (20) r0 = *(u32 *)skb[0]
   4: (16) if w7 == 0x0 goto pc+3
   5: (3c) w0 /= w7
   6: (9c) w0 %= w7
   7: (95) exit
   8: (b4) w0 = 0
   9: (95) exit"
shape "xdp: one bounds check for three loads, dead loads dropped, context kept in r1" xdp \
	'ldh [12]\nldb [23]\nadd x\nldh [20]\nret a\n' \
"   0: (61) r8 = *(u32 *)(r1 +0)
   1: (61) r9 = *(u32 *)(r1 +4)
   2: (bf) r2 = r8
   3: (07) r2 += 24
   4: (2d) if r2 > r9 goto pc+3
   5: (69) r0 = *(u16 *)(r8 +20)
   6: (dc) r0 = be16 r0
   7: (95) exit
   8: (b4) w0 = 0
   9: (95) exit"
shape "loads only compared with constants keep network order: jset, jeq constants swapped" xdp \
	'ldh [12]\njset #0x1800, a, b\na: ret #1\nb: ld [26]\njeq #0x0a000001, c, d\nc: ret #2\nd: ret #0\n' \
"   0: (61) r8 = *(u32 *)(r1 +0)
   1: (61) r9 = *(u32 *)(r1 +4)
   2: (bf) r2 = r8
   3: (07) r2 += 14
   4: (2d) if r2 > r9 goto pc+12
   5: (69) r0 = *(u16 *)(r8 +12)
   6: (46) if w0 & 0x18 goto pc+1
   7: (05) goto pc+2
   8: (b4) w0 = 1
   9: (95) exit
  10: (bf) r2 = r8
  11: (07) r2 += 30
  12: (2d) if r2 > r9 goto pc+4
  13: (61) r0 = *(u32 *)(r8 +26)
  14: (56) if w0 != 0x100000a goto pc+2
  15: (b4) w0 = 2
  16: (95) exit
  17: (b4) w0 = 0
  18: (95) exit"
shape "a shift by X >= 32 gives 0" tc 'ldx #40\nld #5\nlsh x\nret a\n' \
"   0: (b4) w0 = 0
   1: (95) exit"

# --action: match and non-match verdicts.
printf 'ret #1\n' >"$tmpdir/r1.bpf"
printf 'ret #0\n' >"$tmpdir/r0.bpf"
is "$("$PFC" ebpf --target tc --action drop --asm "$tmpdir/r1.bpf")" "   0: (b4) w0 = 2
   1: (95) exit" "tc --action drop: a match is TC_ACT_SHOT"
is "$("$PFC" ebpf --target tc --action pass --asm "$tmpdir/r0.bpf")" "   0: (b4) w0 = -1
   1: (95) exit" "tc --action pass: a non-match is TC_ACT_UNSPEC"
is "$("$PFC" ebpf --target xdp --action pass --asm "$tmpdir/r0.bpf")" "   0: (b4) w0 = 1
   1: (95) exit" "xdp --action pass: a non-match is XDP_DROP"

# Errors.
"$PFC" ebpf --target bogus ip >/dev/null 2>&1; is "$?" 2 "unknown --target is a usage error"
"$PFC" ebpf --action maybe ip >/dev/null 2>&1; is "$?" 2 "unknown --action is a usage error"
printf 'ld #proto\nret a\n' >"$tmpdir/proto.bpf"
err=$("$PFC" ebpf --target xdp --asm "$tmpdir/proto.bpf" 2>&1 >/dev/null); st=$?
is "$st" 1 "ld #proto on xdp fails"
is "$err" "pfc: ebpf: instruction 0: this ancillary load needs an sk_buff, which XDP does not have" "ld #proto on xdp: message"
printf 'ld #poff\nret a\n' >"$tmpdir/poff.bpf"
err=$("$PFC" ebpf --asm "$tmpdir/poff.bpf" 2>&1 >/dev/null)
is "$err" "pfc: ebpf: instruction 0: ld #poff has no eBPF equivalent" "ld #poff: message"
printf 'ldx M[3]\nret x\n' >"$tmpdir/bad.bpf"
"$PFC" ebpf --asm "$tmpdir/bad.bpf" >/dev/null 2>&1; is "$?" 1 "an invalid classic program fails"
"$PFC" ebpf 'tcp port' >/dev/null 2>&1; is "$?" 1 "a wrong expression fails"

# The kernel: --load per target, the object through bpftool and tc.
if ! "$PFC" ebpf --load --asm "$tmpdir/r1.bpf" 2>/dev/null; then
	skip "cannot load eBPF here (needs CAP_BPF): --load, bpftool, tc"
	tap_done
fi
for t in socket tc xdp; do
	err=$("$PFC" ebpf --target $t --load 'tcp port 80 or udp[8:2] = 7' 2>&1); st=$?
	ok $st "--load --target $t: the verifier accepts"
	case "$err" in "loaded: "*" after the verifier (xlated)"|"loaded: "*" after the verifier (xlated)
packet reads: "*) ok 0 "--load --target $t: reports the xlated count";;
	*) ok 1 "--load --target $t: reports the xlated count"; diag "$err";; esac
	"$PFC" ebpf --target $t -o "$tmpdir/f.$t.o" 'tcp port 80 or vlan'; ok $? "-o f.$t.o"
done
# Socket filters: direct packet reads (kfuncs) where this kernel allows them, else portable.
err=$("$PFC" ebpf --load --portable 'tcp port 80' 2>&1 | sed -n 2p)
is "$err" "packet reads: LD_ABS/LD_IND and bpf_skb_load_bytes (portable)" "--load --portable: says how it reads"
"$PFC" ebpf --direct -o "$tmpdir/d.o" tcp 2>"$tmpdir/err"; is "$?" 2 "--direct -o is a usage error"
is "$(cat "$tmpdir/err")" "pfc: ebpf: --direct uses this kernel's BTF ids, which an object file (-o) cannot carry" "--direct -o: the reason"
"$PFC" ebpf --direct --target tc tcp >/dev/null 2>&1; is "$?" 2 "--direct with --target tc is a usage error"
is "$("$PFC" ebpf -d 'tcp port 80' | grep -c kernel-function)" 0 "-d without --direct prints the portable form"
if "$PFC" ebpf --direct -d tcp >/dev/null 2>&1; then
	is "$("$PFC" ebpf --direct -d 'tcp port 80' | grep -c 'call kernel-function#')" 2 "--direct -d: the two kfunc calls"
	err=$("$PFC" ebpf --load 'tcp port 80' 2>&1 | sed -n 2p)
	is "$err" "packet reads: direct (skb->data through kfuncs of this kernel)" "--load reads directly by default here"
	"$PFC" ebpf --direct --load 'tcp port 80 or udp[8:2] = 7 or ip[ip[0] & 0xf] = 1' 2>/dev/null; ok $? "--direct --load: the verifier accepts"
else
	is "$("$PFC" ebpf --direct -d tcp 2>&1 >/dev/null | cut -c1-80)" "pfc: ebpf: --direct: this kernel does not let a socket filter read the packet direc" "--direct where the kernel refuses: the reason"
	skip "direct packet reads in socket filters: not on this kernel (needs 6.16+, BTF, JIT, CAP_PERFMON)"
fi

sections=$(readelf -S "$tmpdir/f.tc.o" 2>/dev/null | sed -n 's/^ *\[ *[1-9][0-9]*\] \([^ ]*\) .*/\1/p' | tr '\n' ' ' | sed 's/ $//')
is "$sections" "tc license .symtab .strtab .shstrtab" "the tc object's sections"

if ! command -v bpftool >/dev/null 2>&1; then
	skip "bpftool not installed (scripts/deps.sh installs it)"
elif ! command -v unshare >/dev/null 2>&1; then
	skip "unshare not installed: no private bpffs for bpftool"
else
	for t in socket tc xdp; do
		case $t in socket) want=socket_filter;; tc) want=sched_cls;; xdp) want=xdp;; esac
		got=$(unshare -m sh -c "mkdir -p '$tmpdir/bpffs' && mount -t bpf bpf '$tmpdir/bpffs' &&
			bpftool prog load '$tmpdir/f.$t.o' '$tmpdir/bpffs/p' &&
			bpftool prog show pinned '$tmpdir/bpffs/p'" 2>&1)
		case "$got" in *": $want  name pfc_filter "*) ok 0 "bpftool prog load f.$t.o: a $want program";;
		*) ok 1 "bpftool prog load f.$t.o: a $want program"; diag "$got";; esac
	done
	# bpftool's listing is ours, line for line, but for the context loads the
	# verifier rewrites (__sk_buff offsets become struct sk_buff ones).
	printf 'ld len\nst M[0]\nst M[2]\nldx #3\nadd x\nlsh #2\njgt #7, a, b\na: ld M[0]\nldx M[2]\nsub x\ntax\nld M[2]\nadd x\njset #1, c, b\nc: ret a\nb: ret #0\n' >"$tmpdir/alu.bpf"
	"$PFC" ebpf -d -o "$tmpdir/alu.o" --asm "$tmpdir/alu.bpf" | grep -v -e '(r6 +' -e '(r1 +' >"$tmpdir/alu.ours"
	unshare -m sh -c "mkdir -p '$tmpdir/bpffs' && mount -t bpf bpf '$tmpdir/bpffs' &&
		bpftool prog load '$tmpdir/alu.o' '$tmpdir/bpffs/p' &&
		bpftool prog dump xlated pinned '$tmpdir/bpffs/p'" 2>&1 | grep -v -e '(r6 +' -e '(r1 +' >"$tmpdir/alu.bpftool"
	same_file "$tmpdir/alu.ours" "$tmpdir/alu.bpftool" "pfc ebpf -d and bpftool prog dump xlated agree"
fi

ns=pfc-ebpf-$$
if ! command -v tc >/dev/null 2>&1 || ! ip netns add $ns 2>/dev/null; then
	skip "no tc or no network namespaces: tc filter add ... bpf da obj"
else
	ip -n $ns link add d0 type veth peer name d1 && ip -n $ns link set d0 up &&
		tc -n $ns qdisc add dev d0 clsact
	ok $? "clsact on a veth in netns $ns"
	out=$(tc -n $ns filter add dev d0 ingress bpf da obj "$tmpdir/f.tc.o" sec tc 2>&1); st=$?
	ok $st "tc filter add dev d0 ingress bpf da obj f.tc.o sec tc"
	[ $st -eq 0 ] || diag "$out"
	show=$(tc -n $ns filter show dev d0 ingress 2>&1)
	case "$show" in *"f.tc.o:[tc] direct-action"*) ok 0 "tc filter show lists it";;
	*) ok 1 "tc filter show lists it"; diag "$show";; esac
	ip netns del $ns
fi
tap_done
