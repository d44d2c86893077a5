#!/bin/sh
# tc_ebpf.sh -- pfc tc attach --ebpf: the filter translated to an eBPF tc
# program, attached by fd (TCA_BPF_FD, TCA_BPF_NAME, direct-action for drop
# and pass, a mirred action for mirror), with real UDP traffic between two
# network namespaces as tc_live.sh does for classic; pfc tc show lists it
# (name, id) and pfc tc detach removes it and the qdisc.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/capture/tc_lib.sh"

if tc_setup; then
	out=$(inb "$PFC" tc attach --ebpf vb ingress udp dst port 5001)
	is "$(echo "$out" | sed -n 1p)" "vb ingress: prio 49152 handle 0x9fc10001 drop" \
		"attach --ebpf drop at vb ingress: pfc's handle"
	ok "$(echo "$out" | sed -n 2p | grep -qx 'vb ingress: eBPF program pfc_ebpf id [1-9][0-9]*'; echo $?)" \
		"attach --ebpf: the program's name and id"
	id=$(echo "$out" | sed -n 's/.* id \([0-9]*\)$/\1/p')
	show=$(inb "$PFC" tc show vb | sed -n 1p)
	is "$(echo "$show" | sed 's/ xlated [1-9][0-9]* / xlated N /')" \
		"ingress prio 49152 handle 0x9fc10001 bpf pfc name pfc_ebpf id $id xlated N direct-action" \
		"tc show: pfc's, its name, its id, its xlated count, direct-action"
	if command -v bpftool >/dev/null 2>&1; then
		is "$(($(echo "$show" | sed 's/.* xlated \([0-9]*\) .*/\1/') * 8))B" \
			"$(bpftool prog show id "$id" | sed -n 's/.*xlated \([0-9]*B\).*/\1/p')" \
			"tc show: the xlated count is bpftool's (8 bytes each)"
	else
		skip "bpftool not found: the xlated count is not compared"
	fi
	is "$(inb tc filter show dev vb ingress | grep -c "pfc_ebpf.*direct-action.*id $id")" 1 \
		"tc(8) sees the eBPF program by name and id, direct-action"
	is "$(traffic)" "5001 0 5002 3" "ingress drop: exactly the matching port is dropped"
	is "$(inb "$PFC" tc detach vb ingress)" "vb ingress: removed 1 filter and the clsact qdisc" \
		"detach removes the eBPF filter and the qdisc pfc created"
	is "$(traffic)" "5001 5 5002 3" "after detach every datagram arrives again"
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb after detach"

	ina "$PFC" tc attach --ebpf va egress 'udp and dst port 5002' >/dev/null
	is "$(traffic)" "5001 5 5002 0" "egress drop: exactly the matching port is dropped"
	ina "$PFC" tc detach va egress >/dev/null
	is "$(leftovers "$NSA" va)" "" "nothing left on va after detach"

	inb "$PFC" tc attach --ebpf vb ingress --prio 2 udp portrange 5001-5002 >/dev/null
	inb "$PFC" tc attach --ebpf vb ingress --action pass --prio 1 udp dst port 5001 >/dev/null
	is "$(traffic)" "5001 5 5002 0" "pass: matches skip the later drop filter, the others reach it"
	inb "$PFC" tc detach vb ingress >/dev/null

	# a frame too short for the pass filter's loads is no match: the drop behind it sees it
	inb "$PFC" tc attach --ebpf vb ingress --action pass --prio 1 udp dst port 5001 >/dev/null
	inb "$PFC" tc attach --ebpf vb ingress --prio 2 ip >/dev/null
	drops() { inb tc -s qdisc show dev vb | sed -n '/clsact/,$s/.*(dropped \([0-9]*\),.*/\1/p' | head -1; }
	before=$(drops)
	ina "$UDPIO" raw va 3 ffffffffffff0200000000010800450000140000
	is "$(($(drops) - before))" 3 "truncated IPv4 frames: no match for pass, dropped by the next filter"
	inb "$PFC" tc detach vb ingress >/dev/null

	is "$(inb "$PFC" tc attach --ebpf vb ingress --action mirror:vm0 udp dst port 5001 | sed -n 1p)" \
		"vb ingress: prio 49152 handle 0x9fc10001 mirror to vm0" "attach --ebpf mirror:vm0 at vb ingress"
	is "$(inb "$PFC" tc show vb | sed -n 1p | sed 's/ id [0-9]* xlated [0-9]*//')" \
		"ingress prio 49152 handle 0x9fc10001 bpf pfc name pfc_ebpf action mirred egress mirror dev vm0" \
		"tc show: the mirror's eBPF program and its mirred action"
	is "$(traffic vm1)" "5001 5 5002 3 sniff 5001 5 5002 0" \
		"mirror: matches are copied to vm0 (seen on its peer) and still delivered"
	inb "$PFC" tc attach --ebpf vb ingress --prio 60000 udp portrange 5001-5002 >/dev/null
	is "$(traffic vm1)" "5001 0 5002 0 sniff 5001 5 5002 0" \
		"mirror: the originals go on to the next filter (a drop), the copies are out"
	inb "$PFC" tc detach vb ingress >/dev/null
	is "$(traffic vm1)" "5001 5 5002 3 sniff 5001 0 5002 0" "after detach nothing is copied"
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb after the mirror"
	is "$(bpftool prog show id "$id" 2>/dev/null | wc -l)" 0 "the first program is gone (bpftool)"

	"$PFC" tc detach --ebpf vb ingress 2>"$tmpdir/e1"; st=$?
	is "$st" 2 "--ebpf is for attach only: usage error"
fi
tap_done
