/*
 * vc_plan.h — the schema-sync planner (DESIGN §4, §12 "Schema sync"):
 * compare the desired models with the LIVE database (host introspection)
 * and the catalog (the schemas applied last time), and list the operations
 * that bring the database to the desired state. Core never executes them.
 *
 * The boundary with the hosts is JSON, so both hosts feed the same planner:
 *
 * 1. The host reads the catalog rows (viper.models / viper_models) into a
 *    JSON array  [{"label": "blog.Post", "schema": {...normalised...}}, ...]
 *    and calls vc_plan_tables() to learn which tables to introspect.
 * 2. For each of those tables it produces the introspection object below
 *    (viper.introspect(table) returns exactly this) and collects them into
 *    a JSON object keyed by table name.
 * 3. vc_plan_build() parses, validates and diffs; the host runs each op's
 *    precheck (if any) and statements in order, inside one transaction
 *    under a lock, then stores vc_plan.store / deletes vc_plan.unstore in
 *    the catalog.
 *
 * Introspection JSON (contract between hosts and core; types are the
 * host's own spelling: PostgreSQL format_type(), SQLite's declared type):
 * {
 *   "table": "blog_post", "exists": true,
 *   "columns": [ {"name": "id", "type": "integer", "nullable": false,
 *                 "default": null | "<default expression text>",
 *                 "identity": true, "primary_key": true}, ... ],   (in order)
 *   "indexes": [ {"name": "...", "columns": ["a", "b"] (null entries for
 *                 expressions), "unique": false, "primary": false,
 *                 "constraint": false (backs a UNIQUE/PK constraint),
 *                 "predicate": null | "<WHERE text>"}, ... ],
 *   "checks": [ {"name": "...", "expression": "<text>"}, ... ],
 *   "uniques": [ {"name": "...", "columns": ["a", "b"]}, ... ],
 *   "foreign_keys": [ {"name": "..." | null, "columns": ["author_id"],
 *                      "ref_table": "blog_author", "ref_columns": ["id"],
 *                      "on_delete": "CASCADE" | "RESTRICT" | "SET NULL" |
 *                                   "SET DEFAULT" | "NO ACTION"}, ... ],
 *   "triggers": ["name", ...],
 *   "row_security": {"enabled": true, "forced": true}      (PostgreSQL only)
 * }
 * A table that does not exist is {"table": "x", "exists": false}.
 *
 * What is compared with what (so a second migrate plans nothing, and a
 * hand-made change is seen):
 *   live:    table existence, column existence, column type, nullability,
 *            index/constraint/foreign-key existence by name, index columns
 *            and uniqueness, FK target table and on_delete, PostgreSQL row
 *            security, SQLite single-row trigger;
 *   catalog: defaults, CHECK text, index predicates (hosts print these
 *            differently from how they were written), old_name history.
 *
 * Op rows (DESIGN §4/§12): op is one of CreateTable, DropTable, AddColumn,
 * RemoveColumn, RenameColumn, AlterColumn, CreateIndex, RemoveIndex,
 * AddConstraint, RemoveConstraint, RunSQL; target is "app.Model" for table
 * operations, "app.Model.field" for column operations, the index or
 * constraint name for those. A warning rides on the row it concerns; a row
 * that applies nothing (e.g. RemoveColumn without allow_drop) has
 * applies = false and sql NULL.
 *
 * Row conventions (vc_plan.c, vc_plan_diff.c):
 *   - Order: CreateTable rows (FK targets first), the FKs deferred out of
 *     creation cycles (AddConstraint, PostgreSQL only: SQLite accepts a
 *     REFERENCES to a table created later), RenameColumn, index/constraint
 *     removals, AddColumn, AlterColumn + RunSQL (and SQLite rebuild
 *     groups), index/constraint additions, RemoveColumn and its warning
 *     rows, DropTable (junction tables and children first). A changed
 *     index/constraint is a Remove row followed later by an Add/Create row
 *     of the same name; removals come before the ALTERs so a constraint
 *     that no longer fits never blocks a type change.
 *   - CreateTable "app.Model": CREATE TABLE, its indexes, the single-row
 *     guard and (PostgreSQL, meta.permissions) ENABLE + FORCE ROW LEVEL
 *     SECURITY, all in one row. Junction tables are their own CreateTable
 *     rows "app.Model.field", after every model table.
 *   - AlterColumn: one row per column holding every statement (type — with
 *     DROP DEFAULT before and SET DEFAULT after when a default exists —
 *     the UPDATE filling NULLs with the default, SET/DROP NOT NULL,
 *     SET/DROP DEFAULT). The type change's warning, its narrowing precheck
 *     and the NOT NULL precheck ride on it (both: NOT NULL is precheck,
 *     narrowing precheck2).
 *   - A column added with AddColumn carries its named UNIQUE/CHECK/
 *     REFERENCES in the column definition: no AddConstraint rows for them.
 *   - Single-row guard: PostgreSQL CreateIndex/RemoveIndex "<t>_single";
 *     SQLite RunSQL "<t>_single" (CREATE TRIGGER / DROP TRIGGER).
 *   - Row security of an existing table (PostgreSQL, model with
 *     permissions): RunSQL "app.Model" with the missing ENABLE/FORCE.
 *   - Models leaving the set (catalog models of the planned apps): DropTable
 *     with allow_drop (label in unstore), else a warning row (applies
 *     false; not unstored). A leaving model whose table is already gone is
 *     unstored without a row.
 *   - SQLite table rebuild: every row of a table that must be rebuilt
 *     (AlterColumn, Add/RemoveConstraint, RemoveColumn, an AddColumn that
 *     ALTER TABLE cannot do — and then also that table's renames, index
 *     rows and added columns) forms ONE group of consecutive rows, all with
 *     sqlite_rebuild = true and rebuild_table set. Only the LAST row of the
 *     group holds the statements (the whole rebuild, vc_ddl.h procedure);
 *     the other rows apply nothing themselves: empty statement list, sql
 *     "-- done by the rebuild of table \"t\"". Prechecks of earlier rows
 *     (narrowing REFUSE, reading the OLD column names) run before the last
 *     row as usual. Rename hints of dropped columns become one SKIP
 *     precheck on the last row: SKIP there means the whole group did not
 *     happen. Renamed columns are copied from their old names; with force
 *     a narrowed text column is copied through substr(col, 1, n) and an
 *     incompatible one through CAST(col AS <type>). A rebuild that would
 *     lose a live column the model does not list, without allow_drop, is
 *     refused (22023) instead. Triggers other than viper's single-row guard
 *     do not survive a rebuild.
 * Introspection matching: objects are found by name; when SQLite cannot
 * name one (name null) a unique/FK is matched by its columns and a CHECK
 * by its expression text (blanks and case outside literals ignored). When
 * a host leaves a key out ("checks", "uniques", "indexes", "foreign_keys",
 * "triggers"), objects of that kind are taken as present when the catalog
 * has them. The allocator given to vc_plan_build/register must outlive the
 * plan (vc_plan_free uses it).
 *
 * Refusals raised by vc_plan_build (nothing is planned, nothing applied):
 *   22023 incompatible type change without {"force": true}, naming the
 *         field ("app.Model.field"), from and to types; unknown option;
 *   22023 an SQLite rebuild that would lose a column not in the model
 *         (without allow_drop);
 *   any error of vc_modelset_parse (bad schema, 42P01 unknown FK target...);
 *   XX000 a malformed catalog row or introspection object, or a table of
 *         vc_plan_tables missing from `live` (host bugs).
 * Refusals found by running a precheck (the host raises them, nothing is
 * applied; core plans a REFUSE precheck only where it applies, so the host
 * raises it whatever the options):
 *   22001 narrowing when existing data does not fit (no precheck with
 *         force: the data is cut or the conversion fails);
 *   22023 a column becoming NOT NULL (AlterColumn, null true → false)
 *         without a default while a row holds NULL there:
 *         SELECT 1 FROM "t" WHERE "c" IS NULL LIMIT 1;
 *   22023 AddColumn of a NOT NULL column without a default to a table
 *         that has rows: SELECT 1 FROM "t" LIMIT 1.
 *   force does not lift the last two: it does not invent values.
 * NOT NULL with a default fills existing NULLs in the same row: PostgreSQL
 * runs UPDATE "t" SET "c" = <default> WHERE "c" IS NULL before SET NOT
 * NULL (<default> as vc_ddl_default_sql renders it: a literal, or now()
 * and the like for auto_now); the SQLite rebuild copies
 * coalesce("c", <default>). An added NOT NULL column with a default is
 * filled by the database (ADD COLUMN ... DEFAULT, or the rebuilt table's
 * DEFAULT for the column the copy leaves out).
 */
