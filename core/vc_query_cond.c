/*
 * vc_query_cond.c — condition nodes, EXPR/AGG expressions, spec limits and
 * the shape of the query compiler (vc_query.h): every lookup of DESIGN
 * §5/§12 on both dialects ($and/$or/$not with Django's NULL semantics,
 * case-sensitive text lookups without SQLite's case-folding LIKE, escaped
 * LIKE patterns, validated regular expressions), arithmetic over fields,
 * aggregates, the 54001 limits checked before compiling, and the spec with
 * its values removed (cache key).
 *
 * Memory: see vc_query_int.h.
 */
#include "vc_query_int.h"

#include <stdio.h>
#include <string.h>

#include "vc_json.h"
#include "vc_text.h"

/* ---- conditions --------------------------------------------------------- */

static bool
is_text_type(const vc_field *f)
{
	return vc_field_type_is_text(vc_field_storage_type(f));
}

static vc_code
lookup_value_error(qctx *q, const char *path, const char *lookup, const char *msg)
{
	char		echo[VC_ECHO_BUFSZ];

	return vc_error_set(q->err, VC_ERR_INVALID_PARAM, "lookup \"%s\" of \"%s\" %s",
						lookup, vc_echo(echo, sizeof(echo), path, strlen(path)), msg);
}

/* LIKE pattern (escaped value with % around as asked) bound as text. */
static vc_code
bind_like(qctx *q, vc_buf *b, const char *s, size_t len, bool pre, bool post)
{
	char	   *esc;
	size_t		elen;
	vc_buf		pat;
	vc_code		rc;

	if ((rc = vc_like_escape(q->a, s, len, &esc, &elen, q->err)) != VC_OK)
		return rc;
	vc_buf_init(&pat, q->a);
	if (pre)
		vc_buf_putc(&pat, '%');
	vc_buf_append(&pat, esc, elen);
	if (post)
		vc_buf_putc(&pat, '%');
	vc_free(q->a, esc);
	if (pat.failed)
	{
		vc_buf_reset(&pat);
		return vq_oom(q);
	}
	rc = vq_bind_text(q, b, pat.data ? pat.data : "", pat.len);
	vc_buf_reset(&pat);
	return rc;
}

static vc_code
text_lookup(qctx *q, vc_buf *b, const qcol *c, const char *path,
			const char *lookup, const json_t *v)
{
	bool		ci = lookup[0] == 'i';
	const char *base = ci ? lookup + 1 : lookup;
	const char *s;
	size_t		len;
	bool		pre = strcmp(base, "contains") == 0 || strcmp(base, "endswith") == 0;
	bool		post = strcmp(base, "contains") == 0 || strcmp(base, "startswith") == 0;
	size_t		n;
	vc_code		rc;

	if (!is_text_type(c->field))
		return lookup_value_error(q, path, lookup, "needs a text field");
	if (!json_is_string(v))
		return vc_error_set(q->err, VC_ERR_TEXT_REPR,
							"model \"%s\", field \"%s\": lookup value must be a string for %s",
							c->vmodel->label, c->field->name, lookup);
	s = json_string_value(v);
	len = json_string_length(v);
	if (q->d == VC_DIALECT_POSTGRESQL || ci)
	{
		if (q->d == VC_DIALECT_SQLITE)
		{
			vc_buf_puts(b, "lower(");
			vq_colref(q, b, c->alias, c->column);
			vc_buf_puts(b, ") LIKE lower(");
			if ((rc = bind_like(q, b, s, len, pre, post)) != VC_OK)
				return rc;
			vc_buf_puts(b, ") ESCAPE '\\'");
			return VC_OK;
		}
		vq_colref(q, b, c->alias, c->column);
		vc_buf_puts(b, ci ? " ILIKE " : " LIKE ");
		if ((rc = bind_like(q, b, s, len, pre, post)) != VC_OK)
			return rc;
		vc_buf_puts(b, " ESCAPE '\\'");
		return VC_OK;
	}
	/* SQLite, case-sensitive: no LIKE (it folds ASCII case); the value is
	 * bound once and referenced by number where it is needed */
	if ((rc = vq_param_text(q, s, len, &n)) != VC_OK)
		return rc;
	if (strcmp(base, "contains") == 0)
	{
		vc_buf_puts(b, "instr(");
		vq_colref(q, b, c->alias, c->column);
		vc_buf_puts(b, ", ");
		vq_placeholder(q, b, n);
		vc_buf_puts(b, ") > 0");
	}
	else if (strcmp(base, "startswith") == 0)
	{
		vc_buf_puts(b, "substr(");
		vq_colref(q, b, c->alias, c->column);
		vc_buf_puts(b, ", 1, length(");
		vq_placeholder(q, b, n);
		vc_buf_puts(b, ")) = ");
		vq_placeholder(q, b, n);
	}
	else
	{
		vc_buf_puts(b, "(length(");
		vq_placeholder(q, b, n);
		vc_buf_puts(b, ") = 0 OR substr(");
		vq_colref(q, b, c->alias, c->column);
		vc_buf_puts(b, ", -length(");
		vq_placeholder(q, b, n);
		vc_buf_puts(b, ")) = ");
		vq_placeholder(q, b, n);
		vc_buf_puts(b, ")");
		/* a NULL column must stay NULL (not TRUE) for $not semantics */
	}
	return VC_OK;
}

