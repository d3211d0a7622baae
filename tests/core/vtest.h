/*
 * vtest.h — the minimal test harness of the core C tests. Each test file is
 * its own program: it defines test functions, lists them in main() with
 * VT_RUN, and ends with VT_DONE(), which prints one "PASS name"/"FAIL name"
 * line per test (the suite runner counts these) and exits non-zero on any
 * failure. Built with -fsanitize=address,undefined by tests/core/Makefile.
 *
 * vt_failing_alloc is an allocator that fails at the Nth call, for the
 * allocation-failure injection the conventions ask of core.
 */
#ifndef VTEST_H
#define VTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vc.h"

static int	vt_failures_total;
static int	vt_current_failed;

#define VT_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			vt_current_failed = 1; \
		} \
	} while (0)

#define VT_STREQ(a, b) \
	do { \
		const char *vt_a_ = (a), *vt_b_ = (b); \
		if (vt_a_ == NULL || vt_b_ == NULL || strcmp(vt_a_, vt_b_) != 0) { \
			fprintf(stderr, "  %s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, \
					vt_b_ ? vt_b_ : "(null)", vt_a_ ? vt_a_ : "(null)"); \
			vt_current_failed = 1; \
		} \
	} while (0)

/* The error's SQLSTATE equals state (a 5-char string). */
#define VT_SQLSTATE(err, state) VT_STREQ(vc_sqlstate((err)->code), (state))

#define VT_RUN(fn) \
	do { \
		vt_current_failed = 0; \
		fn(); \
		printf("%s %s\n", vt_current_failed ? "FAIL" : "PASS", #fn); \
		vt_failures_total += vt_current_failed; \
	} while (0)

#define VT_DONE() return vt_failures_total ? 1 : 0

/* An allocator over malloc that returns NULL from its fail_at-th call on. */
typedef struct vt_fail_state
{
	long		calls;
	long		fail_at;		/* 0 = never fail */
} vt_fail_state;

static void *
vt_fail_malloc(size_t size, void *ud)
{
	vt_fail_state *st = ud;

	st->calls++;
	if (st->fail_at > 0 && st->calls >= st->fail_at)
		return NULL;
	return malloc(size ? size : 1);
}

static void
vt_fail_free(void *ptr, void *ud)
{
	(void) ud;
	free(ptr);
}

static inline vc_alloc
vt_failing_alloc(vt_fail_state *st, long fail_at)
{
	vc_alloc	a = {vt_fail_malloc, vt_fail_free, st};

	st->calls = 0;
	st->fail_at = fail_at;
	return a;
}

#endif
