/*
 * writes.c — the write functions of DESIGN §6 in the PostgreSQL host:
 * viper.insert, viper.bulk_create, viper.update, viper.bulk_update and
 * viper.delete, plus the helpers the other writes share (writes.h).
 *
 * Each function unpacks its arguments, compiles ONE parameterised
 * statement with core (bulk_create: one per batch of vc_bulk_batch_rows
 * rows), runs it through the engine's kept plans (engine.h) and converts
 * the result. Core validates every value against the model (null/blank,
 * max_length, choices, types) and refuses read_only models (25006);
 * auto_now/auto_now_add are set by the SQL core writes, i.e. by the
 * database.
 *
 * max_affected (update/delete): the statement touches at most
 * max_affected + 1 rows; when it touched more than max_affected,
 * vc_compiled_check_affected's P0003 is raised right after it. The error
 * aborts the statement's transaction (or the caller's savepoint / plpgsql
 * exception block, which are subtransactions), so the rows it changed are
 * rolled back with it: a violation leaves nothing changed.
 *
 * Events: a model with meta.events sends NOTIFY viper_events (pg_notify
 * with the payload as a value; delivered at commit, dropped on rollback).
 *
 * Memory: trees and compiled statements live in the call's memory context
 * (callctx), which SPI_connect leaves; every core call that allocates from
 * a compiled statement's pool runs with callctx current. bulk_create
 * compiles each batch in a child context reset after the batch, so a big
 * insert does not keep every batch's SQL alive.
 */
#include "postgres.h"

#include "spi_json.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "vc_json.h"

#include "engine.h"
#include "perm.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "writes.h"

PG_FUNCTION_INFO_V1(viper_insert);
PG_FUNCTION_INFO_V1(viper_bulk_create);
PG_FUNCTION_INFO_V1(viper_update);
PG_FUNCTION_INFO_V1(viper_bulk_update);
PG_FUNCTION_INFO_V1(viper_delete);

/*
 * The primary key of a result tuple as JSON, read from the column core
 * described as the model's pk (a top-level column of a pk field). Numbers
 * come back as JSON numbers when jansson can hold them, everything else
 * as strings. NULL when the statement does not return the pk.
 */
static json_t *
tuple_pk(const vc_compiled *c, HeapTuple tup, TupleDesc td,
		 MemoryContext callctx)
{
	size_t		k;

	for (k = 0; k < c->ncols && (int) k < td->natts; k++)
	{
		const vc_out_col *col = &c->cols[k];
		char	   *text;
		json_t	   *j = NULL;

		if (col->nest >= 0 || col->field == NULL || !col->field->primary_key)
			continue;
		text = SPI_getvalue(tup, td, (int) k + 1);
		if (text == NULL)
			return json_null();
		if (col->kind == VC_OUT_NUMBER)
			j = json_loads(text, JSON_DECODE_ANY, NULL);
		if (j == NULL || !json_is_number(j))
		{
			json_decref(j);
			j = json_string(text);
		}
		if (j == NULL)
			viper_pg_oom();
		return viper_json_guard(j, callctx);
	}
	return NULL;
}

viper_write_row
viper_write_exec_row(const vc_compiled *c, MemoryContext callctx, bool *more)
{
	viper_write_row r;

	memset(&r, 0, sizeof(r));
	viper_engine_exec(c, false, 0);
	if (more != NULL)
		*more = SPI_processed > 1;
	if (SPI_processed == 0 || SPI_tuptable == NULL)
		return r;
	/* the datum must outlive SPI_finish */
	r.jsonb = viper_engine_first_row(c, callctx);
	r.pk = tuple_pk(c, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, callctx);
	r.found = true;
	return r;
}

int64
viper_write_exec_count(const vc_compiled *c)
{
	viper_engine_exec(c, false, 0);
	return (int64) SPI_processed;
}

void
viper_write_notify(const vc_model *m, const char *event, const json_t *pk,
				   int64 count)
{
	json_t	   *payload;
	size_t		len;
	char	   *buf;
	int			bad = 0;

	if (!m->events || (pk == NULL && count <= 0))
		return;

	/* guarded at once: the palloc below may raise */
	payload = viper_json_guard(vc_json_object_new(), CurrentMemoryContext);
	if (payload == NULL)
		viper_pg_oom();
	bad |= json_object_set_new(payload, "model", json_string(m->label));
	bad |= json_object_set_new(payload, "event", json_string(event));
	if (pk != NULL)
		bad |= json_object_set(payload, "pk", (json_t *) pk);
	else
	{
		bad |= json_object_set_new(payload, "pk", json_null());
		bad |= json_object_set_new(payload, "count", json_integer(count));
	}
	if (bad)
		viper_pg_oom();

	len = json_dumpb(payload, NULL, 0, JSON_COMPACT);
	if (len == 0)
		viper_pg_oom();
	buf = palloc(len);
	if (json_dumpb(payload, buf, len, JSON_COMPACT) != len)
		viper_pg_internal("building the viper_events payload", "size changed");

	DirectFunctionCall2(pg_notify,
						PointerGetDatum(cstring_to_text(VIPER_EVENTS_CHANNEL)),
						PointerGetDatum(cstring_to_text_with_len(buf, (int) len)));
}

