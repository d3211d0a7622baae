/*
 * vc_expr_render.c — turns a validated expression (a permission predicate
 * such as `owner_id = principal()` or `is_public OR author_id =
 * principal()`) into dialect SQL (DESIGN §7, §8).
 *
 * The text is validated by vc_expr_validate against the model's columns,
 * then re-read with the validator's own lexer into a small tree (so it is
 * tokenized exactly as validated) and written back canonically:
 *   - column references become "<alias>"."<column>" (or bare "<column>");
 *     a field may be named by its field name or its column;
 *   - literals become BOUND PARAMETERS, never text of the SQL. A literal
 *     compared directly with a column (=, <>, <, >, <=, >=, IN, BETWEEN) is
 *     typed by that column exactly like a QuerySpec value (vc_value_bind:
 *     a date string becomes a timestamptz, a wrong type is 22P02 at grant
 *     time rather than a runtime failure); other literals take
 *     PostgreSQL's literal typing (int4, int8, numeric, text, bool);
 *   - principal() becomes the principal read through a scalar sub-select
 *     (one evaluation per statement), cast to the type of the column it
 *     is compared with ("compared in the column's type", §8) — text when
 *     it is not directly compared with a column;
 *   - operators and keywords are written canonically (upper-case keywords,
 *     != as <>); every arithmetic operand that is itself an arithmetic
 *     operation is parenthesised as the validator grouped it, because
 *     PostgreSQL and SQLite disagree on where || binds.
 *
 * Memory: the tree and the bound parameters live in the pool the caller
 * hands vc_pexpr_parse (the grant set's pool). Emitting allocates only in
 * the destination (compiler sink, standalone buffer and its pool).
 */
#include "vc_expr_int.h"
#include "vc_perm.h"
#include "vc_query_int.h"
#include "vc_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum pn_kind
{
	PN_COL,
	PN_LIT,
	PN_NULL,
	PN_PRINCIPAL,
	PN_CALL,
	PN_PAREN,
	PN_UNARY,
	PN_ARITH,
	PN_CMP,
	PN_IS,						/* op: "NULL", "TRUE" or "FALSE" */
	PN_IN,						/* kids: subject, items... */
	PN_BETWEEN,					/* kids: subject, low, high */
	PN_LIKE,					/* kids: subject, pattern */
	PN_NOT,
	PN_AND,
	PN_OR
} pn_kind;

typedef enum lit_kind
{
	LIT_NUMBER,
	LIT_STRING,
	LIT_BOOL
} lit_kind;

typedef struct pnode
{
	pn_kind		kind;
	const char *op;				/* operator, IS target or function name */
	bool		negated;		/* IS NOT, NOT IN, NOT BETWEEN, NOT LIKE */
	const vc_field *field;		/* COL: its field; LIT, PRINCIPAL: the
								 * column it is compared with, or NULL */
	lit_kind	lit;
	char	   *text;			/* LIT: number text or string content */
	size_t		tlen;
	size_t		pos;			/* offset in the expression (messages) */
	vc_param	param[2];		/* LIT: [0] PostgreSQL, [1] SQLite */
	struct pnode **kids;
	size_t		nkids;
	size_t		capkids;
} pnode;

struct vc_pexpr
{
	pnode	   *root;
	const vc_model *m;
};

typedef struct rparser
{
	const char *s;
	size_t		len;
	token		cur;
	vc_pool    *pool;
	const vc_model *m;
	vc_error   *err;
	vc_code		rc;
} rparser;

/* ---- tree building ------------------------------------------------------ */

