/*
 * vc_query_select.c — the read side of the compiler (vc_query.h):
 * viper.query / get / count / exists / aggregate. One function builds the
 * pieces of a SELECT (select list + output description, WHERE, GROUP BY,
 * ORDER BY with explicit NULL placement, keyset condition, LIMIT/OFFSET,
 * FOR UPDATE) and each entry point assembles the statement it needs.
 *
 * Memory: pieces are vc_bufs on the caller's allocator, released before
 * returning; everything kept lives in the compiled statement's pool.
 */
#include "vc_query_int.h"

#include <stdio.h>
#include <string.h>

#include "vc_text.h"

typedef enum rmode
{
	RM_ROWS = 0,
	RM_ONE,
	RM_COUNT,
	RM_EXISTS,
	RM_AGG
} rmode;

typedef struct sparts
{
	vc_buf		sel;			/* select list */
	vc_buf		where;			/* filter + keyset (without the predicate) */
	vc_buf		group;			/* GROUP BY list */
	vc_buf		order;			/* ORDER BY list */
	bool		distinct;
	bool		grouped;
	bool		values;
	bool		has_where;
	const json_t *limit;
	const json_t *offset;
	bool		for_update;
	bool		nowait;
	bool		skip_locked;
} sparts;

static const char *const query_keys[] = {"where", "order_by", "limit", "offset",
	"only", "defer", "distinct", "annotate", "values", "related", "after",
"for_update", "ignore_permissions", NULL};
static const char *const agg_keys[] = {"where", "order_by", "limit", "offset",
"distinct", "after", "aggregate", "ignore_permissions", NULL};

static void
parts_init(sparts *p, const vc_alloc *a)
{
	memset(p, 0, sizeof(*p));
	vc_buf_init(&p->sel, a);
	vc_buf_init(&p->where, a);
	vc_buf_init(&p->group, a);
	vc_buf_init(&p->order, a);
}

static void
parts_reset(sparts *p)
{
	vc_buf_reset(&p->sel);
	vc_buf_reset(&p->where);
	vc_buf_reset(&p->group);
	vc_buf_reset(&p->order);
}

static vc_code
get_bool(qctx *q, const json_t *spec, const char *key, bool *out)
{
	json_t	   *v = spec ? json_object_get(spec, key) : NULL;

	*out = false;
	if (v == NULL)
		return VC_OK;
	if (!json_is_boolean(v))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return VC_OK;
}

static vc_code
get_count(qctx *q, const json_t *spec, const char *key, const json_t **out)
{
	json_t	   *v = spec ? json_object_get(spec, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return VC_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"%s\" must be a non-negative integer", key);
	*out = v;
	return VC_OK;
}

static vc_code
string_list(qctx *q, const json_t *spec, const char *key, const json_t **out)
{
	json_t	   *v = spec ? json_object_get(spec, key) : NULL;
	size_t		i;

	*out = NULL;
	if (v == NULL)
		return VC_OK;
	if (!json_is_array(v))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"%s\" must be a JSON array of strings", key);
	for (i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)) ||
			json_string_length(json_array_get(v, i)) == 0)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"%s\" must be a JSON array of strings", key);
	*out = v;
	return VC_OK;
}

static bool
in_list(const json_t *list, const vc_model *m, const vc_field *f)
{
	size_t		i;

	for (i = 0; list && i < json_array_size(list); i++)
	{
		const json_t *s = json_array_get(list, i);

		if (vq_find_field(m, json_string_value(s), json_string_length(s)) == f)
			return true;
	}
	return false;
}

