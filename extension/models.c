/*
 * models.c — viper.models, the catalog of registered models (DESIGN §2):
 * viper.register_model(schema) validates one model and stores its metadata
 * (no table is created); viper.model(label) returns the stored schema. The
 * catalog read/upsert/delete used by migrate.c live here too, so one file
 * owns every statement that touches viper.models.
 *
 * Concurrency: register_model and migrate take the same transaction-level
 * advisory lock before they read the catalog, so a model is never
 * validated against a catalog another writer is about to change.
 *
 * Memory: trees parsed from jsonb are guarded by the call's memory
 * context (spi_json.h); the plan core returns is allocated in that context
 * too and released by a reset callback (vc_plan_free drops its jansson
 * references). Values are read out of SPI results before SPI_finish.
 */
#include "postgres.h"

#include "spi_json.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "engine.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "schema_sync.h"
#include "vc_text.h"

PG_FUNCTION_INFO_V1(viper_register_model);
PG_FUNCTION_INFO_V1(viper_model);

#define EQ " OPERATOR(pg_catalog.=) "
#define NE " OPERATOR(pg_catalog.<>) "

void
viper_migrate_lock(void)
{
	DirectFunctionCall1(pg_advisory_xact_lock_int8,
						Int64GetDatum(VIPER_MIGRATE_LOCK_KEY));
}

json_t *
viper_catalog_read(void)
{
	json_t	   *j;

	j = viper_spi_json_value("SELECT COALESCE(pg_catalog.jsonb_agg("
							 "pg_catalog.jsonb_build_object('label', m.label, 'schema', m.schema)"
							 " ORDER BY m.label), '[]'::pg_catalog.jsonb)"
							 " FROM viper.models AS m",
							 0, NULL, NULL, false, "reading viper.models");
	if (j == NULL)
		viper_pg_internal("reading viper.models", "no result");
	return j;
}

/* The stored schema of label in a catalog array, or NULL. */
static const json_t *
catalog_schema(const json_t *catalog, const char *label)
{
	size_t		i;
	json_t	   *row;

	json_array_foreach(catalog, i, row)
	{
		const char *l = json_string_value(json_object_get(row, "label"));

		if (l != NULL && strcmp(l, label) == 0)
			return json_object_get(row, "schema");
	}
	return NULL;
}

void
viper_catalog_store(const vc_plan_store *row, const json_t *catalog)
{
	const json_t *stored = catalog ? catalog_schema(catalog, row->label) : NULL;
	Oid			argtypes[8] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID,
		BOOLOID, BOOLOID, BOOLOID};
	Datum		values[8];
	int			rc;

	/*
	 * The other columns derive from the schema: an equal schema means an
	 * equal row, and skipping the statement keeps catalog_version() (bumped
	 * per statement) still when a second migrate changes nothing.
	 */
	if (stored != NULL && json_equal((json_t *) stored, row->schema))
		return;

	values[0] = CStringGetTextDatum(row->label);
	values[1] = CStringGetTextDatum(row->app);
	values[2] = CStringGetTextDatum(row->name);
	values[3] = CStringGetTextDatum(row->table ? row->table : "");
	values[4] = viper_json_to_jsonb(row->schema);
	values[5] = BoolGetDatum(row->managed);
	values[6] = BoolGetDatum(row->read_only);
	values[7] = BoolGetDatum(row->single);
	rc = SPI_execute_with_args(
							   "INSERT INTO viper.models AS m (label, app, name, table_name, schema,"
							   " managed, read_only, single)"
							   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
							   " ON CONFLICT (label) DO UPDATE SET app = EXCLUDED.app,"
							   " name = EXCLUDED.name, table_name = EXCLUDED.table_name,"
							   " schema = EXCLUDED.schema, managed = EXCLUDED.managed,"
							   " read_only = EXCLUDED.read_only, single = EXCLUDED.single,"
							   " version = m.version OPERATOR(pg_catalog.+) 1,"
							   " updated_at = pg_catalog.now()"
							   " WHERE m.schema" NE "EXCLUDED.schema"
							   " OR m.app" NE "EXCLUDED.app OR m.name" NE "EXCLUDED.name"
							   " OR m.table_name" NE "EXCLUDED.table_name"
							   " OR m.managed" NE "EXCLUDED.managed"
							   " OR m.read_only" NE "EXCLUDED.read_only"
							   " OR m.single" NE "EXCLUDED.single",
							   8, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		viper_pg_internal("writing viper.models", SPI_result_code_string(rc));
}