static pnode *
rp_oom(rparser *rp)
{
	if (rp->rc == VC_OK)
		rp->rc = vc_error_set(rp->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	return NULL;
}

/* The validator accepted what this parser cannot read: a bug, not input. */
static pnode *
rp_bug(rparser *rp)
{
	if (rp->rc == VC_OK)
		rp->rc = vc_error_set(rp->err, VC_ERR_INTERNAL,
							  "predicate renderer out of step with the validator at position %zu",
							  rp->cur.start + 1);
	return NULL;
}

static void
rp_advance(rparser *rp)
{
	vc_expr_lex(rp->s, rp->len, rp->cur.start + rp->cur.len, &rp->cur);
}

static tok_kind
rp_peek(const rparser *rp)
{
	token		t;

	vc_expr_lex(rp->s, rp->len, rp->cur.start + rp->cur.len, &t);
	return t.kind;
}

static pnode *
node_new(rparser *rp, pn_kind kind, size_t pos)
{
	pnode	   *n = vc_pool_alloc(rp->pool, sizeof(pnode));

	if (n == NULL)
		return rp_oom(rp);
	n->kind = kind;
	n->pos = pos;
	return n;
}

static bool
node_add(rparser *rp, pnode *n, pnode *kid)
{
	if (kid == NULL)
		return false;
	if (n->nkids == n->capkids)
	{
		size_t		cap = n->capkids ? n->capkids * 2 : 4;
		pnode	  **k = vc_pool_alloc(rp->pool, cap * sizeof(pnode *));

		if (k == NULL)
		{
			rp_oom(rp);
			return false;
		}
		if (n->nkids > 0)
			memcpy(k, n->kids, n->nkids * sizeof(pnode *));
		n->kids = k;
		n->capkids = cap;
	}
	n->kids[n->nkids++] = kid;
	return true;
}

/* A two-child node (arith, comparison, AND/OR link). */
static pnode *
node_bin(rparser *rp, pn_kind kind, const char *op, pnode *l, pnode *r,
		 size_t pos)
{
	pnode	   *n;

	if (l == NULL || r == NULL)
		return NULL;
	if ((n = node_new(rp, kind, pos)) == NULL)
		return NULL;
	n->op = op;
	if (!node_add(rp, n, l) || !node_add(rp, n, r))
		return NULL;
	return n;
}

/* ASCII case-insensitive equality of a counted string and a C string. */
static bool
ieq(const char *s, size_t len, const char *lit)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (lit[i] == '\0' ||
			vc_ascii_tolower((unsigned char) s[i]) !=
			vc_ascii_tolower((unsigned char) lit[i]))
			return false;
	return lit[len] == '\0';
}

