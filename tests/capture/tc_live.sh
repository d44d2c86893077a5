#!/bin/sh
# tc_live.sh -- pfc tc attach/detach with real UDP traffic between two
# network namespaces: drop and pass at ingress, drop at egress, mirror to a
# third device (counted there with a packet socket), and nothing left on the
# devices after detach.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/capture/tc_lib.sh"

if tc_setup; then
	is "$(traffic)" "5001 5 5002 3" "no filter: every datagram arrives"

	is "$(inb "$PFC" tc attach vb ingress udp dst port 5001)" \
		"vb ingress: prio 49152 handle 0x9fc10001 drop" "attach drop at vb ingress"
	is "$(traffic)" "5001 0 5002 3" "ingress drop: exactly the matching port is dropped"
	is "$(inb "$PFC" tc detach vb ingress)" "vb ingress: removed 1 filter and the clsact qdisc" \
		"detach removes the filter and the qdisc pfc created"
	is "$(traffic)" "5001 5 5002 3" "after detach every datagram arrives again"
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb after detach"

	is "$(ina "$PFC" tc attach va egress 'udp and dst port 5002')" \
		"va egress: prio 49152 handle 0x9fc10001 drop" "attach drop at va egress"
	is "$(traffic)" "5001 5 5002 0" "egress drop: exactly the matching port is dropped"
	ina "$PFC" tc detach va egress >/dev/null
	is "$(leftovers "$NSA" va)" "" "nothing left on va after detach"

	# pass ends the classification: the filter dropping both ports never
	# sees port 5001; a non-match (5002) goes on to it.
	inb "$PFC" tc attach vb ingress --prio 2 udp portrange 5001-5002 >/dev/null
	is "$(traffic)" "5001 0 5002 0" "a filter dropping both ports alone drops everything"
	is "$(inb "$PFC" tc attach vb ingress --action pass --prio 1 udp dst port 5001)" \
		"vb ingress: prio 1 handle 0x9fc10002 pass" "attach pass before it"
	is "$(traffic)" "5001 5 5002 0" "pass: matches skip the later filter, the others reach it"
	is "$(inb "$PFC" tc detach vb ingress --prio 2)" "vb ingress: removed 1 filter" \
		"detach --prio 2 removes the drop filter only"
	is "$(traffic)" "5001 5 5002 3" "pass alone lets everything through"
	inb "$PFC" tc detach vb ingress >/dev/null
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb"

	# a frame too short for the pass filter's loads is "no match" for it, so
	# the drop filter behind it still sees (and drops) it: a failed classic
	# load alone would return 0, TC_ACT_OK, and let it through
	inb "$PFC" tc attach vb ingress --action pass --prio 1 udp dst port 5001 >/dev/null
	inb "$PFC" tc attach vb ingress --prio 2 ip >/dev/null
	drops() { inb tc -s qdisc show dev vb | sed -n '/clsact/,$s/.*(dropped \([0-9]*\),.*/\1/p' | head -1; }
	before=$(drops)
	ina "$UDPIO" raw va 3 ffffffffffff0200000000010800450000140000
	is "$(($(drops) - before))" 3 "truncated IPv4 frames: no match for pass, dropped by the next filter"
	is "$(traffic)" "5001 5 5002 0" "... while whole ones are passed or dropped as the filters say"
	inb "$PFC" tc detach vb ingress >/dev/null

	is "$(inb "$PFC" tc attach vb ingress --action mirror:vm0 udp dst port 5001)" \
		"vb ingress: prio 49152 handle 0x9fc10001 mirror to vm0" "attach mirror:vm0 at vb ingress"
	is "$(traffic vm1)" "5001 5 5002 3 sniff 5001 5 5002 0" \
		"mirror: matches are copied to vm0 (seen on its peer) and still delivered"
	inb "$PFC" tc attach vb ingress --prio 60000 udp portrange 5001-5002 >/dev/null
	is "$(traffic vm1)" "5001 0 5002 0 sniff 5001 5 5002 0" \
		"mirror: the originals go on to the next filter (a drop), the copies are out"
	inb "$PFC" tc detach vb ingress >/dev/null
	is "$(traffic vm1)" "5001 5 5002 3 sniff 5001 0 5002 0" "after detach nothing is copied"
	is "$(leftovers "$NSB" vb)" "" "nothing left on vb after the mirror"

	# the loopback device has an (all-zero) Ethernet header: EN10MB
	inb "$PFC" tc attach lo ingress udp dst port 5001 >/dev/null
	rm -f "$tmpdir/ready"
	inb "$UDPIO" recv -r "$tmpdir/ready" -x 5999 127.0.0.1 5001 5002 >"$tmpdir/recv" &
	rpid=$!
	wait_file "$tmpdir/ready"
	inb "$UDPIO" send 127.0.0.1 5001 5
	inb "$UDPIO" send 127.0.0.1 5002 3
	inb "$UDPIO" send 127.0.0.1 5999 1
	wait $rpid
	is "$(tr '\n' ' ' <"$tmpdir/recv")" "5001 0 5002 3 " "lo ingress drop: exactly the matching port is dropped"
	inb "$PFC" tc detach lo ingress >/dev/null
	is "$(leftovers "$NSB" lo)" "" "nothing left on lo"

	# a device without a link-layer header: the program starts at the IP header
	if ina ip tuntap add dev tun0 mode tun 2>/dev/null; then
		ina ip link set tun0 up && ina ip addr add 198.18.2.1/24 dev tun0
		ina "$PFC" tc attach tun0 egress udp dst port 5001 >/dev/null
		is "$(ina "$PFC" tc show tun0 | sed -n 5p)" "    (002) ldb      [0]" \
			"tun0: compiled for RAW (the IP version nibble first)"
		ina "$UDPIO" send 198.18.2.9 5001 4
		ina "$UDPIO" send 198.18.2.9 5002 2
		is "$(ina tc -s qdisc show dev tun0 | sed -n '/clsact/,$s/.*(dropped \([0-9]*\),.*/\1/p')" 4 \
			"tun0 egress: the 4 matching datagrams are dropped"
		ina "$PFC" tc detach tun0 egress >/dev/null
		is "$(leftovers "$NSA" tun0)" "" "nothing left on tun0"
	else
		skip "no tun devices here: RAW not tested"
	fi
fi
tap_done
