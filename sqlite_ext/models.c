/*
 * models.c — the model catalog main.viper_models (DESIGN §2/§4):
 * viper_register_model(schema) validates one model and stores its
 * metadata without touching any table; viper_model(label) returns the
 * stored schema. Also the helpers migrate.c shares: reading the catalog
 * rows for the planner, storing a plan's rows, reading a JSON argument,
 * and turning an SQLite failure into a core error.
 *
 * Transactions: register_model may run inside the caller's transaction
 * (a savepoint there, BEGIN IMMEDIATE in autocommit so the catalog is
 * read and written under one write lock); either way a failure leaves the
 * catalog as it was.
 *
 * Stored schema text is jansson's compact dump of the normalised schema:
 * deterministic, so "did this row change" is a text comparison and an
 * unchanged model is never rewritten (no version bump, no new updated_at).
 */
#include "schema_sync.h"

#include <stdlib.h>
#include <string.h>

#include "vc_text.h"
#include "vc_json.h"

#define TS_NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

vc_code
viper_sqlite_json_arg(sqlite3_value *v, const char *what, json_t **out,
					  vc_error *err)
{
	const char *s = (const char *) sqlite3_value_text(v);
	json_error_t jerr;

	*out = NULL;
	if (s == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	*out = json_loadb(s, (size_t) sqlite3_value_bytes(v), JSON_DECODE_ANY,
					  &jerr);
	if (*out == NULL)
	{
		vc_error_set(err, VC_ERR_TEXT_REPR, "invalid JSON in %s", what);
		vc_error_detail(err, "%s at line %d, column %d.", jerr.text,
						jerr.line, jerr.column);
		return VC_ERR_TEXT_REPR;
	}
	return VC_OK;
}

vc_code
viper_sqlite_read_catalog(sqlite3 *db, json_t **rows, vc_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t	   *arr = json_array();
	int			rc;
	vc_code		code = VC_OK;

	*rows = NULL;
	if (arr == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	rc = sqlite3_prepare_v2(db,
							"SELECT label, schema FROM main.viper_models"
							" ORDER BY label", -1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		const char *label = (const char *) sqlite3_column_text(st, 0);
		const char *schema = (const char *) sqlite3_column_text(st, 1);
		json_t	   *sj;
		json_t	   *row;

		rc = SQLITE_OK;
		if (label == NULL || schema == NULL)
			continue;
		sj = json_loadb(schema, (size_t) sqlite3_column_bytes(st, 1), 0, NULL);
		if (sj == NULL)
		{
			char		echo[VC_ECHO_BUFSZ];

			code = vc_error_set(err, VC_ERR_INTERNAL,
								"viper catalog is damaged: the schema of model \"%s\" is not a JSON object",
								vc_echo(echo, sizeof(echo), label, strlen(label)));
			vc_error_hint(err, "Register the model again with viper_register_model.");
			break;
		}
		row = vc_json_object_new();
		if (row == NULL ||
			json_object_set_new(row, "label", json_string(label)) != 0 ||
			json_object_set_new(row, "schema", sj) != 0 ||
			json_array_append_new(arr, row) != 0)
		{
			json_decref(row);
			code = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			break;
		}
	}
	if (code == VC_OK && rc != SQLITE_DONE)
		code = viper_sqlite_db_error(db, rc, "could not read the viper catalog",
									 "viper_models", err);
	sqlite3_finalize(st);
	if (code != VC_OK)
	{
		json_decref(arr);
		return code;
	}
	*rows = arr;
	return VC_OK;
}

static const char upsert_sql[] =
"INSERT INTO main.viper_models"
" (label, app, name, table_name, schema, managed, read_only, single)"
" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
" ON CONFLICT (label) DO UPDATE SET"
" app = excluded.app, name = excluded.name,"
" table_name = excluded.table_name, schema = excluded.schema,"
" managed = excluded.managed, read_only = excluded.read_only,"
" single = excluded.single, version = viper_models.version + 1,"
" updated_at = " TS_NOW
" WHERE viper_models.app IS NOT excluded.app"
" OR viper_models.name IS NOT excluded.name"
" OR viper_models.table_name IS NOT excluded.table_name"
" OR viper_models.schema IS NOT excluded.schema"
" OR viper_models.managed IS NOT excluded.managed"
" OR viper_models.read_only IS NOT excluded.read_only"
" OR viper_models.single IS NOT excluded.single";

/* Bind and run one upsert of a store row. */
static int
upsert_row(sqlite3_stmt *st, const vc_plan_store *s, char *schema)
{
	int			rc;

	rc = sqlite3_bind_text(st, 1, s->label, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, s->app, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 4, s->table ? s->table : "", -1,
							   SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 5, schema, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 6, s->managed);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 7, s->read_only);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, 8, s->single);
	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_reset(st);
	return rc;
}

