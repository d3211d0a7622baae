/*
 * test_ident.c — core tests of the non-parser validators of DESIGN §7:
 * identifier rules, quoting for the five dialects, dialect names, LIKE
 * escaping, on_delete normalisation, URL password masking, and the 64-byte
 * echo of user input in messages. Each test function is one counted case.
 */
#include "vtest.h"

/* Validate a C string (no embedded NUL) as an "identifier". */
static vc_code
validate(const char *s, vc_error *err)
{
	return vc_ident_validate(s, strlen(s), NULL, err);
}

/* Expect a rejection with 42602 and the given message. */
static void
expect_invalid(const char *s, const char *message)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate(s, &err) == VC_ERR_IDENTIFIER);
	VT_SQLSTATE(&err, "42602");
	VT_STREQ(err.message, message);
}

/* Quote a C string for a dialect; returns the code, *out owned by caller. */
static vc_code
quote(const char *s, size_t len, vc_dialect d, char **out, vc_error *err)
{
	size_t		outlen = 0;
	vc_code		rc = vc_ident_quote(&vc_alloc_libc, s, len, d, out, &outlen, err);

	if (rc == VC_OK)
		VT_CHECK(outlen == strlen(*out));
	return rc;
}

/* Expect the quoted form of s in dialect d. */
static void
expect_quote(const char *s, vc_dialect d, const char *expected)
{
	char	   *out = NULL;
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(quote(s, strlen(s), d, &out, &err) == VC_OK);
	VT_STREQ(out, expected);
	VT_CHECK(err.code == VC_OK);
	free(out);
}

/* Expect a 42602 rejection from vc_ident_quote, with *out left NULL. */
static void
expect_quote_rejected(const char *s, size_t len, const char *message)
{
	char	   *out = (char *) "sentinel";
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(quote(s, len, VC_DIALECT_POSTGRESQL, &out, &err) == VC_ERR_IDENTIFIER);
	VT_CHECK(out == NULL);
	VT_SQLSTATE(&err, "42602");
	VT_STREQ(err.message, message);
}

/* Escape s for LIKE and compare. */
static void
expect_like(const char *s, const char *expected)
{
	char	   *out = NULL;
	size_t		outlen = 99;
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_like_escape(&vc_alloc_libc, s, strlen(s), &out, &outlen, &err) == VC_OK);
	VT_STREQ(out, expected);
	VT_CHECK(outlen == strlen(expected));
	free(out);
}

/* Normalise an on_delete action and compare. */
static void
expect_on_delete(const char *s, const char *expected)
{
	const char *out = NULL;
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_on_delete_normalize(s, strlen(s), &out, &err) == VC_OK);
	VT_STREQ(out, expected);
}

/* Expect 22023 for an on_delete spelling. */
static void
expect_on_delete_rejected(const char *s, size_t len)
{
	const char *out = "sentinel";
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_on_delete_normalize(s, len, &out, &err) == VC_ERR_INVALID_PARAM);
	VT_CHECK(out == NULL);
	VT_SQLSTATE(&err, "22023");
}

/* Mask a URL and compare. */
static void
expect_mask(const char *url, const char *expected)
{
	char	   *out = NULL;
	size_t		outlen = 99;
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_url_mask(&vc_alloc_libc, url, strlen(url), &out, &outlen, &err) == VC_OK);
	VT_STREQ(out, expected);
	VT_CHECK(out != NULL && outlen == strlen(out));
	free(out);
}

/* ---- vc_ident_validate ---- */

static void
ident_accepts_simple_names(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate("users", &err) == VC_OK);
	VT_CHECK(validate("_private", &err) == VC_OK);
	VT_CHECK(validate("A", &err) == VC_OK);
	VT_CHECK(validate("_", &err) == VC_OK);
	VT_CHECK(validate("Order_Items_2", &err) == VC_OK);
	VT_CHECK(validate("updated_at", &err) == VC_OK);
	VT_CHECK(err.code == VC_OK);
	VT_STREQ(err.message, "");
}

static void
ident_accepts_sql_keywords(void)
{
	vc_error	err;

	/* keywords are valid names: everything generated is quoted */
	VT_CHECK(validate("select", &err) == VC_OK);
	VT_CHECK(validate("DROP", &err) == VC_OK);
	VT_CHECK(validate("table", &err) == VC_OK);
}

