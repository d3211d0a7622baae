/*
 * query.c — the read functions of the query engine (DESIGN §5, §6):
 * viper.query, viper.get, viper.count, viper.exists, viper.aggregate and
 * viper.compile. Each unpacks its arguments, has core compile the spec
 * into one parameterised statement, runs it through the kept-plan cache
 * and converts the result (engine.h does the shared work).
 *
 * viper.query is a materialize-mode set-returning function fed from a
 * cursor in batches: each batch's JSON texts go into the tuplestore (which
 * spills to disk past work_mem) and the batch's memory is reset, so memory
 * stays flat however many rows come back. Each row's JSON is written
 * directly in C by vc_row_json — never jsonb per row.
 *
 * Memory: the spec tree and the compiled statement belong to the call's
 * memory context (released by reset callbacks, on error too); results are
 * built in that context so they survive SPI_finish.
 */
#include "postgres.h"

#include "spi_json.h"

#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "engine.h"
#include "perm.h"
#include "pg_alloc.h"
#include "pg_error.h"

PG_FUNCTION_INFO_V1(viper_query);
PG_FUNCTION_INFO_V1(viper_get);
PG_FUNCTION_INFO_V1(viper_count);
PG_FUNCTION_INFO_V1(viper_exists);
PG_FUNCTION_INFO_V1(viper_aggregate);
PG_FUNCTION_INFO_V1(viper_compile);

/* rows fetched from the cursor per batch */
#define QUERY_BATCH 1000

typedef vc_code (*compile_fn) (const vc_alloc *a, const vc_catalog *cat,
							   const char *label, const json_t *spec,
							   const vc_query_opts *o, vc_compiled **out,
							   vc_error *err);

/*
 * Connect SPI, pin the catalog and compile (model, spec) with fn; the
 * compiled statement belongs to callctx. The caller calls SPI_finish.
 */
static vc_compiled *
compile_call(FunctionCallInfo fcinfo, compile_fn fn, MemoryContext callctx)
{
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		spec_len;
	json_t	   *spec = viper_engine_spec(fcinfo, 1, callctx, &spec_len);
	const vc_catalog *cat;
	vc_query_opts o;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;
	MemoryContext old;

	cat = viper_engine_begin(callctx, spec_len, spec, &o);
	old = MemoryContextSwitchTo(callctx);
	rc = fn(&viper_pg_alloc, cat, label, spec, &o, &c, &err);
	MemoryContextSwitchTo(old);
	return viper_engine_compiled(rc, c, &err, callctx);
}

/*
 * viper.query(model text, spec jsonb DEFAULT '{}') → SETOF json: one JSON
 * object per row.
 */
static Datum
query_body(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext old;
	MemoryContext batchcxt;
	Tuplestorestate *ts;
	TupleDesc	td;
	vc_compiled *c;
	viper_row_writer *w = NULL;
	Portal		portal;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_INVALID_PARAM,
					 "viper.query must be called where a set is accepted");
		vc_error_hint(&err, "Call it in FROM: SELECT * FROM viper.query(...).");
		viper_pg_raise(&err);
	}

	c = compile_call(fcinfo, vc_compile_query, callctx);
	viper_engine_check(c);

	/* the result set lives as long as the query that called us */
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	td = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(td, (AttrNumber) 1, "query", JSONOID, -1, 0);
	ts = tuplestore_begin_heap(rsinfo->allowedModes & SFRM_Materialize_Random,
							   false, work_mem);
	MemoryContextSwitchTo(old);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ts;
	rsinfo->setDesc = td;

	batchcxt = AllocSetContextCreate(callctx, "viper query batch",
									 ALLOCSET_DEFAULT_SIZES);
	portal = viper_engine_cursor(c, !c->for_update);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, QUERY_BATCH);
		if (SPI_processed == 0 || SPI_tuptable == NULL)
			break;
		if (w == NULL)
		{
			old = MemoryContextSwitchTo(callctx);
			w = viper_row_writer_new(c, SPI_tuptable->tupdesc);
			MemoryContextSwitchTo(old);
		}
		old = MemoryContextSwitchTo(batchcxt);
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		value;
			bool		isnull = false;

			CHECK_FOR_INTERRUPTS();
			value = viper_row_writer_json(w, SPI_tuptable->vals[i]);
			tuplestore_putvalues(ts, td, &value, &isnull);
			pfree(DatumGetPointer(value));
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batchcxt);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	return (Datum) 0;
}