const vc_model *
viper_write_model(const vc_catalog *cat, const char *label)
{
	const vc_model *m;
	vc_error	err;

	if (vc_catalog_find(cat, label, strlen(label), &m, &err) != VC_OK)
		viper_pg_raise(&err);
	return m;
}

Datum
viper_write_insert(const vc_catalog *cat, const char *label,
				   const json_t *row, const vc_query_opts *o,
				   MemoryContext callctx, const char *what)
{
	MemoryContext oldctx;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;
	viper_write_row r;

	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_insert(&viper_pg_alloc, cat, label, row, false, o, &c, &err);
	MemoryContextSwitchTo(oldctx);
	c = viper_engine_compiled(rc, c, &err, callctx);
	viper_engine_check(c);

	r = viper_write_exec_row(c, callctx, NULL);
	if (!r.found)
		viper_pg_internal(what, "the statement returned no row");
	viper_perm_check_row((const vc_perms *) o->perm_ud, c, VC_PERM_INSERT, r.pk);
	viper_write_notify(c->model, "insert", r.pk ? r.pk : json_null(), 1);
	return r.jsonb;
}

/*
 * viper.insert(model text, row jsonb) → jsonb: the stored row, with what
 * the database filled in (id, defaults, auto_now fields).
 */
static Datum
insert_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *row = viper_engine_spec(fcinfo, 1, callctx, &len);
	const vc_catalog *cat;
	vc_query_opts o;
	Datum		result;

	cat = viper_engine_begin(callctx, len, NULL, &o);
	result = viper_write_insert(cat, label, row, &o, callctx, "insert");
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * Distinct keys over the row objects: the most parameters one row of a
 * batch can take, so batches stay under the parameter limit.
 */
static size_t
union_key_count(const json_t *rows)
{
	json_t	   *seen = viper_json_guard(vc_json_object_new(), CurrentMemoryContext);
	size_t		i;
	json_t	   *row;

	if (seen == NULL)
		viper_pg_oom();
	json_array_foreach(rows, i, row)
	{
		const char *key;
		json_t	   *v;

		if (!json_is_object(row))
			continue;
		json_object_foreach(row, key, v)
		{
			if (json_object_set_new(seen, key, json_true()) != 0)
				viper_pg_oom();
		}
	}
	return json_object_size(seen);
}

/*
 * viper.bulk_create(model text, rows jsonb) → bigint: rows inserted, one
 * multi-row INSERT per batch (and one notification per statement).
 */
static Datum
bulk_create_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	MemoryContext batchctx;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *rows = viper_engine_spec(fcinfo, 1, callctx, &len);
	const vc_catalog *cat;
	vc_query_opts o;
	vc_error	err;
	size_t		n;
	size_t		nkeys;
	size_t		batch;
	size_t		first = 0;
	int64		total = 0;

	if (rows == NULL || !json_is_array(rows))
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "bulk_create: rows must be a JSON array of row objects");
		vc_error_hint(&err, "Pass '[{\"field\": value}, ...]'.");
		viper_pg_raise(&err);
	}
	n = json_array_size(rows);
	nkeys = union_key_count(rows);
	batch = vc_bulk_batch_rows(nkeys > 0 ? nkeys : 1);
	if (batch == 0)
		batch = 1;

	cat = viper_engine_begin(callctx, len, NULL, &o);
	if (n == 0)
	{
		/* nothing to insert (like Django); the model must still exist */
		viper_write_model(cat, label);
		SPI_finish();
		PG_RETURN_INT64(0);
	}
	batchctx = AllocSetContextCreate(callctx, "viper bulk_create batch",
									 ALLOCSET_DEFAULT_SIZES);
	while (first < n)
	{
		size_t		take = Min(batch, n - first);
		vc_compiled *c = NULL;
		vc_code		rc;
		int64		done;

		oldctx = MemoryContextSwitchTo(batchctx);
		rc = vc_compile_bulk_create(&viper_pg_alloc, cat, label, rows, first,
									take, &o, &c, &err);
		MemoryContextSwitchTo(oldctx);
		c = viper_engine_compiled(rc, c, &err, batchctx);
		viper_engine_check(c);
		done = viper_perm_exec_checked((const vc_perms *) o.perm_ud, c,
									   VC_PERM_INSERT);
		viper_write_notify(c->model, "insert", NULL, done);
		total += done;
		first += take;
		MemoryContextReset(batchctx);
	}
	MemoryContextDelete(batchctx);
	SPI_finish();
	PG_RETURN_INT64(total);
}

