/*
 * vc_perm.c — grants and the permission predicates built from them
 * (DESIGN §8; the contract is in vc_perm.h): loading and validating
 * grant rows, the vc_perm_fn the query compiler calls for every model
 * occurrence, the CHECK predicate for new rows, and PostgreSQL RLS policy
 * text.
 *
 * Every grant's predicate is validated and parsed ONCE, at load, with its
 * literals bound for both dialects (vc_expr_render.c); applying a grant to
 * a statement only replays that tree into the statement. Grants are kept
 * sorted by model label so a model's grants are found by binary search.
 *
 * Memory: one pool per vc_perms (vc_model_int.h); the catalog is borrowed.
 */
#include "vc_perm.h"
#include "vc_expr_int.h"
#include "vc_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vc_perms
{
	const vc_catalog *cat;
	vc_grant   *grants;
	size_t		ngrants;
	vc_pool    *pool;
};

static const char *const action_names[] = {"select", "insert", "update", "delete", "all"};

/* ---- validation --------------------------------------------------------- */

/* "grant on "blog.Post" (select, role "editor"): " in front of a message
 * another function wrote (detail, hint and position are kept). */
static vc_code
prefix_error(vc_error *err, vc_code code, const char *label,
			 const char *action, const char *role, size_t role_len)
{
	char		msg[VC_ERRMSG_LEN];
	char		recho[VC_ECHO_BUFSZ];
	char		full[VC_ERRMSG_LEN + 2 * VC_IDENT_MAX + VC_ECHO_BUFSZ + 64];
	size_t		n;

	if (err == NULL || code == VC_ERR_OUT_OF_MEMORY)
		return code;
	memcpy(msg, err->message, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	snprintf(full, sizeof(full), "grant on \"%s\" (%s, role \"%s\"): %s",
			 label, action, vc_echo(recho, sizeof(recho), role, role_len), msg);
	/* cut a too long message on a UTF-8 boundary */
	n = strlen(full);
	if (n >= sizeof(err->message))
	{
		n = sizeof(err->message) - 1;
		while (n > 0 && (((unsigned char) full[n]) & 0xC0) == 0x80)
			n--;
	}
	memcpy(err->message, full, n);
	err->message[n] = '\0';
	return code;
}

static bool
parse_action(const char *s, size_t len, vc_grant_action *out)
{
	size_t		i,
				k;

	for (k = 0; k < sizeof(action_names) / sizeof(action_names[0]); k++)
	{
		const char *n = action_names[k];

		if (strlen(n) != len)
			continue;
		for (i = 0; i < len; i++)
			if (vc_ascii_tolower((unsigned char) s[i]) != n[i])
				break;
		if (i == len)
		{
			*out = (vc_grant_action) k;
			return true;
		}
	}
	return false;
}

static bool
parse_role(const char *s, size_t len, vc_grant_role *out)
{
	size_t		i;

	if (len == 1 && s[0] == '*')
		*out = VC_ROLE_EVERYONE;
	else if (len == 13 && memcmp(s, "authenticated", 13) == 0)
		*out = VC_ROLE_AUTHENTICATED;
	else if (len == 9 && memcmp(s, "anonymous", 9) == 0)
		*out = VC_ROLE_ANONYMOUS;
	else
	{
		if (len == 0 || len > VC_IDENT_MAX ||
			!(vc_ascii_isalpha((unsigned char) s[0]) || s[0] == '_'))
			return false;
		for (i = 1; i < len; i++)
			if (!(vc_ascii_isalnum((unsigned char) s[i]) || s[i] == '_'))
				return false;
		*out = VC_ROLE_NAMED;
	}
	return true;
}

/*
 * Validate one grant and fill g (strings copied into pool, predicate
 * parsed into pool).
 */
static vc_code
grant_build(vc_pool *pool, const vc_catalog *cat, const char *model,
			size_t model_len, const char *action, size_t action_len,
			const char *role, size_t role_len, const char *predicate,
			size_t predicate_len, vc_grant *g, vc_error *err)
{
	const vc_model *m;
	char		echo[VC_ECHO_BUFSZ];
	char		context[VC_ECHO_BUFSZ + 64];
	vc_code		rc;

	memset(g, 0, sizeof(*g));
	if ((rc = vc_catalog_find(cat, model, model_len, &m, err)) != VC_OK)
		return rc;
	g->model = m;
	if (!parse_action(action, action_len, &g->action))
	{
		vc_error_set(err, VC_ERR_INVALID_PARAM,
					 "grant on \"%s\": invalid action \"%s\"", m->label,
					 vc_echo(echo, sizeof(echo), action, action_len));
		vc_error_hint(err, "The action is select, insert, update, delete or all.");
		return VC_ERR_INVALID_PARAM;
	}
	g->action_name = action_names[g->action];
	if (!parse_role(role, role_len, &g->role_kind))
	{
		vc_error_set(err, VC_ERR_INVALID_PARAM,
					 "grant on \"%s\": invalid role \"%s\"", m->label,
					 vc_echo(echo, sizeof(echo), role, role_len));
		vc_error_hint(err, "A role is *, authenticated, anonymous or a name of "
					  "letters, digits and underscores (at most %d bytes) "
					  "that does not start with a digit.", VC_IDENT_MAX);
		return VC_ERR_INVALID_PARAM;
	}
	if ((g->role = vc_pool_strndup(pool, role, role_len)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (predicate == NULL)
		return VC_OK;
	snprintf(context, sizeof(context), "the predicate of a %s grant to role \"%s\"",
			 g->action_name, vc_echo(echo, sizeof(echo), role, role_len));
	rc = vc_pexpr_parse(pool, m, predicate, predicate_len, NULL, context,
						&g->expr, err);
	if (rc != VC_OK)
		return prefix_error(err, rc, m->label, g->action_name, role, role_len);
	if ((g->predicate = vc_pool_strndup(pool, predicate, predicate_len)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	return VC_OK;
}

vc_code
vc_grant_validate(const vc_alloc *a, const vc_catalog *cat, const char *model,
				  size_t model_len, const char *action, size_t action_len,
				  const char *role, size_t role_len, const char *predicate,
				  size_t predicate_len, const char **action_out, vc_error *err)
{
	vc_pool    *pool;
	vc_grant	g;
	vc_code		rc;

	vc_error_clear(err);
	if (action_out)
		*action_out = NULL;
	if ((pool = vc_pool_create(a)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	rc = grant_build(pool, cat, model, model_len, action, action_len, role,
					 role_len, predicate, predicate_len, &g, err);
	if (rc == VC_OK && action_out)
		*action_out = g.action_name;
	vc_pool_destroy(pool);
	return rc;
}

/* ---- loading ------------------------------------------------------------ */

static int
grant_cmp(const void *pa, const void *pb)
{
	const vc_grant *a = pa;
	const vc_grant *b = pb;
	int			c = strcmp(a->model->label, b->model->label);

	if (c != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* A string member of a grant row; false when present but not a string. */
static bool
row_string(const json_t *row, const char *key, bool nullable,
		   const char **s, size_t *len)
{
	json_t	   *v = json_object_get(row, key);

	*s = NULL;
	*len = 0;
	if ((v == NULL || json_is_null(v)) && nullable)
		return true;
	if (!json_is_string(v))
		return false;
	*s = json_string_value(v);
	*len = json_string_length(v);
	return true;
}

vc_code
vc_perms_load(const vc_alloc *a, const vc_catalog *cat, const json_t *rows,
			  vc_perms **out, vc_error *err)
{
	vc_pool    *pool;
	vc_perms   *p;
	size_t		i,
				n;
	vc_code		rc = VC_OK;

	vc_error_clear(err);
	*out = NULL;
	if (!json_is_array(rows))
		return vc_error_set(err, VC_ERR_INTERNAL, "grant rows must be a JSON array");
	if ((pool = vc_pool_create(a)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	n = json_array_size(rows);
	p = vc_pool_alloc(pool, sizeof(*p));
	if (p == NULL || (n > 0 && (p->grants = vc_pool_alloc(pool, n * sizeof(vc_grant))) == NULL))
	{
		vc_pool_destroy(pool);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	p->pool = pool;
	p->cat = cat;
	for (i = 0; i < n && rc == VC_OK; i++)
	{
		const json_t *row = json_array_get(rows, i);
		const char *model,
				   *action,
				   *role,
				   *pred;
		size_t		ml,
					al,
					rl,
					pl;

		if (!json_is_object(row) ||
			!row_string(row, "model", false, &model, &ml) ||
			!row_string(row, "action", false, &action, &al) ||
			!row_string(row, "role", false, &role, &rl) ||
			!row_string(row, "predicate", true, &pred, &pl))
		{
			rc = vc_error_set(err, VC_ERR_INTERNAL,
							  "grant row %zu is not an object with string "
							  "model, action, role and predicate", i + 1);
			break;
		}
		rc = grant_build(pool, cat, model, ml, action, al, role, rl, pred, pl,
						 &p->grants[i], err);
		p->grants[i].index = i;
	}
	if (rc != VC_OK)
	{
		vc_pool_destroy(pool);
		return rc;
	}
	p->ngrants = n;
	if (n > 1)
		qsort(p->grants, n, sizeof(vc_grant), grant_cmp);
	*out = p;
	return VC_OK;
}

vc_code
vc_perms_load_text(const vc_alloc *a, const vc_catalog *cat, const char *text,
				   size_t len, vc_perms **out, vc_error *err)
{
	json_error_t jerr;
	json_t	   *rows = json_loadb(text, len, 0, &jerr);
	vc_code		rc;

	*out = NULL;
	if (rows == NULL)
		return vc_error_set(err, VC_ERR_TEXT_REPR, "grant rows are not valid JSON: %s",
							jerr.text);
	rc = vc_perms_load(a, cat, rows, out, err);
	json_decref(rows);
	return rc;
}

void
vc_perms_free(vc_perms *p)
{
	if (p != NULL)
		vc_pool_destroy(p->pool);
}

const vc_catalog *
vc_perms_catalog(const vc_perms *p)
{
	return p->cat;
}

size_t
vc_perms_count(const vc_perms *p)
{
	return p->ngrants;
}

const vc_grant *
vc_perms_grant(const vc_perms *p, size_t i)
{
	return i < p->ngrants ? &p->grants[i] : NULL;
}

const char *
vc_grant_policy_command(const vc_grant *g)
{
	static const char *const cmds[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "ALL"};

	return cmds[g->action];
}

/* ---- predicates --------------------------------------------------------- */

/* Index of the first grant of the model labelled label (ngrants if none). */
static size_t
first_grant(const vc_perms *p, const char *label)
{
	size_t		lo = 0,
				hi = p->ngrants;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (strcmp(p->grants[mid].model->label, label) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The role test of grant g. */
static void
emit_role(vc_emit *e, const vc_grant *g)
{
	vc_param	rp;

	switch (g->role_kind)
	{
		case VC_ROLE_EVERYONE:
			vc_emit_sql(e, "TRUE");
			return;
		case VC_ROLE_ANONYMOUS:
			vc_emit_sql(e, vc_emit_principal_sql(e));
			vc_emit_sql(e, " IS NULL");
			return;
		case VC_ROLE_AUTHENTICATED:
			vc_emit_sql(e, vc_emit_principal_sql(e));
			vc_emit_sql(e, " IS NOT NULL");
			return;
		case VC_ROLE_NAMED:
			break;
	}
	memset(&rp, 0, sizeof(rp));
	rp.kind = VC_PARAM_TEXT;
	rp.text = (char *) g->role;
	rp.len = strlen(g->role);
	rp.pg_type = "text";
	rp.sqlite_class = VC_SQLITE_TEXT;
	if (e->d == VC_DIALECT_SQLITE)
	{
		vc_emit_sql(e, "EXISTS (SELECT 1 FROM json_each(");
		vc_emit_sql(e, vc_emit_roles_sql(e));
		vc_emit_sql(e, ") WHERE value = ");
		vc_emit_param(e, &rp);
		vc_emit_sql(e, ")");
		return;
	}
	if (e->policy)
	{
		vc_emit_literal(e, rp.text, rp.len);
		vc_emit_sql(e, " OPERATOR(pg_catalog.=) ANY (");
	}
	else
	{
		vc_emit_param(e, &rp);
		vc_emit_sql(e, " = ANY (");
	}
	vc_emit_sql(e, vc_emit_roles_sql(e));
	vc_emit_sql(e, ")");
}

/* `<role test> AND (<predicate or TRUE>)` of one grant. */
static void
emit_grant(vc_emit *e, const vc_grant *g)
{
	emit_role(e, g);
	vc_emit_sql(e, " AND (");
	if (g->expr != NULL)
		vc_pexpr_emit(e, g->expr);
	else
		vc_emit_sql(e, "TRUE");
	vc_emit_sql(e, ")");
}

/*
 * `((<grant>) OR ...)` or `(FALSE)` for model m and action a. No bypass
 * term: a bypassing caller is compiled without any predicate by the host,
 * so the planner sees the grants alone (and can use their indexes).
 */
static void
emit_predicate(vc_emit *e, const vc_perms *p, const vc_model *m,
			   vc_perm_action action)
{
	size_t		i;
	bool		any = false;

	vc_emit_sql(e, "(");
	for (i = first_grant(p, m->label);
		 i < p->ngrants && strcmp(p->grants[i].model->label, m->label) == 0; i++)
	{
		const vc_grant *g = &p->grants[i];

		if (g->action != VC_GRANT_ALL && (int) g->action != (int) action)
			continue;
		vc_emit_sql(e, any ? " OR (" : "(");
		emit_grant(e, g);
		vc_emit_sql(e, ")");
		any = true;
	}
	if (!any)
		vc_emit_sql(e, "FALSE");
	vc_emit_sql(e, ")");
}

static bool
action_ok(vc_perm_action a)
{
	return a == VC_PERM_SELECT || a == VC_PERM_INSERT ||
		a == VC_PERM_UPDATE || a == VC_PERM_DELETE;
}

vc_code
vc_perms_apply(void *ud, const vc_model *m, vc_perm_action action,
			   const char *alias, vc_sql_sink *sink, bool *applied,
			   vc_error *err)
{
	const vc_perms *p = ud;
	vc_emit		e;

	*applied = false;
	if (p == NULL || m == NULL || !action_ok(action))
		return vc_error_set(err, VC_ERR_INTERNAL,
							"permission predicate requested without grants, model or action");
	if (!m->permissions)
		return VC_OK;
	if (alias == NULL)
	{
		/* insert: nothing to filter; the host checks the new rows */
		*applied = true;
		return VC_OK;
	}
	memset(&e, 0, sizeof(e));
	e.d = vc_sink_dialect_of(sink);
	if (e.d != VC_DIALECT_POSTGRESQL && e.d != VC_DIALECT_SQLITE)
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"permissions are compiled for postgresql and sqlite only");
	e.alias = alias;
	e.sink = sink;
	e.err = err;
	emit_predicate(&e, p, m, action);
	if (e.rc == VC_OK)
		*applied = true;
	return e.rc;
}

void
vc_perm_sql_free(vc_perm_sql *s)
{
	if (s == NULL)
		return;
	vc_pool_destroy(s->pool);
	memset(s, 0, sizeof(*s));
}

/* Finish standalone emission: copy the buffer's text into the pool. */
static vc_code
finish_text(vc_emit *e, vc_buf *b, vc_pool *pool, char **out, size_t *outlen)
{
	if (e->rc == VC_OK && b->failed)
		e->rc = vc_error_set(e->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (e->rc == VC_OK)
	{
		*out = vc_pool_strndup(pool, b->data ? b->data : "", b->len);
		if (*out == NULL)
			e->rc = vc_error_set(e->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		*outlen = b->len;
	}
	vc_buf_reset(b);
	return e->rc;
}

vc_code
vc_perm_check_sql(const vc_alloc *a, const vc_perms *p, const vc_model *m,
				  vc_perm_action action, vc_dialect d, const char *alias,
				  size_t first_param, vc_perm_sql *out, vc_error *err)
{
	vc_emit		e;
	vc_buf		b;
	vc_code		rc;

	vc_error_clear(err);
	memset(out, 0, sizeof(*out));
	if (d != VC_DIALECT_POSTGRESQL && d != VC_DIALECT_SQLITE)
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"permissions are compiled for postgresql and sqlite only");
	if (p == NULL || m == NULL || !action_ok(action))
		return vc_error_set(err, VC_ERR_INTERNAL,
							"permission check requested without grants, model or action");
	if (!m->permissions)
		return VC_OK;
	if ((out->pool = vc_pool_create(a)) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	memset(&e, 0, sizeof(e));
	vc_buf_init(&b, a);
	e.d = d;
	e.alias = alias;
	e.b = &b;
	e.pool = out->pool;
	e.first = first_param;
	e.err = err;
	emit_predicate(&e, p, m, action);
	rc = finish_text(&e, &b, out->pool, &out->sql, &out->sql_len);
	if (rc != VC_OK)
	{
		out->sql = NULL;
		out->sql_len = 0;
		return rc;
	}
	out->params = e.params;
	out->nparams = e.nparams;
	out->applied = true;
	return VC_OK;
}

vc_code
vc_perm_policy_sql(const vc_alloc *a, const vc_perms *p, size_t i,
				   char **out, size_t *outlen, vc_error *err)
{
	vc_emit		e;
	vc_buf		b;

	vc_error_clear(err);
	*out = NULL;
	*outlen = 0;
	if (p == NULL || i >= p->ngrants)
		return vc_error_set(err, VC_ERR_INTERNAL, "no grant %zu", i);
	memset(&e, 0, sizeof(e));
	vc_buf_init(&b, a);
	e.d = VC_DIALECT_POSTGRESQL;
	e.policy = true;
	e.b = &b;
	e.err = err;
	emit_grant(&e, &p->grants[i]);
	if (e.rc == VC_OK)
		return vc_buf_finish(&b, out, outlen, err);
	vc_buf_reset(&b);
	return e.rc;
}