/* The SQL of one lookup on a resolved column. */
static vc_code
lookup_sql(qctx *q, const char *path, const json_t *v, const qcol *cp,
		   const char *lookup, vc_buf *b)
{
	qcol		c = *cp;
	vc_code		rc;
	char		echo[VC_ECHO_BUFSZ];

	if (strcmp(lookup, "isnull") == 0)
	{
		if (!json_is_boolean(v))
			return lookup_value_error(q, path, lookup, "takes true or false");
		vq_colref(q, b, c.alias, c.column);
		vc_buf_puts(b, json_is_true(v) ? " IS NULL" : " IS NOT NULL");
		return VC_OK;
	}
	if (json_is_null(v))
	{
		if (strcmp(lookup, "exact") != 0 && strcmp(lookup, "iexact") != 0)
			return lookup_value_error(q, path, lookup, "does not take null; use isnull");
		vq_colref(q, b, c.alias, c.column);
		vc_buf_puts(b, " IS NULL");
		return VC_OK;
	}
	if (strcmp(lookup, "exact") == 0 || strcmp(lookup, "gt") == 0 ||
		strcmp(lookup, "gte") == 0 || strcmp(lookup, "lt") == 0 ||
		strcmp(lookup, "lte") == 0)
	{
		const char *op = lookup[0] == 'e' ? " = " : strcmp(lookup, "gt") == 0 ? " > " :
		strcmp(lookup, "gte") == 0 ? " >= " : strcmp(lookup, "lt") == 0 ? " < " : " <= ";

		if ((json_is_array(v) && c.field->type != VC_FT_ARRAY && c.field->type != VC_FT_JSON) ||
			(json_is_object(v) && c.field->type != VC_FT_JSON))
			return vc_error_set(q->err, VC_ERR_TEXT_REPR,
								"model \"%s\", field \"%s\": lookup value must be a scalar for %s",
								c.vmodel->label, c.field->name, lookup);
		vq_colref(q, b, c.alias, c.column);
		vc_buf_puts(b, op);
		return vq_bind_value(q, b, c.vmodel, c.field, v, false, "lookup value");
	}
	if (strcmp(lookup, "iexact") == 0)
	{
		if (!is_text_type(c.field))
			return lookup_value_error(q, path, lookup, "needs a text field");
		vc_buf_puts(b, "lower(");
		vq_colref(q, b, c.alias, c.column);
		vc_buf_puts(b, ") = lower(");
		if ((rc = vq_bind_value(q, b, c.vmodel, c.field, v, false, "lookup value")) != VC_OK)
			return rc;
		vc_buf_putc(b, ')');
		return VC_OK;
	}
	if (strstr(lookup, "contains") || strstr(lookup, "startswith") ||
		strstr(lookup, "endswith"))
		return text_lookup(q, b, &c, path, lookup, v);
	if (strcmp(lookup, "in") == 0)
	{
		size_t		i;

		if (!json_is_array(v))
			return lookup_value_error(q, path, lookup, "takes a JSON array");
		if (json_array_size(v) == 0)
		{
			vc_buf_puts(b, "FALSE");
			return VC_OK;
		}
		vq_colref(q, b, c.alias, c.column);
		vc_buf_puts(b, " IN (");
		for (i = 0; i < json_array_size(v); i++)
		{
			if (i > 0)
				vc_buf_puts(b, ", ");
			if ((rc = vq_bind_value(q, b, c.vmodel, c.field, json_array_get(v, i),
									false, "lookup value")) != VC_OK)
				return rc;
		}
		vc_buf_putc(b, ')');
		return VC_OK;
	}
	if (strcmp(lookup, "range") == 0)
	{
		if (!json_is_array(v) || json_array_size(v) != 2 ||
			json_is_null(json_array_get(v, 0)) || json_is_null(json_array_get(v, 1)))
			return lookup_value_error(q, path, lookup, "takes an array of two non-null values");
		vq_colref(q, b, c.alias, c.column);
		vc_buf_puts(b, " BETWEEN ");
		if ((rc = vq_bind_value(q, b, c.vmodel, c.field, json_array_get(v, 0),
								false, "lookup value")) != VC_OK)
			return rc;
		vc_buf_puts(b, " AND ");
		return vq_bind_value(q, b, c.vmodel, c.field, json_array_get(v, 1),
							 false, "lookup value");
	}
	if (strcmp(lookup, "regex") == 0 || strcmp(lookup, "iregex") == 0)
	{
		const char *s;
		size_t		len;
		bool		ci = lookup[0] == 'i';

		if (!is_text_type(c.field))
			return lookup_value_error(q, path, lookup, "needs a text field");
		if (!json_is_string(v))
			return lookup_value_error(q, path, lookup, "takes a string pattern");
		s = json_string_value(v);
		len = json_string_length(v);
		if ((rc = vc_regex_validate(s, len, q->err)) != VC_OK)
			return rc;
		vq_colref(q, b, c.alias, c.column);
		if (q->d == VC_DIALECT_POSTGRESQL)
		{
			vc_buf_puts(b, ci ? " ~* " : " ~ ");
			return vq_bind_text(q, b, s, len);
		}
		vc_buf_puts(b, " REGEXP ");
		if (ci)
		{
			char	   *p = vc_malloc(q->a, len + 5);

			if (p == NULL)
				return vq_oom(q);
			memcpy(p, "(?i)", 4);
			memcpy(p + 4, s, len);
			rc = vq_bind_text(q, b, p, len + 4);
			vc_free(q->a, p);
			return rc;
		}
		return vq_bind_text(q, b, s, len);
	}
	return vc_error_set(q->err, VC_ERR_INTERNAL, "lookup \"%s\" not handled",
						vc_echo(echo, sizeof(echo), lookup, strlen(lookup)));
}

