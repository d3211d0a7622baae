/*
 * migrate.c — viper_plan(schemas[, options]) and viper_migrate(schemas[,
 * options]) (DESIGN §4, core/vc_plan.h): read the catalog, introspect the
 * tables core asks for, let core plan, and (migrate) apply the operations.
 * Both return a JSON array of {"op", "target", "sql", "warning"} objects,
 * "[]" when there is nothing to do.
 *
 * viper_migrate runs DDL, which SQLite can only do safely from a bare
 * top-level call: it refuses (25001) unless the connection is in
 * autocommit mode AND holds no transaction at all — a statement that reads
 * a table (`SELECT viper_migrate(x) FROM t`) holds a read transaction, and
 * PRAGMA foreign_keys cannot be switched inside one. It then:
 *   - turns double-quoted string literals off (SQLITE_DBCONFIG_DQS_DML and
 *     _DDL) so an unknown "name" in a CHECK or index is an error, not a
 *     string (DESIGN §7);
 *   - BEGIN IMMEDIATE: the write lock is the migrate lock, taken BEFORE
 *     the catalog and the live tables are read, so two migrators plan one
 *     after the other and the second finds nothing to do;
 *   - when an operation rebuilds a table (SQLite has no ALTER COLUMN) and
 *     foreign keys are enforced or legacy_alter_table is off, it rolls the
 *     empty transaction back, switches foreign_keys OFF (a no-op inside a
 *     transaction) and legacy_alter_table ON, and plans again under a new
 *     lock — the rebuild procedure of vc_ddl.h: with foreign keys on,
 *     dropping the old parent table would delete or orphan the rows of its
 *     child tables;
 *   - runs every operation: precheck, statements, and after a rebuild a
 *     foreign-key check of the rebuilt table and of the tables that refer
 *     to it (any violation rolls everything back);
 *   - stores the applied schemas in main.viper_models and COMMITs.
 * Any error rolls the whole transaction back: nothing is half-applied. The
 * connection's settings (foreign_keys, legacy_alter_table, DQS) are put
 * back on every path.
 *
 * viper_plan applies nothing and runs no precheck: it only reads.
 */
#include "schema_sync.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vc_json.h"

/* ---- building the plan ---- */

/*
 * Catalog → tables to look at → their introspection → vc_plan_build. Runs
 * inside migrate's transaction (or plain reads for viper_plan).
 */
static vc_code
build_plan(sqlite3 *db, const json_t *schemas, const json_t *options,
		   vc_plan **plan, vc_error *err)
{
	json_t	   *catalog = NULL;
	json_t	   *tables = NULL;
	json_t	   *live = NULL;
	json_t	   *t;
	size_t		i;
	vc_code		code;

	*plan = NULL;
	if ((code = viper_sqlite_read_catalog(db, &catalog, err)) != VC_OK)
		return code;
	code = vc_plan_tables(&viper_sqlite_alloc, VC_DIALECT_SQLITE, schemas,
						  catalog, options, &tables, err);
	if (code == VC_OK && (live = vc_json_object_new()) == NULL)
		code = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (code == VC_OK)
		json_array_foreach(tables, i, t)
	{
		const char *name = json_string_value(t);
		json_t	   *one = NULL;

		if (name == NULL || json_object_get(live, name) != NULL)
			continue;
		if ((code = viper_sqlite_introspect_table(db, name, &one, err)) != VC_OK)
			break;
		if (json_object_set_new(live, name, one) != 0)
		{
			code = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			break;
		}
	}
	if (code == VC_OK)
		code = vc_plan_build(&viper_sqlite_alloc, VC_DIALECT_SQLITE, schemas,
							 catalog, live, options, plan, err);
	json_decref(live);
	json_decref(tables);
	json_decref(catalog);
	return code;
}