static void
ident_accepts_63_bytes(void)
{
	char		name[64];
	vc_error	err;

	memset(name, 'a', 63);
	name[63] = '\0';
	VT_CHECK(validate(name, &err) == VC_OK);
}

static void
ident_rejects_64_bytes(void)
{
	char		name[65];
	vc_error	err;

	memset(name, 'a', 64);
	name[64] = '\0';
	vc_error_clear(&err);
	VT_CHECK(validate(name, &err) == VC_ERR_IDENTIFIER);
	VT_SQLSTATE(&err, "42602");
	VT_CHECK(strstr(err.message, "longer than 63 bytes") != NULL);
	VT_STREQ(err.detail, "The name is 64 bytes long.");
}

static void
ident_rejects_long_name_echo_truncated(void)
{
	char		name[201];
	char		expected[128];
	vc_error	err;

	memset(name, 'b', 200);
	name[200] = '\0';
	vc_error_clear(&err);
	VT_CHECK(validate(name, &err) == VC_ERR_IDENTIFIER);
	/* at most 64 bytes of the input are echoed, marked with "..." */
	snprintf(expected, sizeof(expected),
			 "invalid identifier \"%.64s...\": longer than 63 bytes", name);
	VT_STREQ(err.message, expected);
	VT_STREQ(err.detail, "The name is 200 bytes long.");
}

static void
ident_rejects_empty(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_ident_validate("", 0, NULL, &err) == VC_ERR_IDENTIFIER);
	VT_SQLSTATE(&err, "42602");
	VT_STREQ(err.message, "invalid identifier: empty name");
	VT_STREQ(err.detail, "");
}

static void
ident_rejects_leading_digit(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate("1abc", &err) == VC_ERR_IDENTIFIER);
	VT_SQLSTATE(&err, "42602");
	VT_STREQ(err.message, "invalid identifier \"1abc\"");
	VT_STREQ(err.detail, "A name must not start with a digit.");
	VT_STREQ(err.hint,
			 "Names must match [A-Za-z_][A-Za-z0-9_]* and be at most 63 bytes.");
	VT_CHECK(err.position == 1);
}

static void
ident_accepts_digits_after_first(void)
{
	vc_error	err;

	VT_CHECK(validate("a1", &err) == VC_OK);
	VT_CHECK(validate("_9", &err) == VC_OK);
}

static void
ident_rejects_dash(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate("my-table", &err) == VC_ERR_IDENTIFIER);
	VT_STREQ(err.message, "invalid identifier \"my-table\"");
	VT_STREQ(err.detail, "Character 3 is not a letter, digit or underscore.");
	VT_CHECK(err.position == 3);
}

static void
ident_rejects_space(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate("my table", &err) == VC_ERR_IDENTIFIER);
	VT_STREQ(err.detail, "Character 3 is not a letter, digit or underscore.");
	VT_CHECK(err.position == 3);
	expect_invalid(" a", "invalid identifier \" a\"");
	expect_invalid("a ", "invalid identifier \"a \"");
}

static void
ident_rejects_double_quote(void)
{
	expect_invalid("a\"b", "invalid identifier \"a\"b\"");
	expect_invalid("\"", "invalid identifier \"\"\"");
}

static void
ident_rejects_semicolon(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate("users;drop", &err) == VC_ERR_IDENTIFIER);
	VT_CHECK(err.position == 6);
	expect_invalid("t; DROP TABLE users", "invalid identifier \"t; DROP TABLE users\"");
}

static void
ident_rejects_other_punctuation(void)
{
	const char *bad[] = {"a.b", "a$b", "a'b", "a`b", "a[b]", "a(b)", "a*", "a/b",
	"a\\b", "a\tb", "a\nb", "$1", "@x", "#t"};
	size_t		i;
	vc_error	err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		vc_error_clear(&err);
		VT_CHECK(validate(bad[i], &err) == VC_ERR_IDENTIFIER);
		VT_SQLSTATE(&err, "42602");
	}
}