/*
 * One "path[__lookup]": value member of a condition. A path through a
 * many-valued relation (M2M, reverse FK) reached under $not becomes a
 * correlated EXISTS, like Django's exclude(): "no related row matches"
 * rather than a per-joined-row test. A lookup that a missing related row
 * satisfies through the LEFT JOIN (isnull true, exact null) keeps that:
 * (NOT EXISTS (related rows) OR EXISTS (matching related rows)).
 */
static vc_code
compile_lookup(qctx *q, const char *path, const json_t *v, bool nullable_ctx,
			   vc_buf *b)
{
	qcol		c;
	const char *lookup;
	vc_code		rc;
	bool		isnull_lookup;
	int			root;
	vc_buf		cond;

	isnull_lookup = json_is_null(v) ||
		(strlen(path) > 8 && strcmp(path + strlen(path) - 8, "__isnull") == 0);
	q->sub_request = q->neg > 0;
	rc = vq_resolve(q, path, (nullable_ctx || isnull_lookup) ? QJ_MODE_LEFT : QJ_MODE_INNER,
					true, true, &c, &lookup);
	q->sub_request = false;
	root = q->last_root;
	if (rc != VC_OK)
		return rc;
	if (root < 0)
		return lookup_sql(q, path, v, &c, lookup, b);
	vc_buf_init(&cond, q->a);
	rc = lookup_sql(q, path, v, &c, lookup, &cond);
	if (rc == VC_OK)
	{
		bool		empty_ok = (strcmp(lookup, "isnull") == 0 && json_is_true(v)) ||
		((strcmp(lookup, "exact") == 0 || strcmp(lookup, "iexact") == 0) && json_is_null(v));

		if (empty_ok)
		{
			vc_buf_puts(b, "(NOT ");
			if ((rc = vq_exists(q, root, NULL, b)) == VC_OK)
				vc_buf_puts(b, " OR ");
		}
		if (rc == VC_OK)
			rc = vq_exists(q, root, &cond, b);
		if (rc == VC_OK && empty_ok)
			vc_buf_putc(b, ')');
		if (rc == VC_OK && cond.failed)
			rc = vq_oom(q);
	}
	vc_buf_reset(&cond);
	return rc;
}

