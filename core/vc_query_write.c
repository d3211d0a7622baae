/*
 * vc_query_write.c — the write side of the compiler (vc_query.h): insert,
 * bulk_create, update, delete, bulk_update, get_or_create /
 * update_or_create pieces and many-to-many junction writes.
 *
 * Every value is validated against its field (type, range, max_length,
 * choices, null/blank) and bound; auto_now/auto_now_add input is ignored
 * and left to the database; read-only models refuse writes (25006).
 * Inserts return the stored row with RETURNING (PostgreSQL; SQLite 3.35+),
 * columns unqualified because SQLite's RETURNING does not take the alias.
 *
 * Memory: see vc_query_int.h.
 */
#include "vc_query_int.h"

#include <stdio.h>
#include <string.h>

#include "vc_json.h"
#include "vc_text.h"

static vc_code
check_writable(qctx *q)
{
	if (q->m->read_only)
	{
		vc_error_set(q->err, VC_ERR_READ_ONLY, "model \"%s\" is read-only", q->m->label);
		vc_error_detail(q->err, "Its meta.read_only is true.");
		return VC_ERR_READ_ONLY;
	}
	return VC_OK;
}

static bool
is_auto(const vc_field *f)
{
	return f->auto_now || f->auto_now_add;
}

static bool
is_auto_pk(const vc_model *m, const vc_field *f)
{
	return f == vq_pk(m) && (f->type == VC_FT_AUTO || f->type == VC_FT_BIGAUTO);
}

/* Field for a write key; 42703 / 22023 otherwise. */
static vc_code
write_field(qctx *q, const char *key, const vc_field **out)
{
	const vc_field *f = vq_find_field(q->m, key, strlen(key));

	*out = NULL;
	if (f == NULL || strcmp(key, "pk") == 0)
	{
		if (f == NULL)
			return vq_unknown_field(q, q->m, key, strlen(key));
	}
	if (f->type == VC_FT_MANYTOMANY)
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"model \"%s\", field \"%s\": a ManyToManyField is written with m2m_add, m2m_remove, m2m_set or m2m_clear",
							q->m->label, f->name);
	*out = f;
	return VC_OK;
}

/* null / blank checks of a written value (types are vc_value_bind's). */
static vc_code
check_null_blank(qctx *q, const vc_field *f, const json_t *v)
{
	if (json_is_null(v) && !f->null)
		return vc_error_set(q->err, VC_ERR_NOT_NULL,
							"model \"%s\", field \"%s\": null is not allowed",
							q->m->label, f->name);
	if (json_is_string(v) && json_string_length(v) == 0 && !f->blank &&
		f->type != VC_FT_BINARY)
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"model \"%s\", field \"%s\": this field cannot be blank",
							q->m->label, f->name);
	return VC_OK;
}

static bool
required(const vc_model *m, const vc_field *f)
{
	return f->column && f->type != VC_FT_MANYTOMANY && !f->null &&
		f->default_value == NULL && !is_auto(f) && !is_auto_pk(m, f);
}

/* RETURNING list + output description (unqualified columns). */
static vc_code
returning(qctx *q, vc_compiled *c, vc_buf *b)
{
	size_t		i;
	bool		first = true;
	vc_code		rc;

	vc_buf_puts(b, " RETURNING ");
	for (i = 0; i < q->m->nfields; i++)
	{
		const vc_field *f = &q->m->fields[i];
		char		key[VC_IDENT_MAX + 4];
		const char *path[1];

		if (f->column == NULL || f->type == VC_FT_MANYTOMANY)
			continue;
		if (!first)
			vc_buf_puts(b, ", ");
		first = false;
		if (f->type == VC_FT_ARRAY && q->d == VC_DIALECT_POSTGRESQL)
		{
			vc_buf_puts(b, "array_to_json(");
			vc_ident_quote_buf(b, f->column, strlen(f->column), q->d);
			vc_buf_putc(b, ')');
		}
		else
			vc_ident_quote_buf(b, f->column, strlen(f->column), q->d);
		snprintf(key, sizeof(key), vc_field_type_is_fk(f->type) ? "%s_id" : "%s", f->name);
		path[0] = key;
		if ((rc = vq_add_col(q, c, key, path, 1, vq_field_kind(f), -1, f)) != VC_OK)
			return rc;
	}
	return VC_OK;
}

static vc_code
done(qctx *q, vc_compiled *c, vc_buf *sql, vc_code rc, const char *op,
	 const json_t *spec, const json_t *extra, vc_compiled **out)
{
	if (rc == VC_OK)
		rc = vq_shape(q, op, spec, extra, c);
	if (rc == VC_OK)
		rc = vq_finish(q, c, sql);
	vc_buf_reset(sql);
	if (rc != VC_OK)
	{
		vc_compiled_free(c);
		return rc;
	}
	*out = c;
	return VC_OK;
}

/* ---- insert ------------------------------------------------------------- */