/* Select all column fields of a model at alias into nest (only/defer for t0). */
static vc_code
model_cols(qctx *q, vc_compiled *c, sparts *p, const vc_model *m, int alias,
		   int nest, const json_t *only, const json_t *defer)
{
	size_t		i;
	vc_code		rc;

	for (i = 0; i < m->nfields; i++)
	{
		const vc_field *f = &m->fields[i];
		char		key[VC_IDENT_MAX + 4];
		const char *path[1];

		if (f->type == VC_FT_MANYTOMANY || f->column == NULL)
			continue;
		if (i != m->pk && ((only && !in_list(only, m, f)) || (defer && in_list(defer, m, f))))
			continue;
		if (vc_field_type_is_fk(f->type))
		{
			size_t		l = strlen(f->name);

			if (l > VC_IDENT_MAX)
				l = VC_IDENT_MAX;
			memcpy(key, f->name, l);
			memcpy(key + l, "_id", 4);
			path[0] = key;
		}
		else
			path[0] = f->name;
		if (p->sel.len)
			vc_buf_puts(&p->sel, ", ");
		vq_select_col(q, &p->sel, alias, f);
		if (p->group.len)
			vc_buf_puts(&p->group, ", ");
		vq_colref(q, &p->group, alias, f->column);
		if ((rc = vq_add_col(q, c, path[0], path, 1, vq_field_kind(f), nest, f)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

static vc_code
check_names(qctx *q, const json_t *list, const char *key)
{
	size_t		i;

	for (i = 0; list && i < json_array_size(list); i++)
	{
		const json_t *s = json_array_get(list, i);
		const vc_field *f = vq_find_field(q->m, json_string_value(s), json_string_length(s));

		if (f == NULL)
			return vq_unknown_field(q, q->m, json_string_value(s), json_string_length(s));
		if (f->type == VC_FT_MANYTOMANY)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"%s\" cannot name the ManyToManyField \"%s\"", key, f->name);
	}
	return VC_OK;
}

/* related: ["author", "post__author"] → LEFT JOINs and nested objects. */
static vc_code
related_cols(qctx *q, vc_compiled *c, sparts *p, const json_t *related)
{
	size_t		i;
	vc_code		rc;
	/* nest per join alias (joins made by related paths) */
	int			nest_of_alias[64];

	for (i = 0; i < 64; i++)
		nest_of_alias[i] = -2;
	for (i = 0; i < json_array_size(related); i++)
	{
		const char *path = json_string_value(json_array_get(related, i));
		const char *s = path;
		const vc_model *cur = q->m;
		int			alias = 0,
					nest = -1,
					hops = 0;
		char		echo[VC_ECHO_BUFSZ];

		for (;;)
		{
			const char *sep = strstr(s, "__");
			size_t		l = sep ? (size_t) (sep - s) : strlen(s);
			const vc_field *f = vq_find_field(cur, s, l);
			const vc_model *target;
			int			ja;
			qcol		col;
			char		sub[512];

			if (f == NULL)
				return vq_unknown_field(q, cur, s, l);
			if (!vc_field_type_is_fk(f->type))
				return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
									"related \"%s\": \"%s\" is not a ForeignKey or OneToOneField",
									vc_echo(echo, sizeof(echo), path, strlen(path)), f->name);
			if (++hops > VC_QUERY_MAX_HOPS)
			{
				vc_error_set(q->err, VC_ERR_TOO_COMPLEX,
							 "relation path \"%s\" is deeper than %d hops",
							 vc_echo(echo, sizeof(echo), path, strlen(path)), VC_QUERY_MAX_HOPS);
				return VC_ERR_TOO_COMPLEX;
			}
			target = vc_catalog_get(q->cat, f->to);
			{
				/*
				 * Resolve the prefix plus one non-pk column of the target:
				 * that makes (or shares) the join; a pk path would not.
				 */
				const vc_field *tf = NULL;
				size_t		k;

				for (k = 0; target && k < target->nfields; k++)
					if (k != target->pk && target->fields[k].column)
					{
						tf = &target->fields[k];
						break;
					}
				if (tf == NULL)
					return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
										"related \"%s\": target has no columns",
										vc_echo(echo, sizeof(echo), path, strlen(path)));
				snprintf(sub, sizeof(sub), "%.*s__%s", (int) (s + l - path), path, tf->name);
			}
			if ((rc = vq_resolve(q, sub, QJ_MODE_LEFT, false, false, &col, NULL)) != VC_OK)
				return rc;
			ja = col.alias;
			if (ja >= 64)
				return vc_error_set(q->err, VC_ERR_TOO_COMPLEX, "too many related objects");
			q->joins[ja - 1].left = true;
			if (nest_of_alias[ja] == -2)
			{
				vc_out_nest *nn;
				size_t		first = c->ncols;

				if (c->nnests % 8 == 0)
				{
					vc_out_nest *na = vc_pool_alloc(q->pool, (c->nnests + 8) * sizeof(vc_out_nest));

					if (na == NULL)
						return vq_oom(q);
					if (c->nnests)
						memcpy(na, c->nests, c->nnests * sizeof(vc_out_nest));
					c->nests = na;
				}
				nn = &c->nests[c->nnests];
				nn->key = vc_pool_strdup(q->pool, f->name);
				if (nn->key == NULL)
					return vq_oom(q);
				nn->parent = nest;
				nn->model = target;
				nest_of_alias[ja] = (int) c->nnests;
				c->nnests++;
				if ((rc = model_cols(q, c, p, target, ja, nest_of_alias[ja], NULL, NULL)) != VC_OK)
					return rc;
				nn = &c->nests[nest_of_alias[ja]];
				nn->first_col = first;
				nn->end_col = c->ncols;
				nn->pk_col = first;
				{
					size_t		k;

					for (k = first; k < c->ncols; k++)
						if (c->cols[k].field == vq_pk(target))
							nn->pk_col = k;
				}
				/* nested paths also carry the key chain */
				{
					size_t		k;
					int			depth = 0,
								x;
					const char *chain[VC_QUERY_MAX_HOPS + 2];

					for (x = nest_of_alias[ja]; x >= 0; x = c->nests[x].parent)
						depth++;
					for (k = first; k < c->ncols; k++)
					{
						int			d = depth;

						chain[d] = c->cols[k].key;
						for (x = nest_of_alias[ja]; x >= 0; x = c->nests[x].parent)
							chain[--d] = c->nests[x].key;
						c->cols[k].path = vc_pool_alloc(q->pool, (depth + 1) * sizeof(char *));
						if (c->cols[k].path == NULL)
							return vq_oom(q);
						memcpy(c->cols[k].path, chain, (depth + 1) * sizeof(char *));
						c->cols[k].npath = depth + 1;
					}
				}
			}
			nest = nest_of_alias[ja];
			alias = ja;
			cur = target;
			if (!sep)
				break;
			s = sep + 2;
		}
		(void) alias;
	}
	return VC_OK;
}

static vc_code
annotate_cols(qctx *q, vc_compiled *c, sparts *p, const json_t *ann)
{
	const char *alias;
	json_t	   *e;
	vc_code		rc;

	json_object_foreach((json_t *) ann, alias, e)
	{
		vc_out_kind kind = VC_OUT_NUMBER;
		const vc_field *of = NULL;
		const char *path[1];
		char		echo[VC_ECHO_BUFSZ];

		if (vc_ident_validate(alias, strlen(alias), "annotation alias", q->err) != VC_OK)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"annotation alias \"%s\" is not a valid identifier",
								vc_echo(echo, sizeof(echo), alias, strlen(alias)));
		if (vq_find_field(q->m, alias, strlen(alias)) != NULL)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"annotation alias \"%s\" clashes with a field of \"%s\"",
								alias, q->m->label);
		if (p->sel.len)
			vc_buf_puts(&p->sel, ", ");
		if (vq_is_agg(e))
		{
			p->grouped = true;
			rc = vq_agg(q, e, &p->sel, &kind, &of);
		}
		else
		{
			vc_buf		eb;

			vc_buf_init(&eb, q->a);
			rc = vq_expr(q, e, NULL, false, &eb, 0, &kind, &of);
			if (rc == VC_OK)
			{
				vq_append_buf(&p->sel, &eb);
				if (p->group.len)
					vc_buf_puts(&p->group, ", ");
				vq_append_buf(&p->group, &eb);
			}
			vc_buf_reset(&eb);
		}
		if (rc != VC_OK)
			return rc;
		vc_buf_puts(&p->sel, " AS ");
		vc_ident_quote_buf(&p->sel, alias, strlen(alias), q->d);
		path[0] = alias;
		if ((rc = vq_add_col(q, c, alias, path, 1, kind, -1, of)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

static vc_code
values_cols(qctx *q, vc_compiled *c, sparts *p, const json_t *values)
{
	size_t		i;
	vc_code		rc;

	for (i = 0; i < json_array_size(values); i++)
	{
		const char *path = json_string_value(json_array_get(values, i));
		qcol		col;
		const char *keys[1];

		if ((rc = vq_resolve(q, path, QJ_MODE_LEFT, false, true, &col, NULL)) != VC_OK)
			return rc;
		if (p->sel.len)
			vc_buf_puts(&p->sel, ", ");
		vq_select_col(q, &p->sel, col.alias, col.field->column && strcmp(col.field->column, col.column) == 0 ? col.field : vq_pk(col.vmodel));
		if (p->group.len)
			vc_buf_puts(&p->group, ", ");
		vq_colref(q, &p->group, col.alias, col.column);
		keys[0] = path;
		if ((rc = vq_add_col(q, c, path, keys, 1, vq_field_kind(col.field), -1,
							 col.field)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

/* One ordering term, resolved. */
typedef struct oterm
{
	vc_buf		expr;
	bool		desc;
	bool		random;
	const vc_field *field;		/* types the keyset value (NULL: annotation) */
	const vc_model *model;
	bool		notnull;		/* a NOT NULL column of t0: never NULL here
								 * (a joined column can be, LEFT JOIN) */
} oterm;

static vc_code
ordering(qctx *q, vc_compiled *c, sparts *p, const json_t *spec, bool allow_default,
		 const json_t *ann, oterm *terms, size_t *nterms, size_t maxterms)
{
	const json_t *ob = NULL;
	size_t		n = 0,
				i;
	bool		has_pk = false;
	vc_code		rc;

	(void) c;
	if ((rc = string_list(q, spec, "order_by", &ob)) != VC_OK)
		return rc;
	for (i = 0; ; i++)
	{
		const char *t;
		oterm	   *o;
		qcol		col;

		if (ob)
		{
			if (i >= json_array_size(ob))
				break;
			t = json_string_value(json_array_get(ob, i));
		}
		else if (allow_default)
		{
			if (i >= q->m->nordering)
				break;
			t = q->m->ordering[i];
		}
		else
			break;
		if (n + 1 >= maxterms)
			return vc_error_set(q->err, VC_ERR_TOO_COMPLEX, "too many order_by terms");
		o = &terms[n];
		vc_buf_init(&o->expr, q->a);
		n++;
		*nterms = n;
		o->desc = t[0] == '-';
		if (t[0] == '-' || t[0] == '+')
			t++;
		if (strcmp(t, "?") == 0)
		{
			o->random = true;
			vc_buf_puts(&o->expr, "random()");
			continue;
		}
		if (ann && json_object_get(ann, t))
		{
			vc_ident_quote_buf(&o->expr, t, strlen(t), q->d);
			continue;
		}
		if ((rc = vq_resolve(q, t, QJ_MODE_LEFT, false, false, &col, NULL)) != VC_OK)
			return rc;
		if (col.alias > 0)
			q->joins[col.alias - 1].left = true;
		vq_colref(q, &o->expr, col.alias, col.column);
		o->field = col.field;
		o->model = col.vmodel;
		o->notnull = col.alias == 0 && !col.field->null;
		if (col.alias == 0 && col.field == vq_pk(q->m))
			has_pk = true;
	}
	if (!has_pk && !p->grouped && !p->values)
	{
		oterm	   *o = &terms[n++];

		vc_buf_init(&o->expr, q->a);
		vq_colref(q, &o->expr, 0, vq_pk(q->m)->column);
		o->desc = false;
		o->field = vq_pk(q->m);
		o->model = q->m;
		o->notnull = true;
		*nterms = n;
	}
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			vc_buf_puts(&p->order, ", ");
		vq_append_buf(&p->order, &terms[i].expr);
		if (!terms[i].random)
			vc_buf_puts(&p->order, terms[i].desc ? " DESC NULLS FIRST" : " ASC NULLS LAST");
		if (p->distinct && !terms[i].random)
		{
			/* SELECT DISTINCT needs ORDER BY terms in the select list:
			 * hidden trailing columns, ignored by hosts (past ncols) */
			vc_buf_puts(&p->sel, ", ");
			vq_append_buf(&p->sel, &terms[i].expr);
		}
	}
	return VC_OK;
}

/*
 * Keyset: the exact "strictly after" condition for the ordering, written so
 * an index on the ordering columns can answer it:
 *   - every term a NOT NULL column of t0, one direction, no null value:
 *     the row comparison ("a", "b") > ($1, $2) (< for DESC) — an index
 *     range scan on both hosts (SQLite >= 3.15 has row values);
 *   - otherwise the lexicographic OR of the terms, ANDed with a range
 *     bound on the first term that the index can use: "a" >= $1 (ASC, NOT
 *     NULL column; a nullable ASC column would need "OR a IS NULL" — NULLs
 *     sort after every value — which no index range answers, so it gets no
 *     bound), "a" <= $1 (DESC: NULLS FIRST puts no NULL after a value,
 *     nullable or not), "a" IS NULL (ASC with a null value: only NULLs
 *     follow). The bound is implied by the exact condition, so results are
 *     the same either way.
 */
static vc_code
keyset(qctx *q, sparts *p, const json_t *after, oterm *terms, size_t n)
{
	size_t		i,
				j,
				nums[34];
	bool		any = false;
	vc_code		rc;
	vc_buf	   *b = &p->where;

	if (!json_is_array(after))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"after\" must be a JSON array of the last row's ordering values");
	if (json_array_size(after) != n)
	{
		vc_error_set(q->err, VC_ERR_INVALID_PARAM,
					 "\"after\" has %zu values; the ordering has %zu terms",
					 json_array_size(after), n);
		vc_error_detail(q->err, "The primary key is appended to every ordering that lacks it, so \"after\" carries its value last.");
		return VC_ERR_INVALID_PARAM;
	}
	for (i = 0; i < n; i++)
	{
		json_t	   *v = json_array_get(after, i);

		if (terms[i].random || terms[i].field == NULL)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"after\" needs an ordering of fields (no \"?\" or annotations)");
		nums[i] = 0;
		if (!json_is_null(v))
		{
			vc_param	prm;

			if ((rc = vc_value_bind(q->pool, terms[i].model, terms[i].field, v, q->d,
									false, false, "after value", &prm, q->err)) != VC_OK)
				return rc;
			if ((rc = vq_param(q, &prm, &nums[i])) != VC_OK)
				return rc;
		}
	}
	if (p->has_where)
		vc_buf_puts(b, " AND ");
	p->has_where = true;
	vc_buf_putc(b, '(');

	/* row comparison when every term qualifies */
	for (i = 0; i < n; i++)
		if (!terms[i].notnull || nums[i] == 0 || terms[i].desc != terms[0].desc)
			break;
	if (i == n)
	{
		if (n > 1)
			vc_buf_putc(b, '(');
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				vc_buf_puts(b, ", ");
			vq_append_buf(b, &terms[i].expr);
		}
		vc_buf_puts(b, n > 1 ? (terms[0].desc ? ") < (" : ") > (") :
					(terms[0].desc ? " < " : " > "));
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				vc_buf_puts(b, ", ");
			vq_placeholder(q, b, nums[i]);
		}
		vc_buf_puts(b, n > 1 ? "))" : ")");
		return VC_OK;
	}

	/* index-friendly bound on the first term */
	if (nums[0] != 0 && (terms[0].desc || terms[0].notnull))
	{
		vq_append_buf(b, &terms[0].expr);
		vc_buf_puts(b, terms[0].desc ? " <= " : " >= ");
		vq_placeholder(q, b, nums[0]);
		vc_buf_puts(b, " AND ");
	}
	else if (nums[0] == 0 && !terms[0].desc)
	{
		vq_append_buf(b, &terms[0].expr);
		vc_buf_puts(b, " IS NULL AND ");
	}
	vc_buf_putc(b, '(');
	for (i = 0; i < n; i++)
	{
		bool		isnull = nums[i] == 0;

		/* ASC NULLS LAST: nothing sorts after a NULL */
		if (isnull && !terms[i].desc)
			continue;
		if (any)
			vc_buf_puts(b, " OR ");
		any = true;
		vc_buf_putc(b, '(');
		for (j = 0; j < i; j++)
		{
			vq_append_buf(b, &terms[j].expr);
			if (nums[j] == 0)
				vc_buf_puts(b, " IS NULL");
			else
			{
				vc_buf_puts(b, " = ");
				vq_placeholder(q, b, nums[j]);
			}
			vc_buf_puts(b, " AND ");
		}
		if (terms[i].desc)
		{
			vq_append_buf(b, &terms[i].expr);
			if (isnull)
				vc_buf_puts(b, " IS NOT NULL");
			else
			{
				vc_buf_puts(b, " < ");
				vq_placeholder(q, b, nums[i]);
			}
		}
		else if (terms[i].notnull)
		{
			vq_append_buf(b, &terms[i].expr);
			vc_buf_puts(b, " > ");
			vq_placeholder(q, b, nums[i]);
		}
		else
		{
			/* ASC NULLS LAST: NULLs follow every value */
			vc_buf_putc(b, '(');
			vq_append_buf(b, &terms[i].expr);
			vc_buf_puts(b, " > ");
			vq_placeholder(q, b, nums[i]);
			vc_buf_puts(b, " OR ");
			vq_append_buf(b, &terms[i].expr);
			vc_buf_puts(b, " IS NULL)");
		}
		vc_buf_putc(b, ')');
	}
	if (!any)
		vc_buf_puts(b, "FALSE");
	vc_buf_puts(b, "))");
	return VC_OK;
}

static vc_code
limit_clause(qctx *q, vc_buf *b, const json_t *limit, const json_t *offset,
			 int64_t cap, int64_t fixed)
{
	vc_code		rc;
	int64_t		lim = -1;

	if (limit)
		lim = json_integer_value(limit);
	if (cap > 0 && (lim < 0 || lim > cap))
		lim = cap;
	if (fixed > 0 && (lim < 0 || lim > fixed))
		lim = fixed;
	if (lim >= 0)
	{
		vc_buf_puts(b, " LIMIT ");
		if ((rc = vq_bind_int(q, b, lim)) != VC_OK)
			return rc;
	}
	else if (offset && q->d == VC_DIALECT_SQLITE)
		vc_buf_puts(b, " LIMIT -1");
	if (offset)
	{
		vc_buf_puts(b, " OFFSET ");
		if ((rc = vq_bind_int(q, b, json_integer_value(offset))) != VC_OK)
			return rc;
	}
	return VC_OK;
}

/*
 * Build every piece of the read. mode decides what the select list holds
 * (rows, a pk for count, aggregates).
 */
static vc_code
build(qctx *q, vc_compiled *c, const json_t *spec, rmode mode, sparts *p,
	  vc_buf *out)
{
	const json_t *only = NULL,
			   *defer = NULL,
			   *values = NULL,
			   *related = NULL,
			   *ann = NULL,
			   *fu = NULL,
			   *where = NULL,
			   *after = NULL;
	oterm		terms[34];
	size_t		nterms = 0,
				i;
	vc_buf		pred;
	bool		has_pred = false;
	vc_code		rc;
	const char *const *keys = mode == RM_AGG ? agg_keys : query_keys;

	memset(terms, 0, sizeof(terms));
	if ((rc = vq_check_keys(q, spec, keys, mode == RM_AGG ? "aggregate" : "a query")) != VC_OK ||
		(rc = vq_check_limits(q, spec)) != VC_OK)
		return rc;
	if ((rc = get_bool(q, spec, "distinct", &p->distinct)) != VC_OK ||
		(rc = get_bool(q, spec, "ignore_permissions", &c->ignore_permissions)) != VC_OK ||
		(rc = get_count(q, spec, "limit", &p->limit)) != VC_OK ||
		(rc = get_count(q, spec, "offset", &p->offset)) != VC_OK ||
		(rc = string_list(q, spec, "only", &only)) != VC_OK ||
		(rc = string_list(q, spec, "defer", &defer)) != VC_OK ||
		(rc = string_list(q, spec, "values", &values)) != VC_OK ||
		(rc = string_list(q, spec, "related", &related)) != VC_OK)
		return rc;
	q->distinct = p->distinct;
	if (only && defer)
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"only\" and \"defer\" are mutually exclusive");
	if ((rc = check_names(q, only, "only")) != VC_OK ||
		(rc = check_names(q, defer, "defer")) != VC_OK)
		return rc;
	if (values && (only || defer || related))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"values\" cannot be combined with only, defer or related");
	ann = spec ? json_object_get(spec, "annotate") : NULL;
	if (ann && !json_is_object(ann))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"annotate\" must be an object of alias: expression");
	fu = spec ? json_object_get(spec, "for_update") : NULL;
	if (fu)
	{
		json_t	   *v;
		const char *k;

		if (!json_is_object(fu))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"for_update\" must be an object {\"nowait\", \"skip_locked\"}");
		json_object_foreach((json_t *) fu, k, v)
		{
			if ((strcmp(k, "nowait") != 0 && strcmp(k, "skip_locked") != 0) ||
				!json_is_boolean(v))
				return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
									"\"for_update\" takes only the booleans \"nowait\" and \"skip_locked\"");
		}
		p->for_update = true;
		p->nowait = json_is_true(json_object_get(fu, "nowait"));
		p->skip_locked = json_is_true(json_object_get(fu, "skip_locked"));
		if (p->nowait && p->skip_locked)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"nowait\" and \"skip_locked\" are mutually exclusive");
		c->for_update = true;
	}
	p->values = values != NULL;
	where = spec ? json_object_get(spec, "where") : NULL;
	after = spec ? json_object_get(spec, "after") : NULL;

	/* select list and output description */
	if (mode == RM_ROWS || mode == RM_ONE || mode == RM_COUNT)
	{
		if (values)
			rc = values_cols(q, c, p, values);
		else
		{
			rc = model_cols(q, c, p, q->m, 0, -1, only, defer);
			if (rc == VC_OK && related)
				rc = related_cols(q, c, p, related);
		}
		if (rc == VC_OK && ann)
			rc = annotate_cols(q, c, p, ann);
		if (rc != VC_OK)
			return rc;
	}
	if (p->for_update && (p->distinct || p->grouped))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"for_update\" cannot be combined with distinct or aggregates");

	/* WHERE */
	if (where)
	{
		if ((rc = vq_where(q, where, &p->where)) != VC_OK)
			return rc;
		p->has_where = true;
	}
	/* ORDER BY (also resolves joins for it) */
	if (mode == RM_ROWS || mode == RM_ONE || after ||
		(mode == RM_AGG && (p->limit || p->offset)))
	{
		if ((rc = ordering(q, c, p, spec, !p->grouped, ann, terms, &nterms, 34)) != VC_OK)
			goto done;
		if (after)
		{
			if (p->values || p->grouped)
			{
				rc = vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								  "\"after\" cannot be combined with values or aggregates");
				goto done;
			}
			if ((rc = keyset(q, p, after, terms, nterms)) != VC_OK)
				goto done;
		}
	}
	if (mode == RM_AGG)
	{
		rc = VC_OK;
		goto done;
	}

	/* assemble */
	vc_buf_init(&pred, q->a);
	if (mode == RM_EXISTS)
		vc_buf_puts(out, "SELECT EXISTS (SELECT 1");
	else if (mode == RM_COUNT)
	{
		bool		sub = p->distinct || p->grouped || p->limit || p->offset;

		vc_buf_puts(out, "SELECT count(*)");
		if (sub)
		{
			vc_buf_puts(out, " FROM (SELECT ");
			if (p->distinct)
				vc_buf_puts(out, "DISTINCT ");
			if (p->values || p->grouped)
				vq_append_buf(out, &p->sel);
			else
				vq_colref(q, out, 0, vq_pk(q->m)->column);
		}
		p->sel.len = 0;
		c->ncols = 0;
		c->nnests = 0;
		if (!sub)
			p->distinct = false;
		p->order.len = 0;
		p->for_update = false;
		if (!sub)
			p->limit = p->offset = NULL;
		p->values = sub;		/* from here on: the sub-select to close */
	}
	else
	{
		vc_buf_puts(out, "SELECT ");
		if (p->distinct)
			vc_buf_puts(out, "DISTINCT ");
		vq_append_buf(out, &p->sel);
	}
	if ((rc = vq_from(q, out, &has_pred, &pred)) != VC_OK)
	{
		vc_buf_reset(&pred);
		goto done;
	}
	if (has_pred || p->has_where)
	{
		vc_buf_puts(out, " WHERE ");
		if (has_pred)
			vq_append_buf(out, &pred);
		if (has_pred && p->has_where)
			vc_buf_puts(out, " AND ");
		if (p->has_where)
			vq_append_buf(out, &p->where);
	}
	vc_buf_reset(&pred);
	if (p->grouped && p->group.len)
	{
		vc_buf_puts(out, " GROUP BY ");
		vq_append_buf(out, &p->group);
	}
	if ((mode == RM_ROWS || mode == RM_ONE) && p->order.len)
	{
		vc_buf_puts(out, " ORDER BY ");
		vq_append_buf(out, &p->order);
	}
	if ((rc = limit_clause(q, out, p->limit, p->offset,
						   (mode == RM_ROWS || mode == RM_ONE) ? q->o->max_rows : 0,
						   mode == RM_ONE ? 2 : mode == RM_EXISTS ? 1 : 0)) != VC_OK)
		goto done;
	if (p->for_update && q->d == VC_DIALECT_POSTGRESQL &&
		(mode == RM_ROWS || mode == RM_ONE))
	{
		vc_buf_puts(out, " FOR UPDATE");
		if (vq_has_joins(q))
		{
			vc_buf_puts(out, " OF ");
			vq_alias(q, out, 0);
		}
		if (p->nowait)
			vc_buf_puts(out, " NOWAIT");
		if (p->skip_locked)
			vc_buf_puts(out, " SKIP LOCKED");
	}
	if (mode == RM_EXISTS)
		vc_buf_putc(out, ')');
	if (mode == RM_COUNT && p->values)
		vc_buf_puts(out, ") AS \"q\"");
	rc = VC_OK;
