/*
 * writes.c — the write functions of DESIGN §6 on SQLite:
 *   viper_insert(model, row) → the stored row (JSON text)
 *   viper_bulk_create(model, rows) → rows inserted (one INSERT per batch)
 *   viper_update(model, spec, changes) → rows updated
 *   viper_bulk_update(model, rows, fields) → rows updated (fields: JSON array)
 *   viper_delete(model, spec) → rows deleted
 *   viper_get_or_create / viper_update_or_create(model, lookup[, defaults])
 *       → {"row": {...}, "created": true|false}
 *   viper_m2m_add / _remove / _set / _clear(model, pk, field[, pks]) → links
 *   viper_create_single(model, row), viper_update_single(model, changes),
 *   viper_get_or_create_single(model[, defaults]) (get_single: query.c)
 *
 * Transactions (engine.c, viper_write_begin): in autocommit each call is
 * BEGIN IMMEDIATE ... COMMIT of its own — the write lock is taken before
 * anything is read, so racing get_or_create calls in several processes
 * serialise and end with one row and one created = true. (A single
 * statement would be atomic without it, but engine.c may fail a call after
 * its statement ran — a statement re-prepared after a schema change that
 * no longer passes the strict prepare — and then it must be rolled back.) Inside the
 * caller's transaction a savepoint makes each call all-or-nothing (a
 * bulk_create of several batches, m2m_set's two statements, an update
 * refused by max_affected). The caller's own BEGIN should be IMMEDIATE
 * when it races: a deferred transaction that read first cannot take the
 * write lock later (SQLITE_BUSY, 55P03).
 *
 * Permissions (DESIGN §8): every statement is compiled with the grants'
 * predicate (update/delete the grants do not allow touch 0 rows). Written
 * rows are checked in the same call, inside its transaction or savepoint:
 * insert and update statements report the primary keys they wrote
 * (insert's RETURNING, or " RETURNING <pk>" appended to the compiled
 * text, only for models with permissions), and
 * viper_engine_check_rows raises 42501 when one fails its action's grants
 * — the write is then rolled back with the rest of the call.
 *
 * SQLite does not send notifications: meta.events is a PostgreSQL
 * feature (docs/queries-sqlite.md). NULL arguments give NULL.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "vc_json.h"

/* Arguments, catalog and engine of one write call. */
typedef struct wcall
{
	sqlite3_context *ctx;
	viper_engine *e;
	viper_catref *cat;
	const char *label;
	size_t		spec_len;
	vc_query_opts o;
	vc_error	err;
} wcall;

/*
 * Start a call: the engine, the label (argv[0]) and the catalog. Returns
 * false when the result is already set (NULL argument or error).
 * nullable: how many leading arguments make the result NULL when NULL.
 */