static vc_code
insert_body(qctx *q, const json_t *row, const json_t *defaults, vc_buf *b)
{
	const char *key;
	json_t	   *v;
	vc_buf		cols,
				vals;
	size_t		i,
				n = 0;
	vc_code		rc = VC_OK;
	const vc_field *given[256];

	if (!json_is_object(row))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM, "a row must be a JSON object");
	vc_buf_init(&cols, q->a);
	vc_buf_init(&vals, q->a);
	for (i = 0; i < 2 && rc == VC_OK; i++)
	{
		const json_t *src = i == 0 ? row : defaults;

		if (src == NULL)
			continue;
		json_object_foreach((json_t *) src, key, v)
		{
			const vc_field *f;
			size_t		k;
			bool		dup = false;

			if (i == 1 && strstr(key, "__"))
				continue;
			if ((rc = write_field(q, key, &f)) != VC_OK)
				break;
			for (k = 0; k < n; k++)
				if (given[k] == f)
					dup = true;
			/* get_or_create: defaults override the lookup (i == 1 first) */
			if (dup || is_auto(f))
				continue;
			if (n == 256)
			{
				rc = vc_error_set(q->err, VC_ERR_TOO_COMPLEX, "too many fields in a row");
				break;
			}
			if ((rc = check_null_blank(q, f, v)) != VC_OK)
				break;
			if (n > 0)
			{
				vc_buf_puts(&cols, ", ");
				vc_buf_puts(&vals, ", ");
			}
			vc_ident_quote_buf(&cols, f->column, strlen(f->column), q->d);
			if ((rc = vq_bind_value(q, &vals, q->m, f, v, true, "value")) != VC_OK)
				break;
			given[n++] = f;
		}
	}
	for (i = 0; rc == VC_OK && i < q->m->nfields; i++)
	{
		const vc_field *f = &q->m->fields[i];
		size_t		k;
		bool		got = false;

		for (k = 0; k < n; k++)
			if (given[k] == f)
				got = true;
		if (!got && required(q->m, f))
			rc = vc_error_set(q->err, VC_ERR_NOT_NULL,
							  "model \"%s\", field \"%s\" is required", q->m->label, f->name);
	}
	if (rc == VC_OK)
	{
		vc_buf_puts(b, "INSERT INTO ");
		vc_ident_quote_buf(b, q->m->table, strlen(q->m->table), q->d);
		if (n == 0)
			vc_buf_puts(b, " DEFAULT VALUES");
		else
		{
			vc_buf_puts(b, " (");
			vq_append_buf(b, &cols);
			vc_buf_puts(b, ") VALUES (");
			vq_append_buf(b, &vals);
			vc_buf_putc(b, ')');
		}
		if (cols.failed || vals.failed)
			rc = vq_oom(q);
	}
	vc_buf_reset(&cols);
	vc_buf_reset(&vals);
	return rc;
}

static vc_code
compile_insert(const vc_alloc *a, const vc_catalog *cat, const char *label,
			   const json_t *row, const json_t *defaults, bool on_conflict,
			   const vc_query_opts *o, vc_compiled **out, vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	vc_buf		sql;
	vc_code		rc;
	bool		applied = false;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_INSERT, &c, err)) != VC_OK)
		return rc;
	vc_buf_init(&sql, a);
	rc = check_writable(&q);
	if (rc == VC_OK)
		rc = insert_body(&q, row, defaults, &sql);
	if (rc == VC_OK && on_conflict)
		vc_buf_puts(&sql, " ON CONFLICT DO NOTHING");
	if (rc == VC_OK)
		rc = returning(&q, c, &sql);
	if (rc == VC_OK && o->perm)
	{
		vc_sql_sink sink;
		vc_buf		tmp;

		vc_buf_init(&tmp, a);
		sink.q = &q;
		sink.b = &tmp;
		rc = o->perm(o->perm_ud, q.m, VC_PERM_INSERT, NULL, &sink, &applied, err);
		vc_buf_reset(&tmp);
		c->perm_insert = applied;
	}
	c->stmt = VC_STMT_INSERT;
	c->result = VC_RESULT_RETURNING;
	return done(&q, c, &sql, rc, "insert", NULL, row, out);
}

vc_code
vc_compile_insert(const vc_alloc *a, const vc_catalog *cat, const char *label,
				  const json_t *row, bool on_conflict_nothing,
				  const vc_query_opts *o, vc_compiled **out, vc_error *err)
{
	return compile_insert(a, cat, label, row, NULL, on_conflict_nothing, o, out, err);
}

/* ---- bulk_create -------------------------------------------------------- */

size_t
vc_bulk_batch_rows(size_t nfields_per_row)
{
	size_t		n = 32766 / (nfields_per_row ? nfields_per_row : 1);

	return n == 0 ? 1 : n > 1000 ? 1000 : n;
}

