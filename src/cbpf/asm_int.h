/*
 * asm_int.h -- private declarations of the assembler (asm*.c).
 *
 * The assembler lexes the whole source into tokens once (asm_lex.c), then
 * one parser per syntax walks them: bpf_asm (asm_parse.c), tcpdump -d
 * (asm_listing.c), -dd and -ddd (asm.c).  All of them share the context
 * below, the operand parser and the mnemonic table, and report errors
 * through asm_error(), which positions them on a token.
 */
#ifndef PFC_CBPF_ASM_INT_H
#define PFC_CBPF_ASM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbpf_int.h"

/* The most instructions cbpf_asm() reads (-E2BIG beyond). */
#define ASM_MAX_INSNS 65535u

enum asm_tok_kind {
	ASM_TOK_EOF,		/* after the last token; positioned just past it */
	ASM_TOK_ERROR,		/* where lexing failed; ctx.lex_msg says why */
	ASM_TOK_IDENT,		/* [A-Za-z_][A-Za-z0-9_]* */
	ASM_TOK_NUMBER,		/* [0-9][A-Za-z0-9_]*, converted by the parser */
	ASM_TOK_PUNCT		/* one of : , # % [ ] ( ) + - * & { } */
};

struct asm_tok {
	enum asm_tok_kind kind;
	char punct;		/* the character, for ASM_TOK_PUNCT */
	unsigned line;		/* 1-based */
	unsigned col;		/* 1-based, in bytes */
	size_t off;		/* into the source */
	size_t len;
};

/* A label defined in bpf_asm source: name is src[off, off + len). */
struct asm_label {
	size_t off;
	size_t len;
	size_t insn;		/* the instruction it names */
	size_t tok;		/* its defining token */
};

enum asm_field { ASM_FIELD_JT, ASM_FIELD_JF, ASM_FIELD_K };

/* A jump whose target label is resolved once the whole source is read. */
struct asm_fixup {
	size_t insn;
	size_t tok;		/* the label token of the reference */
	enum asm_field field;
};

struct asm_ctx {
	const char *src;
	size_t len;
	enum cbpf_syntax syntax;
	struct cbpf_diag *diag;

	struct asm_tok *toks;	/* always ends with an EOF or ERROR token */
	size_t ntoks, tokcap;
	size_t pos;		/* next token to read */
	char lex_msg[160];	/* the message of the ERROR token */

	struct cbpf_insn *insns;
	size_t n, cap;
	int cur_insn;		/* instruction being built, -1 between them */

	struct asm_label *labels;
	size_t nlabels, labcap;
	size_t *lab_hash;	/* open addressing, label index + 1, 0 = empty */
	size_t hashcap;

	struct asm_fixup *fixups;
	size_t nfixups, fixcap;
};

/* ---- asm_lex.c ---------------------------------------------------------- */

/* Tokenize the whole source; stops with an ERROR token.  0 or -ENOMEM. */
int asm_lex(struct asm_ctx *c);

/* The token ahead tokens after the next one (never past the last). */
const struct asm_tok *asm_peek(const struct asm_ctx *c, size_t ahead);

/* Consume and return the next token (the last one is never consumed). */
const struct asm_tok *asm_next(struct asm_ctx *c);

/* The token just consumed, NULL at the start. */
const struct asm_tok *asm_prev(const struct asm_ctx *c);

bool asm_is_punct(const struct asm_tok *t, char ch);

/* True when t is the identifier word, compared without case. */
bool asm_is_word(const struct asm_ctx *c, const struct asm_tok *t, const char *word);

/* True when t starts a later line than the token consumed last. */
bool asm_on_new_line(const struct asm_ctx *c, const struct asm_tok *t);

/* Describe t for a message: "'foo'", "end of input". */
const char *asm_tok_desc(const struct asm_ctx *c, const struct asm_tok *t,
			 char *buf, size_t size);

/*
 * Convert a NUMBER token: 0x hex, 0b binary, 0 octal, decimal (only decimal,
 * leading zeros allowed, when decimal is set).  Fails with a diagnostic when
 * t is no number or its value does not fit in 32 bits.
 */