static void
ident_rejects_non_ascii(void)
{
	vc_error	err;

	vc_error_clear(&err);
	/* "café": the é is two bytes; the first of them is character 4 */
	VT_CHECK(validate("caf\xc3\xa9", &err) == VC_ERR_IDENTIFIER);
	VT_STREQ(err.message, "invalid identifier \"caf\xc3\xa9\"");
	VT_STREQ(err.detail, "Character 4 is not a letter, digit or underscore.");
	VT_CHECK(err.position == 4);
	vc_error_clear(&err);
	VT_CHECK(validate("\xc3\xa9t\xc3\xa9", &err) == VC_ERR_IDENTIFIER);
	VT_CHECK(err.position == 1);
}

static void
ident_rejects_embedded_nul(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_ident_validate("ab\0cd", 5, NULL, &err) == VC_ERR_IDENTIFIER);
	VT_SQLSTATE(&err, "42602");
	VT_STREQ(err.detail, "Character 3 is not a letter, digit or underscore.");
	VT_CHECK(err.position == 3);
	/* the echoed NUL becomes '?', so the message stays one C string */
	VT_STREQ(err.message, "invalid identifier \"ab?cd\"");
	vc_error_clear(&err);
	VT_CHECK(vc_ident_validate("ab\0", 3, NULL, &err) == VC_ERR_IDENTIFIER);
	vc_error_clear(&err);
	VT_CHECK(vc_ident_validate("\0", 1, NULL, &err) == VC_ERR_IDENTIFIER);
	VT_CHECK(err.position == 1);
}

static void
ident_length_not_strlen(void)
{
	vc_error	err;

	/* only len bytes count: a valid prefix of an invalid buffer passes */
	VT_CHECK(vc_ident_validate("abc-def", 3, NULL, &err) == VC_OK);
}

static void
ident_uses_description(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_ident_validate("x-y", 3, "table name", &err) == VC_ERR_IDENTIFIER);
	VT_STREQ(err.message, "invalid table name \"x-y\"");
	vc_error_clear(&err);
	VT_CHECK(vc_ident_validate("", 0, "field name", &err) == VC_ERR_IDENTIFIER);
	VT_STREQ(err.message, "invalid field name: empty name");
	vc_error_clear(&err);
	/* an empty description falls back to "identifier" */
	VT_CHECK(vc_ident_validate("1", 1, "", &err) == VC_ERR_IDENTIFIER);
	VT_STREQ(err.message, "invalid identifier \"1\"");
}

static void
ident_null_err_tolerated(void)
{
	VT_CHECK(vc_ident_validate("a-b", 3, NULL, NULL) == VC_ERR_IDENTIFIER);
	VT_CHECK(vc_ident_validate("", 0, NULL, NULL) == VC_ERR_IDENTIFIER);
	VT_CHECK(vc_ident_validate("ok", 2, NULL, NULL) == VC_OK);
}

static void
ident_success_leaves_err_untouched(void)
{
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(validate("fine", &err) == VC_OK);
	VT_CHECK(err.code == VC_OK);
	VT_CHECK(err.position == 0);
}

/* ---- vc_ident_quote ---- */

static void
quote_postgresql(void)
{
	expect_quote("users", VC_DIALECT_POSTGRESQL, "\"users\"");
	expect_quote("a\"b", VC_DIALECT_POSTGRESQL, "\"a\"\"b\"");
	expect_quote("\"", VC_DIALECT_POSTGRESQL, "\"\"\"\"");
}

static void
quote_sqlite(void)
{
	expect_quote("users", VC_DIALECT_SQLITE, "\"users\"");
	expect_quote("a\"b", VC_DIALECT_SQLITE, "\"a\"\"b\"");
}

static void
quote_oracle(void)
{
	expect_quote("users", VC_DIALECT_ORACLE, "\"users\"");
	expect_quote("a\"\"b", VC_DIALECT_ORACLE, "\"a\"\"\"\"b\"");
}

static void
quote_mysql(void)
{
	expect_quote("users", VC_DIALECT_MYSQL, "`users`");
	expect_quote("a`b", VC_DIALECT_MYSQL, "`a``b`");
	/* a double quote is not special inside backticks */
	expect_quote("a\"b", VC_DIALECT_MYSQL, "`a\"b`");
}

static void
quote_mssql(void)
{
	expect_quote("users", VC_DIALECT_MSSQL, "[users]");
	expect_quote("a]b", VC_DIALECT_MSSQL, "[a]]b]");
	/* only the closing bracket is doubled */
	expect_quote("a[b", VC_DIALECT_MSSQL, "[a[b]");
	expect_quote("]]", VC_DIALECT_MSSQL, "[]]]]]");
}