vc_code
vc_compile_bulk_create(const vc_alloc *a, const vc_catalog *cat, const char *label,
					   const json_t *rows, size_t first, size_t n,
					   const vc_query_opts *o, vc_compiled **out, vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	vc_buf		sql;
	vc_code		rc;
	const vc_field *fields[256];
	size_t		nf = 0,
				r,
				k;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_INSERT, &c, err)) != VC_OK)
		return rc;
	vc_buf_init(&sql, a);
	if ((rc = check_writable(&q)) != VC_OK)
		return done(&q, c, &sql, rc, "bulk_create", NULL, NULL, out);
	if (!json_is_array(rows) || first > json_array_size(rows) ||
		n > json_array_size(rows) - first || n == 0)
		return done(&q, c, &sql, vc_error_set(err, VC_ERR_INVALID_PARAM,
											  "bulk_create needs a non-empty JSON array of row objects"),
					"bulk_create", NULL, NULL, out);
	/* the union of the keys of the batch, in first-seen order */
	for (r = first; r < first + n && rc == VC_OK; r++)
	{
		json_t	   *row = json_array_get(rows, r);
		const char *key;
		json_t	   *v;

		if (!json_is_object(row))
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM, "row %zu is not a JSON object", r);
			break;
		}
		json_object_foreach(row, key, v)
		{
			const vc_field *f;
			bool		dup = false;

			if ((rc = write_field(&q, key, &f)) != VC_OK)
				break;
			for (k = 0; k < nf; k++)
				if (fields[k] == f)
					dup = true;
			if (dup || is_auto(f))
				continue;
			if (nf == 256)
			{
				rc = vc_error_set(err, VC_ERR_TOO_COMPLEX, "too many fields in a row");
				break;
			}
			fields[nf++] = f;
		}
	}
	if (rc == VC_OK)
	{
		vc_buf_puts(&sql, "INSERT INTO ");
		vc_ident_quote_buf(&sql, q.m->table, strlen(q.m->table), q.d);
		if (nf == 0)
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
							  "bulk_create rows name no fields; use insert for defaults-only rows");
	}
	if (rc == VC_OK)
	{
		vc_buf_puts(&sql, " (");
		for (k = 0; k < nf; k++)
		{
			if (k)
				vc_buf_puts(&sql, ", ");
			vc_ident_quote_buf(&sql, fields[k]->column, strlen(fields[k]->column), q.d);
		}
		vc_buf_puts(&sql, ") VALUES ");
	}
	for (r = first; rc == VC_OK && r < first + n; r++)
	{
		json_t	   *row = json_array_get(rows, r);
		size_t		i;

		for (i = 0; rc == VC_OK && i < q.m->nfields; i++)
			if (required(q.m, &q.m->fields[i]) &&
				json_object_get(row, q.m->fields[i].name) == NULL &&
				(q.m->fields[i].column == NULL || json_object_get(row, q.m->fields[i].column) == NULL))
				rc = vc_error_set(err, VC_ERR_NOT_NULL,
								  "model \"%s\", field \"%s\" is required (row %zu)",
								  q.m->label, q.m->fields[i].name, r);
		if (rc != VC_OK)
			break;
		vc_buf_puts(&sql, r > first ? ", (" : "(");
		for (k = 0; rc == VC_OK && k < nf; k++)
		{
			const vc_field *f = fields[k];
			json_t	   *v = json_object_get(row, f->name);

			if (v == NULL && f->column)
				v = json_object_get(row, f->column);
			if (k)
				vc_buf_puts(&sql, ", ");
			if (v == NULL)
			{
				/* SQLite has no DEFAULT inside a multi-row VALUES */
				if (q.d == VC_DIALECT_POSTGRESQL)
					vc_buf_puts(&sql, "DEFAULT");
				else
					rc = vq_bind_value(&q, &sql, q.m, f, f->default_value, false, "default");
				continue;
			}
			if ((rc = check_null_blank(&q, f, v)) == VC_OK)
				rc = vq_bind_value(&q, &sql, q.m, f, v, true, "value");
		}
		vc_buf_putc(&sql, ')');
	}
	c->stmt = VC_STMT_INSERT;
	c->result = VC_RESULT_AFFECTED;
	return done(&q, c, &sql, rc, "bulk_create", NULL, NULL, out);
}

/* ---- update / delete ---------------------------------------------------- */

static const char *const dml_keys[] = {"where", "max_affected", "ignore_permissions", NULL};

/* Append the WHERE of an UPDATE/DELETE on "t0": the permission predicate
 * and the filter, through a pk sub-select when joins or max_affected need
 * one. */
static vc_code
dml_where(qctx *q, vc_compiled *c, const json_t *spec, vc_buf *b)
{
	vc_buf		w,
				pred,
				inner;
	bool		has_pred = false,
				has_where = false;
	const json_t *where = spec ? json_object_get(spec, "where") : NULL;
	json_t	   *ma = spec ? json_object_get(spec, "max_affected") : NULL;
	json_t	   *ip = spec ? json_object_get(spec, "ignore_permissions") : NULL;
	vc_code		rc = VC_OK;

	if (ma && !json_is_null(ma))
	{
		if (!json_is_integer(ma) || json_integer_value(ma) < 0)
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
								"\"max_affected\" must be a non-negative integer");
		c->max_affected = json_integer_value(ma);
	}
	if (ip && !json_is_boolean(ip))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"\"ignore_permissions\" must be true or false");
	c->ignore_permissions = json_is_true(ip);
	vc_buf_init(&w, q->a);
	vc_buf_init(&pred, q->a);
	vc_buf_init(&inner, q->a);
	if (where)
	{
		rc = vq_where(q, where, &w);
		has_where = true;
	}
	if (rc == VC_OK && (vq_has_joins(q) || c->max_affected >= 0))
	{
		vc_buf_puts(&inner, "SELECT ");
		vq_colref(q, &inner, 0, vq_pk(q->m)->column);
		rc = vq_from(q, &inner, &has_pred, &pred);
		if (rc == VC_OK && (has_pred || has_where))
		{
			vc_buf_puts(&inner, " WHERE ");
			vq_append_buf(&inner, &pred);
			if (has_pred && has_where)
				vc_buf_puts(&inner, " AND ");
			vq_append_buf(&inner, &w);
		}
		if (rc == VC_OK && c->max_affected >= 0)
		{
			vc_buf_puts(&inner, " LIMIT ");
			rc = vq_bind_int(q, &inner, c->max_affected + 1);
		}
		vc_buf_puts(b, " WHERE ");
		vq_colref(q, b, 0, vq_pk(q->m)->column);
		vc_buf_puts(b, " IN (");
		vq_append_buf(b, &inner);
		vc_buf_putc(b, ')');
	}
	else if (rc == VC_OK)
	{
		rc = vq_perm(q, q->m, 0, &pred, &has_pred);
		if (rc == VC_OK && (has_pred || has_where))
		{
			vc_buf_puts(b, " WHERE ");
			vq_append_buf(b, &pred);
			if (has_pred && has_where)
				vc_buf_puts(b, " AND ");
			vq_append_buf(b, &w);
		}
	}
	if (rc == VC_OK && (w.failed || pred.failed || inner.failed))
		rc = vq_oom(q);
	vc_buf_reset(&w);
	vc_buf_reset(&pred);
	vc_buf_reset(&inner);
	return rc;
}

