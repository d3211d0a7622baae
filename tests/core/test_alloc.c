/*
 * test_alloc.c — core tests of the allocator indirection and vc_buf, and
 * allocation-failure injection: every allocating core function is run with
 * an allocator failing at call 1, 2, ... until the call succeeds, and must
 * report VC_ERR_OUT_OF_MEMORY (53200) with no output and no leak each time
 * (ASan's leak checker runs at exit and fails the program on a leak).
 */
#include "vtest.h"

/* An operation under test: allocates its result with a into *out. */
typedef vc_code (*alloc_op) (const vc_alloc *a, char **out, vc_error *err);

/*
 * Run op with an allocator failing at call 1..N until it succeeds; every
 * failed run must be a clean 53200. Returns the number of failure points
 * seen (the allocations the successful run made).
 */
static int
inject(alloc_op op, const char *expected)
{
	vt_fail_state st;
	long		fail_at;
	int			failures = 0;

	for (fail_at = 1; fail_at < 10000; fail_at++)
	{
		vc_alloc	a = vt_failing_alloc(&st, fail_at);
		char	   *out = (char *) "sentinel";
		vc_error	err;
		vc_code		rc;

		vc_error_clear(&err);
		rc = op(&a, &out, &err);
		if (rc == VC_OK)
		{
			VT_STREQ(out, expected);
			VT_CHECK(err.code == VC_OK);
			free(out);
			return failures;
		}
		failures++;
		VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY);
		VT_CHECK(err.code == VC_ERR_OUT_OF_MEMORY);
		VT_SQLSTATE(&err, "53200");
		VT_STREQ(err.message, "out of memory");
		VT_CHECK(out == NULL);
		if (rc != VC_ERR_OUT_OF_MEMORY)
			return failures;
	}
	VT_CHECK(!"operation never succeeded");
	return failures;
}

/* ---- vc_malloc / vc_strndup ---- */

static void
strndup_copies_and_terminates(void)
{
	char	   *p = vc_strndup(&vc_alloc_libc, "abcdef", 3);

	VT_STREQ(p, "abc");
	vc_free(&vc_alloc_libc, p);
	p = vc_strndup(&vc_alloc_libc, "", 0);
	VT_STREQ(p, "");
	vc_free(&vc_alloc_libc, p);
}

static void
strndup_failure_returns_null(void)
{
	vt_fail_state st;
	vc_alloc	a = vt_failing_alloc(&st, 1);

	VT_CHECK(vc_strndup(&a, "abc", 3) == NULL);
	VT_CHECK(st.calls == 1);
}

static void
free_accepts_null(void)
{
	vt_fail_state st;
	vc_alloc	a = vt_failing_alloc(&st, 0);

	vc_free(&a, NULL);
	vc_free(&vc_alloc_libc, NULL);
	VT_CHECK(st.calls == 0);
}

static void
malloc_zero_bytes(void)
{
	void	   *p = vc_malloc(&vc_alloc_libc, 0);

	VT_CHECK(p != NULL);
	vc_free(&vc_alloc_libc, p);
}

/* ---- vc_buf ---- */

static void
buf_append_small(void)
{
	vc_buf		b;
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;

	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_puts(&b, "abc");
	vc_buf_putc(&b, '-');
	vc_buf_append(&b, "xyz123", 3);
	VT_CHECK(b.len == 7);
	VT_STREQ(b.data, "abc-xyz");
	VT_CHECK(vc_buf_finish(&b, &out, &outlen, &err) == VC_OK);
	VT_STREQ(out, "abc-xyz");
	VT_CHECK(outlen == 7);
	/* the buffer is reset and owns nothing after finish */
	VT_CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	free(out);
}

static void
buf_append_grows_past_64(void)
{
	vc_buf		b;
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;
	int			i;

	vc_buf_init(&b, &vc_alloc_libc);
	for (i = 0; i < 100; i++)
		vc_buf_putc(&b, (char) ('a' + i % 26));
	VT_CHECK(b.len == 100);
	VT_CHECK(b.cap >= 101);
	VT_CHECK(!b.failed);
	VT_CHECK(vc_buf_finish(&b, &out, &outlen, &err) == VC_OK);
	VT_CHECK(outlen == 100 && strlen(out) == 100);
	VT_CHECK(out[0] == 'a' && out[25] == 'z' && out[26] == 'a' && out[99] == 'v');
	free(out);
}