static void
quote_keywords_and_odd_names(void)
{
	expect_quote("select", VC_DIALECT_POSTGRESQL, "\"select\"");
	expect_quote("ORDER", VC_DIALECT_MYSQL, "`ORDER`");
	expect_quote("my table", VC_DIALECT_MSSQL, "[my table]");
	expect_quote("1; DROP TABLE t", VC_DIALECT_SQLITE, "\"1; DROP TABLE t\"");
	expect_quote("caf\xc3\xa9", VC_DIALECT_POSTGRESQL, "\"caf\xc3\xa9\"");
}

static void
quote_63_bytes(void)
{
	char		name[64];
	char		expected[66];

	memset(name, 'q', 63);
	name[63] = '\0';
	snprintf(expected, sizeof(expected), "\"%s\"", name);
	expect_quote(name, VC_DIALECT_POSTGRESQL, expected);
}

static void
quote_63_quote_chars(void)
{
	char		name[64];
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;

	/* worst case growth: every byte doubled, plus the two quotes */
	memset(name, '"', 63);
	name[63] = '\0';
	VT_CHECK(vc_ident_quote(&vc_alloc_libc, name, 63, VC_DIALECT_POSTGRESQL,
							&out, &outlen, &err) == VC_OK);
	VT_CHECK(outlen == 128);
	VT_CHECK(out != NULL && strlen(out) == 128 && strspn(out, "\"") == 128);
	free(out);
}

static void
quote_rejects_empty(void)
{
	expect_quote_rejected("", 0, "cannot quote an empty identifier");
}

static void
quote_rejects_64_bytes(void)
{
	char		name[65];
	vc_error	err;
	char	   *out = NULL;

	memset(name, 'z', 64);
	name[64] = '\0';
	vc_error_clear(&err);
	VT_CHECK(vc_ident_quote(&vc_alloc_libc, name, 64, VC_DIALECT_MYSQL, &out,
							NULL, &err) == VC_ERR_IDENTIFIER);
	VT_CHECK(out == NULL);
	VT_SQLSTATE(&err, "42602");
	VT_CHECK(strstr(err.message, "longer than 63 bytes") != NULL);
	VT_STREQ(err.detail, "The name is 64 bytes long.");
}

static void
quote_rejects_nul(void)
{
	expect_quote_rejected("a\0b", 3,
						  "cannot quote an identifier containing a NUL byte");
}

static void
quote_outlen_optional(void)
{
	char	   *out = NULL;
	vc_error	err;

	VT_CHECK(vc_ident_quote(&vc_alloc_libc, "x", 1, VC_DIALECT_SQLITE, &out,
							NULL, &err) == VC_OK);
	VT_STREQ(out, "\"x\"");
	free(out);
}

static void
quote_buf_appends(void)
{
	vc_buf		b;
	char	   *out = NULL;
	vc_error	err;

	vc_buf_init(&b, &vc_alloc_libc);
	vc_buf_puts(&b, "SELECT ");
	vc_ident_quote_buf(&b, "a\"b", 3, VC_DIALECT_POSTGRESQL);
	vc_buf_puts(&b, " FROM ");
	vc_ident_quote_buf(&b, "t]", 2, VC_DIALECT_MSSQL);
	VT_CHECK(vc_buf_finish(&b, &out, NULL, &err) == VC_OK);
	VT_STREQ(out, "SELECT \"a\"\"b\" FROM [t]]]");
	free(out);
}

/* ---- vc_dialect_parse ---- */

static void
dialect_parse_known(void)
{
	const char *names[] = {"postgresql", "sqlite", "mysql", "mssql", "oracle"};
	vc_dialect	d;
	vc_error	err;
	int			i;

	for (i = 0; i < 5; i++)
	{
		d = VC_DIALECT__COUNT;
		VT_CHECK(vc_dialect_parse(names[i], strlen(names[i]), &d, &err) == VC_OK);
		VT_CHECK((int) d == i);
		VT_STREQ(vc_dialect_name(d), names[i]);
	}
}