static void
now_sql(qctx *q, vc_buf *b, const vc_field *f)
{
	if (q->d == VC_DIALECT_POSTGRESQL)
		vc_buf_puts(b, f->type == VC_FT_DATE ? "CURRENT_DATE" :
					f->type == VC_FT_TIME ? "LOCALTIME" : "now()");
	else
		vc_buf_puts(b, f->type == VC_FT_DATE ? "date('now')" :
					f->type == VC_FT_TIME ? "strftime('%H:%M:%f', 'now')" :
					"strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
}

/* SET list: changes (EXPRs typed by their field) + auto_now fields. */
static vc_code
set_list(qctx *q, const json_t *changes, vc_buf *b, bool *any)
{
	const char *key;
	json_t	   *v;
	size_t		i;
	vc_code		rc;

	*any = false;
	if (!json_is_object(changes))
		return vc_error_set(q->err, VC_ERR_INVALID_PARAM,
							"changes must be a JSON object of field: value");
	json_object_foreach((json_t *) changes, key, v)
	{
		const vc_field *f;

		if ((rc = write_field(q, key, &f)) != VC_OK)
			return rc;
		if (f->auto_now || f->auto_now_add)
			continue;
		if (*any)
			vc_buf_puts(b, ", ");
		*any = true;
		vc_ident_quote_buf(b, f->column, strlen(f->column), q->d);
		vc_buf_puts(b, " = ");
		if (json_is_object(v) && f->type != VC_FT_JSON)
		{
			vc_out_kind k;

			if ((rc = vq_expr(q, v, f, true, b, 0, &k, NULL)) != VC_OK)
				return rc;
		}
		else if ((rc = check_null_blank(q, f, v)) != VC_OK ||
				 (rc = vq_bind_value(q, b, q->m, f, v, true, "value")) != VC_OK)
			return rc;
	}
	for (i = 0; i < q->m->nfields; i++)
	{
		const vc_field *f = &q->m->fields[i];

		if (!f->auto_now)
			continue;
		if (*any)
			vc_buf_puts(b, ", ");
		vc_ident_quote_buf(b, f->column, strlen(f->column), q->d);
		vc_buf_puts(b, " = ");
		now_sql(q, b, f);
	}
	return VC_OK;
}

/*
 * " WHERE " and, when t0 has a row-permission predicate, that predicate and
 * " AND ": the caller appends the row condition.
 */
static vc_code
where_perm(qctx *q, vc_buf *sql)
{
	vc_buf		pred;
	bool		has_pred;
	vc_code		rc;

	vc_buf_puts(sql, " WHERE ");
	vc_buf_init(&pred, q->a);
	rc = vq_perm(q, q->m, 0, &pred, &has_pred);
	if (rc == VC_OK && has_pred)
	{
		vq_append_buf(sql, &pred);
		vc_buf_puts(sql, " AND ");
	}
	vc_buf_reset(&pred);
	return rc;
}

/* The checks UPDATE and DELETE share, then "<verb>table AS t0". */
static vc_code
dml_head(qctx *q, const json_t *spec, const char *what, const char *verb,
		 vc_buf *sql)
{
	vc_code		rc;

	if ((rc = check_writable(q)) != VC_OK ||
		(rc = vq_check_keys(q, spec, dml_keys, what)) != VC_OK ||
		(rc = vq_check_limits(q, spec)) != VC_OK)
		return rc;
	vc_buf_puts(sql, verb);
	vc_ident_quote_buf(sql, q->m->table, strlen(q->m->table), q->d);
	vc_buf_puts(sql, " AS ");
	vq_alias(q, sql, 0);
	return VC_OK;
}

vc_code
vc_compile_update(const vc_alloc *a, const vc_catalog *cat, const char *label,
				  const json_t *spec, const json_t *changes,
				  const vc_query_opts *o, vc_compiled **out, vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	vc_buf		sql;
	vc_code		rc;
	bool		any;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_UPDATE, &c, err)) != VC_OK)
		return rc;
	if (json_is_null(spec))
		spec = NULL;
	vc_buf_init(&sql, a);
	if ((rc = dml_head(&q, spec, "update", "UPDATE ", &sql)) == VC_OK)
	{
		vc_buf_puts(&sql, " SET ");
		rc = set_list(&q, changes, &sql, &any);
		if (rc == VC_OK && !any)
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM, "update needs at least one change");
		if (rc == VC_OK)
			rc = dml_where(&q, c, spec, &sql);
	}
	c->stmt = VC_STMT_UPDATE;
	c->result = VC_RESULT_AFFECTED;
	return done(&q, c, &sql, rc, "update", spec, changes, out);
}

vc_code
vc_compile_delete(const vc_alloc *a, const vc_catalog *cat, const char *label,
				  const json_t *spec, const vc_query_opts *o, vc_compiled **out,
				  vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	vc_buf		sql;
	vc_code		rc;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_DELETE, &c, err)) != VC_OK)
		return rc;
	if (json_is_null(spec))
		spec = NULL;
	vc_buf_init(&sql, a);
	if ((rc = dml_head(&q, spec, "delete", "DELETE FROM ", &sql)) == VC_OK)
		rc = dml_where(&q, c, spec, &sql);
	c->stmt = VC_STMT_DELETE;
	c->result = VC_RESULT_AFFECTED;
	return done(&q, c, &sql, rc, "delete", spec, NULL, out);
}

/* ---- bulk_update -------------------------------------------------------- */