/* Content of a quoted token with the doubled quote undone, into the pool. */
static char *
unquote(rparser *rp, const token *t, size_t *outlen)
{
	const char *s = rp->s + t->start;
	char		q = s[0];
	char	   *out = vc_pool_alloc(rp->pool, t->len);
	size_t		i,
				n = 0;

	if (out == NULL)
		return (char *) rp_oom(rp);
	for (i = 1; i + 1 < t->len; i++)
	{
		out[n++] = s[i];
		if (s[i] == q)
			i++;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* The field a column reference names: its column, else its field name
 * (case-insensitive unless quoted, like the validator). */
static const vc_field *
find_column(const vc_model *m, const char *name, size_t len, bool quoted)
{
	size_t		i;
	int			pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < m->nfields; i++)
		{
			const vc_field *f = &m->fields[i];
			const char *cand = pass == 0 ? f->column : f->name;

			if (f->column == NULL || cand == NULL)
				continue;
			if (quoted ? (strlen(cand) == len && memcmp(cand, name, len) == 0)
				: ieq(name, len, cand))
				return f;
		}
	return NULL;
}

static pnode *parse_expr(rparser *rp);
static pnode *parse_arith(rparser *rp);

/* Functions whose PostgreSQL spelling in a policy differs (syntax, not
 * pg_catalog functions). */
static pnode *
parse_call(rparser *rp)
{
	token		name = rp->cur;
	char		fname[VC_IDENT_MAX + 1];
	size_t		flen,
				i;
	pnode	   *n;

	if (name.kind == TK_QIDENT)
	{
		char	   *u = unquote(rp, &name, &flen);

		if (u == NULL)
			return NULL;
		if (flen > VC_IDENT_MAX)
			return rp_bug(rp);
		memcpy(fname, u, flen + 1);
	}
	else
	{
		flen = name.len < VC_IDENT_MAX ? name.len : VC_IDENT_MAX;
		for (i = 0; i < flen; i++)
			fname[i] = (char) vc_ascii_tolower((unsigned char) rp->s[name.start + i]);
		fname[flen] = '\0';
	}
	rp_advance(rp);				/* name */
	if (rp->cur.kind != TK_LPAREN)
		return rp_bug(rp);
	rp_advance(rp);				/* ( */
	if (strcmp(fname, "principal") == 0)
	{
		if (rp->cur.kind != TK_RPAREN)
			return rp_bug(rp);
		rp_advance(rp);
		return node_new(rp, PN_PRINCIPAL, name.start);
	}
	if ((n = node_new(rp, PN_CALL, name.start)) == NULL)
		return NULL;
	if ((n->op = vc_pool_strdup(rp->pool, fname)) == NULL)
		return rp_oom(rp);
	if (rp->cur.kind != TK_RPAREN)
	{
		for (;;)
		{
			if (!node_add(rp, n, parse_expr(rp)))
				return NULL;
			if (rp->cur.kind != TK_COMMA)
				break;
			rp_advance(rp);
		}
	}
	if (rp->cur.kind != TK_RPAREN)
		return rp_bug(rp);
	rp_advance(rp);
	return n;
}

/* A number literal; neg: a unary minus directly in front of it. */
static pnode *
number_node(rparser *rp, bool neg, size_t pos)
{
	pnode	   *n = node_new(rp, PN_LIT, pos);
	char	   *t;

	if (n == NULL)
		return NULL;
	t = vc_pool_alloc(rp->pool, rp->cur.len + 2);
	if (t == NULL)
		return rp_oom(rp);
	if (neg)
		t[0] = '-';
	memcpy(t + (neg ? 1 : 0), rp->s + rp->cur.start, rp->cur.len);
	n->lit = LIT_NUMBER;
	n->text = t;
	n->tlen = rp->cur.len + (neg ? 1 : 0);
	rp_advance(rp);
	return n;
}

static pnode *
parse_primary(rparser *rp)
{
	pnode	   *n;
	size_t		pos = rp->cur.start;

	switch (rp->cur.kind)
	{
		case TK_NUMBER:
			return number_node(rp, false, pos);
		case TK_STRING:
			if ((n = node_new(rp, PN_LIT, pos)) == NULL)
				return NULL;
			n->lit = LIT_STRING;
			if ((n->text = unquote(rp, &rp->cur, &n->tlen)) == NULL)
				return NULL;
			rp_advance(rp);
			return n;
		case TK_TRUE:
		case TK_FALSE:
			if ((n = node_new(rp, PN_LIT, pos)) == NULL)
				return NULL;
			n->lit = LIT_BOOL;
			n->text = rp->cur.kind == TK_TRUE ? "true" : "false";
			rp_advance(rp);
			return n;
		case TK_NULL:
			rp_advance(rp);
			return node_new(rp, PN_NULL, pos);
		case TK_LPAREN:
			rp_advance(rp);
			if ((n = node_new(rp, PN_PAREN, pos)) == NULL ||
				!node_add(rp, n, parse_expr(rp)))
				return NULL;
			if (rp->cur.kind != TK_RPAREN)
				return rp_bug(rp);
			rp_advance(rp);
			return n;
		case TK_IDENT:
		case TK_QIDENT:
			if (rp_peek(rp) == TK_LPAREN)
				return parse_call(rp);
			{
				const char *name = rp->s + rp->cur.start;
				size_t		nlen = rp->cur.len;
				bool		quoted = rp->cur.kind == TK_QIDENT;

				if (quoted && (name = unquote(rp, &rp->cur, &nlen)) == NULL)
					return NULL;
				if ((n = node_new(rp, PN_COL, pos)) == NULL)
					return NULL;
				n->field = find_column(rp->m, name, nlen, quoted);
				if (n->field == NULL)
					return rp_bug(rp);
				rp_advance(rp);
				return n;
			}
		default:
			return rp_bug(rp);
	}
}

static pnode *
parse_unary(rparser *rp)
{
	size_t		pos = rp->cur.start;
	pnode	   *n;

	if (rp->cur.kind == TK_MINUS || rp->cur.kind == TK_PLUS)
	{
		bool		minus = rp->cur.kind == TK_MINUS;

		rp_advance(rp);
		/* -5 is one literal (bound as -5), not negation of a parameter */
		if (minus && rp->cur.kind == TK_NUMBER)
			return number_node(rp, true, pos);
		if ((n = node_new(rp, PN_UNARY, pos)) == NULL)
			return NULL;
		n->op = minus ? "-" : "+";
		if (!node_add(rp, n, parse_unary(rp)))
			return NULL;
		return n;
	}
	return parse_primary(rp);
}

static const char *
arith_op(tok_kind k)
{
	switch (k)
	{
		case TK_PLUS:
			return "+";
		case TK_MINUS:
			return "-";
		case TK_CONCAT:
			return "||";
		case TK_STAR:
			return "*";
		case TK_SLASH:
			return "/";
		case TK_PERCENT:
			return "%";
		default:
			return NULL;
	}
}

static pnode *
parse_term(rparser *rp)
{
	pnode	   *l = parse_unary(rp);

	while (l != NULL && (rp->cur.kind == TK_STAR || rp->cur.kind == TK_SLASH ||
						 rp->cur.kind == TK_PERCENT))
	{
		token		op = rp->cur;

		rp_advance(rp);
		l = node_bin(rp, PN_ARITH, arith_op(op.kind), l, parse_unary(rp), op.start);
	}
	return l;
}

static pnode *
parse_arith(rparser *rp)
{
	pnode	   *l = parse_term(rp);

	while (l != NULL && (rp->cur.kind == TK_PLUS || rp->cur.kind == TK_MINUS ||
						 rp->cur.kind == TK_CONCAT))
	{
		token		op = rp->cur;

		rp_advance(rp);
		l = node_bin(rp, PN_ARITH, arith_op(op.kind), l, parse_term(rp), op.start);
	}
	return l;
}

/* A literal or principal() compared with a column takes its type. */
static void
type_by(pnode *col, pnode *other)
{
	if (col->kind == PN_COL &&
		(other->kind == PN_LIT || other->kind == PN_PRINCIPAL))
		other->field = col->field;
}

static pnode *
parse_predicate(rparser *rp)
{
	pnode	   *subj = parse_arith(rp);
	pnode	   *n;
	const char *cmp = NULL;
	bool		negated = false;
	size_t		pos = rp->cur.start;

	if (subj == NULL)
		return NULL;
	switch (rp->cur.kind)
	{
		case TK_EQ:
			cmp = "=";
			break;
		case TK_NE:
			cmp = "<>";
			break;
		case TK_LT:
			cmp = "<";
			break;
		case TK_GT:
			cmp = ">";
			break;
		case TK_LE:
			cmp = "<=";
			break;
		case TK_GE:
			cmp = ">=";
			break;
		case TK_IS:
			rp_advance(rp);
			if ((n = node_new(rp, PN_IS, pos)) == NULL || !node_add(rp, n, subj))
				return NULL;
			if (rp->cur.kind == TK_NOT)
			{
				n->negated = true;
				rp_advance(rp);
			}
			if (rp->cur.kind == TK_NULL)
				n->op = "NULL";
			else if (rp->cur.kind == TK_TRUE)
				n->op = "TRUE";
			else if (rp->cur.kind == TK_FALSE)
				n->op = "FALSE";
			else
				return rp_bug(rp);
			rp_advance(rp);
			return n;
		case TK_NOT:
			switch (rp_peek(rp))
			{
				case TK_IN:
				case TK_BETWEEN:
				case TK_LIKE:
					negated = true;
					rp_advance(rp);
					break;
				default:
					return subj;
			}
			break;
		default:
			break;
	}
	if (cmp != NULL)
	{
		pnode	   *r;

		rp_advance(rp);
		if ((r = parse_arith(rp)) == NULL)
			return NULL;
		type_by(subj, r);
		type_by(r, subj);
		return node_bin(rp, PN_CMP, cmp, subj, r, pos);
	}
	switch (rp->cur.kind)
	{
		case TK_IN:
			rp_advance(rp);
			if ((n = node_new(rp, PN_IN, pos)) == NULL || !node_add(rp, n, subj))
				return NULL;
			n->negated = negated;
			if (rp->cur.kind != TK_LPAREN)
				return rp_bug(rp);
			rp_advance(rp);
			for (;;)
			{
				pnode	   *item = parse_arith(rp);

				if (!node_add(rp, n, item))
					return NULL;
				type_by(subj, item);
				if (rp->cur.kind != TK_COMMA)
					break;
				rp_advance(rp);
			}
			if (rp->cur.kind != TK_RPAREN)
				return rp_bug(rp);
			rp_advance(rp);
			return n;
		case TK_BETWEEN:
			rp_advance(rp);
			if ((n = node_new(rp, PN_BETWEEN, pos)) == NULL || !node_add(rp, n, subj))
				return NULL;
			n->negated = negated;
			if (!node_add(rp, n, parse_arith(rp)))
				return NULL;
			if (rp->cur.kind != TK_AND)
				return rp_bug(rp);
			rp_advance(rp);
			if (!node_add(rp, n, parse_arith(rp)))
				return NULL;
			type_by(subj, n->kids[1]);
			type_by(subj, n->kids[2]);
			return n;
		case TK_LIKE:
			/* patterns are text whatever the column: no typing */
			rp_advance(rp);
			if ((n = node_new(rp, PN_LIKE, pos)) == NULL || !node_add(rp, n, subj))
				return NULL;
			n->negated = negated;
			if (!node_add(rp, n, parse_arith(rp)))
				return NULL;
			return n;
		default:
			return negated ? rp_bug(rp) : subj;
	}
}

static pnode *
parse_not(rparser *rp)
{
	if (rp->cur.kind == TK_NOT)
	{
		pnode	   *n = node_new(rp, PN_NOT, rp->cur.start);

		rp_advance(rp);
		if (n == NULL || !node_add(rp, n, parse_not(rp)))
			return NULL;
		return n;
	}
	return parse_predicate(rp);
}

/* AND (and OR) chains become one node with every operand as a child. */
static pnode *
parse_chain(rparser *rp, pn_kind kind, tok_kind link)
{
	pnode	   *first = kind == PN_AND ? parse_not(rp) : parse_chain(rp, PN_AND, TK_AND);
	pnode	   *n;

	if (first == NULL || rp->cur.kind != link)
		return first;
	if ((n = node_new(rp, kind, first->pos)) == NULL || !node_add(rp, n, first))
		return NULL;
	while (rp->cur.kind == link)
	{
		rp_advance(rp);
		if (!node_add(rp, n, kind == PN_AND ? parse_not(rp)
					  : parse_chain(rp, PN_AND, TK_AND)))
			return NULL;
	}
	return n;
}

static pnode *
parse_expr(rparser *rp)
{
	return parse_chain(rp, PN_OR, TK_OR);
}

/* ---- literal binding ---------------------------------------------------- */

/* Integer text (optional '-', digits) that fits int64. */
static bool
int_text(const char *t, size_t len, int64_t *out)
{
	size_t		i = (len > 0 && t[0] == '-') ? 1 : 0;
	char	   *end;
	long long	v;

	if (i == len)
		return false;
	for (; i < len; i++)
		if (!vc_ascii_isdigit((unsigned char) t[i]))
			return false;
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno == ERANGE || end != t + len)
		return false;
	*out = (int64_t) v;
	return true;
}

