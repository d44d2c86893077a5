# deps.sh -- install what pfc needs to build and test on Debian (sourced).
# Installs only what is missing; uses sudo when not root.
PFC_DEBS="build-essential autoconf automake libtool pkg-config flex bison
libpcap-dev libnl-3-dev libnl-route-3-dev tcpdump netsniff-ng iproute2 git bpftool"
PFC_DEBS="$PFC_DEBS libseccomp-dev"	# seccomp: test oracle and benchmark peer
PFC_DEBS="$PFC_DEBS strace"	# attach_ebpf.sh: the order of SO_ATTACH_BPF and bind

pfc_install_deps() {
	missing=""
	for p in $PFC_DEBS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	echo "installing:$missing"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