vc_code
vc_compile_bulk_update(const vc_alloc *a, const vc_catalog *cat, const char *label,
					   const json_t *rows, const json_t *fields,
					   const vc_query_opts *o, vc_compiled **out, vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	vc_buf		sql;
	vc_code		rc;
	const vc_field *pk;
	size_t	   *pknum = NULL;
	size_t		nrows,
				i,
				r,
				given;
	bool		first = true;

	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_UPDATE, &c, err)) != VC_OK)
		return rc;
	vc_buf_init(&sql, a);
	pk = vq_pk(q.m);
	if ((rc = check_writable(&q)) != VC_OK)
		return done(&q, c, &sql, rc, "bulk_update", NULL, NULL, out);
	if (!json_is_array(rows) || json_array_size(rows) == 0 ||
		!json_is_array(fields) || json_array_size(fields) == 0)
		return done(&q, c, &sql, vc_error_set(err, VC_ERR_INVALID_PARAM,
											  "bulk_update needs a non-empty array of rows and of field names"),
					"bulk_update", NULL, NULL, out);
	nrows = json_array_size(rows);
	if (nrows > VC_QUERY_MAX_IN)
		return done(&q, c, &sql, vc_error_set(err, VC_ERR_TOO_COMPLEX,
											  "bulk_update has more than %d rows", VC_QUERY_MAX_IN),
					"bulk_update", NULL, NULL, out);
	pknum = vc_pool_alloc(q.pool, nrows * sizeof(size_t));
	if (pknum == NULL)
		return done(&q, c, &sql, vq_oom(&q), "bulk_update", NULL, NULL, out);
	for (r = 0; r < nrows && rc == VC_OK; r++)
	{
		json_t	   *row = json_array_get(rows, r);
		json_t	   *pv = json_is_object(row) ? json_object_get(row, pk->name) : NULL;
		vc_param	p;

		if (pv == NULL && json_is_object(row))
			pv = json_object_get(row, "pk");
		if (pv == NULL || json_is_null(pv))
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
							  "bulk_update row %zu has no primary key \"%s\"", r, pk->name);
			break;
		}
		if ((rc = vc_value_bind(q.pool, q.m, pk, pv, q.d, false, false, "primary key",
								&p, err)) == VC_OK)
			rc = vq_param(&q, &p, &pknum[r]);
	}
	if (rc == VC_OK)
	{
		vc_buf_puts(&sql, "UPDATE ");
		vc_ident_quote_buf(&sql, q.m->table, strlen(q.m->table), q.d);
		vc_buf_puts(&sql, " AS ");
		vq_alias(&q, &sql, 0);
		vc_buf_puts(&sql, " SET ");
	}
	for (i = 0; rc == VC_OK && i < json_array_size(fields); i++)
	{
		json_t	   *fn = json_array_get(fields, i);
		const vc_field *f;

		if (!json_is_string(fn))
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM, "bulk_update fields must be strings");
			break;
		}
		if ((rc = write_field(&q, json_string_value(fn), &f)) != VC_OK)
			break;
		if (f == pk)
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
							  "bulk_update cannot change the primary key \"%s\"", pk->name);
			break;
		}
		if (is_auto(f))
			continue;
		if (!first)
			vc_buf_puts(&sql, ", ");
		first = false;
		vc_ident_quote_buf(&sql, f->column, strlen(f->column), q.d);
		vc_buf_puts(&sql, " = CASE ");
		vq_colref(&q, &sql, 0, pk->column);
		given = 0;
		for (r = 0; rc == VC_OK && r < nrows; r++)
		{
			json_t	   *row = json_array_get(rows, r);
			json_t	   *v = json_object_get(row, json_string_value(fn));

			if (v == NULL)
				continue;
			given++;
			vc_buf_puts(&sql, " WHEN ");
			vq_placeholder(&q, &sql, pknum[r]);
			vc_buf_puts(&sql, " THEN ");
			if ((rc = check_null_blank(&q, f, v)) == VC_OK)
				rc = vq_bind_value(&q, &sql, q.m, f, v, true, "value");
		}
		/* a CASE needs one WHEN: a listed field no row gives is a mistake */
		if (rc == VC_OK && given == 0)
		{
			rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
							  "bulk_update: no row gives a value for field \"%s\"", f->name);
			break;
		}
		vc_buf_puts(&sql, " ELSE ");
		vq_colref(&q, &sql, 0, f->column);
		vc_buf_puts(&sql, " END");
	}
	if (rc == VC_OK && first)
		rc = vc_error_set(err, VC_ERR_INVALID_PARAM, "bulk_update needs at least one field to set");
	for (i = 0; rc == VC_OK && i < q.m->nfields; i++)
		if (q.m->fields[i].auto_now)
		{
			vc_buf_puts(&sql, ", ");
			vc_ident_quote_buf(&sql, q.m->fields[i].column, strlen(q.m->fields[i].column), q.d);
			vc_buf_puts(&sql, " = ");
			now_sql(&q, &sql, &q.m->fields[i]);
		}
	if (rc == VC_OK)
	{
		rc = where_perm(&q, &sql);
		vq_colref(&q, &sql, 0, pk->column);
		vc_buf_puts(&sql, " IN (");
		for (r = 0; r < nrows; r++)
		{
			if (r)
				vc_buf_puts(&sql, ", ");
			vq_placeholder(&q, &sql, pknum[r]);
		}
		vc_buf_putc(&sql, ')');
	}
	c->stmt = VC_STMT_UPDATE;
	c->result = VC_RESULT_AFFECTED;
	return done(&q, c, &sql, rc, "bulk_update", NULL, fields, out);
}

/* ---- get_or_create / update_or_create ----------------------------------- */

/* True when a unique field or unique constraint is fully named by plain
 * (lookup-free) keys of the lookup: then ON CONFLICT DO NOTHING catches a
 * racer. */
static bool
unique_covered(const vc_model *m, const json_t *lookup)
{
	size_t		i,
				k;

	for (i = 0; i < m->nfields; i++)
	{
		const vc_field *f = &m->fields[i];

		if ((f->unique || f->primary_key) && f->column &&
			(json_object_get(lookup, f->name) || json_object_get(lookup, f->column)))
			return true;
	}
	for (i = 0; i < m->nconstraints; i++)
	{
		const vc_constraint *c = &m->constraints[i];
		bool		all = c->type == VC_CONSTRAINT_UNIQUE && c->ncolumns > 0;

		for (k = 0; all && k < c->ncolumns; k++)
		{
			const vc_field *f = vc_model_field(m, c->columns[k]);

			if (f == NULL || (!json_object_get(lookup, f->name) &&
							  !json_object_get(lookup, f->column)))
				all = false;
		}
		if (all)
			return true;
	}
	return false;
}