#ifndef VC_PLAN_H
#define VC_PLAN_H

#include <stdbool.h>

#include <jansson.h>

#include "vc_ddl.h"
#include "vc_model.h"

typedef enum vc_op_kind
{
	VC_OP_CREATE_TABLE = 0,
	VC_OP_DROP_TABLE,
	VC_OP_ADD_COLUMN,
	VC_OP_REMOVE_COLUMN,
	VC_OP_RENAME_COLUMN,
	VC_OP_ALTER_COLUMN,
	VC_OP_CREATE_INDEX,
	VC_OP_REMOVE_INDEX,
	VC_OP_ADD_CONSTRAINT,
	VC_OP_REMOVE_CONSTRAINT,
	VC_OP_RUN_SQL,
	VC_OP__COUNT
} vc_op_kind;

/* "CreateTable", "DropTable", ... */
const char *vc_op_name(vc_op_kind k);

/* What the host does when an op's precheck query returns a row. */
typedef enum vc_precheck_action
{
	VC_PRECHECK_NONE = 0,		/* no precheck */
	VC_PRECHECK_REFUSE,			/* raise precheck_code/precheck_message,
								 * with or without force: core emits a
								 * REFUSE only for what force may not
								 * override */
	VC_PRECHECK_SKIP			/* do not apply this op; keep its warning */
} vc_precheck_action;