done:
	for (i = 0; i < 34; i++)
		vc_buf_reset(&terms[i].expr);
	return rc;
}

static vc_code
compile_read(const vc_alloc *a, const vc_catalog *cat, const char *label,
			 const json_t *spec, const vc_query_opts *o, rmode mode,
			 const char *op, vc_compiled **out, vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	sparts		p;
	vc_buf		sql;
	vc_code		rc;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_SELECT, &c, err)) != VC_OK)
		return rc;
	parts_init(&p, a);
	vc_buf_init(&sql, a);
	rc = build(&q, c, json_is_null(spec) ? NULL : spec, mode, &p, &sql);
	if (rc == VC_OK)
		rc = vq_shape(&q, op, spec, NULL, c);
	if (rc == VC_OK)
		rc = vq_finish(&q, c, &sql);
	parts_reset(&p);
	vc_buf_reset(&sql);
	if (rc != VC_OK)
	{
		vc_compiled_free(c);
		return rc;
	}
	c->stmt = mode == RM_COUNT ? VC_STMT_COUNT : mode == RM_EXISTS ? VC_STMT_EXISTS : VC_STMT_SELECT;
	c->result = mode == RM_ONE ? VC_RESULT_ONE : mode == RM_COUNT ? VC_RESULT_COUNT :
		mode == RM_EXISTS ? VC_RESULT_EXISTS : VC_RESULT_ROWS;
	*out = c;
	return VC_OK;
}