/* One result row. sql/warning NULL become JSON null. */
static vc_code
append_row(json_t *rows, const vc_plan_op *op, const char *sql,
		   const char *warning, vc_error *err)
{
	json_t	   *o = vc_json_object_new();

	if (o == NULL ||
		json_object_set_new(o, "op", json_string(vc_op_name(op->kind))) != 0 ||
		json_object_set_new(o, "target",
							op->target ? json_string(op->target) : json_null()) != 0 ||
		json_object_set_new(o, "sql", sql ? json_string(sql) : json_null()) != 0 ||
		json_object_set_new(o, "warning",
							warning ? json_string(warning) : json_null()) != 0 ||
		json_array_append_new(rows, o) != 0)
	{
		json_decref(o);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	return VC_OK;
}

/* Parse the (schemas[, options]) arguments; *schemas NULL = SQL NULL. */
static vc_code
read_args(int argc, sqlite3_value **argv, json_t **schemas, json_t **options,
		  vc_error *err)
{
	vc_code		code;

	*schemas = NULL;
	*options = NULL;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return VC_OK;
	if ((code = viper_sqlite_json_arg(argv[0], "model schemas", schemas,
									  err)) != VC_OK)
		return code;
	if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL &&
		(code = viper_sqlite_json_arg(argv[1], "options", options, err)) != VC_OK)
	{
		json_decref(*schemas);
		*schemas = NULL;
		return code;
	}
	return VC_OK;
}

/* Finish plan and migrate: raise err when code is an error, else hand the
 * rows to SQLite as compact JSON text; rows is released either way. */
static void
result_rows(sqlite3_context *ctx, json_t *rows, vc_code code, vc_error *err)
{
	char	   *text;

	if (code != VC_OK)
		viper_sqlite_raise(ctx, err);
	else if ((text = json_dumps(rows, JSON_COMPACT)) == NULL)
		sqlite3_result_error_nomem(ctx);
	else
	{
		sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
		free(text);
	}
	json_decref(rows);
}

/* viper_plan(schemas[, options]) → JSON array of op rows; applies nothing */
void
viper_sqlite_plan(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	json_t	   *schemas = NULL,
			   *options = NULL,
			   *rows = NULL;
	vc_plan    *plan = NULL;
	vc_error	err;
	vc_code		code;
	size_t		i;

	vc_error_clear(&err);
	code = read_args(argc, argv, &schemas, &options, &err);
	if (code == VC_OK && schemas == NULL)
	{
		sqlite3_result_null(ctx);
		return;
	}
	if (code == VC_OK)
		code = build_plan(db, schemas, options, &plan, &err);
	if (code == VC_OK && (rows = json_array()) == NULL)
		code = vc_error_set(&err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	for (i = 0; code == VC_OK && i < plan->nops; i++)
		code = append_row(rows, &plan->ops[i],
						  plan->ops[i].applies ? plan->ops[i].sql : NULL,
						  plan->ops[i].warning, &err);
	vc_plan_free(plan);
	json_decref(schemas);
	json_decref(options);
	result_rows(ctx, rows, code, &err);
}

/* ---- applying it ---- */

/* What migrate changes on the connection, to put back afterwards. */
typedef struct conn_settings
{
	int			fkey;
	int			legacy_alter;
	int			dqs_dml;
	int			dqs_ddl;
} conn_settings;

static void
settings_read(sqlite3 *db, conn_settings *s)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &s->fkey);
	sqlite3_db_config(db, SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, -1,
					  &s->legacy_alter);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, -1, &s->dqs_dml);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, -1, &s->dqs_ddl);
}

/* Apply s; only called outside a transaction (foreign_keys needs that). */
static void
settings_apply(sqlite3 *db, const conn_settings *s)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, s->fkey, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_LEGACY_ALTER_TABLE, s->legacy_alter,
					  NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, s->dqs_dml, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, s->dqs_ddl, NULL);
}

static bool
plan_rebuilds(const vc_plan *p)
{
	size_t		i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].applies && p->ops[i].sqlite_rebuild)
			return true;
	return false;
}

/*
 * The start of a failure message: "could not apply <Op> "<target>"", or
 * "could not rebuild table "<t>"" for the op that carries a rebuild (it
 * stands for every change of that table).
 */
static void
op_what(const vc_plan_op *op, char *buf, size_t size)
{
	char		echo[VC_ECHO_BUFSZ];
	const char *target = op->target ? op->target : "";

	if (op->sqlite_rebuild && op->rebuild_table != NULL)
		snprintf(buf, size, "could not rebuild table \"%s\"",
				 vc_echo(echo, sizeof(echo), op->rebuild_table,
						 strlen(op->rebuild_table)));
	else
		snprintf(buf, size, "could not apply %s \"%s\"", vc_op_name(op->kind),
				 vc_echo(echo, sizeof(echo), target, strlen(target)));
}