static void
dialect_parse_case_insensitive(void)
{
	vc_dialect	d = VC_DIALECT__COUNT;
	vc_error	err;

	VT_CHECK(vc_dialect_parse("PostgreSQL", 10, &d, &err) == VC_OK);
	VT_CHECK(d == VC_DIALECT_POSTGRESQL);
	VT_CHECK(vc_dialect_parse("MYSQL", 5, &d, &err) == VC_OK);
	VT_CHECK(d == VC_DIALECT_MYSQL);
	VT_CHECK(vc_dialect_parse("MsSql", 5, &d, &err) == VC_OK);
	VT_CHECK(d == VC_DIALECT_MSSQL);
}

static void
dialect_parse_unknown(void)
{
	vc_dialect	d = VC_DIALECT_ORACLE;
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_dialect_parse("db2", 3, &d, &err) == VC_ERR_INVALID_PARAM);
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err.message, "unknown dialect \"db2\"");
	VT_STREQ(err.hint, "Use one of postgresql, sqlite, mysql, mssql, oracle.");
	VT_CHECK(d == VC_DIALECT_ORACLE);
}

static void
dialect_parse_near_misses(void)
{
	const char *bad[] = {"", "postgres", "pg", "sqlite3", " mysql", "mysql ",
	"postgresqlx"};
	vc_dialect	d;
	vc_error	err;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		vc_error_clear(&err);
		VT_CHECK(vc_dialect_parse(bad[i], strlen(bad[i]), &d, &err) == VC_ERR_INVALID_PARAM);
		VT_SQLSTATE(&err, "22023");
	}
	/* an embedded NUL after a valid name is not that name */
	VT_CHECK(vc_dialect_parse("sqlite\0", 7, &d, &err) == VC_ERR_INVALID_PARAM);
}

static void
dialect_name_out_of_range(void)
{
	VT_STREQ(vc_dialect_name(VC_DIALECT__COUNT), "unknown");
	VT_STREQ(vc_dialect_name((vc_dialect) -1), "unknown");
}

/* ---- vc_like_escape ---- */

static void
like_escape_percent(void)
{
	expect_like("100%", "100\\%");
	expect_like("%%", "\\%\\%");
}

static void
like_escape_underscore(void)
{
	expect_like("a_b", "a\\_b");
	expect_like("_", "\\_");
}

static void
like_escape_backslash(void)
{
	expect_like("a\\b", "a\\\\b");
	expect_like("\\%", "\\\\\\%");
}

static void
like_escape_none(void)
{
	expect_like("plain text", "plain text");
	expect_like("caf\xc3\xa9 [x]*?", "caf\xc3\xa9 [x]*?");
}

static void
like_escape_empty(void)
{
	char	   *out = NULL;
	size_t		outlen = 99;
	vc_error	err;

	VT_CHECK(vc_like_escape(&vc_alloc_libc, "", 0, &out, &outlen, &err) == VC_OK);
	VT_STREQ(out, "");
	VT_CHECK(outlen == 0);
	free(out);
}

static void
like_escape_long(void)
{
	char		in[301];
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;

	/* growth past the buffer's first allocation */
	memset(in, '%', 300);
	in[300] = '\0';
	VT_CHECK(vc_like_escape(&vc_alloc_libc, in, 300, &out, &outlen, &err) == VC_OK);
	VT_CHECK(outlen == 600);
	VT_CHECK(out != NULL && strlen(out) == 600);
	VT_CHECK(out != NULL && out[0] == '\\' && out[1] == '%' && out[599] == '%');
	free(out);
}

/* ---- vc_on_delete_normalize / vc_on_delete_sql ---- */

static void
on_delete_all_seven(void)
{
	expect_on_delete("CASCADE", "CASCADE");
	expect_on_delete("PROTECT", "PROTECT");
	expect_on_delete("RESTRICT", "RESTRICT");
	expect_on_delete("SET_NULL", "SET_NULL");
	expect_on_delete("SET_DEFAULT", "SET_DEFAULT");
	expect_on_delete("NO_ACTION", "NO_ACTION");
	expect_on_delete("DO_NOTHING", "DO_NOTHING");
}

static void
on_delete_lower_case(void)
{
	expect_on_delete("cascade", "CASCADE");
	expect_on_delete("Protect", "PROTECT");
	expect_on_delete("set_default", "SET_DEFAULT");
	expect_on_delete("do_nothing", "DO_NOTHING");
}

static void
on_delete_blank_form(void)
{
	expect_on_delete("set null", "SET_NULL");
	expect_on_delete("SET NULL", "SET_NULL");
	expect_on_delete("set default", "SET_DEFAULT");
	expect_on_delete("no action", "NO_ACTION");
	expect_on_delete("Do Nothing", "DO_NOTHING");
}