/*
 * update and delete: run c, enforce max_affected (the error rolls the
 * statement back), notify, return the count. perms (update only): check
 * the new rows against the update grants.
 */
static int64
run_affecting(const vc_compiled *c, const char *event, const vc_perms *perms)
{
	int64		n;
	vc_error	err;

	viper_engine_check(c);
	n = perms ? viper_perm_exec_checked(perms, c, VC_PERM_UPDATE)
		: viper_write_exec_count(c);
	if (vc_compiled_check_affected(c, n, &err) != VC_OK)
		viper_pg_raise(&err);
	viper_write_notify(c->model, event, NULL, n);
	return n;
}

int64
viper_write_update(const vc_catalog *cat, const char *label,
				   const json_t *spec, const json_t *changes,
				   const vc_query_opts *o, MemoryContext callctx)
{
	MemoryContext oldctx;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;

	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_update(&viper_pg_alloc, cat, label, spec, changes, o, &c,
						   &err);
	MemoryContextSwitchTo(oldctx);
	c = viper_engine_compiled(rc, c, &err, callctx);
	return run_affecting(c, "update", (const vc_perms *) o->perm_ud);
}

/*
 * viper.update(model text, spec jsonb, changes jsonb) → bigint: rows
 * updated. changes may hold F expressions ({"$f": ...}, $add ...).
 */
static Datum
update_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	size_t		len2 = 0;
	json_t	   *spec = viper_engine_spec(fcinfo, 1, callctx, &len);
	json_t	   *changes = viper_engine_spec(fcinfo, 2, callctx, &len2);
	const vc_catalog *cat;
	vc_query_opts o;
	int64		n;

	cat = viper_engine_begin(callctx, len, spec, &o);
	n = viper_write_update(cat, label, spec, changes, &o, callctx);
	SPI_finish();
	PG_RETURN_INT64(n);
}

/* viper.delete(model text, spec jsonb) → bigint: rows deleted. */
static Datum
delete_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *spec = viper_engine_spec(fcinfo, 1, callctx, &len);
	const vc_catalog *cat;
	vc_query_opts o;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;
	int64		n;

	cat = viper_engine_begin(callctx, len, spec, &o);
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_delete(&viper_pg_alloc, cat, label, spec, &o, &c, &err);
	MemoryContextSwitchTo(oldctx);
	c = viper_engine_compiled(rc, c, &err, callctx);
	n = run_affecting(c, "delete", NULL);
	SPI_finish();
	PG_RETURN_INT64(n);
}

/* A text[] as a JSON array of strings (SQL NULL elements → JSON null). */
static json_t *
text_array_json(ArrayType *arr, MemoryContext callctx)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	json_t	   *out;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	out = viper_json_guard(json_array(), callctx);
	if (out == NULL)
		viper_pg_oom();
	for (i = 0; i < n; i++)
	{
		json_t	   *v;

		if (nulls[i])
			v = json_null();
		else
		{
			char	   *s = TextDatumGetCString(elems[i]);

			v = json_string(s);
			if (v == NULL)
				viper_pg_oom();
		}
		if (json_array_append_new(out, v) != 0)
			viper_pg_oom();
	}
	return out;
}

/*
 * viper.bulk_update(model text, rows jsonb, fields text[]) → bigint: rows
 * updated, in one statement (CASE over the primary keys).
 */
static Datum
bulk_update_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *rows = viper_engine_spec(fcinfo, 1, callctx, &len);
	json_t	   *fields = text_array_json(PG_GETARG_ARRAYTYPE_P(2), callctx);
	const vc_catalog *cat;
	vc_query_opts o;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;
	int64		n;

	cat = viper_engine_begin(callctx, len, NULL, &o);
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_bulk_update(&viper_pg_alloc, cat, label, rows, fields, &o,
								&c, &err);
	MemoryContextSwitchTo(oldctx);
	c = viper_engine_compiled(rc, c, &err, callctx);
	n = run_affecting(c, "update", (const vc_perms *) o.perm_ud);
	SPI_finish();
	PG_RETURN_INT64(n);
}

/*
 * Entry points: each body runs under viper_perm_guarded, which closes
 * the bypass scope a spec with ignore_permissions opens (perm.h).
 */
Datum
viper_insert(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, insert_body);
}

Datum
viper_bulk_create(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, bulk_create_body);
}

Datum
viper_update(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, update_body);
}

Datum
viper_delete(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, delete_body);
}

Datum
viper_bulk_update(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, bulk_update_body);
}