static void
buf_append_exactly_63_then_1(void)
{
	vc_buf		b;
	char		block[64];

	/* 63 bytes + NUL fill the first 64-byte block; one more must grow */
	memset(block, 'x', 63);
	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_append(&b, block, 63);
	VT_CHECK(b.cap == 64);
	vc_buf_putc(&b, 'y');
	VT_CHECK(b.cap == 128);
	VT_CHECK(b.len == 64 && b.data[63] == 'y' && b.data[64] == '\0');
	vc_buf_reset(&b);
}

static void
buf_append_large_block(void)
{
	vc_buf		b;
	char		block[1000];

	memset(block, 'q', sizeof(block));
	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_puts(&b, "<");
	vc_buf_append(&b, block, sizeof(block));
	vc_buf_puts(&b, ">");
	VT_CHECK(b.len == 1002);
	VT_CHECK(b.cap == 1024);
	VT_CHECK(b.data[0] == '<' && b.data[1000] == 'q' && b.data[1001] == '>');
	VT_CHECK(strlen(b.data) == 1002);
	vc_buf_reset(&b);
	VT_CHECK(b.data == NULL && b.len == 0);
}

static void
buf_printf_short(void)
{
	vc_buf		b;
	char	   *out = NULL;
	vc_error	err;

	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_printf(&b, "%s=%d", "n", 42);
	vc_buf_printf(&b, ",%ld", -7L);
	VT_CHECK(vc_buf_finish(&b, &out, NULL, &err) == VC_OK);
	VT_STREQ(out, "n=42,-7");
	free(out);
}

static void
buf_printf_grows_past_128(void)
{
	vc_buf		b;
	char		arg[301];
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;

	/* longer than the 128-byte stack buffer of vc_buf_printf */
	memset(arg, 'p', 300);
	arg[300] = '\0';
	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_puts(&b, "head:");
	vc_buf_printf(&b, "[%s]%d", arg, 9);
	VT_CHECK(vc_buf_finish(&b, &out, &outlen, &err) == VC_OK);
	VT_CHECK(outlen == 5 + 1 + 300 + 1 + 1);
	VT_CHECK(out != NULL && strncmp(out, "head:[ppp", 9) == 0);
	VT_CHECK(out != NULL && strcmp(out + outlen - 3, "p]9") == 0);
	free(out);
}

static void
buf_printf_exactly_127_and_128(void)
{
	vc_buf		b;
	char		arg[129];
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;

	/* the boundary of the stack buffer: 127 fits, 128 takes the long path */
	memset(arg, 'r', 128);
	arg[128] = '\0';
	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_printf(&b, "%.127s", arg);
	VT_CHECK(b.len == 127);
	vc_buf_printf(&b, "%s", arg);
	VT_CHECK(b.len == 255);
	VT_CHECK(vc_buf_finish(&b, &out, &outlen, &err) == VC_OK);
	VT_CHECK(outlen == 255 && strlen(out) == 255 && strspn(out, "r") == 255);
	free(out);
}

static void
buf_finish_empty_is_empty_string(void)
{
	vc_buf		b;
	char	   *out = NULL;
	size_t		outlen = 99;
	vc_error	err;

	vc_buf_init(&b, &vc_alloc_libc);
	VT_CHECK(vc_buf_finish(&b, &out, &outlen, &err) == VC_OK);
	VT_CHECK(out != NULL);
	VT_STREQ(out, "");
	VT_CHECK(outlen == 0);
	free(out);
}

static void
buf_finish_after_empty_append(void)
{
	vc_buf		b;
	char	   *out = NULL;
	vc_error	err;

	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_append(&b, "", 0);
	VT_CHECK(vc_buf_finish(&b, &out, NULL, &err) == VC_OK);
	VT_STREQ(out, "");
	free(out);
}

static void
buf_reset_then_reuse(void)
{
	vc_buf		b;
	char	   *out = NULL;
	vc_error	err;

	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_puts(&b, "discarded");
	vc_buf_reset(&b);
	vc_buf_puts(&b, "kept");
	VT_CHECK(vc_buf_finish(&b, &out, NULL, &err) == VC_OK);
	VT_STREQ(out, "kept");
	free(out);
}