/* Does the query return a row? -1 (err set) on failure. */
static int
query_has_row(sqlite3 *db, const char *sql, const char *bind, const char *what,
			  vc_error *err)
{
	sqlite3_stmt *st = NULL;
	int			rc;
	int			found = -1;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && bind != NULL)
		rc = sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
	{
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			found = rc == SQLITE_ROW;
	}
	if (found < 0)
		viper_sqlite_db_error(db, rc, what, NULL, err);
	sqlite3_finalize(st);
	return found;
}

/*
 * Step 10 of SQLite's rebuild procedure: the rebuilt table's own foreign
 * keys, and those of every table that refers to it, must still hold.
 * Violations of other parents by a child table are not this migrate's
 * doing and are left alone.
 */
static vc_code
check_foreign_keys(sqlite3 *db, const vc_plan_op *op, vc_error *err)
{
	static const char sql[] =
		"SELECT c.\"table\", c.parent FROM main.sqlite_master AS m"
		" JOIN pragma_foreign_key_check(m.name, 'main') AS c"
		" WHERE m.type = 'table'"
		" AND (m.name = ?1 COLLATE NOCASE OR c.parent = ?1 COLLATE NOCASE)"
		" AND (m.name = ?1 COLLATE NOCASE OR EXISTS (SELECT 1"
		"  FROM pragma_foreign_key_list(m.name, 'main') AS f"
		"  WHERE f.\"table\" = ?1 COLLATE NOCASE))"
		" LIMIT 1";
	sqlite3_stmt *st = NULL;
	int			rc;
	char		what[VC_ERRMSG_LEN];
	vc_code		code = VC_OK;

	op_what(op, what, sizeof(what));
	if (op->rebuild_table == NULL)
		return VC_OK;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, op->rebuild_table, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		vc_error_set(err, VC_ERR_INVALID_PARAM, "%s: a foreign key would not hold",
					 what);
		vc_error_detail(err, "A row of table \"%s\" refers to a missing row of table \"%s\".",
						(const char *) sqlite3_column_text(st, 0),
						(const char *) sqlite3_column_text(st, 1));
		vc_error_hint(err, "Nothing was changed. Fix the rows, or the model, and run viper_migrate again.");
		code = VC_ERR_INVALID_PARAM;
	}
	else if (rc != SQLITE_DONE)
		code = viper_sqlite_db_error(db, rc, what, NULL, err);
	sqlite3_finalize(st);
	return code;
}

/*
 * Indexes and triggers of a table that is about to be rebuilt. DROP TABLE
 * takes them with it; the rebuild statements re-create the model's own,
 * and step 8 of SQLite's procedure re-creates the others (made by hand)
 * from their saved text. Returns a JSON array of [name, sql] or NULL
 * (err set).
 */