static vc_code
compile_node(qctx *q, const json_t *node, bool nullable_ctx, vc_buf *b)
{
	const char *key;
	json_t	   *v;
	size_t		n = 0;
	vc_code		rc;

	if (!json_is_object(node))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"a condition must be a JSON object");
	if (json_object_size(node) == 0)
	{
		vc_buf_puts(b, "TRUE");
		return VC_OK;
	}
	if (json_object_size(node) > 1)
		vc_buf_putc(b, '(');
	json_object_foreach((json_t *) node, key, v)
	{
		if (n++ > 0)
			vc_buf_puts(b, " AND ");
		if (strcmp(key, "$and") == 0 || strcmp(key, "$or") == 0)
		{
			bool		is_or = key[1] == 'o';
			size_t		i;

			if (!json_is_array(v))
				return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
									"\"%s\" takes a JSON array of conditions", key);
			if (json_array_size(v) == 0)
			{
				vc_buf_puts(b, is_or ? "FALSE" : "TRUE");
				continue;
			}
			vc_buf_putc(b, '(');
			for (i = 0; i < json_array_size(v); i++)
			{
				if (i > 0)
					vc_buf_puts(b, is_or ? " OR " : " AND ");
				if ((rc = compile_node(q, json_array_get(v, i),
									   nullable_ctx || (is_or && json_array_size(v) > 1),
									   b)) != VC_OK)
					return rc;
			}
			vc_buf_putc(b, ')');
		}
		else if (strcmp(key, "$not") == 0)
		{
			vc_buf_putc(b, '(');
			q->neg++;
			rc = compile_node(q, v, true, b);
			q->neg--;
			if (rc != VC_OK)
				return rc;
			vc_buf_puts(b, ") IS NOT TRUE");
		}
		else if (key[0] == '$')
		{
			char		echo[VC_ECHO_BUFSZ];
			static const char *const ops[] = {"$and", "$or", "$not"};
			const char *near = vc_nearest(key, strlen(key), ops, 3);

			vc_error_set(q->err, VC_ERR_INVALID_PARAM, "unknown condition operator \"%s\"",
						 vc_echo(echo, sizeof(echo), key, strlen(key)));
			if (near)
				vc_error_hint(q->err, "Perhaps you meant \"%s\".", near);
			return VC_ERR_INVALID_PARAM;
		}
		else if ((rc = compile_lookup(q, key, v, nullable_ctx, b)) != VC_OK)
			return rc;
	}
	if (json_object_size(node) > 1)
		vc_buf_putc(b, ')');
	return VC_OK;
}

vc_code
vq_where(qctx *q, const json_t *where, vc_buf *b)
{
	return compile_node(q, where, false, b);
}

/* ---- expressions -------------------------------------------------------- */

bool
vq_is_agg(const json_t *e)
{
	static const char *const aggs[] = {"$count", "$count_distinct", "$sum",
	"$avg", "$max", "$min", NULL};
	int			i;

	if (!json_is_object(e) || json_object_size(e) != 1)
		return false;
	for (i = 0; aggs[i]; i++)
		if (json_object_get(e, aggs[i]))
			return true;
	return false;
}

/* A JSON scalar without a field to type it. */
static vc_code
bind_untyped(qctx *q, vc_buf *b, const json_t *v, vc_out_kind *kind)
{
	vc_param	p;

	memset(&p, 0, sizeof(p));
	if (json_is_integer(v))
	{
		p.kind = VC_PARAM_INT;
		p.i = json_integer_value(v);
		p.pg_type = "int8";
		p.sqlite_class = VC_SQLITE_INTEGER;
		*kind = VC_OUT_NUMBER;
	}
	else if (json_is_real(v))
	{
		p.kind = VC_PARAM_DOUBLE;
		p.d = json_real_value(v);
		p.pg_type = "float8";
		p.sqlite_class = VC_SQLITE_REAL;
		*kind = VC_OUT_NUMBER;
	}
	else if (json_is_boolean(v))
	{
		p.kind = VC_PARAM_BOOL;
		p.b = json_is_true(v);
		p.i = p.b;
		p.pg_type = "bool";
		p.sqlite_class = VC_SQLITE_INTEGER;
		*kind = VC_OUT_BOOLEAN;
	}
	else if (json_is_string(v))
	{
		*kind = VC_OUT_STRING;
		return vq_bind_text(q, b, json_string_value(v), json_string_length(v));
	}
	else
	{
		p.kind = VC_PARAM_NULL;
		p.pg_type = "text";
		p.sqlite_class = VC_SQLITE_NULL;
		*kind = VC_OUT_STRING;
	}
	return vq_bind(q, b, &p);
}

/*
 * EXPR: scalar | {"$f": path} | {"$add"|"$sub"|"$mul"|"$div": [a, b]}.
 * ctx_field types scalars (update: the field being set); NULL binds them
 * by their JSON type (int8, float8, text, bool). local_only: $f must name a column of the queried model (update).
 */