static void
buf_failure_is_sticky(void)
{
	vt_fail_state st;
	vc_alloc	a = vt_failing_alloc(&st, 2);
	vc_buf		b;
	char	   *out = (char *) "sentinel";
	char		block[100];
	vc_error	err;

	memset(block, 'x', sizeof(block));
	vc_buf_init(&b, &a);
	vc_buf_puts(&b, "ok");		/* call 1: 64 bytes */
	VT_CHECK(!b.failed);
	vc_buf_append(&b, block, sizeof(block));	/* call 2 fails */
	VT_CHECK(b.failed);
	VT_CHECK(b.len == 2);
	/* later appends are no-ops, even ones that would fit */
	vc_buf_putc(&b, 'z');
	VT_CHECK(b.len == 2);
	VT_CHECK(st.calls == 2);
	vc_error_clear(&err);
	VT_CHECK(vc_buf_finish(&b, &out, NULL, &err) == VC_ERR_OUT_OF_MEMORY);
	VT_CHECK(out == NULL);
	VT_SQLSTATE(&err, "53200");
	/* finish released the memory and cleared the failure */
	VT_CHECK(b.data == NULL && b.failed == 0);
}

static void
buf_finish_null_err_tolerated(void)
{
	vt_fail_state st;
	vc_alloc	a = vt_failing_alloc(&st, 1);
	vc_buf		b;
	char	   *out = NULL;

	vc_buf_init(&b, &a);
	vc_buf_puts(&b, "x");
	VT_CHECK(vc_buf_finish(&b, &out, NULL, NULL) == VC_ERR_OUT_OF_MEMORY);
	VT_CHECK(out == NULL);
}

/* ---- allocation-failure injection ---- */

static vc_code
op_quote_pg(const vc_alloc *a, char **out, vc_error *err)
{
	return vc_ident_quote(a, "a\"b", 3, VC_DIALECT_POSTGRESQL, out, NULL, err);
}

static vc_code
op_quote_mssql_long(const vc_alloc *a, char **out, vc_error *err)
{
	static const char name[] = "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";

	return vc_ident_quote(a, name, 63, VC_DIALECT_MSSQL, out, NULL, err);
}

static vc_code
op_like(const vc_alloc *a, char **out, vc_error *err)
{
	return vc_like_escape(a, "50%_off\\", 8, out, NULL, err);
}

static vc_code
op_like_long(const vc_alloc *a, char **out, vc_error *err)
{
	char		in[200];

	memset(in, '_', sizeof(in));
	return vc_like_escape(a, in, sizeof(in), out, NULL, err);
}

static vc_code
op_like_empty(const vc_alloc *a, char **out, vc_error *err)
{
	return vc_like_escape(a, "", 0, out, NULL, err);
}

static vc_code
op_url(const vc_alloc *a, char **out, vc_error *err)
{
	static const char url[] =
		"postgresql://user:secret@db.example.com:5432/app?sslmode=require&password=x";

	return vc_url_mask(a, url, strlen(url), out, NULL, err);
}

static vc_code
op_url_plain(const vc_alloc *a, char **out, vc_error *err)
{
	return vc_url_mask(a, "not a url", 9, out, NULL, err);
}

static vc_code
op_url_long(const vc_alloc *a, char **out, vc_error *err)
{
	char		url[400];

	memcpy(url, "postgresql://u:p@h/db?", 22);
	memset(url + 22, 'k', sizeof(url) - 22);
	return vc_url_mask(a, url, sizeof(url), out, NULL, err);
}

static vc_code
op_features(const vc_alloc *a, char **out, vc_error *err)
{
	int			enabled[VC_FEAT__COUNT];
	int			f;

	for (f = 0; f < VC_FEAT__COUNT; f++)
		enabled[f] = vc_feature_default(VC_VENDOR_POSTGRESQL, (vc_feature) f);
	return vc_features_json(a, VC_VENDOR_POSTGRESQL, "15.4", 150004, enabled, out,
							err);
}