/* A literal no column types: PostgreSQL's own literal typing. */
static vc_code
bind_untyped(rparser *rp, pnode *n, vc_param *p)
{
	int64_t		iv;

	(void) rp;
	memset(p, 0, sizeof(*p));
	switch (n->lit)
	{
		case LIT_BOOL:
			p->kind = VC_PARAM_BOOL;
			p->b = n->text[0] == 't';
			p->i = p->b ? 1 : 0;
			p->pg_type = "bool";
			p->sqlite_class = VC_SQLITE_INTEGER;
			return VC_OK;
		case LIT_STRING:
			p->kind = VC_PARAM_TEXT;
			p->pg_type = "text";
			p->sqlite_class = VC_SQLITE_TEXT;
			p->text = n->text;
			p->len = n->tlen;
			return VC_OK;
		case LIT_NUMBER:
			if (int_text(n->text, n->tlen, &iv))
			{
				p->kind = VC_PARAM_INT;
				p->i = iv;
				p->pg_type = (iv >= INT32_MIN && iv <= INT32_MAX) ? "int4" : "int8";
				p->sqlite_class = VC_SQLITE_INTEGER;
				return VC_OK;
			}
			p->kind = VC_PARAM_NUMERIC;
			p->d = strtod(n->text, NULL);
			p->pg_type = "numeric";
			p->sqlite_class = VC_SQLITE_REAL;
			p->text = n->text;
			p->len = n->tlen;
			return VC_OK;
	}
	return VC_OK;
}

