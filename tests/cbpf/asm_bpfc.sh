#!/bin/sh
# asm_bpfc.sh -- differential test of the bpf_asm reader against netsniff-ng's
# bpfc: asm_gen writes hundreds of random programs (seeded) covering the
# syntax both accept, and our encoding must equal `bpfc -f C`'s, which is the
# -dd format asm_read prints.  bpfc runs with -b: its validator would reject
# most random programs, and only the encoding is compared here.  Programs
# bpfc rejects are counted, not compared.
. "$top_srcdir/tests/lib.sh"
gen="$top_builddir/tests/cbpf/asm_gen"
read_prog="$top_builddir/tests/cbpf/asm_read"
seed=${ASM_BPFC_SEED:-20240601}
count=${ASM_BPFC_COUNT:-400}

if [ -z "$BPFC" ]; then
	skip "bpfc (netsniff-ng) not found: no differential test"
	tap_done
fi

"$gen" "$seed" "$count" "$tmpdir"; ok $? "asm_gen wrote $count programs (seed $seed)"
compared=0 rejected=0
for f in "$tmpdir"/prog_*.bpf; do
	if ! "$BPFC" -b -f C -i "$f" >"$f.ref" 2>"$f.err" || [ ! -s "$f.ref" ]; then
		rejected=$((rejected + 1))
		continue
	fi
	compared=$((compared + 1))
	"$read_prog" -s asm "$f" >"$f.out" 2>&1
	if cmp -s "$f.out" "$f.ref"; then
		ok 0 "$(basename "$f"): same encoding as bpfc ($(wc -l <"$f.ref") insns)"
	else
		ok 1 "$(basename "$f"): same encoding as bpfc"
		diff "$f.out" "$f.ref" | head -8 | sed 's/^/# /'
		cp "$f" "$top_builddir/tests/cbpf/asm_bpfc_failed_$(basename "$f")" && diag "kept as tests/cbpf/asm_bpfc_failed_$(basename "$f")"
	fi
done
diag "compared $compared programs, bpfc rejected $rejected"
[ "$compared" -ge $((count * 9 / 10)) ]; ok $? "bpfc accepted at least 90% of the programs ($compared of $count)"
tap_done