static vc_code
op_buf_printf(const vc_alloc *a, char **out, vc_error *err)
{
	vc_buf		b;
	char		arg[200];
	int			i;

	memset(arg, 'm', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	vc_buf_init(&b, a);
	for (i = 0; i < 3; i++)
		vc_buf_printf(&b, "%d:%s;", i, arg);
	return vc_buf_finish(&b, out, NULL, err);
}

static vc_code
op_buf_empty(const vc_alloc *a, char **out, vc_error *err)
{
	vc_buf		b;

	vc_buf_init(&b, a);
	return vc_buf_finish(&b, out, NULL, err);
}

static void
inject_ident_quote(void)
{
	VT_CHECK(inject(op_quote_pg, "\"a\"\"b\"") >= 1);
}

static void
inject_ident_quote_long(void)
{
	char		expected[130];

	expected[0] = '[';
	memset(expected + 1, ']', 127);
	expected[128] = '\0';
	/* 128 bytes + NUL: the buffer grows 64 → 128 → 256, several failure points */
	VT_CHECK(inject(op_quote_mssql_long, expected) >= 2);
}

static void
inject_like_escape(void)
{
	VT_CHECK(inject(op_like, "50\\%\\_off\\\\") >= 1);
}

static void
inject_like_escape_long(void)
{
	char		expected[401];
	int			i;

	for (i = 0; i < 200; i++)
	{
		expected[2 * i] = '\\';
		expected[2 * i + 1] = '_';
	}
	expected[400] = '\0';
	VT_CHECK(inject(op_like_long, expected) >= 3);
}

static void
inject_like_escape_empty(void)
{
	VT_CHECK(inject(op_like_empty, "") == 1);
}

static void
inject_url_mask(void)
{
	VT_CHECK(inject(op_url,
					"postgresql://user:***@db.example.com:5432/app?sslmode=require&password=***") >= 2);
}

static void
inject_url_mask_plain(void)
{
	VT_CHECK(inject(op_url_plain, "not a url") == 1);
}

static void
inject_url_mask_long(void)
{
	char		expected[410];

	memcpy(expected, "postgresql://u:***@h/db?", 24);
	memset(expected + 24, 'k', 378);
	expected[402] = '\0';
	VT_CHECK(inject(op_url_long, expected) >= 2);
}

static void
inject_features_json(void)
{
	VT_CHECK(inject(op_features,
					"{\"vendor\": \"postgresql\", \"version\": \"15.4\", \"version_num\": 150004, "
					"\"supports_transactions\": true, \"supports_savepoints\": true, "
					"\"supports_json\": true, \"supports_uuid\": true, "
					"\"supports_returning\": true, \"supports_bulk_insert\": true, "
					"\"supports_foreign_keys\": true, \"supports_indexes\": true, "
					"\"supports_partial_indexes\": true, \"supports_check_constraints\": true, "
					"\"supports_schema_comments\": true, "
					"\"supports_read_only_connections\": true}") >= 3);
}

static void
inject_buf_printf(void)
{
	char		expected[700];
	char		arg[200];
	int			i;
	size_t		n = 0;

	memset(arg, 'm', sizeof(arg) - 1);
	arg[sizeof(arg) - 1] = '\0';
	for (i = 0; i < 3; i++)
		n += (size_t) snprintf(expected + n, sizeof(expected) - n, "%d:%s;", i, arg);
	VT_CHECK(inject(op_buf_printf, expected) >= 3);
}

static void
inject_buf_finish_empty(void)
{
	VT_CHECK(inject(op_buf_empty, "") == 1);
}

static void
inject_rejection_needs_no_memory(void)
{
	vt_fail_state st;
	vc_alloc	a = vt_failing_alloc(&st, 1);
	char	   *out = (char *) "sentinel";
	vc_error	err;

	/* an invalid name is reported as 42602 even when memory is exhausted */
	vc_error_clear(&err);
	VT_CHECK(vc_ident_quote(&a, "", 0, VC_DIALECT_POSTGRESQL, &out, NULL, &err) ==
			 VC_ERR_IDENTIFIER);
	VT_CHECK(out == NULL);
	VT_CHECK(st.calls == 0);
}

int
main(void)
{
	VT_RUN(strndup_copies_and_terminates);
	VT_RUN(strndup_failure_returns_null);
	VT_RUN(free_accepts_null);
	VT_RUN(malloc_zero_bytes);
	VT_RUN(buf_append_small);
	VT_RUN(buf_append_grows_past_64);
	VT_RUN(buf_append_exactly_63_then_1);
	VT_RUN(buf_append_large_block);
	VT_RUN(buf_printf_short);
	VT_RUN(buf_printf_grows_past_128);
	VT_RUN(buf_printf_exactly_127_and_128);
	VT_RUN(buf_finish_empty_is_empty_string);
	VT_RUN(buf_finish_after_empty_append);
	VT_RUN(buf_reset_then_reuse);
	VT_RUN(buf_failure_is_sticky);
	VT_RUN(buf_finish_null_err_tolerated);
	VT_RUN(inject_ident_quote);
	VT_RUN(inject_ident_quote_long);
	VT_RUN(inject_like_escape);
	VT_RUN(inject_like_escape_long);
	VT_RUN(inject_like_escape_empty);
	VT_RUN(inject_url_mask);
	VT_RUN(inject_url_mask_plain);
	VT_RUN(inject_url_mask_long);
	VT_RUN(inject_features_json);
	VT_RUN(inject_buf_printf);
	VT_RUN(inject_buf_finish_empty);
	VT_RUN(inject_rejection_needs_no_memory);
	VT_DONE();
}