vc_code
vq_expr(qctx *q, const json_t *e, const vc_field *ctx_field, bool local_only,
		vc_buf *b, int depth, vc_out_kind *kind, const vc_field **ofield)
{
	static const char *const ops[] = {"$add", "$sub", "$mul", "$div"};
	static const char *const sql_ops[] = {" + ", " - ", " * ", " / "};
	int			i;
	vc_code		rc;

	if (ofield)
		*ofield = NULL;
	if (depth > VC_QUERY_MAX_DEPTH)
		return vc_error_set(q->err, VC_ERR_TOO_COMPLEX,
							"expression nesting is deeper than %d", VC_QUERY_MAX_DEPTH);
	if (!json_is_object(e))
	{
		if (json_is_array(e))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"an expression must be a scalar, {\"$f\": field} or an operator object");
		if (ctx_field && !json_is_null(e) && ctx_field->type != VC_FT_JSON &&
			ctx_field->type != VC_FT_ARRAY)
		{
			*kind = vq_field_kind(ctx_field);
			/* arithmetic scalars must be numbers even for a decimal field */
			return vq_bind_value(q, b, q->m, ctx_field, e, false, "expression value");
		}
		return bind_untyped(q, b, e, kind);
	}
	if (json_object_size(e) == 1 && json_object_get(e, "$f"))
	{
		json_t	   *f = json_object_get(e, "$f");
		qcol		c;

		if (!json_is_string(f))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"$f\" takes a field name");
		if (local_only)
		{
			const vc_field *lf = vq_find_field(q->m, json_string_value(f),
											   json_string_length(f));

			if (lf == NULL)
				return vq_unknown_field(q, q->m, json_string_value(f),
										json_string_length(f));
			if (lf->type == VC_FT_MANYTOMANY)
				return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
									"\"$f\" cannot name the ManyToManyField \"%s\"", lf->name);
			vq_colref(q, b, 0, lf->column);
			*kind = vq_field_kind(lf);
			if (ofield)
				*ofield = lf;
			return VC_OK;
		}
		if ((rc = vq_resolve(q, json_string_value(f), QJ_MODE_LEFT, false, false,
							 &c, NULL)) != VC_OK)
			return rc;
		vq_colref(q, b, c.alias, c.column);
		*kind = vq_field_kind(c.field);
		if (ofield)
			*ofield = c.field;
		return VC_OK;
	}
	for (i = 0; i < 4; i++)
	{
		json_t	   *args = json_object_get(e, ops[i]);
		vc_out_kind k1,
					k2;

		if (args == NULL)
			continue;
		if (json_object_size(e) != 1 || !json_is_array(args) || json_array_size(args) != 2)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"%s\" takes an array of two expressions", ops[i]);
		vc_buf_putc(b, '(');
		if ((rc = vq_expr(q, json_array_get(args, 0), ctx_field, local_only, b,
						  depth + 1, &k1, NULL)) != VC_OK)
			return rc;
		vc_buf_puts(b, sql_ops[i]);
		if ((rc = vq_expr(q, json_array_get(args, 1), ctx_field, local_only, b,
						  depth + 1, &k2, NULL)) != VC_OK)
			return rc;
		vc_buf_putc(b, ')');
		*kind = VC_OUT_NUMBER;
		return VC_OK;
	}
	{
		const char *key = "";
		json_t	   *v;
		char		echo[VC_ECHO_BUFSZ];

		json_object_foreach((json_t *) e, key, v)
			break;
		(void) v;
		if (vq_is_agg(e))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"aggregate \"%s\" is not allowed here", key);
		vc_error_set(q->err, VC_ERR_INVALID_PARAM, "unknown expression operator \"%s\"",
					 vc_echo(echo, sizeof(echo), key, strlen(key)));
		vc_error_hint(q->err, "Expressions are scalars, {\"$f\": field}, $add, $sub, $mul and $div.");
		return VC_ERR_INVALID_PARAM;
	}
}

/* AGG: {"$count"|"$count_distinct"|"$sum"|"$avg"|"$max"|"$min": path}. */
vc_code
vq_agg(qctx *q, const json_t *e, vc_buf *b, vc_out_kind *kind,
	   const vc_field **ofield)
{
	static const char *const names[] = {"$count", "$count_distinct", "$sum",
	"$avg", "$max", "$min"};
	static const char *const fns[] = {"count(", "count(DISTINCT ", "sum(",
	"avg(", "max(", "min("};
	int			i;
	qcol		c;
	vc_code		rc;

	*ofield = NULL;
	for (i = 0; i < 6; i++)
	{
		json_t	   *arg = json_object_get(e, names[i]);

		if (arg == NULL)
			continue;
		if (!json_is_string(arg))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"%s\" takes a field name", names[i]);
		if ((rc = vq_resolve(q, json_string_value(arg), QJ_MODE_LEFT, false, true,
							 &c, NULL)) != VC_OK)
			return rc;
		if (i >= 2 && i <= 3)
		{
			vc_out_kind k = vq_field_kind(c.field);

			if (k != VC_OUT_NUMBER)
				return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
									"\"%s\" needs a numeric field; \"%s\" is %s", names[i],
									c.field->name, vc_field_type_name(c.field->type));
		}
		if (i >= 4)
		{
			vc_out_kind k = vq_field_kind(c.field);

			/* PostgreSQL has no max(boolean); JSON and bytes do not order */
			if (k == VC_OUT_JSON || k == VC_OUT_BYTES || k == VC_OUT_BOOLEAN)
				return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
									"\"%s\" cannot compare field \"%s\" (%s)", names[i],
									c.field->name, vc_field_type_name(c.field->type));
			*kind = k;
			*ofield = c.field;
		}
		else
			*kind = VC_OUT_NUMBER;
		vc_buf_puts(b, fns[i]);
		vq_colref(q, b, c.alias, c.column);
		vc_buf_putc(b, ')');
		return VC_OK;
	}
	return vc_error_set(q->err, VC_ERR_INTERNAL, "not an aggregate");
}