vc_code
vc_compile_query(const vc_alloc *a, const vc_catalog *cat, const char *label,
				 const json_t *spec, const vc_query_opts *o, vc_compiled **out,
				 vc_error *err)
{
	return compile_read(a, cat, label, spec, o, RM_ROWS, "query", out, err);
}

vc_code
vc_compile_get(const vc_alloc *a, const vc_catalog *cat, const char *label,
			   const json_t *spec, const vc_query_opts *o, vc_compiled **out,
			   vc_error *err)
{
	return compile_read(a, cat, label, spec, o, RM_ONE, "get", out, err);
}

vc_code
vc_compile_count(const vc_alloc *a, const vc_catalog *cat, const char *label,
				 const json_t *spec, const vc_query_opts *o, vc_compiled **out,
				 vc_error *err)
{
	return compile_read(a, cat, label, spec, o, RM_COUNT, "count", out, err);
}

vc_code
vc_compile_exists(const vc_alloc *a, const vc_catalog *cat, const char *label,
				  const json_t *spec, const vc_query_opts *o, vc_compiled **out,
				  vc_error *err)
{
	return compile_read(a, cat, label, spec, o, RM_EXISTS, "exists", out, err);
}

/*
 * aggregate: SELECT aggs FROM t0 [joins] WHERE ... — or, with distinct /
 * limit / offset / after, WHERE "t0".pk IN (SELECT "t0".pk FROM ... (its
 * own join scope) ... LIMIT ...).
 */