void
viper_catalog_unstore(const char *label)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	int			rc;

	values[0] = CStringGetTextDatum(label);
	rc = SPI_execute_with_args("DELETE FROM viper.models WHERE label" EQ "$1",
							   1, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_DELETE)
		viper_pg_internal("deleting from viper.models",
						  SPI_result_code_string(rc));
}

static void
plan_release(void *arg)
{
	vc_plan_free((vc_plan *) arg);
}

/*
 * viper.register_model(schema jsonb) → the model's label. Validates the
 * schema (its relations may point at catalog models) and stores the
 * normalised schema; creates nothing in the database.
 */
Datum
viper_register_model(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	json_t	   *schema = viper_jsonb_to_json(PG_GETARG_DATUM(0), callctx);
	json_t	   *catalog;
	vc_plan    *plan = NULL;
	vc_error	err;
	vc_code		rc;
	char	   *label;

	viper_migrate_lock();
	viper_engine_connect();
	catalog = viper_json_guard(viper_catalog_read(), callctx);

	/* the plan outlives SPI_finish: allocate it in the call's context */
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_plan_register(&viper_pg_alloc, VC_DIALECT_POSTGRESQL, schema,
						  catalog, &plan, &err);
	if (rc == VC_OK)
		viper_on_context_reset(callctx, plan_release, plan);
	MemoryContextSwitchTo(oldctx);
	if (rc != VC_OK)
		viper_pg_raise(&err);
	if (plan->nstore != 1)
		viper_pg_internal("register_model", "the planner returned no catalog row");

	viper_catalog_store(&plan->store[0], catalog);
	SPI_finish();

	label = plan->store[0].label;
	PG_RETURN_TEXT_P(cstring_to_text(label));
}

/*
 * viper.model(label text) → the schema stored for label. An unknown label
 * is 42P01 with the nearest registered label as hint.
 */
Datum
viper_model(PG_FUNCTION_ARGS)
{
	text	   *label = PG_GETARG_TEXT_PP(0);
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	Datum		result = (Datum) 0;
	bool		found = false;
	bool		isnull;
	const char **labels = NULL;
	size_t		nlabels = 0;
	int			rc;
	uint64		i;

	values[0] = PG_GETARG_DATUM(0);
	viper_engine_connect();
	rc = SPI_execute_with_args("SELECT m.schema FROM viper.models AS m"
							   " WHERE m.label" EQ "$1",
							   1, argtypes, values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		viper_pg_internal("reading viper.models", SPI_result_code_string(rc));
	if (SPI_processed > 0)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull);

		/* copy the jsonb out of SPI's memory */
		found = true;
		result = SPI_datumTransfer(d, false, -1);
	}
	else
	{
		/* every label, for the "did you mean" hint */
		rc = SPI_execute("SELECT m.label FROM viper.models AS m ORDER BY m.label",
						 true, 0);
		if (rc != SPI_OK_SELECT)
			viper_pg_internal("reading viper.models",
							  SPI_result_code_string(rc));
		oldctx = MemoryContextSwitchTo(callctx);
		labels = palloc(sizeof(char *) * (SPI_processed + 1));
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *l = SPI_getvalue(SPI_tuptable->vals[i],
										 SPI_tuptable->tupdesc, 1);

			labels[nlabels++] = pstrdup(l);
		}
		MemoryContextSwitchTo(oldctx);
	}
	SPI_finish();

	if (!found)
	{
		vc_error	err;
		char		echo[VC_ECHO_BUFSZ];
		const char *near;

		near = vc_nearest(VIPER_TEXT_PTR(label), VIPER_TEXT_LEN(label),
						  labels, nlabels);
		vc_error_set(&err, VC_ERR_UNDEFINED_TABLE,
					 "model \"%s\" does not exist",
					 vc_echo(echo, sizeof(echo), VIPER_TEXT_PTR(label),
							 VIPER_TEXT_LEN(label)));
		if (near != NULL)
			vc_error_hint(&err, "Did you mean \"%s\"?", near);
		else
			vc_error_hint(&err, "Register it with viper.register_model or viper.migrate.");
		viper_pg_raise(&err);
	}
	PG_RETURN_DATUM(result);
}
