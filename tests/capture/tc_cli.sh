#!/bin/sh
# tc_cli.sh -- pfc tc's output, errors and clean-up rules, in a network
# namespace: `pfc tc show` word for word, exact error messages and exit
# statuses, which clsact qdisc detach removes (only one pfc created, once no
# filter of anyone's is left), foreign filters untouched, an `ingress` qdisc.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/capture/tc_lib.sh"

# run CMD...: stdout, stderr and exit status on one string
run() {
	"$@" >"$tmpdir/out" 2>"$tmpdir/err"
	echo "status $?: $(cat "$tmpdir/out")$(cat "$tmpdir/err")"
}

if tc_setup; then
	is "$(run inb "$PFC" tc show vb)" "status 0: vb: no clsact qdisc" "show: no qdisc"

	# errors: usage (2) before anything changes, device and kernel errors (1)
	is "$(run inb "$PFC" tc attach nosuch ingress udp)" "status 1: pfc: nosuch: no such device" \
		"attach: unknown device"
	is "$(run inb "$PFC" tc attach vb sideways udp)" \
		"status 2: pfc: tc: invalid hook 'sideways' (ingress or egress)" "attach: bad hook"
	is "$(run inb "$PFC" tc attach vb ingress --action reject udp)" \
		"status 2: pfc: tc: invalid action 'reject' (drop, pass or mirror:DEV)" "attach: bad action"
	is "$(run inb "$PFC" tc attach vb ingress --action mirror: udp)" \
		"status 2: pfc: tc: invalid action 'mirror:' (drop, pass or mirror:DEV)" \
		"attach: mirror without a device"
	is "$(run inb "$PFC" tc attach vb ingress --action mirror:nosuch udp)" \
		"status 1: pfc: nosuch: no such device (mirror target)" "attach: unknown mirror target"
	is "$(run inb "$PFC" tc attach vb ingress --prio 70000 udp)" \
		"status 2: pfc: tc: invalid prio '70000' (1 to 65535)" "attach: bad prio"
	is "$(run inb "$PFC" tc attach vb)" "status 2: pfc: tc: missing hook (ingress or egress)" \
		"attach: no hook"
	is "$(run inb "$PFC" tc frobnicate vb | head -1)" \
		"status 2: pfc: tc: unknown command 'frobnicate' (attach, detach or show)" \
		"unknown tc command"
	is "$(sed -n 2p "$tmpdir/err")" "usage: pfc tc attach IFACE ingress|egress [--action drop|pass|mirror:DEV] [--prio N]" \
		"... then the usage"
	is "$(run inb "$PFC" tc attach vb ingress udp port 70000)" \
		"status 1: expression:1:1: error: illegal port number 70000 > 65535
udp port 70000
^~~~~~~~~~~~~~" "attach: a compile error points at the expression"
	is "$(run inb "$PFC" tc detach vb ingress)" "status 1: pfc: vb: no filter of pfc's on the ingress hook" \
		"detach: nothing to remove"
	is "$(run inb "$PFC" tc show nosuch)" "status 1: pfc: nosuch: no such device" "show: unknown device"
	is "$(leftovers "$NSB" vb)" "" "failed commands leave nothing behind"

	# show, word for word
	inb "$PFC" tc attach vb ingress arp >/dev/null
	inb "$PFC" tc attach vb ingress --action pass --prio 7 ip >/dev/null
	inb "$PFC" tc attach vb egress --action mirror:vm0 ip6 >/dev/null
	cat >"$tmpdir/want" <<EOF
ingress prio 7 handle 0x9fc10002 bpf pfc direct-action match pass
    (000) ld       #pktlen
    (001) jge      #0xe             jt 2	jf 5
    (002) ldh      [12]
    (003) jeq      #0x800           jt 4	jf 5
    (004) ret      #0
    (005) ret      #-1
ingress prio 49152 handle 0x9fc10001 bpf pfc direct-action match drop
    (000) ld       #pktlen
    (001) jge      #0xe             jt 2	jf 5
    (002) ldh      [12]
    (003) jeq      #0x806           jt 4	jf 5
    (004) ret      #2
    (005) ret      #-1
egress prio 49152 handle 0x9fc10003 bpf pfc action mirred egress mirror dev vm0
    (000) ldh      [12]
    (001) jeq      #0x86dd          jt 2	jf 3
    (002) ret      #-1
    (003) ret      #0