/* A literal compared with a column: typed by that column, like a
 * QuerySpec value. */
static vc_code
bind_typed(rparser *rp, pnode *n, vc_dialect d, vc_param *p)
{
	json_t	   *j = NULL;
	int64_t		iv;
	vc_code		rc;
	vc_field_type t = vc_field_storage_type(n->field);

	switch (n->lit)
	{
		case LIT_BOOL:
			j = json_boolean(n->text[0] == 't');
			break;
		case LIT_STRING:
			j = json_stringn(n->text, n->tlen);
			break;
		case LIT_NUMBER:
			if (t == VC_FT_DECIMAL)
				j = json_stringn(n->text, n->tlen);	/* exact digits */
			else if (int_text(n->text, n->tlen, &iv))
				j = json_integer((json_int_t) iv);
			else
				j = json_real(strtod(n->text, NULL));
			break;
	}
	if (j == NULL)
		return vc_error_set(rp->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	rc = vc_value_bind(rp->pool, rp->m, n->field, j, d, false, false,
					   "value", p, rp->err);
	json_decref(j);
	if (rc != VC_OK && rc != VC_ERR_OUT_OF_MEMORY && rp->err != NULL)
		rp->err->position = (int) (n->pos + 1);
	return rc;
}

static vc_code
bind_tree(rparser *rp, pnode *n)
{
	size_t		i;
	vc_code		rc;

	if (n->kind == PN_LIT)
	{
		if (n->field != NULL)
		{
			if ((rc = bind_typed(rp, n, VC_DIALECT_POSTGRESQL, &n->param[0])) != VC_OK ||
				(rc = bind_typed(rp, n, VC_DIALECT_SQLITE, &n->param[1])) != VC_OK)
				return rc;
		}
		else
		{
			bind_untyped(rp, n, &n->param[0]);
			n->param[1] = n->param[0];
		}
		return VC_OK;
	}
	for (i = 0; i < n->nkids; i++)
		if ((rc = bind_tree(rp, n->kids[i])) != VC_OK)
			return rc;
	return VC_OK;
}

/* The names a predicate may use: every column, and field names that
 * differ from their column (a ForeignKey "author" is column author_id). */
static const char **
column_names(vc_pool *pool, const vc_model *m, size_t *n)
{
	const char **names = vc_pool_alloc(pool, (2 * m->nfields + 1) * sizeof(char *));
	size_t		i,
				k = 0;

	if (names == NULL)
		return NULL;
	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].column != NULL)
			names[k++] = m->fields[i].column;
	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].column != NULL && m->fields[i].name != NULL &&
			strcmp(m->fields[i].name, m->fields[i].column) != 0)
			names[k++] = m->fields[i].name;
	*n = k;
	return names;
}

