/*
 * schema_sync.h — internal interface of the SQLite host's schema sync
 * (DESIGN §4, core/vc_plan.h): models.c (catalog rows, register_model,
 * model), introspect.c (the live database as vc_plan.h's introspection
 * JSON) and migrate.c (plan and migrate with SQLite's rebuild procedure).
 *
 * The helpers below fill a caller-owned vc_error and return a vc_code, so
 * each SQL-callable function still raises from the one place
 * (viper_sqlite_raise) after cleaning up. JSON values are jansson trees the
 * caller releases with json_decref.
 */
#ifndef VIPER_SQLITE_SCHEMA_SYNC_H
#define VIPER_SQLITE_SCHEMA_SYNC_H

#include "sqlite_error.h"
#include "vc_plan.h"

/* ---- models.c ---- */

/* Parse a text argument as JSON (22P02 naming `what` when it is not). */
vc_code		viper_sqlite_json_arg(sqlite3_value *v, const char *what,
								  json_t **out, vc_error *err);

/* The catalog as vc_plan.h wants it: [{"label", "schema"}, ...] by label. */
vc_code		viper_sqlite_read_catalog(sqlite3 *db, json_t **rows,
									  vc_error *err);

/*
 * Upsert every plan->store row into main.viper_models (a row whose content
 * did not change is left alone, so a second migrate writes nothing) and
 * delete the plan->unstore labels.
 */
vc_code		viper_sqlite_store_plan(sqlite3 *db, const vc_plan *p,
									vc_error *err);

void		viper_sqlite_register_model(sqlite3_context *ctx, int argc,
										sqlite3_value **argv);
void		viper_sqlite_model(sqlite3_context *ctx, int argc,
							   sqlite3_value **argv);

/* ---- introspect.c ---- */

/*
 * The introspection object of vc_plan.h for table `table` of the main
 * schema ({"table": t, "exists": false} when there is none). The name is
 * not validated here (callers pass names from core or validate first).
 */
vc_code		viper_sqlite_introspect_table(sqlite3 *db, const char *table,
										  json_t **out, vc_error *err);

void		viper_sqlite_introspect(sqlite3_context *ctx, int argc,
									sqlite3_value **argv);

/* ---- migrate.c ---- */

void		viper_sqlite_plan(sqlite3_context *ctx, int argc,
							  sqlite3_value **argv);
void		viper_sqlite_migrate(sqlite3_context *ctx, int argc,
								 sqlite3_value **argv);

#endif