static void
on_delete_trimmed(void)
{
	expect_on_delete("  cascade  ", "CASCADE");
	expect_on_delete("\tset null\n", "SET_NULL");
}

static void
on_delete_double_blank_rejected(void)
{
	expect_on_delete_rejected("SET  NULL", 9);
	expect_on_delete_rejected("set   default", 13);
	expect_on_delete_rejected("SET\tNULL", 8);
}

static void
on_delete_unknown_message(void)
{
	const char *out = "sentinel";
	vc_error	err;

	vc_error_clear(&err);
	VT_CHECK(vc_on_delete_normalize("explode", 7, &out, &err) == VC_ERR_INVALID_PARAM);
	VT_CHECK(out == NULL);
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(err.message, "invalid on_delete action \"explode\"");
	VT_STREQ(err.hint, "Use one of CASCADE, PROTECT, RESTRICT, SET_NULL, "
			 "SET_DEFAULT, NO_ACTION, DO_NOTHING.");
}

static void
on_delete_other_rejections(void)
{
	expect_on_delete_rejected("", 0);
	expect_on_delete_rejected("   ", 3);
	expect_on_delete_rejected("CASCADE;", 8);
	expect_on_delete_rejected("CASCADES", 8);
	expect_on_delete_rejected("SETNULL", 7);
	expect_on_delete_rejected("SET-NULL", 8);
	expect_on_delete_rejected("CASCADE\0", 8);
	expect_on_delete_rejected("CASCADE\0x", 9);
	expect_on_delete_rejected("cascade cascade cascade", 23);
	expect_on_delete_rejected("SET_DEFAULT_AND_MORE_TEXT", 25);
}

static void
on_delete_sql_mapping(void)
{
	VT_STREQ(vc_on_delete_sql("CASCADE"), "CASCADE");
	VT_STREQ(vc_on_delete_sql("PROTECT"), "RESTRICT");
	VT_STREQ(vc_on_delete_sql("RESTRICT"), "RESTRICT");
	VT_STREQ(vc_on_delete_sql("SET_NULL"), "SET NULL");
	VT_STREQ(vc_on_delete_sql("SET_DEFAULT"), "SET DEFAULT");
	VT_STREQ(vc_on_delete_sql("NO_ACTION"), "NO ACTION");
	VT_STREQ(vc_on_delete_sql("DO_NOTHING"), "NO ACTION");
}

/* ---- vc_url_mask ---- */

static void
url_mask_password(void)
{
	expect_mask("postgresql://u:p@h/db", "postgresql://u:***@h/db");
	expect_mask("mysql://root:s3cr3t@localhost:3306/app",
				"mysql://root:***@localhost:3306/app");
}

static void
url_mask_no_password(void)
{
	expect_mask("postgresql://u@h/db", "postgresql://u@h/db");
	expect_mask("postgresql://u:@h/db", "postgresql://u:***@h/db");
}

static void
url_mask_no_userinfo(void)
{
	expect_mask("postgresql://h/db", "postgresql://h/db");
	expect_mask("postgresql://h:5432/db", "postgresql://h:5432/db");
}

static void
url_mask_sqlite(void)
{
	expect_mask("sqlite:///x", "sqlite:///x");
	expect_mask("sqlite:///tmp/app.db?mode=ro", "sqlite:///tmp/app.db?mode=ro");
}

static void
url_mask_password_with_at_and_slash(void)
{
	expect_mask("postgresql://u:p@ss/w@h/db", "postgresql://u:***@h/db");
	expect_mask("postgresql://u:a@b@c@h:5432/db?sslmode=require",
				"postgresql://u:***@h:5432/db?sslmode=require");
}

static void
url_mask_password_with_query_chars(void)
{
	/* libpq reads user:pass up to '@' even across '?' or '#' */
	expect_mask("postgresql://u:p?x@h/db", "postgresql://u:***@h/db");
	expect_mask("postgresql://u:p#x@h/db", "postgresql://u:***@h/db");
	expect_mask("postgresql://u:p?x@h/db?password=y",
				"postgresql://u:***@h/db?password=***");
}

