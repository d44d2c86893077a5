/*
 * elf.c -- an ELF64 relocatable object holding one eBPF program, in the
 * shape clang -target bpf produces and libbpf, bpftool and tc read:
 *   [1] <target>   PROGBITS, AX   the instructions
 *   [2] license    PROGBITS, WA   "GPL"
 *   [3] .symtab    a section symbol and the global function <name>,
 *                  and the global object _license
 *   [4] .strtab    [5] .shstrtab
 * No maps, so no relocations.  Host byte order, e_machine EM_BPF.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ebt_int.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

static const char license[] = "GPL";

struct strtab {
	char s[256];
	size_t len;
};

static uint32_t add_str(struct strtab *t, const char *s)
{
	uint32_t at = (uint32_t)t->len;
	size_t n = strlen(s) + 1;

	memcpy(t->s + t->len, s, n);
	t->len += n;
	return at;
}

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

static void fill_syms(Elf64_Sym sym[4], struct strtab *str, const char *name, size_t n)
{
	memset(sym, 0, 4 * sizeof(*sym));
	sym[1].st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION);
	sym[1].st_shndx = 1;
	sym[2].st_name = add_str(str, name);
	sym[2].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
	sym[2].st_shndx = 1;
	sym[2].st_size = n * sizeof(struct bpf_insn);
	sym[3].st_name = add_str(str, "_license");
	sym[3].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
	sym[3].st_shndx = 2;
	sym[3].st_size = sizeof(license);
}

static void section(Elf64_Shdr *sh, uint32_t name, uint32_t type, uint64_t flags, size_t off,
		    size_t size, uint64_t align)
{
	memset(sh, 0, sizeof(*sh));
	sh->sh_name = name;
	sh->sh_type = type;
	sh->sh_flags = flags;
	sh->sh_offset = off;
	sh->sh_size = size;
	sh->sh_addralign = align;
}

int ebt_elf_write(const struct ebt_insn *insns, size_t n, enum ebt_target target,
		  const char *name, void **buf, size_t *len)
{
	struct strtab str = { "", 1 }, shstr = { "", 1 };
	Elf64_Sym sym[4];
	Elf64_Shdr sh[6];
	Elf64_Ehdr eh;
	size_t off_prog, off_lic, off_sym, off_str, off_shstr, off_sh, total;
	uint32_t nm[6];
	char *p;

	if (!n || !name || !*name || strlen(name) > 64)
		return -EINVAL;
	fill_syms(sym, &str, name, n);
	nm[1] = add_str(&shstr, ebt_target_name(target));
	nm[2] = add_str(&shstr, "license");
	nm[3] = add_str(&shstr, ".symtab");
	nm[4] = add_str(&shstr, ".strtab");
	nm[5] = add_str(&shstr, ".shstrtab");
	off_prog = sizeof(eh);
	off_lic = off_prog + n * sizeof(*insns);
	off_sym = align8(off_lic + sizeof(license));
	off_str = off_sym + sizeof(sym);
	off_shstr = off_str + str.len;
	off_sh = align8(off_shstr + shstr.len);
	total = off_sh + sizeof(sh);
	p = calloc(1, total);
	if (!p)
		return -ENOMEM;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = off_sh;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 6;
	eh.e_shstrndx = 5;
	memset(&sh[0], 0, sizeof(sh[0]));
	section(&sh[1], nm[1], SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, off_prog,
		n * sizeof(*insns), 8);
	section(&sh[2], nm[2], SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, off_lic, sizeof(license), 1);
	section(&sh[3], nm[3], SHT_SYMTAB, 0, off_sym, sizeof(sym), 8);
	sh[3].sh_link = 4;
	sh[3].sh_info = 2;	/* index of the first global symbol */
	sh[3].sh_entsize = sizeof(Elf64_Sym);
	section(&sh[4], nm[4], SHT_STRTAB, 0, off_str, str.len, 1);
	section(&sh[5], nm[5], SHT_STRTAB, 0, off_shstr, shstr.len, 1);
	memcpy(p, &eh, sizeof(eh));
	memcpy(p + off_prog, insns, n * sizeof(*insns));
	memcpy(p + off_lic, license, sizeof(license));
	memcpy(p + off_sym, sym, sizeof(sym));
	memcpy(p + off_str, str.s, str.len);
	memcpy(p + off_shstr, shstr.s, shstr.len);
	memcpy(p + off_sh, sh, sizeof(sh));
	*buf = p;
	*len = total;
	return 0;
}