vc_code
vc_pexpr_parse(vc_pool *pool, const vc_model *m, const char *expr, size_t len,
			   const char *field_name, const char *context, vc_pexpr **out,
			   vc_error *err)
{
	rparser		rp;
	const char **names;
	size_t		nnames = 0;
	vc_pexpr   *x;
	vc_code		rc;

	*out = NULL;
	if ((names = column_names(pool, m, &nnames)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	/* a model with no column at all still rejects every name */
	if (nnames == 0)
		names[nnames++] = "";
	rc = vc_expr_validate(expr, len, names, nnames, field_name, context,
						  VC_EXPR_ALLOW_PRINCIPAL, err);
	if (rc != VC_OK)
		return rc;
	memset(&rp, 0, sizeof(rp));
	rp.s = expr;
	rp.len = len;
	rp.pool = pool;
	rp.m = m;
	rp.err = err;
	vc_expr_lex(expr, len, 0, &rp.cur);
	if ((x = vc_pool_alloc(pool, sizeof(*x))) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	x->m = m;
	x->root = parse_expr(&rp);
	if (x->root != NULL && rp.cur.kind != TK_EOF)
		rp_bug(&rp);
	if (rp.rc != VC_OK)
		return rp.rc;
	if ((rc = bind_tree(&rp, x->root)) != VC_OK)
		return rc;
	*out = x;
	return VC_OK;
}

/* ---- emitting ----------------------------------------------------------- */

vc_dialect
vc_sink_dialect_of(const vc_sql_sink *s)
{
	return s->q->d;
}

void
vc_emit_sql(vc_emit *e, const char *sql)
{
	if (e->rc != VC_OK)
		return;
	if (e->sink)
		vc_sink_sql(e->sink, sql);
	else
		vc_buf_puts(e->b, sql);
}

void
vc_emit_ident(vc_emit *e, const char *name)
{
	if (e->rc != VC_OK)
		return;
	if (e->sink)
		vc_sink_ident(e->sink, name);
	else
		vc_ident_quote_buf(e->b, name, strlen(name), e->d);
}

void
vc_emit_literal(vc_emit *e, const char *s, size_t len)
{
	size_t		i;
	bool		bs = memchr(s, '\\', len) != NULL;

	if (e->rc != VC_OK || e->sink)
		return;
	/*
	 * E'' whenever a backslash is present: its meaning then does not depend
	 * on standard_conforming_strings when the policy is created.
	 */
	vc_buf_puts(e->b, bs ? "E'" : "'");
	for (i = 0; i < len; i++)
	{
		if (s[i] == '\'' || (bs && s[i] == '\\'))
			vc_buf_putc(e->b, s[i]);
		vc_buf_putc(e->b, s[i]);
	}
	vc_buf_putc(e->b, '\'');
}

void
vc_emit_param(vc_emit *e, const vc_param *p)
{
	char		num[32];
	vc_param   *cp;

	if (e->rc != VC_OK)
		return;
	if (e->sink)
	{
		e->rc = vc_sink_param(e->sink, p, e->err);
		return;
	}
	if (e->policy)
	{
		const char *txt;

		if (p->kind == VC_PARAM_NULL)
			vc_buf_puts(e->b, "NULL");
		else if (p->kind == VC_PARAM_BOOL)
			vc_buf_puts(e->b, p->b ? "TRUE" : "FALSE");
		else
		{
			/* typed exactly like the bound parameter would be */
			txt = vc_param_pg_text(p, num);
			vc_buf_puts(e->b, "CAST(");
			vc_emit_literal(e, txt, strlen(txt));
			vc_buf_puts(e->b, " AS ");
			vc_buf_puts(e->b, p->pg_type ? p->pg_type : "text");
			vc_buf_puts(e->b, ")");
		}
		return;
	}
	if (e->nparams == e->capparams)
	{
		size_t		cap = e->capparams ? e->capparams * 2 : 8;
		vc_param   *np = vc_pool_alloc(e->pool, cap * sizeof(vc_param));

		if (np == NULL)
		{
			e->rc = vc_error_set(e->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			return;
		}
		if (e->nparams > 0)
			memcpy(np, e->params, e->nparams * sizeof(vc_param));
		e->params = np;
		e->capparams = cap;
	}
	cp = &e->params[e->nparams];
	*cp = *p;
	if (p->text != NULL &&
		(cp->text = vc_pool_strndup(e->pool, p->text, p->len)) == NULL)
	{
		e->rc = vc_error_set(e->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		return;
	}
	e->nparams++;
	snprintf(num, sizeof(num), e->d == VC_DIALECT_SQLITE ? "?%zu" : "$%zu",
			 e->first + e->nparams);
	vc_buf_puts(e->b, num);
}

const char *
vc_emit_principal_sql(const vc_emit *e)
{
	return e->d == VC_DIALECT_SQLITE ? "(SELECT " VC_PERM_SQLITE_PRINCIPAL "())"
		: "(SELECT " VC_PERM_PG_PRINCIPAL "())";
}

const char *
vc_emit_roles_sql(const vc_emit *e)
{
	/*
	 * PostgreSQL: the CAST keeps `x = ANY (...)` the array form; a bare
	 * parenthesised sub-select there would be read as `= ANY (subquery)`
	 * and compare text with text[].
	 */
	return e->d == VC_DIALECT_SQLITE ? "(SELECT " VC_PERM_SQLITE_ROLES "())"
		: "CAST((SELECT " VC_PERM_PG_ROLES "()) AS text[])";
}

/* The PostgreSQL type a principal compared with f is cast to. */
static const char *
pg_cast_type(const vc_field *f)
{
	const char *t = vc_field_pg_type(f);

	if (strcmp(t, "int2") == 0)
		return "smallint";
	if (strcmp(t, "int4") == 0)
		return "integer";
	if (strcmp(t, "int8") == 0)
		return "bigint";
	if (strcmp(t, "float8") == 0)
		return "double precision";
	if (strcmp(t, "bool") == 0)
		return "boolean";
	return t;
}

static bool
sqlite_integer_class(const vc_field *f)
{
	vc_field_type t = vc_field_storage_type(f);

	return vc_field_type_is_integer(t) || t == VC_FT_BOOLEAN;
}

/*
 * principal() compared in the type of column f (NULL: text).
 * SQLite: an INTEGER column gets the principal as an INTEGER only when the
 * text is exactly an integer's canonical spelling — a plain CAST would turn
 * "5x" into 5 and "alice" into 0 and match rows it must not; anything else
 * compares as NULL (no row). A UUID column compares lower-case (PostgreSQL's
 * uuid type is case-insensitive, SQLite stores the lower-case form).
 * REAL/NUMERIC columns rely on the column's affinity, which converts only
 * well-formed numbers.
 */
static void
emit_principal(vc_emit *e, const vc_field *f)
{
	vc_field_type t;

	if (f == NULL)
	{
		vc_emit_sql(e, vc_emit_principal_sql(e));
		return;
	}
	if (e->d != VC_DIALECT_SQLITE)
	{
		vc_emit_sql(e, "CAST(");
		vc_emit_sql(e, vc_emit_principal_sql(e));
		vc_emit_sql(e, " AS ");
		vc_emit_sql(e, pg_cast_type(f));
		vc_emit_sql(e, ")");
		return;
	}
	t = vc_field_storage_type(f);
	if (sqlite_integer_class(f))
		vc_emit_sql(e, "(SELECT CAST(p AS INTEGER) FROM (SELECT "
					VC_PERM_SQLITE_PRINCIPAL "() AS p) "
					"WHERE CAST(CAST(p AS INTEGER) AS TEXT) = p)");
	else if (t == VC_FT_UUID)
	{
		vc_emit_sql(e, "lower(");
		vc_emit_sql(e, vc_emit_principal_sql(e));
		vc_emit_sql(e, ")");
	}
	else
		vc_emit_sql(e, vc_emit_principal_sql(e));
}

/* An operator between operands; policy text names pg_catalog's. */
static void
emit_op(vc_emit *e, const char *op, bool binary)
{
	if (binary)
		vc_emit_sql(e, " ");
	if (e->policy)
	{
		vc_emit_sql(e, "OPERATOR(pg_catalog.");
		vc_emit_sql(e, op);
		vc_emit_sql(e, ")");
		vc_emit_sql(e, " ");
	}
	else
	{
		vc_emit_sql(e, op);
		if (binary)
			vc_emit_sql(e, " ");
	}
}

/* A function name as written in SQL: policies qualify the pg_catalog
 * functions; COALESCE and NULLIF are syntax, trim() is btrim(). */
static void
emit_fname(vc_emit *e, const char *name)
{
	if (!e->policy)
	{
		vc_emit_sql(e, name);
		return;
	}
	if (strcmp(name, "coalesce") == 0)
		vc_emit_sql(e, "COALESCE");
	else if (strcmp(name, "nullif") == 0)
		vc_emit_sql(e, "NULLIF");
	else
	{
		vc_emit_sql(e, "pg_catalog.");
		vc_emit_sql(e, strcmp(name, "trim") == 0 ? "btrim" : name);
	}
}

static void emit_node(vc_emit *e, const pnode *n);

/* An arithmetic operand: parenthesised when it is itself arithmetic. */
static void
emit_operand(vc_emit *e, const pnode *n)
{
	bool		wrap = n->kind == PN_ARITH || n->kind == PN_UNARY;

	if (wrap)
		vc_emit_sql(e, "(");
	emit_node(e, n);
	if (wrap)
		vc_emit_sql(e, ")");
}

static void
emit_node(vc_emit *e, const pnode *n)
{
	size_t		i;

	switch (n->kind)
	{
		case PN_COL:
			if (e->alias != NULL)
			{
				vc_emit_ident(e, e->alias);
				vc_emit_sql(e, ".");
			}
			vc_emit_ident(e, n->field->column);
			return;
		case PN_LIT:
			vc_emit_param(e, &n->param[e->d == VC_DIALECT_SQLITE ? 1 : 0]);
			return;
		case PN_NULL:
			vc_emit_sql(e, "NULL");
			return;
		case PN_PRINCIPAL:
			emit_principal(e, n->field);
			return;
		case PN_CALL:
			emit_fname(e, n->op);
			vc_emit_sql(e, "(");
			for (i = 0; i < n->nkids; i++)
			{
				if (i > 0)
					vc_emit_sql(e, ", ");
				emit_node(e, n->kids[i]);
			}
			vc_emit_sql(e, ")");
			return;
		case PN_PAREN:
			vc_emit_sql(e, "(");
			emit_node(e, n->kids[0]);
			vc_emit_sql(e, ")");
			return;
		case PN_UNARY:
			emit_op(e, n->op, false);
			emit_operand(e, n->kids[0]);
			return;
		case PN_ARITH:
			emit_operand(e, n->kids[0]);
			emit_op(e, n->op, true);
			emit_operand(e, n->kids[1]);
			return;
		case PN_CMP:
			emit_node(e, n->kids[0]);
			emit_op(e, n->op, true);
			emit_node(e, n->kids[1]);
			return;
		case PN_IS:
			emit_node(e, n->kids[0]);
			vc_emit_sql(e, n->negated ? " IS NOT " : " IS ");
			vc_emit_sql(e, n->op);
			return;
		case PN_IN:
			emit_node(e, n->kids[0]);
			vc_emit_sql(e, n->negated ? " NOT IN (" : " IN (");
			for (i = 1; i < n->nkids; i++)
			{
				if (i > 1)
					vc_emit_sql(e, ", ");
				emit_node(e, n->kids[i]);
			}
			vc_emit_sql(e, ")");
			return;
		case PN_BETWEEN:
			emit_node(e, n->kids[0]);
			vc_emit_sql(e, n->negated ? " NOT BETWEEN " : " BETWEEN ");
			emit_node(e, n->kids[1]);
			vc_emit_sql(e, " AND ");
			emit_node(e, n->kids[2]);
			return;
		case PN_LIKE:
			emit_node(e, n->kids[0]);
			vc_emit_sql(e, n->negated ? " NOT LIKE " : " LIKE ");
			emit_node(e, n->kids[1]);
			return;
		case PN_NOT:
			vc_emit_sql(e, "NOT ");
			emit_node(e, n->kids[0]);
			return;
		case PN_AND:
		case PN_OR:
			for (i = 0; i < n->nkids; i++)
			{
				if (i > 0)
					vc_emit_sql(e, n->kind == PN_AND ? " AND " : " OR ");
				emit_node(e, n->kids[i]);
			}
			return;
	}
}

void
vc_pexpr_emit(vc_emit *e, const vc_pexpr *x)
{
	emit_node(e, x->root);
}

/* ---- public entry point ------------------------------------------------- */

vc_code
vc_expr_render(const vc_alloc *a, const vc_model *m, const char *expr,
			   size_t len, const char *alias, vc_sql_sink *sink,
			   vc_error *err)
{
	vc_pool    *pool;
	vc_pexpr   *x = NULL;
	vc_emit		e;
	vc_code		rc;

	vc_error_clear(err);
	if ((pool = vc_pool_create(a)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	rc = vc_pexpr_parse(pool, m, expr, len, NULL, NULL, &x, err);
	if (rc == VC_OK)
	{
		memset(&e, 0, sizeof(e));
		e.d = vc_sink_dialect_of(sink);
		e.alias = alias;
		e.sink = sink;
		e.err = err;
		vc_pexpr_emit(&e, x);
		rc = e.rc;
	}
	vc_pool_destroy(pool);
	return rc;
}
