/*
 * vc_expr_int.h — private interface between the expression validator
 * (vc_expr.c: its tokenizer) and the expression renderer
 * (vc_expr_render.c), and the emitter the renderer and the permission
 * layer (vc_perm.c) write SQL through. Not part of the core's public API.
 *
 * The renderer re-reads a predicate with the validator's own lexer, so a
 * rendered expression is tokenized exactly as it was validated.
 */
#ifndef VC_EXPR_INT_H
#define VC_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "vc_model_int.h"
#include "vc_query.h"

typedef enum tok_kind
{
	TK_EOF,
	TK_BAD,						/* lexical error, see bad_kind */
	TK_IDENT,					/* unquoted name that is not a keyword */
	TK_QIDENT,					/* "quoted name" */
	TK_NUMBER,
	TK_STRING,
	TK_RESERVED,				/* SQL keyword that may not appear at all */
	TK_AND,
	TK_OR,
	TK_NOT,
	TK_IS,
	TK_NULL,
	TK_TRUE,
	TK_FALSE,
	TK_IN,
	TK_BETWEEN,
	TK_LIKE,
	TK_ILIKE,
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_EQ,
	TK_NE,
	TK_LT,
	TK_GT,
	TK_LE,
	TK_GE,
	TK_PLUS,
	TK_MINUS,
	TK_CONCAT,
	TK_STAR,
	TK_SLASH,
	TK_PERCENT
} tok_kind;

typedef enum bad_kind
{
	BAD_NONE,
	BAD_CHAR,					/* a character outside the grammar */
	BAD_NUL,
	BAD_LINE_COMMENT,
	BAD_BLOCK_COMMENT,
	BAD_CAST,					/* :: */
	BAD_OPERATOR,				/* a run of operator characters we lack */
	BAD_UNTERM_STRING,
	BAD_UNTERM_QIDENT,
	BAD_EMPTY_QIDENT,
	BAD_LONG_QIDENT,
	BAD_LONG_IDENT,
	BAD_NUMBER					/* digits glued to letters: 1or, 0x1F */
} bad_kind;

/* A token is a view of the input: no copy is ever made. */
typedef struct token
{
	tok_kind	kind;
	bad_kind	bad;
	size_t		start;			/* offset of the first byte */
	size_t		len;			/* bytes covered, quotes included */
	size_t		errpos;			/* offset an error points at (TK_BAD) */
	size_t		errlen;			/* bytes to echo for BAD_CHAR */
	const char *word;			/* canonical spelling of a keyword */
} token;

/*
 * The token starting at or after offset pos of s[0..len) (white space
 * skipped). Never allocates. Tokens are views: (start, len) into s.
 */
void		vc_expr_lex(const char *s, size_t len, size_t pos, token *t);

/* ---- emitter: where rendered SQL goes ----------------------------------- */

/*
 * Three destinations share one writer:
 *   - a compiler statement (sink != NULL): text, identifiers and bound
 *     parameters go through vc_sink_*; the sink numbers placeholders;
 *   - standalone text (sink == NULL, policy false): text into b,
 *     parameters copied into pool and numbered first + 1, first + 2 ...;
 *   - a PostgreSQL policy expression (policy true): no parameters at all,
 *     every literal is written as a typed SQL literal, and viper's
 *     functions, operators and pg_catalog functions are schema-qualified.
 * Errors: the first failure is kept in rc (and err); later writes are
 * no-ops, so callers check once.
 */
typedef struct vc_emit
{
	vc_dialect	d;				/* POSTGRESQL or SQLITE */
	const char *alias;			/* qualify columns with it; NULL: bare */
	bool		policy;
	vc_sql_sink *sink;
	vc_buf	   *b;
	vc_pool    *pool;
	vc_param   *params;
	size_t		nparams;
	size_t		capparams;
	size_t		first;
	vc_error   *err;
	vc_code		rc;
} vc_emit;

void		vc_emit_sql(vc_emit *e, const char *sql);
void		vc_emit_ident(vc_emit *e, const char *name);
/* A bound value (policy mode: its SQL literal instead). */
void		vc_emit_param(vc_emit *e, const vc_param *p);
/* A single-quoted SQL string literal (policy text only). */
void		vc_emit_literal(vc_emit *e, const char *s, size_t len);

/* ---- parsed predicates -------------------------------------------------- */

/* A predicate parsed and typed against its model, literals bound for both
 * dialects (opaque; lives in the pool it was parsed into). */
typedef struct vc_pexpr vc_pexpr;

/*
 * Validate expr (vc_expr_validate with the model's columns and
 * VC_EXPR_ALLOW_PRINCIPAL) and parse it into *out, allocated from pool.
 * field_name/context are passed to the validator for its messages.
 */
vc_code		vc_pexpr_parse(vc_pool *pool, const vc_model *m, const char *expr,
						   size_t len, const char *field_name,
						   const char *context, vc_pexpr **out,
						   vc_error *err);

/* Write the predicate through e. */
void		vc_pexpr_emit(vc_emit *e, const vc_pexpr *x);

/* The dialect-specific SQL of viper's principal readers (scalar
 * sub-selects, evaluated once per statement). */
const char *vc_emit_principal_sql(const vc_emit *e);
const char *vc_emit_roles_sql(const vc_emit *e);

/* The dialect of a compiler sink (vc_query_int.h's context). */
vc_dialect	vc_sink_dialect_of(const vc_sql_sink *s);

#endif
