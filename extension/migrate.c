/*
 * migrate.c — viper.plan and viper.migrate (DESIGN §4, §12 "Schema sync").
 *
 * Both read the catalog (viper.models), ask core which tables to look at
 * (vc_plan_tables), introspect each live table (introspect.c) and let core
 * diff (vc_plan_build). plan returns the operation rows and executes
 * nothing. migrate first takes the advisory lock, then for each operation
 * that applies runs its precheck and its statements, stores the applied
 * schemas in viper.models and deletes the labels core says are gone; it
 * returns the same rows. Everything runs in the caller's transaction, so
 * an error anywhere (a refusal, a failing statement) leaves nothing
 * behind.
 *
 * Prechecks (data fits a narrower type; a column about to be dropped holds
 * data; a column becoming NOT NULL holds NULL; a table getting a NOT NULL
 * column has rows) and the statements (an UPDATE fills NULLs with the
 * default before SET NOT NULL) run with row_security = off: a table with
 * FORCE ROW LEVEL SECURITY and no policy would hide every row from its
 * non-superuser owner and make "no row violates" a false answer, so such a
 * caller gets PostgreSQL's error ("query would be affected by row-level
 * security policy") instead of a silent loss of data.
 *
 * Concurrency: the lock is taken before anything is read, and the catalog
 * and the live tables are then read with fresh snapshots (SPI read_only =
 * false), so a migrate that waited for another one plans against what that
 * one committed and finds nothing left to do. Under REPEATABLE READ or
 * SERIALIZABLE the transaction's snapshot may predate the other commit:
 * migrate is meant for READ COMMITTED (docs/migrations.md).
 *
 * Every table migrate creates gets its row-level security policies from
 * the model's grants (perm.c), which may have been granted before.
 *
 * DDL text comes from core (identifiers validated and quoted, values
 * rendered only from checked JSON) and is run with SPI_execute; viper's own
 * statements bind their values.
 *
 * Memory: input trees, the catalog, the live state and the plan are
 * guarded by the call's memory context (reset callbacks release jansson
 * references and the plan on success and on error). Result rows are put in
 * the tuplestore (which copies them) before SPI_finish.
 */
#include "postgres.h"

#include "spi_json.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "perm.h"
#include "engine.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "schema_sync.h"
#include "vc_json.h"

PG_FUNCTION_INFO_V1(viper_plan);
PG_FUNCTION_INFO_V1(viper_migrate);

static void
plan_release(void *arg)
{
	vc_plan_free((vc_plan *) arg);
}

static void
raise_if(vc_code rc, const vc_error *err)
{
	if (rc != VC_OK)
		viper_pg_raise(err);
}

static void
raise_oom_if_null(const void *p)
{
	if (p == NULL)
		viper_pg_oom();
}

/*
 * Run one precheck query as the caller, with row security off (see the
 * header comment). True when it returned a row.
 */