static void
url_mask_query_password(void)
{
	expect_mask("postgresql://h/db?password=x&sslmode=require",
				"postgresql://h/db?password=***&sslmode=require");
	expect_mask("postgresql://h/db?sslmode=require&password=x",
				"postgresql://h/db?sslmode=require&password=***");
	expect_mask("postgresql://h/db?PASSWORD=x", "postgresql://h/db?PASSWORD=***");
	expect_mask("postgresql://h/db?password=x#frag",
				"postgresql://h/db?password=***#frag");
}

static void
url_mask_both_places(void)
{
	expect_mask("postgresql://u:p@h/db?password=q&x=1",
				"postgresql://u:***@h/db?password=***&x=1");
}

static void
url_mask_query_lookalikes(void)
{
	expect_mask("postgresql://h/db?password_file=x", "postgresql://h/db?password_file=x");
	expect_mask("postgresql://h/db?mypassword=x", "postgresql://h/db?mypassword=x");
	expect_mask("postgresql://h/db?password=", "postgresql://h/db?password=");
}

static void
url_mask_at_in_query(void)
{
	/* an '@' in the query must not hide a password= parameter */
	expect_mask("postgresql://h/db?password=s&application_name=a@b",
				"postgresql://h/db?password=***&application_name=a@b");
	expect_mask("postgresql://u:p@h/db?application_name=a@b",
				"postgresql://u:***@b");
	expect_mask("postgresql://h/db?x=a@b", "postgresql://h/db?x=a@b");
}

static void
url_mask_no_scheme(void)
{
	expect_mask("not a url", "not a url");
	expect_mask("localhost:5432", "localhost:5432");
}

static void
url_mask_empty(void)
{
	expect_mask("", "");
}

static void
url_mask_fragment_only(void)
{
	expect_mask("postgresql://h/db#password=x", "postgresql://h/db#password=x");
}

/* ---- vc_echo ---- */

static void
echo_short_unchanged(void)
{
	char		out[VC_ECHO_BUFSZ];

	VT_STREQ(vc_echo(out, sizeof(out), "abc", 3), "abc");
	VT_STREQ(vc_echo(out, sizeof(out), "", 0), "");
}

static void
echo_64_bytes_not_cut(void)
{
	char		in[65];
	char		out[VC_ECHO_BUFSZ];

	memset(in, 'x', 64);
	in[64] = '\0';
	VT_STREQ(vc_echo(out, sizeof(out), in, 64), in);
}

static void
echo_65_bytes_cut(void)
{
	char		in[66];
	char		expected[70];
	char		out[VC_ECHO_BUFSZ];

	memset(in, 'x', 65);
	in[65] = '\0';
	snprintf(expected, sizeof(expected), "%.64s...", in);
	VT_STREQ(vc_echo(out, sizeof(out), in, 65), expected);
}

static void
echo_cut_on_utf8_boundary(void)
{
	char		in[80];
	char		expected[80];
	char		out[VC_ECHO_BUFSZ];

	/* 63 ASCII bytes then "é" (2 bytes) straddling the 64-byte mark */
	memset(in, 'a', 63);
	memcpy(in + 63, "\xc3\xa9zzzz", 7);
	in[70] = '\0';
	memset(expected, 'a', 63);
	memcpy(expected + 63, "...", 4);
	VT_STREQ(vc_echo(out, sizeof(out), in, 70), expected);
}

static void
echo_cut_three_byte_char(void)
{
	char		in[80];
	char		expected[80];
	char		out[VC_ECHO_BUFSZ];

	/* 62 ASCII bytes then "€" (3 bytes) across byte 64 */
	memset(in, 'a', 62);
	memcpy(in + 62, "\xe2\x82\xac" "bbbb", 7);
	in[69] = '\0';
	memset(expected, 'a', 62);
	memcpy(expected + 62, "...", 4);
	VT_STREQ(vc_echo(out, sizeof(out), in, 69), expected);
}

static void
echo_keeps_whole_char_at_boundary(void)
{
	char		in[80];
	char		expected[80];
	char		out[VC_ECHO_BUFSZ];

	/* "é" ends exactly at byte 64: it is kept */
	memset(in, 'a', 62);
	memcpy(in + 62, "\xc3\xa9zz", 4);
	in[66] = '\0';
	memcpy(expected, in, 64);
	memcpy(expected + 64, "...", 4);
	VT_STREQ(vc_echo(out, sizeof(out), in, 66), expected);
}