typedef struct vc_plan_op
{
	vc_op_kind	kind;
	char	   *target;
	char	   *sql;			/* display text: the statements joined with
								 * ";\n"; NULL when applies is false */
	char	   *warning;		/* NULL when none */
	bool		applies;		/* false: a warning-only row */
	vc_sql_list statements;		/* what the host executes, in order */
	bool		sqlite_rebuild; /* run with SQLite's rebuild procedure
								 * around it (see vc_ddl.h) */
	char	   *rebuild_table;	/* the table rebuilt (foreign_key_check) */
	/* a query run before the statements; a row back triggers the action */
	char	   *precheck_sql;
	vc_precheck_action precheck_action;
	vc_code		precheck_code;	/* VC_ERR_STRING_TRUNC for narrowing */
	char	   *precheck_message;	/* the error, or the warning on SKIP */
	char	   *precheck_hint;	/* HINT of a REFUSE error; NULL when none */
	/*
	 * A second REFUSE check of the same row, run after the first (the
	 * first is then the NOT NULL check of a column that is also narrowed;
	 * this one is the narrowing test). NULL when none.
	 */
	char	   *precheck2_sql;
	vc_code		precheck2_code;
	char	   *precheck2_message;
} vc_plan_op;

/* A catalog row to write after a successful migrate. */
typedef struct vc_plan_store
{
	char	   *label;
	char	   *app;
	char	   *name;
	char	   *table;			/* where rows live (a proxy's parent table,
								 * an unmanaged model's table); "" for
								 * abstract and virtual models */
	json_t	   *schema;			/* normalised (vc_model_to_json) */
	bool		managed;
	bool		read_only;
	bool		single;
} vc_plan_store;

typedef struct vc_plan
{
	vc_plan_op *ops;
	size_t		nops;
	vc_plan_store *store;		/* every model of the set (within "apps") */
	size_t		nstore;
	char	  **unstore;		/* labels to delete from the catalog */
	size_t		nunstore;
	bool		force;
	bool		allow_drop;
	struct vc_pool *pool;		/* private */
} vc_plan;

/*
 * The table names the host must introspect for this call: the tables of
 * the desired models and their junction tables, and those of catalog
 * models of the same apps (to plan drops). *tables is a new JSON array of
 * strings (json_decref). Errors: as vc_plan_build (the schemas are parsed).
 */
vc_code		vc_plan_tables(const vc_alloc *a, vc_dialect d,
						   const json_t *schemas, const json_t *catalog,
						   const json_t *options, json_t **tables,
						   vc_error *err);

/*
 * Plan. schemas: the desired models (JSON array); catalog: array of
 * {"label", "schema"} rows as applied before; live: object mapping each
 * table of vc_plan_tables to its introspection; options: {"force",
 * "allow_drop", "apps"} (NULL = {}; unknown keys are 22023).
 * *out: vc_plan_free.
 */
vc_code		vc_plan_build(const vc_alloc *a, vc_dialect d, const json_t *schemas,
						  const json_t *catalog, const json_t *live,
						  const json_t *options, vc_plan **out, vc_error *err);

/*
 * register_model: validate one model schema against the catalog (its FK
 * targets may be catalog models) and give the one row to store, without
 * any operation. *out: vc_plan_free (nops == 0, nstore == 1).
 */
vc_code		vc_plan_register(const vc_alloc *a, vc_dialect d,
							 const json_t *schema, const json_t *catalog,
							 vc_plan **out, vc_error *err);

void		vc_plan_free(vc_plan *p);

#endif