int asm_tok_number(struct asm_ctx *c, const struct asm_tok *t, bool decimal,
		   uint32_t *v);

/* Record an error at t (the lexer's own when t is the ERROR token). */
int asm_error(struct asm_ctx *c, const struct asm_tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record an error just past the token consumed last (a missing token). */
int asm_error_after(struct asm_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- asm_operand.c ------------------------------------------------------ */

enum asm_shape {
	ASM_SHAPE_NONE,		/* tax, txa, neg */
	ASM_SHAPE_OPERAND,	/* one operand among forms[] */
	ASM_SHAPE_JA,		/* jmp/ja target */
	ASM_SHAPE_JCOND,	/* jeq/jgt/jge/jset: #k or x, then targets */
	ASM_SHAPE_JCOND_INV,	/* jneq/jlt/jle: the same test, targets swapped */
	ASM_SHAPE_UNIMP		/* tcpdump -d "unimp 0xNN" */
};

enum asm_opnd_kind {
	ASM_OPND_END,		/* ends a form list */
	ASM_OPND_NONE,		/* nothing (tcpdump -d "ret") */
	ASM_OPND_IMM,		/* #k */
	ASM_OPND_LEN,		/* len, #len, #pktlen */
	ASM_OPND_ANC,		/* proto, #proto, [proto] */
	ASM_OPND_ABS,		/* [k] */
	ASM_OPND_IND,		/* [x + k], [%x + k] */
	ASM_OPND_MEM,		/* M[k] */
	ASM_OPND_MSH,		/* 4*([k]&0xf) */
	ASM_OPND_X,		/* x, %x */
	ASM_OPND_A,		/* a, %a */
	ASM_OPND_NUM,		/* k (ldi, ldxi) */
	ASM_OPND_KINDS
};

struct asm_form {
	enum asm_opnd_kind kind;
	uint16_t code;
};

#define ASM_MAX_FORMS 6

struct asm_mnem {
	const char *name;
	enum asm_shape shape;
	uint16_t code;		/* NONE, JA, JCOND*: the opcode (without BPF_K/X) */
	struct asm_form forms[ASM_MAX_FORMS];	/* OPERAND: kind -> opcode */
	bool listing_only;	/* only in tcpdump -d listings */
};

struct asm_opnd {
	enum asm_opnd_kind kind;
	uint32_t k;
	const struct asm_tok *first;	/* where it starts, for messages */
};

/* The mnemonic named by t (without case), NULL if none. */
const struct asm_mnem *asm_mnem_find(const struct asm_ctx *c, const struct asm_tok *t);

/* Error "unknown mnemonic 'x'", with a suggestion when one is close. */
int asm_unknown_mnem(struct asm_ctx *c, const struct asm_tok *t);

/* Parse an optionally signed number: -2147483648..4294967295. */
int asm_parse_k(struct asm_ctx *c, uint32_t *k);

/*
 * Parse the operand of mnem (the token just consumed) and map it to an
 * opcode through mnem->forms.  An operand missing before the end of the line
 * is ASM_OPND_NONE.
 */
int asm_parse_operand(struct asm_ctx *c, const struct asm_mnem *m,
		      struct asm_opnd *op, uint16_t *code);

/* The compared value of a conditional jump: #k or x; sets the BPF_K/X bit. */
int asm_parse_jcond_src(struct asm_ctx *c, const struct asm_mnem *m,
			uint16_t *code, uint32_t *k);

/* Consume punctuation ch or fail with "expected 'ch' after <after>". */
int asm_expect(struct asm_ctx *c, char ch, const char *after);

/* ---- asm.c -------------------------------------------------------------- */

/* Append an instruction; -E2BIG past ASM_MAX_INSNS (error at t). */
int asm_emit(struct asm_ctx *c, const struct asm_tok *t, uint16_t code,
	     uint8_t jt, uint8_t jf, uint32_t k);

/* ---- asm_parse.c / asm_listing.c ---------------------------------------- */

int asm_parse_bpf_asm(struct asm_ctx *c);
int asm_parse_listing(struct asm_ctx *c);

#endif /* PFC_CBPF_ASM_INT_H */
