/*
 * replay.c -- run a libFuzzer target over a corpus without libFuzzer.
 *
 * usage: fuzz_X_replay DIR|FILE ...
 * Each input file is passed to LLVMFuzzerTestOneInput once; each one is a
 * TAP assertion (a crash or sanitizer report fails the whole run, which the
 * tap-driver reports as an error).  With no argument the corpus directory
 * is taken from FUZZ_CORPUS.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	int rc;

	if (!f)
		return tap_ok(0, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return tap_ok(0, "read %s", path);
	}
	fclose(f);
	rc = LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return tap_ok(rc == 0, "replay %s (%ld bytes)", path, n);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory in name order, so runs are reproducible. */
static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (!d) {
		tap_ok(0, "open corpus directory %s", dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		run_file(path);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *env = getenv("FUZZ_CORPUS");
	int i;

	if (argc < 2 && !env) {
		fprintf(stderr, "usage: %s DIR|FILE ...\n", argv[0]);
		return 2;
	}
	if (argc < 2)
		run_dir(env);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	return tap_done();
}
