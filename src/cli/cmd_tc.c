/*
 * cmd_tc.c -- `pfc tc`: live filtering with tc's BPF classifier.
 *   pfc tc attach IFACE ingress|egress [--action drop|pass|mirror:DEV] [--prio N]
 *                 [-y LINKTYPE] [-F FILE | EXPRESSION ...]
 *   pfc tc detach IFACE ingress|egress [--prio N]
 *   pfc tc show IFACE
 * attach compiles the expression for what the device's TC hook shows a
 * program (its link-layer header first) and hands it to cap_tc_attach();
 * detach and show are thin front ends of cap_tc_detach() and cap_tc_list().
 * Keeps true: the exit status is 0 only when the kernel did what was asked;
 * usage errors exit 2 before anything is changed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "cmd_attach.h"
#include "ebpf_translate.h"
#include "filtergen.h"

struct tc_cli {
	const char *ifname;
	enum cap_tc_hook hook;
	struct cap_tc_opts opts;
	struct fg_compile_opts fg;
	int linktype_set;
	const char *file;
	int ebpf;		/* --ebpf: the eBPF translation, attached by fd */
};

static void tc_usage(FILE *out)
{
	fputs("usage: pfc tc attach IFACE ingress|egress [--action drop|pass|mirror:DEV] [--prio N]\n"
	      "                     [--ebpf] [-y LINKTYPE] [-F FILE | EXPRESSION ...]\n"
	      "       pfc tc detach IFACE ingress|egress [--prio N]\n"
	      "       pfc tc show IFACE\n"
	      "attach: compile EXPRESSION and add it as a cls_bpf filter to the device's\n"
	      "  clsact qdisc (created when missing): packets that match are dropped\n"
	      "  (default), passed, or copied to DEV; the others go on to the next filter.\n"
	      "detach: remove pfc's filters from the hook (only at prio N with --prio), and\n"
	      "  the clsact qdisc when pfc created it and no filter is left.\n"
	      "show: list the filters of both hooks with their programs.  See pfc(1).\n", out);
}

static int parse_hook(const char *s, enum cap_tc_hook *hook)
{
	if (strcmp(s, "ingress") == 0 || strcmp(s, "egress") == 0) {
		*hook = s[0] == 'e' ? CAP_TC_EGRESS : CAP_TC_INGRESS;
		return 0;
	}
	cli_error("tc: invalid hook '%s' (ingress or egress)", s);
	return CLI_EXIT_USAGE;
}

static int parse_action(const char *s, struct cap_tc_opts *o)
{
	if (strcmp(s, "drop") == 0 || strcmp(s, "pass") == 0) {
		o->action = s[0] == 'd' ? CAP_TC_DROP : CAP_TC_PASS;
		return 0;
	}
	if (strncmp(s, "mirror:", 7) == 0 && s[7]) {
		o->action = CAP_TC_MIRROR;
		o->mirror_dev = s + 7;
		return 0;
	}
	cli_error("tc: invalid action '%s' (drop, pass or mirror:DEV)", s);
	return CLI_EXIT_USAGE;
}

static int parse_prio(const char *s, struct cap_tc_opts *o)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end != '\0' || v == 0 || v > 65535) {
		cli_error("tc: invalid prio '%s' (1 to 65535)", s);
		return CLI_EXIT_USAGE;
	}
	o->prio = (uint32_t)v;
	return 0;
}

static int parse_linktype(const char *s, struct tc_cli *t)
{
	if (fg_linktype_lookup(s, &t->fg.linktype) == 0) {
		t->linktype_set = 1;
		return 0;
	}
	cli_error("tc: unknown or unsupported link type '%s' (EN10MB or RAW for TC)", s);
	return CLI_EXIT_USAGE;
}

/* One option; -1 for --help (done), else 0 or an exit status. */
static int one_opt(int c, struct tc_cli *t, int want_hook, int attach)
{
	if (((c == 'a' || c == 'E') && !attach) || (c == 'p' && !want_hook))
		c = '?';
	switch (c) {
	case 'a': return parse_action(optarg, &t->opts);
	case 'p': return parse_prio(optarg, &t->opts);
	case 'E': t->ebpf = 1; return 0;
	case 'y': return parse_linktype(optarg, t);
	case 'F': t->file = optarg; return 0;
	case 'h': tc_usage(stdout); return -1;
	default: tc_usage(stderr); return CLI_EXIT_USAGE;
	}
}

/*
 * IFACE, then (want_hook) the hook, options anywhere before the expression;
 * optind ends at the expression.  Returns 0, -1 (--help done) or an exit status.
 */