static json_t *
save_table_objects(sqlite3 *db, const char *table, const char *what,
				   vc_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t	   *saved = json_array();
	int			rc;

	if (saved == NULL)
	{
		vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v2(db,
							"SELECT name, sql FROM main.sqlite_master"
							" WHERE tbl_name = ?1 COLLATE NOCASE"
							" AND type IN ('index', 'trigger') AND sql IS NOT NULL"
							" ORDER BY type, name", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		rc = SQLITE_OK;
		if (json_array_append_new(saved,
								  json_pack("[ss]",
											(const char *) sqlite3_column_text(st, 0),
											(const char *) sqlite3_column_text(st, 1))) != 0)
			rc = SQLITE_NOMEM;
	}
	if (rc != SQLITE_DONE)
	{
		viper_sqlite_db_error(db, rc, what, NULL, err);
		json_decref(saved);
		saved = NULL;
	}
	sqlite3_finalize(st);
	return saved;
}

/* Does the plan remove this index or constraint itself? */
static bool
plan_removes(const vc_plan *p, const char *name)
{
	size_t		i;

	for (i = 0; i < p->nops; i++)
		if ((p->ops[i].kind == VC_OP_REMOVE_INDEX ||
			 p->ops[i].kind == VC_OP_REMOVE_CONSTRAINT) &&
			p->ops[i].target != NULL && sqlite3_stricmp(p->ops[i].target, name) == 0)
			return true;
	return false;
}

/*
 * After the rebuild: re-create every saved index or trigger that is gone
 * and that the plan did not mean to remove. One that no longer fits the
 * new table (it names a removed column) fails the whole migrate.
 */
static vc_code
restore_table_objects(sqlite3 *db, const vc_plan *p, const json_t *saved,
					  const char *what, vc_error *err)
{
	size_t		i;
	json_t	   *o;

	json_array_foreach(saved, i, o)
	{
		const char *name = json_string_value(json_array_get(o, 0));
		const char *sql = json_string_value(json_array_get(o, 1));
		int			exists;
		int			rc;

		if (name == NULL || sql == NULL || plan_removes(p, name))
			continue;
		exists = query_has_row(db, "SELECT 1 FROM main.sqlite_master WHERE name = ?1",
							   name, what, err);
		if (exists < 0)
			return err->code;
		if (exists)
			continue;
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
		{
			char		echo[VC_ECHO_BUFSZ];
			vc_code		code;

			code = viper_sqlite_db_error(db, rc, what, NULL, err);
			/* not a bug: the object no longer fits the model's table */
			if (code == VC_ERR_INTERNAL)
				code = err->code = VC_ERR_INVALID_PARAM;
			vc_error_detail(err, "\"%s\" is not part of the model; it could not be re-created on the rebuilt table.",
							vc_echo(echo, sizeof(echo), name, strlen(name)));
			vc_error_hint(err, "Nothing was changed. Drop it or change it to fit the new table, then run viper_migrate again.");
			return code;
		}
	}
	return VC_OK;
}

/* The error of a REFUSE precheck that found a row (nothing is applied). */
static vc_code
refuse(vc_error *err, vc_code code, const char *message, const char *hint,
	   const char *what)
{
	vc_error_set(err, code, "%s", message ? message : what);
	if (hint != NULL)
	{
		vc_error_detail(err, "Nothing was changed.");
		vc_error_hint(err, "%s", hint);
	}
	else
		vc_error_hint(err, "Nothing was changed.");
	return code;
}

/* Precheck, statements and foreign-key check of one op; adds its row. */
static vc_code
apply_op(sqlite3 *db, const vc_plan *p, const vc_plan_op *op, json_t *rows,
		 vc_error *err)
{
	char		what[VC_ERRMSG_LEN];
	json_t	   *saved = NULL;
	size_t		i;
	vc_code		code;

	if (!op->applies)
		return append_row(rows, op, NULL, op->warning, err);
	op_what(op, what, sizeof(what));

	/* core plans a REFUSE only where force may not override it */
	if (op->precheck_sql != NULL && op->precheck_action != VC_PRECHECK_NONE)
	{
		int			hit = query_has_row(db, op->precheck_sql, NULL, what, err);

		if (hit < 0)
			return err->code;
		if (hit && op->precheck_action == VC_PRECHECK_REFUSE)
			return refuse(err, op->precheck_code, op->precheck_message, op->precheck_hint,
						  what);
		if (hit)
			return append_row(rows, op, NULL,
							  op->precheck_message ? op->precheck_message : op->warning,
							  err);
	}
	if (op->precheck2_sql != NULL)
	{
		int			hit = query_has_row(db, op->precheck2_sql, NULL, what, err);

		if (hit < 0)
			return err->code;
		if (hit)
			return refuse(err, op->precheck2_code, op->precheck2_message, NULL, what);
	}

	if (op->sqlite_rebuild && op->rebuild_table != NULL &&
		(saved = save_table_objects(db, op->rebuild_table, what, err)) == NULL)
		return err->code;
	for (i = 0; i < op->statements.n; i++)
	{
		int			rc = sqlite3_exec(db, op->statements.items[i], NULL, NULL, NULL);

		if (rc != SQLITE_OK)
		{
			code = viper_sqlite_db_error(db, rc, what, NULL, err);
			if (err->hint[0] == '\0')
				vc_error_hint(err, "Nothing was changed.");
			json_decref(saved);
			return code;
		}
	}
	if (saved != NULL)
	{
		code = restore_table_objects(db, p, saved, what, err);
		json_decref(saved);
		if (code != VC_OK)
			return code;
	}
	if (op->sqlite_rebuild && (code = check_foreign_keys(db, op, err)) != VC_OK)
		return code;
	return append_row(rows, op, op->sql, op->warning, err);
}

/* The 25001 refusal: DDL needs a bare top-level call in autocommit mode. */
static void
refuse_in_transaction(sqlite3 *db, vc_error *err)
{
	vc_error_set(err, VC_ERR_ACTIVE_TRANSACTION,
				 "viper_migrate must be called on its own in autocommit mode");
	if (!sqlite3_get_autocommit(db))
		vc_error_detail(err, "A transaction is open on this connection.");
	else
		vc_error_detail(err, "The calling statement reads a table, so it holds a transaction.");
	vc_error_hint(err, "Run \"SELECT viper_migrate(...);\" as a statement of its own, "
				  "outside BEGIN ... COMMIT and without FROM; it runs its own transaction.");
}

/*
 * One locked attempt: BEGIN IMMEDIATE, plan, apply, store, COMMIT. Sets
 * *retry (and rolls back, having changed nothing) when the plan rebuilds a
 * table but the connection is not yet set up for the rebuild procedure.
 */
static vc_code
migrate_locked(sqlite3 *db, const json_t *schemas, const json_t *options,
			   bool rebuild_ready, bool *retry, json_t *rows, vc_error *err)
{
	vc_plan    *plan = NULL;
	vc_code		code;
	size_t		i;
	int			rc;

	*retry = false;
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return viper_sqlite_db_error(db, rc, "could not lock the database for viper_migrate",
									 NULL, err);
	code = build_plan(db, schemas, options, &plan, err);
	if (code == VC_OK && !rebuild_ready && plan_rebuilds(plan))
	{
		*retry = true;
		goto rollback;
	}
	for (i = 0; code == VC_OK && i < plan->nops; i++)
		code = apply_op(db, plan, &plan->ops[i], rows, err);
	if (code == VC_OK)
		code = viper_sqlite_store_plan(db, plan, err);
	if (code == VC_OK)
	{
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			code = viper_sqlite_db_error(db, rc, "could not commit viper_migrate",
										 NULL, err);
	}
	if (code == VC_OK)
	{
		vc_plan_free(plan);
		return VC_OK;
	}
rollback:
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	vc_plan_free(plan);
	return code;
}

/* viper_migrate(schemas[, options]) → JSON array of the applied op rows */
void
viper_sqlite_migrate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	json_t	   *schemas = NULL,
			   *options = NULL,
			   *rows = NULL;
	conn_settings saved;
	conn_settings use;
	bool		rebuild_ready;
	bool		retry = false;
	vc_error	err;
	vc_code		code;

	vc_error_clear(&err);
	if (!sqlite3_get_autocommit(db) ||
		sqlite3_txn_state(db, NULL) != SQLITE_TXN_NONE)
	{
		refuse_in_transaction(db, &err);
		viper_sqlite_raise(ctx, &err);
		return;
	}
	code = read_args(argc, argv, &schemas, &options, &err);
	if (code == VC_OK && schemas == NULL)
	{
		sqlite3_result_null(ctx);
		return;
	}
	if (code != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}

	settings_read(db, &saved);
	use = saved;
	use.dqs_dml = 0;
	use.dqs_ddl = 0;
	settings_apply(db, &use);
	rebuild_ready = !saved.fkey && saved.legacy_alter;
	for (;;)
	{
		json_decref(rows);
		if ((rows = json_array()) == NULL)
		{
			code = vc_error_set(&err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			break;
		}
		code = migrate_locked(db, schemas, options, rebuild_ready, &retry,
							  rows, &err);
		if (code != VC_OK || !retry)
			break;
		/* outside the transaction now: switch to the rebuild procedure */
		use.fkey = 0;
		use.legacy_alter = 1;
		settings_apply(db, &use);
		rebuild_ready = true;
	}
	settings_apply(db, &saved);

	json_decref(schemas);
	json_decref(options);
	result_rows(ctx, rows, code, &err);
}