static bool
precheck_hits(const char *sql)
{
	int			nestlevel = NewGUCNestLevel();
	int			rc;
	bool		hit;

	(void) set_config_option("row_security", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute(sql, false, 1);
	if (rc != SPI_OK_SELECT)
		viper_pg_internal("running a migration precheck",
						  SPI_result_code_string(rc));
	hit = SPI_processed > 0;
	AtEOXact_GUC(true, nestlevel);
	return hit;
}

/* Raise a REFUSE precheck's error; the transaction rolls everything back. */
static void
refuse(vc_code code, const char *message, const char *hint)
{
	vc_error	err;

	vc_error_set(&err, code, "%s", message ? message : "migration precheck failed");
	vc_error_detail(&err, "Nothing was applied.");
	if (hint != NULL)
		vc_error_hint(&err, "%s", hint);
	viper_pg_raise(&err);
}

/*
 * Run op's statements in order. Core's DDL names tables unqualified, and
 * PostgreSQL creates an object in the first schema listed in search_path:
 * under the functions' "pg_catalog, public, pg_temp" that is pg_catalog.
 * The statements therefore run under "public, pg_temp", which looks names
 * up in exactly the same order (pg_catalog, left out, is searched first
 * implicitly) but creates in public.
 */
static void
run_statements(const vc_plan_op *op)
{
	int			nestlevel = NewGUCNestLevel();
	size_t		i;

	(void) set_config_option("search_path", "public, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	/* the UPDATE filling NULLs before SET NOT NULL must see every row */
	(void) set_config_option("row_security", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	for (i = 0; i < op->statements.n; i++)
	{
		int			rc = SPI_execute(op->statements.items[i], false, 0);

		if (rc < 0)
			viper_pg_internal("running a migration statement",
							  SPI_result_code_string(rc));
	}
	AtEOXact_GUC(true, nestlevel);
}

/*
 * Apply the plan (migrate only): prechecks, statements, catalog. skipped[i]
 * is set for an op whose SKIP precheck fired (its row then carries the
 * precheck's warning and no SQL).
 */
static void
apply_plan(const vc_plan *plan, const json_t *catalog, bool *skipped)
{
	size_t		i;

	for (i = 0; i < plan->nops; i++)
	{
		const vc_plan_op *op = &plan->ops[i];

		if (!op->applies)
			continue;
		if (op->precheck_sql != NULL &&
			op->precheck_action != VC_PRECHECK_NONE &&
			precheck_hits(op->precheck_sql))
		{
			if (op->precheck_action == VC_PRECHECK_SKIP)
			{
				skipped[i] = true;
				continue;
			}
			/* core plans a REFUSE only where force may not override it */
			refuse(op->precheck_code, op->precheck_message, op->precheck_hint);
		}
		if (op->precheck2_sql != NULL && precheck_hits(op->precheck2_sql))
			refuse(op->precheck2_code, op->precheck2_message, NULL);
		run_statements(op);
	}
	for (i = 0; i < plan->nstore; i++)
		viper_catalog_store(&plan->store[i], catalog);
	for (i = 0; i < plan->nunstore; i++)
		viper_catalog_unstore(plan->unstore[i]);
	/* grants may predate the table: give each new table its policies */
	for (i = 0; i < plan->nops; i++)
	{
		const vc_plan_op *op = &plan->ops[i];

		if (op->kind == VC_OP_CREATE_TABLE && op->applies && !skipped[i] &&
			op->target != NULL)
			viper_perm_sync_policies(op->target, CurrentMemoryContext, true);
	}
}

/* One result row per op: (op, target, sql, warning). */
static void
emit_rows(ReturnSetInfo *rsinfo, const vc_plan *plan, const bool *skipped)
{
	size_t		i;

	for (i = 0; i < plan->nops; i++)
	{
		const vc_plan_op *op = &plan->ops[i];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		const char *warning = op->warning;
		const char *sql = op->sql;

		if (skipped != NULL && skipped[i])
		{
			sql = NULL;
			if (op->precheck_message != NULL)
				warning = op->precheck_message;
		}
		values[0] = CStringGetTextDatum(vc_op_name(op->kind));
		values[1] = CStringGetTextDatum(op->target ? op->target : "");
		if (sql != NULL)
			values[2] = CStringGetTextDatum(sql);
		else
			nulls[2] = true;
		if (warning != NULL)
			values[3] = CStringGetTextDatum(warning);
		else
			nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* plan (apply = false) and migrate (apply = true). */
static Datum
schema_sync(FunctionCallInfo fcinfo, bool apply)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	json_t	   *schemas;
	json_t	   *options = NULL;
	json_t	   *catalog;
	json_t	   *tables = NULL;
	json_t	   *live;
	json_t	   *name;
	vc_plan    *plan = NULL;
	bool	   *skipped = NULL;
	vc_error	err;
	vc_code		rc;
	size_t		i;

	InitMaterializedSRF(fcinfo, 0);

	/* a NULL schemas reaches core as JSON null (22023: not an array) */
	if (PG_ARGISNULL(0))
		schemas = viper_json_guard(json_null(), callctx);
	else
		schemas = viper_jsonb_to_json(PG_GETARG_DATUM(0), callctx);
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
		options = viper_jsonb_to_json(PG_GETARG_DATUM(1), callctx);

	/* the lock comes before the catalog is read (DESIGN §4) */
	if (apply)
		viper_migrate_lock();

	viper_engine_connect();
	catalog = viper_json_guard(viper_catalog_read(), callctx);

	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_plan_tables(&viper_pg_alloc, VC_DIALECT_POSTGRESQL, schemas,
						catalog, options, &tables, &err);
	if (rc == VC_OK)
		viper_json_guard(tables, callctx);
	MemoryContextSwitchTo(oldctx);
	raise_if(rc, &err);

	live = viper_json_guard(vc_json_object_new(), callctx);
	raise_oom_if_null(live);
	json_array_foreach(tables, i, name)
	{
		const char *table = json_string_value(name);
		json_t	   *state;

		if (table == NULL || json_object_get(live, table) != NULL)
			continue;
		state = viper_introspect_table(table, !apply);
		if (json_object_set_new(live, table, state) != 0)
			raise_oom_if_null(NULL);
	}

	/* the plan outlives SPI_finish: allocate it in the call's context */
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_plan_build(&viper_pg_alloc, VC_DIALECT_POSTGRESQL, schemas,
					   catalog, live, options, &plan, &err);
	if (rc == VC_OK)
		viper_on_context_reset(callctx, plan_release, plan);
	if (rc == VC_OK && apply)
		skipped = palloc0(sizeof(bool) * (plan->nops + 1));
	MemoryContextSwitchTo(oldctx);
	raise_if(rc, &err);

	if (apply)
		apply_plan(plan, catalog, skipped);
	emit_rows(rsinfo, plan, skipped);
	SPI_finish();
	return (Datum) 0;
}

/*
 * viper.plan(schemas jsonb, options jsonb) → TABLE(op, target, sql,
 * warning): what migrate would do, applying nothing. Prechecks are not
 * run: they belong to migrate, under its lock.
 */
Datum
viper_plan(PG_FUNCTION_ARGS)
{
	return schema_sync(fcinfo, false);
}

/* viper.migrate(schemas jsonb, options jsonb) → the same rows, applied. */
Datum
viper_migrate(PG_FUNCTION_ARGS)
{
	return schema_sync(fcinfo, true);
}