EOF
	inb "$PFC" tc show vb >"$tmpdir/got"
	same_file "$tmpdir/got" "$tmpdir/want" "show: both hooks, programs disassembled"
	is "$(inb tc filter show dev vb ingress | grep -c 'bpf chain 0 handle 0x9fc1000[12] direct-action')" 2 \
		"tc(8) sees the two direct-action filters"
	is "$(run inb "$PFC" tc detach vb ingress --prio 7)" "status 0: vb ingress: removed 1 filter" \
		"detach --prio 7"
	is "$(run inb "$PFC" tc detach vb ingress)" "status 0: vb ingress: removed 1 filter" \
		"detach ingress: the egress filter keeps the qdisc"
	is "$(inb tc qdisc show dev vb | grep -c clsact)" 1 "clsact stays while egress has a filter"
	is "$(run inb "$PFC" tc detach vb egress)" \
		"status 0: vb egress: removed 1 filter and the clsact qdisc" \
		"detach egress: the last filter goes with the qdisc pfc created"
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb"

	# a clsact qdisc pfc did not create stays, and so do other filters
	inb tc qdisc add dev vb clsact
	inb tc filter add dev vb egress prio 3 bpf bytecode '1,6 0 0 0'
	is "$(run inb "$PFC" tc attach vb ingress --prio 3 udp)" \
		"status 0: vb ingress: prio 3 handle 0x9fc00001 drop" "attach to an existing clsact: no owner bit"
	inb "$PFC" tc show vb >"$tmpdir/got"
	is "$(sed -n 1p "$tmpdir/got"; sed -n '/^egress/,$p' "$tmpdir/got")" \
		"ingress prio 3 handle 0x9fc00001 bpf pfc direct-action match drop
egress prio 3 handle 0x1 bpf
    (000) ret      #0" "show: a foreign filter too"
	is "$(run inb "$PFC" tc detach vb egress)" "status 1: pfc: vb: no filter of pfc's on the egress hook" \
		"detach egress: the foreign filter is not pfc's"
	is "$(run inb "$PFC" tc detach vb ingress)" "status 0: vb ingress: removed 1 filter" \
		"detach ingress keeps the foreign qdisc"
	is "$(inb tc filter show dev vb egress | grep -c 'handle 0x1 ')" 1 "the foreign filter is intact"
	inb tc qdisc del dev vb clsact

	# pfc created the qdisc, then someone else added a filter: the qdisc stays
	inb "$PFC" tc attach vb ingress udp >/dev/null
	inb tc filter add dev vb egress prio 3 bpf bytecode '1,6 0 0 0'
	is "$(run inb "$PFC" tc attach vb egress tcp)" "status 0: vb egress: prio 49152 handle 0x9fc10002 drop" \
		"a later filter inherits the owner bit"
	inb "$PFC" tc detach vb egress >/dev/null
	is "$(run inb "$PFC" tc detach vb ingress)" "status 0: vb ingress: removed 1 filter" \
		"detach: a foreign filter keeps pfc's qdisc"
	is "$(inb tc qdisc show dev vb | grep -c clsact)" 1 "clsact stays while a foreign filter uses it"
	inb tc qdisc del dev vb clsact

	# -F FILE (with a comment) and -y: the expression and the link type as given
	printf 'arp # the expression\n' >"$tmpdir/expr"
	is "$(run inb "$PFC" tc attach vb ingress -F "$tmpdir/expr")" \
		"status 0: vb ingress: prio 49152 handle 0x9fc10001 drop" "attach -F FILE"
	is "$(inb "$PFC" tc show vb | sed -n 4p)" "    (002) ldh      [12]" "-F: compiled for EN10MB"
	is "$(run inb "$PFC" tc attach vb ingress -F "$tmpdir/expr" ip)" \
		"status 2: pfc: tc: give the expression with -F or as words, not both" "-F and words"
	is "$(run inb "$PFC" tc attach vb egress -y RAW ip)" \
		"status 0: vb egress: prio 49152 handle 0x9fc10002 drop" "attach -y RAW"
	is "$(inb "$PFC" tc show vb | sed -n '/^egress/,$p' | sed -n 4p)" "    (002) ldb      [0]" \
		"-y RAW: the program starts at the IP header"
	is "$(run inb "$PFC" tc attach vb egress -y FROB ip)" \
		"status 2: pfc: tc: unknown or unsupported link type 'FROB' (EN10MB or RAW for TC)" "-y unknown"
	inb "$PFC" tc detach vb ingress >/dev/null
	inb "$PFC" tc detach vb egress >/dev/null
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb"

	# an ingress qdisc: pfc uses it for ingress, and has no egress hook there
	inb tc qdisc add dev vb ingress
	is "$(run inb "$PFC" tc attach vb egress udp)" \
		"status 1: pfc: vb: the device has an ingress qdisc, which has no egress hook (replace it with clsact)" \
		"egress on an ingress qdisc"
	is "$(run inb "$PFC" tc attach vb ingress udp)" "status 0: vb ingress: prio 49152 handle 0x9fc00001 drop" \
		"ingress on an ingress qdisc"
	is "$(run inb "$PFC" tc detach vb ingress)" "status 0: vb ingress: removed 1 filter" \
		"detach leaves the ingress qdisc"
	is "$(inb tc qdisc show dev vb | grep -c 'qdisc ingress')" 1 "the ingress qdisc stays"
	inb tc qdisc del dev vb ingress
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb"
fi
tap_done