static void
echo_control_chars_replaced(void)
{
	char		out[VC_ECHO_BUFSZ];

	/* NUL, newline, tab, ESC and DEL must not shape the message */
	VT_STREQ(vc_echo(out, sizeof(out), "ab\0cd", 5), "ab?cd");
	VT_STREQ(vc_echo(out, sizeof(out), "a\nb\tc\x1b[0m\x7f", 10), "a?b?c?[0m?");
}

static void
echo_small_buffer(void)
{
	char		out[8] = "junk";

	/* a buffer too small for the contract gets the empty string */
	VT_STREQ(vc_echo(out, sizeof(out), "abc", 3), "");
}

int
main(void)
{
	VT_RUN(ident_accepts_simple_names);
	VT_RUN(ident_accepts_sql_keywords);
	VT_RUN(ident_accepts_63_bytes);
	VT_RUN(ident_rejects_64_bytes);
	VT_RUN(ident_rejects_long_name_echo_truncated);
	VT_RUN(ident_rejects_empty);
	VT_RUN(ident_rejects_leading_digit);
	VT_RUN(ident_accepts_digits_after_first);
	VT_RUN(ident_rejects_dash);
	VT_RUN(ident_rejects_space);
	VT_RUN(ident_rejects_double_quote);
	VT_RUN(ident_rejects_semicolon);
	VT_RUN(ident_rejects_other_punctuation);
	VT_RUN(ident_rejects_non_ascii);
	VT_RUN(ident_rejects_embedded_nul);
	VT_RUN(ident_length_not_strlen);
	VT_RUN(ident_uses_description);
	VT_RUN(ident_null_err_tolerated);
	VT_RUN(ident_success_leaves_err_untouched);

	VT_RUN(quote_postgresql);
	VT_RUN(quote_sqlite);
	VT_RUN(quote_oracle);
	VT_RUN(quote_mysql);
	VT_RUN(quote_mssql);
	VT_RUN(quote_keywords_and_odd_names);
	VT_RUN(quote_63_bytes);
	VT_RUN(quote_63_quote_chars);
	VT_RUN(quote_rejects_empty);
	VT_RUN(quote_rejects_64_bytes);
	VT_RUN(quote_rejects_nul);
	VT_RUN(quote_outlen_optional);
	VT_RUN(quote_buf_appends);

	VT_RUN(dialect_parse_known);
	VT_RUN(dialect_parse_case_insensitive);
	VT_RUN(dialect_parse_unknown);
	VT_RUN(dialect_parse_near_misses);
	VT_RUN(dialect_name_out_of_range);

	VT_RUN(like_escape_percent);
	VT_RUN(like_escape_underscore);
	VT_RUN(like_escape_backslash);
	VT_RUN(like_escape_none);
	VT_RUN(like_escape_empty);
	VT_RUN(like_escape_long);

	VT_RUN(on_delete_all_seven);
	VT_RUN(on_delete_lower_case);
	VT_RUN(on_delete_blank_form);
	VT_RUN(on_delete_trimmed);
	VT_RUN(on_delete_double_blank_rejected);
	VT_RUN(on_delete_unknown_message);
	VT_RUN(on_delete_other_rejections);
	VT_RUN(on_delete_sql_mapping);

	VT_RUN(url_mask_password);
	VT_RUN(url_mask_no_password);
	VT_RUN(url_mask_no_userinfo);
	VT_RUN(url_mask_sqlite);
	VT_RUN(url_mask_password_with_at_and_slash);
	VT_RUN(url_mask_password_with_query_chars);
	VT_RUN(url_mask_query_password);
	VT_RUN(url_mask_both_places);
	VT_RUN(url_mask_query_lookalikes);
	VT_RUN(url_mask_at_in_query);
	VT_RUN(url_mask_no_scheme);
	VT_RUN(url_mask_empty);
	VT_RUN(url_mask_fragment_only);

	VT_RUN(echo_short_unchanged);
	VT_RUN(echo_64_bytes_not_cut);
	VT_RUN(echo_65_bytes_cut);
	VT_RUN(echo_cut_on_utf8_boundary);
	VT_RUN(echo_cut_three_byte_char);
	VT_RUN(echo_keeps_whole_char_at_boundary);
	VT_RUN(echo_control_chars_replaced);
	VT_RUN(echo_small_buffer);
	VT_DONE();
}