/* P0002 / P0003 of get(): the message names the model, never a value. */
static void
raise_get(const vc_compiled *c, uint64 n)
{
	vc_error	err;

	if (n == 0)
	{
		vc_error_set(&err, VC_ERR_NO_DATA, "no \"%s\" row matches the query",
					 c->model->label);
		vc_error_hint(&err, "Use viper.query with a limit of 1 when no row is a normal outcome.");
	}
	else
		vc_error_set(&err, VC_ERR_TOO_MANY_ROWS,
					 "more than one \"%s\" row matches the query",
					 c->model->label);
	viper_pg_raise(&err);
}

/* viper.get(model text, spec jsonb) → jsonb: exactly one row. */
static Datum
get_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	vc_compiled *c = compile_call(fcinfo, vc_compile_get, callctx);
	Datum		result;

	viper_engine_check(c);
	viper_engine_exec(c, !c->for_update, 0);
	if (SPI_processed != 1)
		raise_get(c, SPI_processed);
	result = viper_engine_first_row(c, callctx);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * Compile with fn, run, and return the single column of the single row
 * the COUNT/EXISTS statement returns. The caller reads it, then calls
 * SPI_finish (a bigint may be passed by reference).
 */
static Datum
single_value(FunctionCallInfo fcinfo, compile_fn fn, const char *what,
			 bool *isnull)
{
	vc_compiled *c = compile_call(fcinfo, fn, CurrentMemoryContext);

	viper_engine_check(c);
	viper_engine_exec(c, true, 0);
	if (SPI_processed != 1 || SPI_tuptable == NULL ||
		SPI_tuptable->tupdesc->natts != 1)
		viper_pg_internal(what, "the statement did not return one value");
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						 isnull);
}

/* viper.count(model text, spec jsonb DEFAULT '{}') → bigint. */
static Datum
count_body(PG_FUNCTION_ARGS)
{
	bool		isnull;
	Datum		d = single_value(fcinfo, vc_compile_count, "counting rows",
								 &isnull);
	int64		n = isnull ? 0 : DatumGetInt64(d);

	SPI_finish();
	PG_RETURN_INT64(n);
}

/* viper.exists(model text, spec jsonb DEFAULT '{}') → boolean. */
static Datum
exists_body(PG_FUNCTION_ARGS)
{
	bool		isnull;
	Datum		d = single_value(fcinfo, vc_compile_exists, "checking for rows",
								 &isnull);
	bool		found = !isnull && DatumGetBool(d);

	SPI_finish();
	PG_RETURN_BOOL(found);
}

/* viper.aggregate(model text, spec jsonb) → jsonb: one object. */
static Datum
aggregate_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	vc_compiled *c = compile_call(fcinfo, vc_compile_aggregate, callctx);
	Datum		result;

	viper_engine_check(c);
	viper_engine_exec(c, true, 0);
	if (SPI_processed != 1)
		viper_pg_internal("aggregating rows", "the statement did not return one row");
	result = viper_engine_first_row(c, callctx);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * viper.compile(model text, spec jsonb DEFAULT '{}') → TABLE(sql text,
 * params jsonb): the statement viper.query would run, with placeholders,
 * and its parameters. Runs nothing.
 */
static Datum
compile_body(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callctx = CurrentMemoryContext;
	vc_compiled *c;
	json_t	   *params = NULL;
	vc_error	err;
	vc_code		rc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	InitMaterializedSRF(fcinfo, 0);
	c = compile_call(fcinfo, vc_compile_query, callctx);
	viper_engine_check_bypass(c);
	SPI_finish();

	rc = vc_compiled_params_json(c, &params, &err);
	if (rc != VC_OK)
		viper_pg_raise(&err);
	viper_json_guard(params, callctx);
	values[0] = PointerGetDatum(viper_text_from(c->sql, c->sql_len));
	values[1] = viper_json_to_jsonb(params);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/*
 * Entry points: each body runs under viper_perm_guarded, which closes
 * the bypass scope a spec with ignore_permissions opens (perm.h).
 */
Datum
viper_query(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, query_body);
}

Datum
viper_get(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, get_body);
}

Datum
viper_count(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, count_body);
}

Datum
viper_exists(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, exists_body);
}

Datum
viper_aggregate(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, aggregate_body);
}

Datum
viper_compile(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, compile_body);
}
