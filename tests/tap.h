/*
 * tap.h -- a tiny header-only TAP producer for the C tests.
 *
 * Every assertion prints one "ok N - name" / "not ok N - name" line, which
 * Automake's tap-driver counts.  tap_done() prints the plan at the end and
 * returns the exit status (0 unless an assertion failed).
 */
#ifndef PFC_TAP_H
#define PFC_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2), unused))
static void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* One skipped assertion with its reason. */
__attribute__((format(printf, 1, 2), unused))
static void tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define tap_is_int(got, want, ...) do {					\
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);	\
	if (!tap_ok(tap_g_ == tap_w_, __VA_ARGS__))			\
		tap_diag("  got %lld, want %lld", tap_g_, tap_w_);	\
} while (0)

#define tap_is_str(got, want, ...) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	int tap_eq_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0;	\
	if (!tap_ok(tap_eq_, __VA_ARGS__))				\
		tap_diag("  got '%s', want '%s'", tap_g_ ? tap_g_ : "(null)",	\
			 tap_w_ ? tap_w_ : "(null)");			\
} while (0)

__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* PFC_TAP_H */