static uint64_t
fnv1a64(const char *s, size_t len, uint64_t h)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

vc_code
vc_compile_get_or_create(const vc_alloc *a, const vc_catalog *cat,
						 const char *label, const json_t *lookup,
						 const json_t *defaults, bool update,
						 const vc_query_opts *o, vc_goc *out, vc_error *err)
{
	json_t	   *spec = NULL;
	json_t	   *create = NULL;
	vc_code		rc;
	const char *key;
	json_t	   *v;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(lookup) || (defaults && !json_is_null(defaults) && !json_is_object(defaults)))
		return vc_error_set(err, VC_ERR_INVALID_PARAM,
							"get_or_create needs a lookup object and a defaults object");
	if (json_is_null(defaults))
		defaults = NULL;
	spec = json_pack("{s:O}", "where", lookup);
	create = vc_json_object_new();
	if (spec == NULL || create == NULL)
	{
		json_decref(spec);
		json_decref(create);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	/* Django: lookup keys without "__" plus defaults (defaults win) */
	rc = VC_OK;
	json_object_foreach((json_t *) lookup, key, v)
		if (strstr(key, "__") == NULL && json_object_set(create, key, v) != 0)
			rc = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (rc == VC_OK)
		rc = vc_compile_get(a, cat, label, spec, o, &out->select, err);
	if (rc == VC_OK)
	{
		out->on_conflict = unique_covered(out->select->model, lookup);
		/*
		 * The insert runs only when no row matches, so a new row that
		 * cannot be built (a required field the lookup and defaults do not
		 * give, a bad default) must not stop the lookup: insert stays NULL
		 * and the host reports the error by compiling vc_compile_insert
		 * itself when it has to insert (vc_goc in vc_query.h).
		 */
		if (compile_insert(a, cat, label, defaults ? defaults : create,
						   defaults ? create : NULL, out->on_conflict, o,
						   &out->insert, err) != VC_OK)
		{
			out->insert = NULL;
			vc_error_clear(err);
		}
	}
	if (rc == VC_OK && o->dialect == VC_DIALECT_POSTGRESQL)
	{
		/* one advisory lock per (model, lookup): racers queue here */
		qctx		q;
		vc_compiled *c;
		vc_buf		sql;
		char	   *text = json_dumps(lookup, JSON_COMPACT | JSON_SORT_KEYS);
		uint64_t	h = 14695981039346656037ULL;

		if (text == NULL)
			rc = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		else if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_SELECT, &c, err)) == VC_OK)
		{
			h = fnv1a64(label, strlen(label), h);
			h = fnv1a64("\n", 1, h);
			h = fnv1a64(text, strlen(text), h);
			vc_buf_init(&sql, a);
			vc_buf_puts(&sql, "SELECT pg_advisory_xact_lock(");
			rc = vq_bind_int(&q, &sql, (int64_t) h);
			vc_buf_putc(&sql, ')');
			c->stmt = VC_STMT_LOCK;
			c->result = VC_RESULT_AFFECTED;
			rc = done(&q, c, &sql, rc, "lock", NULL, NULL, &out->lock);
		}
		free(text);
	}
	if (rc == VC_OK && update)
	{
		/* UPDATE ... SET defaults WHERE pk = $1 RETURNING *; $1 set by the host */
		qctx		q;
		vc_compiled *c;
		vc_buf		sql;
		vc_param	p;
		size_t		n;
		bool		any;

		if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_UPDATE, &c, err)) == VC_OK)
		{
			vc_buf_init(&sql, a);
			memset(&p, 0, sizeof(p));
			p.kind = VC_PARAM_NULL;
			p.pg_type = vc_field_pg_type(vq_pk(q.m));
			p.sqlite_class = VC_SQLITE_NULL;
			rc = vq_param(&q, &p, &n);
			if (rc == VC_OK)
				rc = check_writable(&q);
			if (rc == VC_OK)
			{
				vc_buf_puts(&sql, "UPDATE ");
				vc_ident_quote_buf(&sql, q.m->table, strlen(q.m->table), q.d);
				vc_buf_puts(&sql, " AS ");
				vq_alias(&q, &sql, 0);
				vc_buf_puts(&sql, " SET ");
				if (defaults && json_object_size(defaults) > 0)
					rc = set_list(&q, defaults, &sql, &any);
				else
				{
					/* nothing to change: a no-op assignment keeps RETURNING */
					vc_ident_quote_buf(&sql, vq_pk(q.m)->column,
									   strlen(vq_pk(q.m)->column), q.d);
					vc_buf_puts(&sql, " = ");
					vq_colref(&q, &sql, 0, vq_pk(q.m)->column);
				}
			}
			if (rc == VC_OK)
			{
				rc = where_perm(&q, &sql);
				vq_colref(&q, &sql, 0, vq_pk(q.m)->column);
				vc_buf_puts(&sql, " = ");
				vq_placeholder(&q, &sql, n);
			}
			if (rc == VC_OK)
				rc = returning(&q, c, &sql);
			c->stmt = VC_STMT_UPDATE;
			c->result = VC_RESULT_RETURNING;
			rc = done(&q, c, &sql, rc, "update_or_create", NULL, defaults, &out->update);
			out->pk_param = 0;
		}
	}
	json_decref(spec);
	json_decref(create);
	if (rc != VC_OK)
		vc_goc_free(out);
	return rc;
}

