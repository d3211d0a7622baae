/*
 * validate.c — SQLite wrappers of the validators of DESIGN §7. Each one
 * unpacks its arguments, calls core, and converts the result; every error
 * goes through viper_sqlite_raise() so messages and SQLSTATEs are the ones
 * PostgreSQL shows.
 *
 * Arguments are read as (pointer, length) with sqlite3_value_text and then
 * sqlite3_value_bytes (in that order, as SQLite documents), so an embedded
 * NUL reaches core and is rejected there instead of silently cutting the
 * text short. NULL handling mirrors the PostgreSQL declarations: the
 * STRICT functions return NULL when any argument is NULL (before looking
 * at the others); validate_sql_expression is not STRICT and only a NULL
 * expression gives NULL.
 *
 * Memory: results built by core are allocated with viper_sqlite_alloc and
 * handed to SQLite with sqlite3_free as destructor.
 */
#include "sqlite_error.h"

/* True (after setting a NULL result) when any argument is SQL NULL. */
static int
strict_null(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int			i;

	for (i = 0; i < argc; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
		{
			sqlite3_result_null(ctx);
			return 1;
		}
	return 0;
}

/*
 * Fetch a non-NULL argument as UTF-8 text with its byte length. Returns 0
 * after reporting out-of-memory (the only way a non-NULL value yields no
 * text).
 */
static int
arg_text(sqlite3_context *ctx, sqlite3_value *v, const char **s, size_t *len)
{
	const unsigned char *t = sqlite3_value_text(v);

	if (t == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return 0;
	}
	*s = (const char *) t;
	*len = (size_t) sqlite3_value_bytes(v);
	return 1;
}

/* Optional C-string argument: NULL when absent or SQL NULL. */
static int
arg_cstring(sqlite3_context *ctx, int argc, sqlite3_value **argv, int i,
			const char **s)
{
	size_t		len;

	*s = NULL;
	if (i >= argc || sqlite3_value_type(argv[i]) == SQLITE_NULL)
		return 1;
	return arg_text(ctx, argv[i], s, &len);
}

/*
 * Set the result: err raised when code is an error, else the text s.
 * del: SQLITE_TRANSIENT for the checked argument itself (copied),
 * sqlite3_free for text allocated by core (handed to SQLite, which frees it).
 */
static void
result_text(sqlite3_context *ctx, vc_code code, vc_error *err,
			const char *s, size_t len, sqlite3_destructor_type del)
{
	if (code != VC_OK)
	{
		viper_sqlite_raise(ctx, err);
		return;
	}
	sqlite3_result_text64(ctx, s, (sqlite3_uint64) len, del, SQLITE_UTF8);
}

/* Shared body of validate_identifier and assert_safe_table_name. */
static void
check_identifier(sqlite3_context *ctx, sqlite3_value *name_arg,
				 const char *description)
{
	const char *name;
	size_t		len;
	vc_error	err;

	if (!arg_text(ctx, name_arg, &name, &len))
		return;
	vc_error_clear(&err);
	result_text(ctx, vc_ident_validate(name, len, description, &err), &err,
				name, len, SQLITE_TRANSIENT);
}

/* viper_validate_identifier(name[, description = 'identifier']) */
void
viper_sqlite_validate_identifier(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv)
{
	const char *description = "identifier";

	if (strict_null(ctx, argc, argv))
		return;
	if (argc > 1 && !arg_cstring(ctx, argc, argv, 1, &description))
		return;
	check_identifier(ctx, argv[0], description);
}

/* viper_assert_safe_table_name(name) */
void
viper_sqlite_assert_safe_table_name(sqlite3_context *ctx, int argc,
									sqlite3_value **argv)
{
	if (strict_null(ctx, argc, argv))
		return;
	check_identifier(ctx, argv[0], "table name");
}

/* viper_quote_identifier(name[, dialect = 'postgresql']) */
void
viper_sqlite_quote_identifier(sqlite3_context *ctx, int argc,
							  sqlite3_value **argv)
{
	vc_dialect	dialect = VC_DIALECT_POSTGRESQL;
	const char *name;
	size_t		len;
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;
	vc_code		code;

	if (strict_null(ctx, argc, argv))
		return;
	vc_error_clear(&err);
	if (argc > 1)
	{
		const char *dname;
		size_t		dlen;

		if (!arg_text(ctx, argv[1], &dname, &dlen))
			return;
		if (vc_dialect_parse(dname, dlen, &dialect, &err) != VC_OK)
		{
			viper_sqlite_raise(ctx, &err);
			return;
		}
	}
	if (!arg_text(ctx, argv[0], &name, &len))
		return;
	code = vc_ident_quote(&viper_sqlite_alloc, name, len, dialect, &out,
						  &outlen, &err);
	result_text(ctx, code, &err, out, outlen, sqlite3_free);
}

/*
 * viper_validate_sql_expression(expr[, field_name[, context]]) — returns
 * expr unchanged when the grammar admits it. No column list is known here,
 * so any non-reserved identifier is taken as a column.
 */
void
viper_sqlite_validate_sql_expression(sqlite3_context *ctx, int argc,
									 sqlite3_value **argv)
{
	const char *expr;
	size_t		len;
	const char *field_name;
	const char *context;
	vc_error	err;

	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
	{
		sqlite3_result_null(ctx);
		return;
	}
	/* each pointer belongs to its own value and stays valid meanwhile */
	if (!arg_cstring(ctx, argc, argv, 1, &field_name) ||
		!arg_cstring(ctx, argc, argv, 2, &context) ||
		!arg_text(ctx, argv[0], &expr, &len))
		return;
	vc_error_clear(&err);
	result_text(ctx, vc_expr_validate(expr, len, NULL, 0, field_name,
									  context, 0, &err),
				&err, expr, len, SQLITE_TRANSIENT);
}

/* A core function that rewrites one text into a new allocation. */
typedef vc_code (*text_rewrite_fn) (const vc_alloc *a, const char *s,
									size_t len, char **out, size_t *outlen,
									vc_error *err);

/* Shared body of escape_like and mask_url: strict (value) → rewritten text */
static void
rewrite_text(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			 text_rewrite_fn fn)
{
	const char *s;
	size_t		len;
	char	   *out = NULL;
	size_t		outlen = 0;
	vc_error	err;
	vc_code		code;

	if (strict_null(ctx, argc, argv) || !arg_text(ctx, argv[0], &s, &len))
		return;
	vc_error_clear(&err);
	code = fn(&viper_sqlite_alloc, s, len, &out, &outlen, &err);
	result_text(ctx, code, &err, out, outlen, sqlite3_free);
}

/* viper_escape_like(value) */
void
viper_sqlite_escape_like(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	rewrite_text(ctx, argc, argv, vc_like_escape);
}

/* viper_validate_regex_pattern(pattern) — returns pattern unchanged */
void
viper_sqlite_validate_regex_pattern(sqlite3_context *ctx, int argc,
									sqlite3_value **argv)
{
	const char *s;
	size_t		len;
	vc_error	err;

	if (strict_null(ctx, argc, argv) || !arg_text(ctx, argv[0], &s, &len))
		return;
	vc_error_clear(&err);
	result_text(ctx, vc_regex_validate(s, len, &err), &err, s, len,
				SQLITE_TRANSIENT);
}

/* viper_validate_on_delete(action) — the normalised upper-case action */
void
viper_sqlite_validate_on_delete(sqlite3_context *ctx, int argc,
								sqlite3_value **argv)
{
	const char *s;
	size_t		len;
	const char *out;
	vc_error	err;

	if (strict_null(ctx, argc, argv) || !arg_text(ctx, argv[0], &s, &len))
		return;
	vc_error_clear(&err);
	if (vc_on_delete_normalize(s, len, &out, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}
	/* out points into core's static table of action names */
	sqlite3_result_text(ctx, out, -1, SQLITE_STATIC);
}

/* viper_mask_url(url) */
void
viper_sqlite_mask_url(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	rewrite_text(ctx, argc, argv, vc_url_mask);
}