vc_code
vc_compile_aggregate(const vc_alloc *a, const vc_catalog *cat, const char *label,
					 const json_t *spec, const vc_query_opts *o, vc_compiled **out,
					 vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	sparts		p;
	vc_buf		sql,
				inner,
				aggs,
				pred;
	bool		has_pred = false,
				sub;
	const json_t *agg;
	const char *alias;
	json_t	   *e;
	vc_code		rc;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_SELECT, &c, err)) != VC_OK)
		return rc;
	if (json_is_null(spec))
		spec = NULL;
	parts_init(&p, a);
	vc_buf_init(&sql, a);
	vc_buf_init(&inner, a);
	vc_buf_init(&aggs, a);
	vc_buf_init(&pred, a);
	agg = spec ? json_object_get(spec, "aggregate") : NULL;
	if (!json_is_object(agg) || json_object_size(agg) == 0)
	{
		rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
						  "aggregate needs \"aggregate\": {\"alias\": {\"$count\": \"id\"}, ...}");
		goto out;
	}
	if ((rc = build(&q, c, spec, RM_AGG, &p, &inner)) != VC_OK)
		goto out;
	sub = p.distinct || p.limit || p.offset || json_object_get(spec, "after");
	if (sub)
	{
		/* the filtered set in its own scope: joins restart at t1 */
		vc_buf_puts(&inner, "SELECT ");
		if (p.distinct)
			vc_buf_puts(&inner, "DISTINCT ");
		vq_colref(&q, &inner, 0, vq_pk(q.m)->column);
		if ((rc = vq_from(&q, &inner, &has_pred, &pred)) != VC_OK)
			goto out;
		if (has_pred || p.has_where)
		{
			vc_buf_puts(&inner, " WHERE ");
			vq_append_buf(&inner, &pred);
			if (has_pred && p.has_where)
				vc_buf_puts(&inner, " AND ");
			vq_append_buf(&inner, &p.where);
		}
		if (p.order.len && (p.limit || p.offset) && !p.distinct)
		{
			vc_buf_puts(&inner, " ORDER BY ");
			vq_append_buf(&inner, &p.order);
		}
		if ((rc = limit_clause(&q, &inner, p.limit, p.offset, 0, 0)) != VC_OK)
			goto out;
		q.njoins = 0;
		p.has_where = false;
		pred.len = 0;
		has_pred = false;
	}
	json_object_foreach((json_t *) agg, alias, e)
	{
		vc_out_kind kind;
		const vc_field *of;
		const char *path[1];
		char		echo[VC_ECHO_BUFSZ];

		if (vc_ident_validate(alias, strlen(alias), "aggregate alias", err) != VC_OK)
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
							  "aggregate alias \"%s\" is not a valid identifier",
							  vc_echo(echo, sizeof(echo), alias, strlen(alias)));
			goto out;
		}
		if (!vq_is_agg(e))
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
							  "aggregate \"%s\" must be one of $count, $count_distinct, $sum, $avg, $max, $min",
							  alias);
			goto out;
		}
		if (aggs.len)
			vc_buf_puts(&aggs, ", ");
		if ((rc = vq_agg(&q, e, &aggs, &kind, &of)) != VC_OK)
			goto out;
		vc_buf_puts(&aggs, " AS ");
		vc_ident_quote_buf(&aggs, alias, strlen(alias), q.d);
		path[0] = alias;
		if ((rc = vq_add_col(&q, c, alias, path, 1, kind, -1, of)) != VC_OK)
			goto out;
	}
	vc_buf_puts(&sql, "SELECT ");
	vq_append_buf(&sql, &aggs);
	if ((rc = vq_from(&q, &sql, &has_pred, &pred)) != VC_OK)
		goto out;
	if (has_pred || p.has_where || sub)
	{
		bool		first = true;

		vc_buf_puts(&sql, " WHERE ");
		if (has_pred)
		{
			vq_append_buf(&sql, &pred);
			first = false;
		}
		if (p.has_where)
		{
			if (!first)
				vc_buf_puts(&sql, " AND ");
			vq_append_buf(&sql, &p.where);
			first = false;
		}
		if (sub)
		{
			if (!first)
				vc_buf_puts(&sql, " AND ");
			vq_colref(&q, &sql, 0, vq_pk(q.m)->column);
			vc_buf_puts(&sql, " IN (");
			vq_append_buf(&sql, &inner);
			vc_buf_putc(&sql, ')');
		}
	}
	if (inner.failed)
		sql.failed = 1;
	if ((rc = vq_shape(&q, "aggregate", spec, NULL, c)) != VC_OK ||
		(rc = vq_finish(&q, c, &sql)) != VC_OK)
		goto out;
	c->stmt = VC_STMT_AGGREGATE;
	c->result = VC_RESULT_OBJECT;
out:
	parts_reset(&p);
	vc_buf_reset(&sql);
	vc_buf_reset(&inner);
	vc_buf_reset(&aggs);
	vc_buf_reset(&pred);
	if (rc != VC_OK)
	{
		vc_compiled_free(c);
		return rc;
	}
	*out = c;
	return VC_OK;
}