/* ---- many-to-many ------------------------------------------------------- */

/*
 * Changing a row's links is an UPDATE of that row (DESIGN §8): with a
 * permission hook, every junction statement carries
 * EXISTS (SELECT 1 FROM <source> AS "t0" WHERE "t0".<pk> = <pk> AND
 * (<update predicate>)), so a principal who may not update the source row
 * changes no link (0 rows, like update/delete). Added links must point at
 * rows the principal may read: the INSERT takes its target keys from a
 * SELECT over the target table filtered by its select predicate (alias
 * "t1"), so a hidden target is silently not linked, like RLS. Without a
 * hook (or when no predicate applies) the statements are the plain ones.
 */
static void
m2m_src_exists(qctx *q, vc_buf *sql, size_t pknum, const vc_buf *pred)
{
	vc_buf_puts(sql, " AND EXISTS (SELECT 1 FROM ");
	vc_ident_quote_buf(sql, q->m->table, strlen(q->m->table), q->d);
	vc_buf_puts(sql, " AS ");
	vq_alias(q, sql, 0);
	vc_buf_puts(sql, " WHERE ");
	vq_colref(q, sql, 0, vq_pk(q->m)->column);
	vc_buf_puts(sql, " = ");
	vq_placeholder(q, sql, pknum);
	vc_buf_puts(sql, " AND ");
	vq_append_buf(sql, pred);
	vc_buf_putc(sql, ')');
}

/* Bind the target keys pks (none null) as parameters; *nums[i] is the
 * placeholder number of pks[i]. */
static vc_code
m2m_keys(qctx *q, const vc_model *target, const json_t *pks, size_t **nums)
{
	size_t		i,
				n = json_array_size(pks);
	vc_param	p;
	vc_code		rc;

	*nums = vc_pool_alloc(q->pool, (n ? n : 1) * sizeof(size_t));
	if (*nums == NULL)
		return vq_oom(q);
	for (i = 0; i < n; i++)
	{
		const json_t *v = json_array_get(pks, i);

		if (json_is_null(v))
			return vc_error_set(q->err, VC_ERR_INVALID_PARAM, "m2m target keys cannot be null");
		if ((rc = vc_value_bind(q->pool, target, vq_pk(target), v, q->d, false,
								false, "target key", &p, q->err)) != VC_OK ||
			(rc = vq_param(q, &p, &(*nums)[i])) != VC_OK)
			return rc;
	}
	return VC_OK;
}

/* "$2, $3": the placeholders of the n target keys. */
static void
m2m_key_list(qctx *q, vc_buf *sql, const size_t *nums, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (i)
			vc_buf_puts(sql, ", ");
		vq_placeholder(q, sql, nums[i]);
	}
}

