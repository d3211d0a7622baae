/*
 * vc_validate.h — the validation layer of DESIGN §7: identifiers, quoting
 * per dialect, LIKE escaping, on_delete actions, URL masking, SQL
 * expressions (parsed by a small grammar, never pattern-matched) and
 * regular expressions (ReDoS check).
 *
 * Every function here is pure: same input, same result, no global state.
 * Inputs are (pointer, length) pairs because SQLite text may carry an
 * embedded NUL; a NUL inside a name is always rejected.
 */
#ifndef VC_VALIDATE_H
#define VC_VALIDATE_H

#include <stddef.h>

#include "vc_alloc.h"
#include "vc_error.h"

/* The longest identifier PostgreSQL keeps without truncating (NAMEDATALEN-1). */
#define VC_IDENT_MAX 63

typedef enum vc_dialect
{
	VC_DIALECT_POSTGRESQL = 0,
	VC_DIALECT_SQLITE,
	VC_DIALECT_MYSQL,
	VC_DIALECT_MSSQL,
	VC_DIALECT_ORACLE,
	VC_DIALECT__COUNT
} vc_dialect;

/* Case-insensitive dialect name → enum; 22023 for an unknown name. */
vc_code		vc_dialect_parse(const char *name, size_t len, vc_dialect *out,
							 vc_error *err);
const char *vc_dialect_name(vc_dialect d);

/*
 * [A-Za-z_][A-Za-z0-9_]*, 1..63 bytes. description names the thing in the
 * message ("identifier", "table name", "field name" ...). 42602 otherwise.
 */
vc_code		vc_ident_validate(const char *name, size_t len,
							  const char *description, vc_error *err);

/*
 * Quote any non-empty name of at most 63 bytes (no NUL) for the dialect:
 * "x" (postgresql, sqlite, oracle), `x` (mysql), [x] (mssql), with the
 * closing quote character doubled inside. *out is allocated with a and
 * owned by the caller. 42602 for an empty, too long or NUL-bearing name.
 */
vc_code		vc_ident_quote(const vc_alloc *a, const char *name, size_t len,
						   vc_dialect d, char **out, size_t *outlen,
						   vc_error *err);

/* Append the quoted form of an already-checked name to b (SQL building). */
void		vc_ident_quote_buf(vc_buf *b, const char *name, size_t len,
							   vc_dialect d);

/* Escape %, _ and the escape character \ with a backslash. */
vc_code		vc_like_escape(const vc_alloc *a, const char *s, size_t len,
						   char **out, size_t *outlen, vc_error *err);

/*
 * Normalise an on_delete action: case-insensitive, surrounding blanks
 * ignored, "SET NULL" and "SET_NULL" alike. *out is a static string:
 * CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, NO_ACTION, DO_NOTHING.
 * 22023 otherwise.
 */
vc_code		vc_on_delete_normalize(const char *s, size_t len, const char **out,
								   vc_error *err);

/* The referential action an on_delete action becomes in DDL. */
const char *vc_on_delete_sql(const char *normalized);

/*
 * Replace the password of a URL (user:password@ in the authority, also
 * without a scheme, and a password= query parameter) or of a libpq
 * key=value string (password=...) with ***. Text without one comes back
 * unchanged. *out is allocated with a.
 */
vc_code		vc_url_mask(const vc_alloc *a, const char *url, size_t len,
						char **out, size_t *outlen, vc_error *err);

/*
 * Expression validation (vc_expr.c). The expression is tokenized and parsed
 * against an allowlist grammar: column references, literals, comparison,
 * boolean and arithmetic operators, IN lists, IS [NOT] NULL, BETWEEN,
 * [NOT] LIKE/ILIKE, and calls of an allowlist of pure functions. Anything
 * else is 42601 naming the token and its 1-based position.
 *
 * columns/ncolumns: when ncolumns > 0, column references must name one of
 * these (42703 otherwise, with the nearest name as hint); when 0, any
 * identifier that is not a reserved word is taken as a column.
 * field_name and context only appear in messages (may be NULL).
 * flags: VC_EXPR_ALLOW_PRINCIPAL admits principal() (permission predicates).
 */
#define VC_EXPR_MAX_LEN 4096	/* bytes */
#define VC_EXPR_MAX_DEPTH 32	/* parenthesis / NOT nesting */
#define VC_EXPR_ALLOW_PRINCIPAL 0x1

vc_code		vc_expr_validate(const char *expr, size_t len,
							 const char *const *columns, size_t ncolumns,
							 const char *field_name, const char *context,
							 unsigned flags, vc_error *err);

/*
 * Regular-expression safety check (vc_regex.c): syntax (balanced groups and
 * classes, no trailing backslash), a length cap, no backreferences, no
 * quantified group whose body is itself variably quantified ((a+)+, (a*)*,
 * (.*)*) and no quantified alternation whose branches can start alike
 * ((a|a)*, (a|ab)*c). 2201B otherwise, with the position.
 */
#define VC_REGEX_MAX_LEN 1000	/* bytes */

vc_code		vc_regex_validate(const char *pattern, size_t len, vc_error *err);

#endif