static int parse_args(int argc, char **argv, struct tc_cli *t, int want_hook, int attach)
{
	static const struct option longopts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "prio", required_argument, NULL, 'p' },
		{ "ebpf", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *shortopts = attach ? "+y:F:h" : "+h";
	int c, rc = 0, npos = 0;

	optind = 1;
	while (rc == 0) {
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c != -1) {
			rc = one_opt(c, t, want_hook, attach);
			continue;
		}
		if (npos == 1 + want_hook || optind >= argc)
			break;
		if (npos++ == 0)
			t->ifname = argv[optind++];
		else
			rc = parse_hook(argv[optind++], &t->hook);
	}
	if (rc == 0 && npos < 1 + want_hook) {
		cli_error("tc: missing %s", npos == 0 ? "IFACE" : "hook (ingress or egress)");
		return CLI_EXIT_USAGE;
	}
	if (rc == 0 && !attach && optind < argc) {
		cli_error("tc: unexpected argument '%s'", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	return rc;
}

/* The expression: -F FILE or the remaining words joined with spaces. */
static int load_expression(const struct tc_cli *t, int argc, char **argv, char **expr, size_t *len)
{
	size_t n = 1;
	int i, rc;

	if (t->file) {
		if (optind < argc) {
			cli_error("tc: give the expression with -F or as words, not both");
			return CLI_EXIT_USAGE;
		}
		rc = cli_read_file(t->file, expr, len);
		if (rc < 0) {
			cli_error("%s: %s", t->file, strerror(-rc));
			return CLI_EXIT_FAIL;
		}
		for (i = 0; (size_t)i < *len; i++)	/* '#' comments, as tcpdump -F */
			if ((*expr)[i] == '#')
				for (; (size_t)i < *len && (*expr)[i] != '\n'; i++)
					(*expr)[i] = ' ';
		return 0;
	}
	for (i = optind; i < argc; i++)
		n += strlen(argv[i]) + 1;
	*expr = malloc(n);
	if (!*expr) {
		cli_error("out of memory");
		return CLI_EXIT_FAIL;
	}
	(*expr)[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (i > optind)
			strcat(*expr, " ");
		strcat(*expr, argv[i]);
	}
	*len = strlen(*expr);
	return 0;
}

static const char *action_name(const struct cap_tc_opts *o)
{
	return o->action == CAP_TC_DROP ? "drop" : o->action == CAP_TC_PASS ? "pass" : "mirror";
}

static int compile(struct tc_cli *t, const char *expr, size_t len, struct cbpf_insn **prog,
		   size_t *n)
{
	char err[256] = "";
	struct fg_diag diag;
	int rc;

	if (!t->linktype_set && cap_tc_linktype(t->ifname, &t->fg.linktype, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		return CLI_EXIT_FAIL;
	}
	t->fg.linux_ext = 1;	/* the program runs in the kernel, on an skb, as a socket filter does */
	memset(&diag, 0, sizeof(diag));
	rc = fg_compile(expr, len, &t->fg, prog, n, &diag);
	if (rc == -ENOMEM)
		cli_error("out of memory");
	else if (rc < 0)
		cli_print_expr_diag(stderr, t->file ? t->file : "expression", expr, len, &diag);
	return rc < 0 ? CLI_EXIT_FAIL : 0;
}

static int tc_attach(int argc, char **argv)
{
	struct tc_cli t;
	struct cap_tc_filter f;
	struct cbpf_insn *prog = NULL;
	char *expr = NULL, err[512] = "";
	size_t len = 0, n = 0;
	int rc;

	memset(&t, 0, sizeof(t));
	cap_tc_opts_init(&t.opts);
	fg_compile_opts_init(&t.fg);
	rc = parse_args(argc, argv, &t, 1, 1);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	rc = load_expression(&t, argc, argv, &expr, &len);
	if (rc == 0)
		rc = compile(&t, expr, len, &prog, &n);
	if (rc == 0 && t.ebpf) {
		rc = cli_tc_ebpf_load(prog, n, t.opts.action, &t.opts.prog_fd);
		t.opts.prog_name = "pfc_ebpf";
	}
	if (rc == 0 && cap_tc_attach(t.ifname, t.hook, prog, n, &t.opts, &f, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		rc = CLI_EXIT_FAIL;
	}
	if (rc == 0)
		printf("%s %s: prio %u handle 0x%x %s%s%s\n", t.ifname, cap_tc_hook_name(t.hook),
		       f.prio, f.handle, action_name(&t.opts),
		       t.opts.action == CAP_TC_MIRROR ? " to " : "",
		       t.opts.action == CAP_TC_MIRROR ? t.opts.mirror_dev : "");
	if (rc == 0 && t.ebpf)
		printf("%s %s: eBPF program %s id %u\n", t.ifname, cap_tc_hook_name(t.hook), f.name,
		       f.prog_id);
	if (t.opts.prog_fd >= 0)
		close(t.opts.prog_fd);	/* the filter holds the program */
	cbpf_free(prog);
	free(expr);
	return rc;
}

static int tc_detach(int argc, char **argv)
{
	struct tc_cli t;
	char err[512] = "";
	unsigned removed = 0;
	int rc, qdisc = 0;

	memset(&t, 0, sizeof(t));
	cap_tc_opts_init(&t.opts);
	rc = parse_args(argc, argv, &t, 1, 0);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (cap_tc_detach(t.ifname, t.hook, &t.opts, &removed, &qdisc, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		return CLI_EXIT_FAIL;
	}
	printf("%s %s: removed %u filter%s%s\n", t.ifname, cap_tc_hook_name(t.hook), removed,
	       removed == 1 ? "" : "s", qdisc ? " and the clsact qdisc" : "");
	return CLI_EXIT_OK;
}

/*
 * What a direct-action program returns besides TC_ACT_UNSPEC (-1: no
 * match, next filter): "drop" (TC_ACT_SHOT), "pass" (TC_ACT_OK), or NULL
 * when it returns something else too, or never anything else.
 */
static const char *da_verdict(const struct cap_tc_filter *f)
{
	const char *v = NULL, *w;
	size_t i;

	for (i = 0; i < f->ninsns; i++) {
		if (BPF_CLASS(f->insns[i].code) != BPF_RET || f->insns[i].k == 0xffffffffu)
			continue;
		if (f->insns[i].code != (BPF_RET | BPF_K) || (f->insns[i].k != 0 && f->insns[i].k != 2))
			return NULL;
		w = f->insns[i].k ? "drop" : "pass";
		if (v && v != w)
			return NULL;
		v = w;
	}
	return v;
}

/* An eBPF program of pfc's: how many instructions the kernel keeps after verification. */
static void print_xlated(uint32_t id)
{
	uint32_t count;
	int fd = ebt_prog_get_fd_by_id(id);

	if (fd < 0)
		return;
	if (ebt_prog_xlated_count(fd, &count) == 0)
		printf(" xlated %u", count);
	close(fd);
}

/* A filter's header line, then its program. */
static void print_filter(const struct cap_tc_filter *f)
{
	const char *verdict = f->direct_action ? da_verdict(f) : NULL;
	char *text = NULL;

	printf("%s prio %u handle 0x%x %s", cap_tc_hook_name(f->hook), f->prio, f->handle, f->kind);
	if (f->pfc)
		printf(" pfc");
	if (f->name[0])
		printf(" name %s", f->name);
	if (f->prog_id)
		printf(" id %u", f->prog_id);
	if (f->prog_id && f->pfc)
		print_xlated(f->prog_id);
	if (f->direct_action)
		printf(" direct-action");
	if (verdict)
		printf(" match %s", verdict);
	if (f->actions[0])
		printf(" action %s", f->actions);
	putchar('\n');
	if (f->insns && cbpf_disasm(f->insns, f->ninsns, CBPF_FORMAT_D, &text) == 0) {
		char *line, *save = NULL;

		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			printf("    %s\n", line);
	}
	cbpf_free(text);
}

static int tc_show(int argc, char **argv)
{
	struct cap_tc_list l;
	struct tc_cli t;
	char err[512] = "";
	int rc, hook;
	size_t i, seen;

	memset(&t, 0, sizeof(t));
	cap_tc_opts_init(&t.opts);
	rc = parse_args(argc, argv, &t, 0, 0);
	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if (cap_tc_list(t.ifname, &l, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		return CLI_EXIT_FAIL;
	}
	if (!l.qdisc[0])
		printf("%s: no clsact qdisc\n", t.ifname);
	for (hook = CAP_TC_INGRESS; l.qdisc[0] && hook <= CAP_TC_EGRESS; hook++) {
		for (i = 0, seen = 0; i < l.n; i++)
			if (l.filters[i].hook == (enum cap_tc_hook)hook) {
				print_filter(&l.filters[i]);
				seen++;
			}
		if (!seen)
			printf("%s: no filters\n", cap_tc_hook_name((enum cap_tc_hook)hook));
	}
	cap_tc_list_free(&l);
	return CLI_EXIT_OK;
}

int cmd_tc(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "attach") == 0)
		return tc_attach(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "detach") == 0)
		return tc_detach(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return tc_show(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		tc_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (argc >= 2)
		cli_error("tc: unknown command '%s' (attach, detach or show)", argv[1]);
	tc_usage(stderr);
	return CLI_EXIT_USAGE;
}