static vc_code
m2m_stmt(const vc_alloc *a, const vc_catalog *cat, const char *label,
		 const vc_query_opts *o, const char *fname, const json_t *pk,
		 const json_t *pks, int kind, vc_compiled **out, vc_error *err)
{
	qctx		q;
	vc_compiled *c;
	vc_buf		sql,
				src_pred,
				tgt_pred;
	vc_code		rc;
	const vc_field *f;
	const vc_model *target;
	size_t		pknum = 0,
				nkeys,
				i;
	size_t	   *nums = NULL;
	bool		src_applied = false,
				tgt_applied = false;
	vc_param	p;

	/* the source row's predicate (alias t0) is its UPDATE predicate */
	if ((rc = vq_begin(&q, a, cat, label, o, VC_PERM_UPDATE, &c, err)) != VC_OK)
		return rc;
	vc_buf_init(&sql, a);
	f = vq_find_field(q.m, fname, strlen(fname));
	if (f == NULL)
		rc = vq_unknown_field(&q, q.m, fname, strlen(fname));
	else if (f->type != VC_FT_MANYTOMANY || f->m2m_table == NULL)
		rc = vc_error_set(err, VC_ERR_INVALID_PARAM,
						  "model \"%s\", field \"%s\" is not a ManyToManyField with a junction table",
						  q.m->label, f->name);
	if (rc == VC_OK)
		rc = check_writable(&q);
	if (rc != VC_OK)
		return done(&q, c, &sql, rc, "m2m", NULL, NULL, out);
	target = vc_catalog_get(cat, f->to);
	/* clear (kind 2) and set's delete of an empty list name no keys */
	nkeys = (kind == 2 || pks == NULL) ? 0 : json_array_size(pks);
	if (json_is_null(pk))
		rc = vc_error_set(err, VC_ERR_INVALID_PARAM, "m2m needs the row's primary key");
	if (rc == VC_OK &&
		(rc = vc_value_bind(q.pool, q.m, vq_pk(q.m), pk, q.d, false, false,
							"primary key", &p, err)) == VC_OK)
		rc = vq_param(&q, &p, &pknum);
	if (rc == VC_OK)
		rc = m2m_keys(&q, target, kind == 2 ? NULL : pks, &nums);
	vc_buf_init(&src_pred, a);
	vc_buf_init(&tgt_pred, a);
	if (rc == VC_OK)
		rc = vq_perm(&q, q.m, 0, &src_pred, &src_applied);
	if (rc == VC_OK && kind == 0)
		rc = vq_perm(&q, target, 1, &tgt_pred, &tgt_applied);
	if (rc == VC_OK && kind == 0)
	{
		vc_buf_puts(&sql, "INSERT INTO ");
		vc_ident_quote_buf(&sql, f->m2m_table, strlen(f->m2m_table), q.d);
		vc_buf_puts(&sql, " (");
		vc_ident_quote_buf(&sql, f->m2m_from_column, strlen(f->m2m_from_column), q.d);
		vc_buf_puts(&sql, ", ");
		vc_ident_quote_buf(&sql, f->m2m_to_column, strlen(f->m2m_to_column), q.d);
		if (!src_applied && !tgt_applied)
		{
			/* INSERT ... VALUES ($1, $2), ($1, $3) ON CONFLICT DO NOTHING */
			vc_buf_puts(&sql, ") VALUES ");
			for (i = 0; i < nkeys; i++)
			{
				vc_buf_puts(&sql, i ? ", (" : "(");
				vq_placeholder(&q, &sql, pknum);
				vc_buf_puts(&sql, ", ");
				vq_placeholder(&q, &sql, nums[i]);
				vc_buf_putc(&sql, ')');
			}
		}
		else
		{
			/*
			 * INSERT ... SELECT $1, "t1".pk FROM target AS "t1" WHERE
			 * "t1".pk IN (...) AND (readable) AND EXISTS (updatable source).
			 * The WHERE also keeps SQLite from reading ON CONFLICT as a
			 * join constraint.
			 */
			vc_buf_puts(&sql, ") SELECT ");
			vq_placeholder(&q, &sql, pknum);
			vc_buf_puts(&sql, ", ");
			vq_colref(&q, &sql, 1, vq_pk(target)->column);
			vc_buf_puts(&sql, " FROM ");
			vc_ident_quote_buf(&sql, target->table, strlen(target->table), q.d);
			vc_buf_puts(&sql, " AS ");
			vq_alias(&q, &sql, 1);
			vc_buf_puts(&sql, " WHERE ");
			vq_colref(&q, &sql, 1, vq_pk(target)->column);
			vc_buf_puts(&sql, " IN (");
			m2m_key_list(&q, &sql, nums, nkeys);
			vc_buf_putc(&sql, ')');
			if (tgt_applied)
			{
				vc_buf_puts(&sql, " AND ");
				vq_append_buf(&sql, &tgt_pred);
			}
			if (src_applied)
				m2m_src_exists(&q, &sql, pknum, &src_pred);
		}
		vc_buf_puts(&sql, " ON CONFLICT DO NOTHING");
		c->stmt = VC_STMT_INSERT;
	}
	else if (rc == VC_OK)
	{
		/* kind 1 remove (IN), 2 clear, 3 set's delete (NOT IN) */
		vc_buf_puts(&sql, "DELETE FROM ");
		vc_ident_quote_buf(&sql, f->m2m_table, strlen(f->m2m_table), q.d);
		vc_buf_puts(&sql, " WHERE ");
		vc_ident_quote_buf(&sql, f->m2m_from_column, strlen(f->m2m_from_column), q.d);
		vc_buf_puts(&sql, " = ");
		vq_placeholder(&q, &sql, pknum);
		if ((kind == 1 || kind == 3) && nkeys > 0)
		{
			vc_buf_puts(&sql, " AND ");
			vc_ident_quote_buf(&sql, f->m2m_to_column, strlen(f->m2m_to_column), q.d);
			vc_buf_puts(&sql, kind == 1 ? " IN (" : " NOT IN (");
			m2m_key_list(&q, &sql, nums, nkeys);
			vc_buf_putc(&sql, ')');
		}
		if (src_applied)
			m2m_src_exists(&q, &sql, pknum, &src_pred);
		c->stmt = VC_STMT_DELETE;
	}
	if (rc == VC_OK && (src_pred.failed || tgt_pred.failed))
		rc = vq_oom(&q);
	vc_buf_reset(&src_pred);
	vc_buf_reset(&tgt_pred);
	c->result = VC_RESULT_AFFECTED;
	return done(&q, c, &sql, rc, "m2m", NULL, NULL, out);
}

vc_code
vc_compile_m2m(const vc_alloc *a, const vc_catalog *cat, const char *label,
			   vc_m2m_op op, const json_t *pk, const char *field,
			   const json_t *pks, const vc_query_opts *o, vc_compiled **out,
			   size_t *nout, vc_error *err)
{
	vc_code		rc = VC_OK;
	size_t		n = 0;

	out[0] = out[1] = NULL;
	*nout = 0;
	if (field == NULL)
		return vc_error_set(err, VC_ERR_INVALID_PARAM, "m2m needs a field name");
	if (op != VC_M2M_CLEAR)
	{
		if (!json_is_array(pks))
			return vc_error_set(err, VC_ERR_INVALID_PARAM,
								"m2m needs a JSON array of target primary keys");
		if (json_array_size(pks) > VC_QUERY_MAX_IN)
			return vc_error_set(err, VC_ERR_TOO_COMPLEX,
								"m2m list has more than %d items", VC_QUERY_MAX_IN);
	}
	switch (op)
	{
		case VC_M2M_ADD:
			if (json_array_size(pks) > 0)
				rc = m2m_stmt(a, cat, label, o, field, pk, pks, 0, &out[n++], err);
			break;
		case VC_M2M_REMOVE:
			if (json_array_size(pks) > 0)
				rc = m2m_stmt(a, cat, label, o, field, pk, pks, 1, &out[n++], err);
			break;
		case VC_M2M_CLEAR:
			rc = m2m_stmt(a, cat, label, o, field, pk, NULL, 2, &out[n++], err);
			break;
		case VC_M2M_SET:
			rc = m2m_stmt(a, cat, label, o, field, pk, pks, 3, &out[n++], err);
			if (rc == VC_OK && json_array_size(pks) > 0)
				rc = m2m_stmt(a, cat, label, o, field, pk, pks, 0, &out[n++], err);
			break;
		default:
			return vc_error_set(err, VC_ERR_INVALID_PARAM, "unknown m2m operation");
	}
	if (rc != VC_OK)
	{
		vc_compiled_free_list(out, n);
		out[0] = out[1] = NULL;
		return rc;
	}
	*nout = n;
	return VC_OK;
}
