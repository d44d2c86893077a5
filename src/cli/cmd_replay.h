/*
 * cmd_replay.h -- offline replay (`pfc -r FILE [-w OUT] [-c N] [EXPRESSION]`),
 * entered from the tcpdump-compatible command line of cmd_compile.c.
 */
#ifndef PFC_CMD_REPLAY_H
#define PFC_CMD_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "filtergen.h"

struct replay_opts {
	const char *input;		/* -r: a pcap or pcapng file, "-" standard input */
	const char *output;		/* -w: a pcap file, "-" standard output; NULL: print */
	unsigned long long count;	/* -c: stop after this many matches; 0 no limit */
	int snaplen_set;		/* -s was given: fg.snaplen is the filter's return value */
	int precision;			/* --nano 1, --micro 0, -1 the input's (printing: micro) */
	struct fg_compile_opts fg;	/* linktype is ignored: each interface's is used */
	struct cap_print_opts print;	/* -e -q -v -S -t -x -X -A (state, precision set here) */
	int progress;			/* 1 always, 0 never, -1 when stderr is a terminal */
};

/*
 * Filter every packet of o->input with the expression (compiled once per
 * link type met), write or print the matching ones, then print
 * "N packets read, M matched" on stderr.  Returns a CLI_EXIT_* status.
 */
int cli_replay(const struct replay_opts *o, const char *expr, size_t len, const char *name);

#endif /* PFC_CMD_REPLAY_H */