/* ---- spec checks -------------------------------------------------------- */

vc_code
vq_check_keys(qctx *q, const json_t *spec, const char *const *allowed,
			  const char *what)
{
	const char *key;
	json_t	   *v;

	if (spec == NULL)
		return VC_OK;
	if (!json_is_object(spec))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM, "%s must be a JSON object", what);
	json_object_foreach((json_t *) spec, key, v)
	{
		int			i;
		bool		ok = false;

		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				ok = true;
		if (!ok)
		{
			static const char *const all[] = {"where", "order_by", "limit", "offset",
				"only", "defer", "distinct", "annotate", "aggregate", "values", "related",
			"after", "for_update", "ignore_permissions", "max_affected"};
			const char *near;
			char		echo[VC_ECHO_BUFSZ];
			size_t		nall = 0;

			while (allowed[nall])
				nall++;
			near = vc_nearest(key, strlen(key), allowed, nall);
			for (i = 0; i < 15 && near == NULL; i++)
				if (strcmp(all[i], key) == 0)
				{
					vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								 "spec key \"%s\" does not apply to %s", key, what);
					return VC_ERR_INVALID_PARAM;
				}
			vc_error_set(q->err, VC_ERR_INVALID_PARAM, "unknown spec key \"%s\"",
						 vc_echo(echo, sizeof(echo), key, strlen(key)));
			if (near)
				vc_error_hint(q->err, "Perhaps you meant \"%s\".", near);
			return VC_ERR_INVALID_PARAM;
		}
	}
	(void) v;
	return VC_OK;
}

/* Nesting and `in` sizes of a condition, before anything is compiled. */
static vc_code
limits_node(qctx *q, const json_t *node, int depth)
{
	const char *key;
	json_t	   *v;

	if (depth > VC_QUERY_MAX_DEPTH)
	{
		vc_error_set(q->err, VC_ERR_TOO_COMPLEX,
					 "condition nesting is deeper than %d", VC_QUERY_MAX_DEPTH);
		return VC_ERR_TOO_COMPLEX;
	}
	if (!json_is_object(node))
		return VC_OK;
	json_object_foreach((json_t *) node, key, v)
	{
		vc_code		rc;

		if (strcmp(key, "$and") == 0 || strcmp(key, "$or") == 0)
		{
			size_t		i;

			if (json_is_array(v))
				for (i = 0; i < json_array_size(v); i++)
					if ((rc = limits_node(q, json_array_get(v, i), depth + 1)) != VC_OK)
						return rc;
		}
		else if (strcmp(key, "$not") == 0)
		{
			if ((rc = limits_node(q, v, depth + 1)) != VC_OK)
				return rc;
		}
		else if (json_is_array(v) && json_array_size(v) > VC_QUERY_MAX_IN)
		{
			char		echo[VC_ECHO_BUFSZ];

			vc_error_set(q->err, VC_ERR_TOO_COMPLEX,
						 "list of \"%s\" has more than %d items",
						 vc_echo(echo, sizeof(echo), key, strlen(key)), VC_QUERY_MAX_IN);
			vc_error_detail(q->err, "It has %zu items.", json_array_size(v));
			return VC_ERR_TOO_COMPLEX;
		}
	}
	return VC_OK;
}

vc_code
vq_check_limits(qctx *q, const json_t *spec)
{
	json_t	   *w = spec ? json_object_get(spec, "where") : NULL;

	if (w == NULL)
		return VC_OK;
	return limits_node(q, w, 1);
}

/* ---- shape -------------------------------------------------------------- */

/*
 * The shape is written straight into a buffer as the compact, key-sorted
 * JSON text json_dumps(JSON_COMPACT | JSON_SORT_KEYS) gives for the shaped
 * spec (same escaping, same order): building a jansson tree per compile
 * and dumping it was a quarter of a compile's time.
 */