vc_code
viper_sqlite_store_plan(sqlite3 *db, const vc_plan *p, vc_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t		i;
	int			rc;

	rc = sqlite3_prepare_v2(db, upsert_sql, -1, &st, NULL);
	for (i = 0; rc == SQLITE_OK && i < p->nstore; i++)
	{
		char	   *schema = json_dumps(p->store[i].schema, JSON_COMPACT);

		if (schema == NULL)
		{
			sqlite3_finalize(st);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
		rc = upsert_row(st, &p->store[i], schema);
		free(schema);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_OK && p->nunstore > 0)
		rc = sqlite3_prepare_v2(db,
								"DELETE FROM main.viper_models WHERE label = ?1",
								-1, &st, NULL);
	for (i = 0; rc == SQLITE_OK && i < p->nunstore; i++)
	{
		rc = sqlite3_bind_text(st, 1, p->unstore[i], -1, SQLITE_STATIC);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
			rc = SQLITE_OK;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return viper_sqlite_db_error(db, rc, "could not write the viper catalog",
									 "viper_models", err);
	return VC_OK;
}

/* Validate and store; runs inside the transaction register_model opened. */
static vc_code
register_in_txn(sqlite3 *db, const json_t *schema, char **label,
				vc_error *err)
{
	json_t	   *catalog = NULL;
	vc_plan    *plan = NULL;
	vc_code		code;

	if ((code = viper_sqlite_read_catalog(db, &catalog, err)) == VC_OK &&
		(code = vc_plan_register(&viper_sqlite_alloc, VC_DIALECT_SQLITE,
								 schema, catalog, &plan, err)) == VC_OK &&
		(code = viper_sqlite_store_plan(db, plan, err)) == VC_OK)
	{
		*label = plan->nstore > 0 ? sqlite3_mprintf("%s", plan->store[0].label) : NULL;
		if (*label == NULL)
			code = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	vc_plan_free(plan);
	json_decref(catalog);
	return code;
}

/* viper_register_model(schema) → the model's label */
void
viper_sqlite_register_model(sqlite3_context *ctx, int argc,
							sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	json_t	   *schema = NULL;
	char	   *label = NULL;
	int			autocommit;
	int			rc;
	vc_error	err;
	vc_code		code;

	(void) argc;
	vc_error_clear(&err);
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
	{
		sqlite3_result_null(ctx);
		return;
	}
	if (viper_sqlite_json_arg(argv[0], "model schema", &schema, &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}

	autocommit = sqlite3_get_autocommit(db);
	rc = sqlite3_exec(db, autocommit ? "BEGIN IMMEDIATE" : "SAVEPOINT viper_register",
					  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		code = viper_sqlite_db_error(db, rc, "could not lock the viper catalog",
									 NULL, &err);
	else
	{
		code = register_in_txn(db, schema, &label, &err);
		if (code == VC_OK)
		{
			rc = sqlite3_exec(db, autocommit ? "COMMIT" : "RELEASE viper_register",
							  NULL, NULL, NULL);
			if (rc != SQLITE_OK)
				code = viper_sqlite_db_error(db, rc,
											 "could not write the viper catalog",
											 NULL, &err);
		}
		if (code != VC_OK)
		{
			if (!autocommit)
				sqlite3_exec(db, "ROLLBACK TO viper_register; RELEASE viper_register",
							 NULL, NULL, NULL);
			else if (!sqlite3_get_autocommit(db))
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		}
	}
	json_decref(schema);
	if (code != VC_OK)
	{
		sqlite3_free(label);
		viper_sqlite_raise(ctx, &err);
		return;
	}
	sqlite3_result_text(ctx, label, -1, sqlite3_free);
}

/* 42P01 for an unknown label, with the nearest registered label as hint. */
static void
unknown_label(sqlite3 *db, const char *label, vc_error *err)
{
	sqlite3_stmt *st = NULL;
	char	  **labels = NULL;
	size_t		n = 0,
				cap = 0,
				i;
	const char *near = NULL;
	char		echo[VC_ECHO_BUFSZ];

	vc_error_set(err, VC_ERR_UNDEFINED_TABLE, "model \"%s\" does not exist",
				 vc_echo(echo, sizeof(echo), label, strlen(label)));
	if (sqlite3_prepare_v2(db, "SELECT label FROM main.viper_models ORDER BY label",
						   -1, &st, NULL) == SQLITE_OK)
	{
		while (sqlite3_step(st) == SQLITE_ROW)
		{
			const char *l = (const char *) sqlite3_column_text(st, 0);

			if (l == NULL)
				continue;
			if (n == cap)
			{
				size_t		ncap = cap ? 2 * cap : 16;
				char	  **nl = sqlite3_realloc64(labels, ncap * sizeof(char *));

				if (nl == NULL)
					break;
				labels = nl;
				cap = ncap;
			}
			if ((labels[n] = sqlite3_mprintf("%s", l)) == NULL)
				break;
			n++;
		}
	}
	sqlite3_finalize(st);
	near = vc_nearest(label, strlen(label), (const char *const *) labels, n);
	if (near != NULL)
		vc_error_hint(err, "Did you mean \"%s\"?", near);
	else
		vc_error_hint(err, "Register it with viper_register_model or viper_migrate.");
	for (i = 0; i < n; i++)
		sqlite3_free(labels[i]);
	sqlite3_free(labels);
}

/* viper_model(label) → the stored schema (JSON text) */
void
viper_sqlite_model(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	sqlite3_stmt *st = NULL;
	const char *label;
	vc_error	err;
	int			rc;

	(void) argc;
	vc_error_clear(&err);
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
	{
		sqlite3_result_null(ctx);
		return;
	}
	label = (const char *) sqlite3_value_text(argv[0]);
	if (label == NULL)
	{
		sqlite3_result_error_nomem(ctx);
		return;
	}
	rc = sqlite3_prepare_v2(db, "SELECT schema FROM main.viper_models WHERE label = ?1",
							-1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sqlite3_result_text(ctx, (const char *) sqlite3_column_text(st, 0),
							sqlite3_column_bytes(st, 0), SQLITE_TRANSIENT);
	else if (rc == SQLITE_DONE)
	{
		unknown_label(db, label, &err);
		viper_sqlite_raise(ctx, &err);
	}
	else
	{
		viper_sqlite_db_error(db, rc, "could not read the viper catalog",
							  "viper_models", &err);
		viper_sqlite_raise(ctx, &err);
	}
	sqlite3_finalize(st);
}