static bool
wcall_begin(wcall *w, sqlite3_context *ctx, int argc, sqlite3_value **argv,
			int nullable)
{
	int			i;

	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	vc_error_clear(&w->err);
	for (i = 0; i < argc && i < nullable; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
		{
			sqlite3_result_null(ctx);
			return false;
		}
	if ((w->e = viper_engine_ctx(ctx, &w->err)) == NULL ||
		viper_engine_catalog(w->e, &w->cat, &w->err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &w->err);
		return false;
	}
	w->label = (const char *) sqlite3_value_text(argv[0]);
	if (w->label == NULL)
	{
		viper_catref_release(w->cat);
		sqlite3_result_error_nomem(ctx);
		return false;
	}
	return true;
}

/* Parse a JSON argument into *out, adding its length to the spec size. */
static vc_code
wcall_json(wcall *w, sqlite3_value *v, const char *what, json_t **out)
{
	size_t		len = 0;
	vc_code		code = viper_engine_json_arg(v, what, out, &len, &w->err);

	w->spec_len += len;
	return code;
}

/* spec: the call's spec (update, delete) or NULL */
static void
wcall_opts(wcall *w, const json_t *spec)
{
	viper_engine_opts(w->e, w->cat, w->spec_len, spec, &w->o);
}

/* The *_single functions: the call's model must be a single model. */
static vc_code
wcall_single(wcall *w)
{
	const vc_model *m;
	vc_code		code;

	if ((code = vc_catalog_find(w->cat->cat, w->label, strlen(w->label), &m,
								&w->err)) == VC_OK)
		code = vc_model_check_single(m, &w->err);
	return code;
}

/* ---- permission checks of written rows ------------------------------------- */

/* Do rows written to m need viper_engine_check_rows? (Not bypassed:
 * wcall_opts left perm_ud NULL.) */
static bool
needs_check(const wcall *w, const vc_model *m)
{
	return w->cat->perms != NULL && w->o.perm_ud != NULL && m != NULL && m->permissions &&
		m->table != NULL;
}

/* Append a primary-key value to the JSON array pks (53200 on OOM). */
static vc_code
pks_add(wcall *w, json_t *pks, sqlite3_value *v)
{
	json_t	   *j;

	switch (sqlite3_value_type(v))
	{
		case SQLITE_INTEGER:
			j = json_integer(sqlite3_value_int64(v));
			break;
		case SQLITE_FLOAT:
			j = json_real(sqlite3_value_double(v));
			break;
		case SQLITE_NULL:
			j = json_null();
			break;
		default:
			j = json_stringn((const char *) sqlite3_value_text(v),
							 (size_t) sqlite3_value_bytes(v));
			break;
	}
	if (j == NULL || json_array_append_new(pks, j) != 0)
		return vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	return VC_OK;
}

/* Check the rows whose keys are in pks against c's model's grants. */
static vc_code
check_pks(wcall *w, const vc_compiled *c, vc_perm_action action,
		  const json_t *pks)
{
	char	   *text;
	vc_code		code;

	if (json_array_size(pks) == 0)
		return VC_OK;
	if ((text = json_dumps(pks, JSON_COMPACT)) == NULL)
		return vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	code = viper_engine_check_rows(w->e, w->cat, c, action, text, &w->err);
	free(text);
	return code;
}

/* Check one written row (its pk value, NULL: nothing came back). */
static vc_code
check_pk(wcall *w, const vc_compiled *c, vc_perm_action action,
		 sqlite3_value *pk)
{
	json_t	   *pks;
	vc_code		code;

	if (pk == NULL || !needs_check(w, c->model))
		return VC_OK;
	if ((pks = json_array()) == NULL)
		return vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	code = pks_add(w, pks, pk);
	if (code == VC_OK)
		code = check_pks(w, c, action, pks);
	json_decref(pks);
	return code;
}

/* Finish: raise when code is an error, release the catalog. */
static void
wcall_end(wcall *w, vc_code code)
{
	if (code != VC_OK)
		viper_sqlite_raise(w->ctx, &w->err);
	viper_catref_release(w->cat);
}

/* ---- running compiled writes ------------------------------------------------ */

/* Run c; affected rows into *n (with the max_affected check). */
static vc_code
exec_count(wcall *w, const vc_compiled *c, int64_t *n)
{
	viper_run	run;
	vc_code		code;

	if ((code = viper_engine_check(w->e, c, true, &w->err)) != VC_OK ||
		(code = viper_run_begin(w->e, c, &run, &w->err)) != VC_OK)
		return code;
	code = viper_run_exec(&run, n, &w->err);
	viper_run_end(&run);
	if (code == VC_OK)
		code = vc_compiled_check_affected(c, *n, &w->err);
	return code;
}

/*
 * exec_count for an INSERT or UPDATE whose rows need the permission check:
 * the compiled text with " RETURNING <pk>" appended (a text of its own,
 * cached like any other), the keys collected, then checked.
 */
static vc_code
exec_count_checked(wcall *w, const vc_compiled *c, vc_perm_action action,
				   int64_t *n)
{
	const vc_model *m = c->model;
	const vc_field *pk;
	vc_compiled q;
	viper_run	run;
	vc_buf		sql;
	json_t	   *pks = NULL;
	char	   *text = NULL;
	size_t		len;
	int			rc;
	vc_code		code;

	if (!needs_check(w, m))
		return exec_count(w, c, n);
	*n = 0;
	pk = &m->fields[m->pk];
	vc_buf_init(&sql, &viper_sqlite_alloc);
	vc_buf_append(&sql, c->sql, c->sql_len);
	vc_buf_puts(&sql, " RETURNING ");
	vc_ident_quote_buf(&sql, pk->column, strlen(pk->column), VC_DIALECT_SQLITE);
	if ((code = vc_buf_finish(&sql, &text, &len, &w->err)) != VC_OK)
		return code;
	q = *c;
	q.sql = text;
	q.sql_len = len;
	q.cols = NULL;
	q.ncols = 0;
	q.nests = NULL;
	q.nnests = 0;
	if ((pks = json_array()) == NULL)
		code = vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (code == VC_OK &&
		(code = viper_engine_check(w->e, c, true, &w->err)) == VC_OK &&
		(code = viper_run_begin(w->e, &q, &run, &w->err)) == VC_OK)
	{
		while ((rc = viper_run_step(&run, &w->err)) == SQLITE_ROW)
			if ((code = pks_add(w, pks, sqlite3_column_value(run.st, 0))) != VC_OK)
				break;
		if (code == VC_OK && rc != SQLITE_DONE)
			code = w->err.code;
		if (code == VC_OK)
			*n = sqlite3_changes64(sqlite3_context_db_handle(w->ctx));
		viper_run_end(&run);
	}
	if (code == VC_OK)
		code = vc_compiled_check_affected(c, *n, &w->err);
	if (code == VC_OK)
		code = check_pks(w, c, action, pks);
	json_decref(pks);
	sqlite3_free(text);
	return code;
}

/*
 * Run c and keep its first row as JSON text (*text, sqlite3_free; NULL
 * when no row); *more says a second row came back. Steps to the end so
 * the write is complete. pk: when not NULL, receives a copy of the row's
 * primary-key value (sqlite3_value_free).
 */
static vc_code
exec_row(wcall *w, const vc_compiled *c, bool write, char **text, bool *more,
		 sqlite3_value **pk, sqlite3_value *bind_pk, size_t pk_param)
{
	viper_run	run;
	vc_buf		b;
	size_t		len;
	int			rc;
	int			pk_col = -1;
	vc_code		code;
	size_t		k;

	*text = NULL;
	if (more != NULL)
		*more = false;
	if (pk != NULL)
		*pk = NULL;
	if ((code = viper_engine_check(w->e, c, write, &w->err)) != VC_OK ||
		(code = viper_run_begin(w->e, c, &run, &w->err)) != VC_OK)
		return code;
	if (bind_pk != NULL &&
		sqlite3_bind_value(run.st, (int) pk_param + 1, bind_pk) != SQLITE_OK)
	{
		viper_run_end(&run);
		return vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (pk != NULL)
		for (k = 0; k < c->ncols; k++)
			if (c->cols[k].nest < 0 && c->cols[k].field != NULL &&
				c->cols[k].field == &c->model->fields[c->model->pk])
			{
				pk_col = (int) k;
				break;
			}

	vc_buf_init(&b, &viper_sqlite_alloc);
	while ((rc = viper_run_step(&run, &w->err)) == SQLITE_ROW)
	{
		if (b.data != NULL)
		{
			if (more != NULL)
				*more = true;
			continue;
		}
		if ((code = viper_run_row_json(&run, &b, &w->err)) != VC_OK)
			break;
		if (b.data == NULL)
			vc_buf_puts(&b, "");
		if (pk != NULL && pk_col >= 0 &&
			(*pk = sqlite3_value_dup(sqlite3_column_value(run.st, pk_col))) == NULL)
		{
			code = vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			break;
		}
	}
	if (code == VC_OK && rc != SQLITE_DONE)
		code = w->err.code;
	viper_run_end(&run);
	if (code == VC_OK && b.data != NULL)
		code = vc_buf_finish(&b, text, &len, &w->err);
	else
		vc_buf_reset(&b);
	if (code != VC_OK && pk != NULL)
	{
		sqlite3_value_free(*pk);
		*pk = NULL;
	}
	return code;
}

/*
 * exec_row of an INSERT or UPDATE (RETURNING the row) whose row is then
 * checked against the grants of action.
 */
static vc_code
exec_row_checked(wcall *w, const vc_compiled *c, vc_perm_action action,
				 char **text, sqlite3_value *bind_pk, size_t pk_param)
{
	sqlite3_value *pk = NULL;
	vc_code		code;

	code = exec_row(w, c, true, text, NULL, &pk, bind_pk, pk_param);
	if (code == VC_OK)
		code = check_pk(w, c, action, pk);
	sqlite3_value_free(pk);
	return code;
}

static void
result_json_text(sqlite3_context *ctx, char *text)
{
	sqlite3_result_text64(ctx, text, strlen(text), sqlite3_free, SQLITE_UTF8);
}

/* ---- insert, bulk_create --------------------------------------------------- */

/*
 * Shared body of insert and create_single (model, row) → the stored row.
 * single: the model must be a single model (a second row is refused by
 * its unique key: 23505).
 */
static void
insert_function(sqlite3_context *ctx, int argc, sqlite3_value **argv,
				bool single)
{
	wcall		w;
	json_t	   *row = NULL;
	vc_compiled *c = NULL;
	viper_write_mode mode;
	char	   *text = NULL;
	vc_code		code = VC_OK;

	if (!wcall_begin(&w, ctx, argc, argv, 2))
		return;
	if (single)
		code = wcall_single(&w);
	if (code == VC_OK &&
		(code = wcall_json(&w, argv[1], "row", &row)) == VC_OK)
	{
		wcall_opts(&w, NULL);
		code = vc_compile_insert(&viper_sqlite_alloc, w.cat->cat, w.label,
								 row, false, &w.o, &c, &w.err);
	}
	if (code == VC_OK && (code = viper_write_begin(w.e, &mode, &w.err)) == VC_OK)
	{
		code = exec_row_checked(&w, c, VC_PERM_INSERT, &text, NULL, 0);
		code = viper_write_end(w.e, mode, code == VC_OK, &w.err);
	}
	if (code == VC_OK && text == NULL)
		code = vc_error_set(&w.err, VC_ERR_INTERNAL, "insert returned no row");
	if (code == VC_OK)
		result_json_text(ctx, text);
	else
		sqlite3_free(text);
	json_decref(row);
	vc_compiled_free(c);
	wcall_end(&w, code);
}

/* viper_insert(model, row) → the stored row */
void
viper_sqlite_insert(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	insert_function(ctx, argc, argv, false);
}

/* viper_bulk_create(model, rows) → rows inserted */
void
viper_sqlite_bulk_create(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	wcall		w;
	json_t	   *rows = NULL;
	const vc_model *m;
	viper_write_mode mode;
	size_t		n,
				batch,
				first;
	int64_t		total = 0;
	vc_code		code;

	if (!wcall_begin(&w, ctx, argc, argv, 2))
		return;
	code = wcall_json(&w, argv[1], "rows", &rows);
	if (code == VC_OK && !json_is_array(rows))
	{
		code = vc_error_set(&w.err, VC_ERR_INVALID_PARAM,
							"bulk_create: rows must be a JSON array of row objects");
		vc_error_hint(&w.err, "Pass '[{\"field\": value}, ...]'.");
	}
	if (code == VC_OK)
		code = vc_catalog_find(w.cat->cat, w.label, strlen(w.label), &m, &w.err);
	if (code == VC_OK && (n = json_array_size(rows)) > 0 &&
		(code = viper_write_begin(w.e, &mode, &w.err)) == VC_OK)
	{
		/* every field of the model: the most parameters one row can take */
		batch = vc_bulk_batch_rows(m->nfields);
		if (batch == 0)
			batch = 1;
		wcall_opts(&w, NULL);
		for (first = 0; code == VC_OK && first < n; first += batch)
		{
			vc_compiled *c = NULL;
			int64_t		k = 0;

			code = vc_compile_bulk_create(&viper_sqlite_alloc, w.cat->cat,
										  w.label, rows, first,
										  n - first < batch ? n - first : batch,
										  &w.o, &c, &w.err);
			if (code == VC_OK)
				code = exec_count_checked(&w, c, VC_PERM_INSERT, &k);
			total += k;
			vc_compiled_free(c);
		}
		code = viper_write_end(w.e, mode, code == VC_OK, &w.err);
	}
	if (code == VC_OK)
		sqlite3_result_int64(ctx, total);
	json_decref(rows);
	wcall_end(&w, code);
}

/* ---- update, delete, bulk_update ------------------------------------------- */

/* Run one compiled statement that reports affected rows; an update's rows
 * are checked against its grants. */
static vc_code
run_affecting(wcall *w, vc_compiled *c, bool update, int64_t *n)
{
	viper_write_mode mode;
	vc_code		code;

	*n = 0;
	if ((code = viper_write_begin(w->e, &mode, &w->err)) != VC_OK)
		return code;
	code = update ? exec_count_checked(w, c, VC_PERM_UPDATE, n) :
		exec_count(w, c, n);
	return viper_write_end(w->e, mode, code == VC_OK, &w->err);
}

/*
 * Shared body of update (model, spec, changes) and update_single (model,
 * changes) → rows updated. single: no spec (the one row), and the model
 * must be a single model.
 */
static void
update_function(sqlite3_context *ctx, int argc, sqlite3_value **argv,
				bool single)
{
	wcall		w;
	json_t	   *spec = NULL;
	json_t	   *changes = NULL;
	vc_compiled *c = NULL;
	int64_t		n = 0;
	vc_code		code;

	if (!wcall_begin(&w, ctx, argc, argv, single ? 2 : 3))
		return;
	if (single)
		code = wcall_single(&w);
	else
		code = wcall_json(&w, argv[1], "spec", &spec);
	if (code == VC_OK &&
		(code = wcall_json(&w, argv[single ? 1 : 2], "changes", &changes)) == VC_OK)
	{
		wcall_opts(&w, spec);
		code = vc_compile_update(&viper_sqlite_alloc, w.cat->cat, w.label,
								 spec, changes, &w.o, &c, &w.err);
	}
	if (code == VC_OK)
		code = run_affecting(&w, c, true, &n);
	if (code == VC_OK)
		sqlite3_result_int64(ctx, n);
	json_decref(spec);
	json_decref(changes);
	vc_compiled_free(c);
	wcall_end(&w, code);
}

/* viper_update(model, spec, changes) → rows updated */
void
viper_sqlite_update(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	update_function(ctx, argc, argv, false);
}

/* viper_delete(model, spec) → rows deleted */
void
viper_sqlite_delete(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	wcall		w;
	json_t	   *spec = NULL;
	vc_compiled *c = NULL;
	int64_t		n = 0;
	vc_code		code;

	if (!wcall_begin(&w, ctx, argc, argv, 2))
		return;
	if ((code = wcall_json(&w, argv[1], "spec", &spec)) == VC_OK)
	{
		wcall_opts(&w, spec);
		code = vc_compile_delete(&viper_sqlite_alloc, w.cat->cat, w.label,
								 spec, &w.o, &c, &w.err);
	}
	if (code == VC_OK)
		code = run_affecting(&w, c, false, &n);
	if (code == VC_OK)
		sqlite3_result_int64(ctx, n);
	json_decref(spec);
	vc_compiled_free(c);
	wcall_end(&w, code);
}

/* viper_bulk_update(model, rows, fields) → rows updated; fields a JSON array */
void
viper_sqlite_bulk_update(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	wcall		w;
	json_t	   *rows = NULL;
	json_t	   *fields = NULL;
	vc_compiled *c = NULL;
	int64_t		n = 0;
	vc_code		code;

	if (!wcall_begin(&w, ctx, argc, argv, 3))
		return;
	if ((code = wcall_json(&w, argv[1], "rows", &rows)) == VC_OK &&
		(code = wcall_json(&w, argv[2], "fields", &fields)) == VC_OK)
	{
		wcall_opts(&w, NULL);
		code = vc_compile_bulk_update(&viper_sqlite_alloc, w.cat->cat, w.label,
									  rows, fields, &w.o, &c, &w.err);
	}
	if (code == VC_OK)
		code = run_affecting(&w, c, true, &n);
	if (code == VC_OK)
		sqlite3_result_int64(ctx, n);
	json_decref(rows);
	json_decref(fields);
	vc_compiled_free(c);
	wcall_end(&w, code);
}

/* ---- get_or_create, update_or_create ---------------------------------------- */

/* Step 2/4 of the protocol: the row the lookup matches (P0003 for several). */
static vc_code
goc_select(wcall *w, const vc_goc *g, const char *what, char **text,
		   sqlite3_value **pk)
{
	bool		more = false;
	vc_code		code = exec_row(w, g->select, true, text, &more, pk, NULL, 0);

	if (code == VC_OK && more)
	{
		sqlite3_free(*text);
		*text = NULL;
		sqlite3_value_free(*pk);
		*pk = NULL;
		vc_error_set(&w->err, VC_ERR_TOO_MANY_ROWS,
					 "%s: more than one \"%s\" row matches the lookup",
					 what, g->select->model->label);
		vc_error_hint(&w->err, "The lookup must identify at most one row; add fields to it.");
		return VC_ERR_TOO_MANY_ROWS;
	}
	return code;
}

/* Step 3 of update_or_create: update the found row by its pk. */
static vc_code
goc_update(wcall *w, const vc_goc *g, sqlite3_value *pk, char **text)
{
	vc_code		code;

	sqlite3_free(*text);
	*text = NULL;
	code = exec_row_checked(w, g->update, VC_PERM_UPDATE, text, pk,
							g->pk_param);
	if (code == VC_OK && *text == NULL)
	{
		vc_error_set(&w->err, VC_ERR_NO_DATA,
					 "update_or_create: the \"%s\" row matching the lookup was deleted concurrently",
					 g->update->model->label);
		vc_error_hint(&w->err, "Retry the call.");
		return VC_ERR_NO_DATA;
	}
	return code;
}

/*
 * Core leaves goc->insert NULL when the new row cannot be built; only when
 * an insert is really needed is the reason reported, by compiling the row
 * (lookup keys without "__", then defaults) as a plain insert.
 */
static vc_code
goc_insert_error(wcall *w, const json_t *lookup, const json_t *defaults)
{
	json_t	   *row = vc_json_object_new();
	vc_compiled *c = NULL;
	const char *key;
	json_t	   *v;
	vc_code		code;

	if (row == NULL)
		return vc_error_set(&w->err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	json_object_foreach((json_t *) lookup, key, v)
		if (strstr(key, "__") == NULL)
			json_object_set(row, key, v);
	if (defaults != NULL)
		json_object_update(row, (json_t *) defaults);
	code = vc_compile_insert(&viper_sqlite_alloc, w->cat->cat, w->label, row,
							 false, &w->o, &c, &w->err);
	vc_compiled_free(c);
	json_decref(row);
	if (code == VC_OK)
		code = vc_error_set(&w->err, VC_ERR_INTERNAL,
							"get_or_create: the new row could not be compiled");
	return code;
}

/* The protocol of core/vc_query.h, inside one write transaction. */
static vc_code
goc_run(wcall *w, const vc_goc *g, const char *what, const json_t *lookup,
		const json_t *defaults, char **text, bool *created)
{
	sqlite3_value *pk = NULL;
	vc_code		code;

	*created = false;
	*text = NULL;
	code = goc_select(w, g, what, text, &pk);
	if (code == VC_OK && *text == NULL && g->insert == NULL)
		code = goc_insert_error(w, lookup, defaults);
	else if (code == VC_OK && *text == NULL)
	{
		code = exec_row_checked(w, g->insert, VC_PERM_INSERT, text, NULL, 0);
		if (code == VC_OK && *text != NULL)
		{
			*created = true;
			return VC_OK;
		}
		/* ON CONFLICT DO NOTHING: a unique constraint kept the row out */
		if (code == VC_OK)
			code = goc_select(w, g, what, text, &pk);
		if (code == VC_OK && *text == NULL)
		{
			vc_error_set(&w->err, VC_ERR_UNIQUE,
						 "%s: the new \"%s\" row conflicts with an existing row that the lookup does not match",
						 what, g->insert->model->label);
			vc_error_detail(&w->err, "A unique field given in defaults holds a value another row already has.");
			code = VC_ERR_UNIQUE;
		}
	}
	if (code == VC_OK && g->update != NULL)
	{
		if (pk == NULL)
			code = vc_error_set(&w->err, VC_ERR_INTERNAL,
								"%s: the row has no primary key column", what);
		else
			code = goc_update(w, g, pk, text);
	}
	sqlite3_value_free(pk);
	if (code != VC_OK)
	{
		sqlite3_free(*text);
		*text = NULL;
	}
	return code;
}

/*
 * Shared body of get_or_create, update_or_create and get_or_create_single.
 * single: lookup is {} and defaults is argv[1]; the result is the row
 * alone. Otherwise {"row": ..., "created": ...}.
 */
static void
goc_function(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			 bool update, bool single)
{
	const char *what = single ? "get_or_create_single" :
		update ? "update_or_create" : "get_or_create";
	wcall		w;
	json_t	   *lookup = NULL;
	json_t	   *defaults = NULL;
	vc_goc		g;
	viper_write_mode mode;
	char	   *text = NULL;
	char	   *out = NULL;
	bool		created = false;
	int			dflt = single ? 1 : 2;
	vc_code		code = VC_OK;

	memset(&g, 0, sizeof(g));
	if (!wcall_begin(&w, ctx, argc, argv, single ? 1 : 2))
		return;
	if (single)
	{
		if ((code = wcall_single(&w)) == VC_OK &&
			(lookup = vc_json_object_new()) == NULL)
			code = vc_error_set(&w.err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	else
		code = wcall_json(&w, argv[1], "lookup", &lookup);
	if (code == VC_OK && argc > dflt)
		code = wcall_json(&w, argv[dflt], "defaults", &defaults);
	if (code == VC_OK)
	{
		wcall_opts(&w, NULL);
		code = vc_compile_get_or_create(&viper_sqlite_alloc, w.cat->cat,
										w.label, lookup, defaults, update,
										&w.o, &g, &w.err);
	}
	if (code == VC_OK && (code = viper_write_begin(w.e, &mode, &w.err)) == VC_OK)
	{
		code = goc_run(&w, &g, what, lookup, defaults, &text, &created);
		code = viper_write_end(w.e, mode, code == VC_OK, &w.err);
	}
	if (code == VC_OK && single)
	{
		result_json_text(ctx, text);
		text = NULL;
	}
	else if (code == VC_OK)
	{
		out = sqlite3_mprintf("{\"row\":%s,\"created\":%s}", text,
							  created ? "true" : "false");
		if (out == NULL)
			code = vc_error_set(&w.err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		else
			sqlite3_result_text(ctx, out, -1, sqlite3_free);
	}
	sqlite3_free(text);
	vc_goc_free(&g);
	json_decref(lookup);
	json_decref(defaults);
	wcall_end(&w, code);
}

void
viper_sqlite_get_or_create(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	goc_function(ctx, argc, argv, false, false);
}

void
viper_sqlite_update_or_create(sqlite3_context *ctx, int argc,
							  sqlite3_value **argv)
{
	goc_function(ctx, argc, argv, true, false);
}

void
viper_sqlite_get_or_create_single(sqlite3_context *ctx, int argc,
								  sqlite3_value **argv)
{
	goc_function(ctx, argc, argv, false, true);
}

/* ---- many-to-many ------------------------------------------------------------ */

/* viper_m2m_<op>(model, pk, field[, pks]) → links added / removed */
static void
m2m_function(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			 vc_m2m_op op)
{
	wcall		w;
	json_t	   *pk = NULL;
	json_t	   *pks = NULL;
	const char *field;
	vc_compiled *list[2] = {NULL, NULL};
	size_t		n = 0;
	size_t		i;
	viper_write_mode mode;
	int64_t		total = 0;
	vc_code		code;

	if (!wcall_begin(&w, ctx, argc, argv, 3))
		return;
	field = (const char *) sqlite3_value_text(argv[2]);
	if (field == NULL)
		code = vc_error_set(&w.err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	else
		code = wcall_json(&w, argv[1], "pk", &pk);
	if (code == VC_OK && argc > 3)
		code = wcall_json(&w, argv[3], "pks", &pks);
	if (code == VC_OK && pks == NULL && (pks = json_array()) == NULL)
		code = vc_error_set(&w.err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (code == VC_OK)
	{
		wcall_opts(&w, NULL);
		code = vc_compile_m2m(&viper_sqlite_alloc, w.cat->cat, w.label, op,
							  pk, field, pks, &w.o, list, &n, &w.err);
	}
	if (code == VC_OK && (code = viper_write_begin(w.e, &mode, &w.err)) == VC_OK)
	{
		for (i = 0; code == VC_OK && i < n; i++)
		{
			int64_t		k = 0;

			code = exec_count(&w, list[i], &k);
			total += k;
		}
		code = viper_write_end(w.e, mode, code == VC_OK, &w.err);
	}
	if (code == VC_OK)
		sqlite3_result_int64(ctx, total);
	vc_compiled_free_list(list, n);
	json_decref(pk);
	json_decref(pks);
	wcall_end(&w, code);
}

void
viper_sqlite_m2m_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	m2m_function(ctx, argc, argv, VC_M2M_ADD);
}

void
viper_sqlite_m2m_remove(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	m2m_function(ctx, argc, argv, VC_M2M_REMOVE);
}

void
viper_sqlite_m2m_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	m2m_function(ctx, argc, argv, VC_M2M_SET);
}

void
viper_sqlite_m2m_clear(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	m2m_function(ctx, argc, argv, VC_M2M_CLEAR);
}

/* ---- single models ------------------------------------------------------------ */

/* viper_create_single(model, row) → the row; 23505 when it exists */
void
viper_sqlite_create_single(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	insert_function(ctx, argc, argv, true);
}

/* viper_update_single(model, changes) → rows updated (0 or 1) */
void
viper_sqlite_update_single(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	update_function(ctx, argc, argv, true);
}