typedef enum shmode
{
	SH_COPY = 0,				/* the value itself */
	SH_VALUE,					/* "?" / null / array of "?" and null */
	SH_COND,					/* a condition object */
	SH_ACOND,					/* an array of conditions */
	SH_EXPR,					/* an EXPR / AGG */
	SH_AEXPR,					/* an array of EXPRs */
	SH_MAP						/* {name: EXPR} */
} shmode;

static void sh_node(qctx *q, vc_buf *b, const json_t *v, shmode mode, int depth);

/* A JSON string as jansson writes it without flags. */
static void
sh_string(vc_buf *b, const char *s, size_t len)
{
	size_t		i,
				start = 0;

	vc_buf_putc(b, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char) s[i];
		const char *esc;
		char		u[8];

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		vc_buf_append(b, s + start, i - start);
		start = i + 1;
		switch (ch)
		{
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			default:
				snprintf(u, sizeof(u), "\\u%04X", ch);
				esc = u;
				break;
		}
		vc_buf_puts(b, esc);
	}
	vc_buf_append(b, s + start, len - start);
	vc_buf_putc(b, '"');
}

static int
sh_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* What a member of an object shaped in mode becomes. */
static shmode
sh_member(shmode mode, const char *key, const json_t *v)
{
	size_t		kl;

	switch (mode)
	{
		case SH_COND:
			if ((strcmp(key, "$and") == 0 || strcmp(key, "$or") == 0) && json_is_array(v))
				return SH_ACOND;
			if (strcmp(key, "$not") == 0)
				return SH_COND;
			kl = strlen(key);
			if (kl > 8 && strcmp(key + kl - 8, "__isnull") == 0)
				return SH_COPY;
			return SH_VALUE;
		case SH_EXPR:
			return json_is_array(v) ? SH_AEXPR : SH_EXPR;
		case SH_MAP:
			return SH_EXPR;
		default:
			return SH_COPY;
	}
}

/* An object with its keys sorted; members shaped per sh_member. */
static void
sh_object(qctx *q, vc_buf *b, const json_t *o, shmode mode, int depth)
{
	const char *small[32];
	const char **keys = small;
	size_t		n = json_object_size(o),
				i = 0;
	const char *key;
	json_t	   *v;

	if (n > 32)
	{
		keys = vc_malloc(q->a, n * sizeof(char *));
		if (keys == NULL)
		{
			b->failed = 1;
			return;
		}
	}
	json_object_foreach((json_t *) o, key, v)
		if (i < n)
			keys[i++] = key;
	n = i;
	if (n > 1)
		qsort(keys, n, sizeof(char *), sh_keycmp);
	vc_buf_putc(b, '{');
	for (i = 0; i < n; i++)
	{
		v = json_object_get(o, keys[i]);
		if (i > 0)
			vc_buf_putc(b, ',');
		sh_string(b, keys[i], strlen(keys[i]));
		vc_buf_putc(b, ':');
		/* members of conditions and expressions go one level deeper */
		sh_node(q, b, v, sh_member(mode, keys[i], v),
				mode == SH_MAP ? 0 : depth + 1);
	}
	vc_buf_putc(b, '}');
	if (keys != small)
		vc_free(q->a, keys);
}

static void
sh_node(qctx *q, vc_buf *b, const json_t *v, shmode mode, int depth)
{
	size_t		i;

	switch (mode)
	{
		case SH_VALUE:
			if (json_is_null(v))
				vc_buf_puts(b, "null");
			else if (json_is_array(v))
			{
				vc_buf_putc(b, '[');
				for (i = 0; i < json_array_size(v); i++)
				{
					if (i > 0)
						vc_buf_putc(b, ',');
					vc_buf_puts(b, json_is_null(json_array_get(v, i)) ? "null" : "\"?\"");
				}
				vc_buf_putc(b, ']');
			}
			else
				vc_buf_puts(b, "\"?\"");
			return;
		case SH_COND:
			if (!json_is_object(v) || depth > VC_QUERY_MAX_DEPTH + 1)
				vc_buf_puts(b, "\"?\"");
			else
				sh_object(q, b, v, SH_COND, depth);
			return;
		case SH_EXPR:
			if (!json_is_object(v) || depth > VC_QUERY_MAX_DEPTH + 1)
				vc_buf_puts(b, json_is_null(v) ? "null" : "\"?\"");
			else if (json_object_get(v, "$f") || vq_is_agg(v))
				sh_node(q, b, v, SH_COPY, depth);
			else
				sh_object(q, b, v, SH_EXPR, depth);
			return;
		case SH_ACOND:
		case SH_AEXPR:
			vc_buf_putc(b, '[');
			for (i = 0; i < json_array_size(v); i++)
			{
				if (i > 0)
					vc_buf_putc(b, ',');
				sh_node(q, b, json_array_get(v, i),
						mode == SH_ACOND ? SH_COND : SH_EXPR, depth);
			}
			vc_buf_putc(b, ']');
			return;
		case SH_MAP:
			if (json_is_object(v))
				sh_object(q, b, v, SH_MAP, 0);
			else
				vc_buf_puts(b, "{}");
			return;
		case SH_COPY:
			break;
	}
	switch (json_typeof(v))
	{
		case JSON_OBJECT:
			sh_object(q, b, v, SH_COPY, depth);
			return;
		case JSON_ARRAY:
			vc_buf_putc(b, '[');
			for (i = 0; i < json_array_size(v); i++)
			{
				if (i > 0)
					vc_buf_putc(b, ',');
				sh_node(q, b, json_array_get(v, i), SH_COPY, depth + 1);
			}
			vc_buf_putc(b, ']');
			return;
		case JSON_STRING:
			sh_string(b, json_string_value(v), json_string_length(v));
			return;
		case JSON_INTEGER:
			{
				char		num_[32];

				snprintf(num_, sizeof(num_), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
				vc_buf_puts(b, num_);
				return;
			}
		case JSON_TRUE:
			vc_buf_puts(b, "true");
			return;
		case JSON_FALSE:
			vc_buf_puts(b, "false");
			return;
		case JSON_NULL:
			vc_buf_puts(b, "null");
			return;
		default:
			{
				/* reals: jansson's own number format */
				char	   *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

				if (t == NULL)
					b->failed = 1;
				else
				{
					vc_buf_puts(b, t);
					free(t);
				}
				return;
			}
	}
}

/* The mode a top-level spec member is shaped in. */
static shmode
sh_spec_member(const char *key)
{
	if (strcmp(key, "where") == 0)
		return SH_COND;
	if (strcmp(key, "limit") == 0 || strcmp(key, "offset") == 0 ||
		strcmp(key, "max_affected") == 0 || strcmp(key, "after") == 0)
		return SH_VALUE;
	if (strcmp(key, "annotate") == 0 || strcmp(key, "aggregate") == 0)
		return SH_MAP;
	return SH_COPY;
}

/*
 * The spec with its values replaced: "?" for a value, null kept (it
 * changes the SQL), arrays as arrays of "?"/null (their length changes the
 * SQL), isnull values kept; plus "op", and extra (update changes / write
 * rows, shaped as maps of expressions) under "changes". Compact JSON with
 * sorted keys.
 */
vc_code
vq_shape(qctx *q, const char *op, const json_t *spec, const json_t *extra,
		 vc_compiled *c)
{
	const char *small[24];
	const char **keys = small;
	size_t		n = 0,
				i,
				cap;
	const char *key;
	json_t	   *v;
	vc_buf		b;
	vc_code		rc = VC_OK;

	if (!json_is_object(spec))
		spec = NULL;
	cap = (spec ? json_object_size(spec) : 0) + 2;
	if (cap > 24)
	{
		keys = vc_malloc(q->a, cap * sizeof(char *));
		if (keys == NULL)
			return vq_oom(q);
	}
	keys[n++] = "op";
	if (extra)
		keys[n++] = "changes";
	if (spec)
		json_object_foreach((json_t *) spec, key, v)
			if (n < cap && strcmp(key, "op") != 0 && (!extra || strcmp(key, "changes") != 0))
				keys[n++] = key;
	qsort(keys, n, sizeof(char *), sh_keycmp);
	vc_buf_init(&b, q->a);
	vc_buf_putc(&b, '{');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			vc_buf_putc(&b, ',');
		sh_string(&b, keys[i], strlen(keys[i]));
		vc_buf_putc(&b, ':');
		if (strcmp(keys[i], "op") == 0)
			sh_string(&b, op, strlen(op));
		else if (extra && strcmp(keys[i], "changes") == 0)
			sh_node(q, &b, extra, json_is_object(extra) ? SH_MAP : SH_COPY, 0);
		else
			sh_node(q, &b, json_object_get(spec, keys[i]),
					sh_spec_member(keys[i]), 0);
	}
	vc_buf_putc(&b, '}');
	if (keys != small)
		vc_free(q->a, keys);
	if (b.failed)
		rc = vq_oom(q);
	else
	{
		c->shape = vc_pool_strndup(q->pool, b.data, b.len);
		if (c->shape == NULL)
			rc = vq_oom(q);
	}
	vc_buf_reset(&b);
	return rc;
}
