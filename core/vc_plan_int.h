/*
 * vc_plan_int.h — private structures shared by the planner's files:
 * vc_plan_live.c (inputs: options, catalog rows, introspection JSON),
 * vc_plan_types.c (type spellings), vc_plan_diff.c (per-table comparison),
 * vc_plan.c (public API, creates/drops, SQLite rebuilds, assembly).
 * Hosts include vc_plan.h only.
 *
 * Memory: everything that lives only during one vc_plan_build call sits in
 * a scratch vc_pool (ctx->tmp) released at the end; strings handed to the
 * caller live in the plan's pool; statement lists use the caller's
 * allocator and are freed by vc_plan_free. Introspection strings are
 * borrowed from the caller's json_t (alive for the whole call).
 */
#ifndef VC_PLAN_INT_H
#define VC_PLAN_INT_H

#include "vc_model_int.h"
#include "vc_plan.h"

/* ---- introspection (vc_plan_live.c) ---- */

typedef struct pl_strs
{
	const char **v;				/* entries may be NULL (expression columns) */
	size_t		n;
} pl_strs;

typedef struct pl_column
{
	const char *name;
	const char *type;
	bool		nullable;
	const char *def;			/* NULL: no default */
	bool		identity;
	bool		primary_key;
} pl_column;

typedef struct pl_index
{
	const char *name;
	pl_strs		columns;
	bool		unique;
	bool		primary;
	bool		constraint;
	const char *predicate;
} pl_index;

typedef struct pl_check
{
	const char *name;			/* may be NULL (SQLite) */
	const char *expression;
} pl_check;

typedef struct pl_unique
{
	const char *name;			/* may be NULL (SQLite) */
	pl_strs		columns;
} pl_unique;

typedef struct pl_fk
{
	const char *name;			/* may be NULL (SQLite) */
	pl_strs		columns;
	const char *ref_table;
	pl_strs		ref_columns;
	const char *on_delete;
} pl_fk;

typedef struct pl_table
{
	const char *name;
	bool		exists;
	pl_column  *columns;
	size_t		ncolumns;
	pl_index   *indexes;
	size_t		nindexes;
	pl_check   *checks;
	size_t		nchecks;
	pl_unique  *uniques;
	size_t		nuniques;
	pl_fk	   *fks;
	size_t		nfks;
	pl_strs		triggers;
	/* false when the host left the key out: that kind is then taken from
	 * the catalog (present when the catalog has it) */
	bool		has_indexes;
	bool		has_checks;
	bool		has_uniques;
	bool		has_fks;
	bool		has_triggers;
	bool		has_rls;
	bool		rls_enabled;
	bool		rls_forced;
} pl_table;

/* ---- one planned operation before assembly ---- */

typedef enum pl_phase
{
	PH_CREATE = 0,				/* CreateTable (dependency order) */
	PH_CREATE_FK,				/* FKs of creation cycles (PostgreSQL) */
	PH_RENAME,					/* RenameColumn */
	PH_DROP_OBJ,				/* RemoveIndex / RemoveConstraint */
	PH_ADD,						/* AddColumn */
	PH_ALTER,					/* AlterColumn, RunSQL (row security) */
	PH_ADD_OBJ,					/* CreateIndex / AddConstraint */
	PH_REMOVE,					/* RemoveColumn and warning rows */
	PH_DROP_TABLE,				/* DropTable */
	PH__COUNT
} pl_phase;

typedef struct pl_op
{
	pl_phase	phase;
	const char *table;			/* the existing table it changes, or NULL */
	bool		rebuild;		/* SQLite: only a table rebuild can do it */
	bool		hinted_drop;	/* RemoveColumn of a rename-hint column */
	bool		emitted;		/* moved into the plan already */
	const char *hint_column;	/* that column */
	vc_plan_op	op;
} pl_op;

/* Per existing table of a desired model: what its SQLite rebuild copies. */
typedef struct pl_tstate
{
	const vc_model *m;
	const pl_table *lt;
	const char **src;			/* per field: live column the data comes from */
	const char **expr;			/* per field: copy expression, NULL = src */
	const char **extra;			/* live columns not in the model */
	size_t		nextra;
	bool		rebuild;
} pl_tstate;

typedef struct pl_ctx
{
	const vc_alloc *a;
	vc_dialect	d;
	vc_error   *err;
	vc_pool    *tmp;			/* scratch */
	vc_pool    *out;			/* the plan's pool */

	bool		force;
	bool		allow_drop;
	const char **apps;
	size_t		napps;
	bool		apps_given;

	vc_model  **cat;			/* parsed catalog models (vc_model_free) */
	size_t		ncat;
	vc_model_ref *refs;
	size_t		nrefs;
	vc_modelset *set;
	const json_t *live;

	pl_op	   *ops;
	size_t		nops;
	size_t		capops;
	pl_tstate  *ts;
	size_t		nts;
} pl_ctx;

/* vc_plan_live.c */
vc_code		pl_parse_options(pl_ctx *c, const json_t *options);
vc_code		pl_parse_catalog(pl_ctx *c, const json_t *catalog);
void		pl_free_catalog(pl_ctx *c);
vc_code		pl_live_table(pl_ctx *c, const char *table, pl_table **out);
bool		pl_app_planned(const pl_ctx *c, const char *app);
const vc_model *pl_catalog_model(const pl_ctx *c, const char *label);
const pl_column *pl_live_column(const pl_table *t, const char *name);

/* vc_plan_types.c */
/* Canonical spelling of a host type (buffer of outsz bytes). */
void		pl_canon_type(vc_dialect d, const char *type, char *out, size_t outsz);
/* Canonical spelling of a field's column type; false when it has none. */
bool		pl_field_canon(vc_dialect d, const vc_field *f, char *out, size_t outsz);
/* A field standing for a live column type; false for an unknown type. */
bool		pl_pseudo_field(vc_dialect d, const char *canon, bool identity,
							vc_field *f, vc_field *base);
/* Display spelling (PostgreSQL's short names on both dialects). */
void		pl_display_type(const vc_field *f, const char *fallback, char *out,
							size_t outsz);
/* Compare two expressions ignoring case and blanks. */
bool		pl_expr_equal(const char *a, const char *b);
bool		pl_ieq(const char *a, const char *b);
/* A name that may be put between double quotes as it is. */
bool		pl_ident_ok(const char *name);

/* vc_plan_diff.c */
vc_code		pl_diff_table(pl_ctx *c, const vc_model *m, const pl_table *lt);

/* vc_plan.c: op building helpers shared with vc_plan_diff.c */
pl_op	   *pl_new_op(pl_ctx *c, pl_phase ph, vc_op_kind kind, const char *target,
					  const char *table);
vc_code		pl_push_sql(pl_ctx *c, pl_op *op, char *sql);
char	   *pl_strdup_out(pl_ctx *c, const char *s);
char	   *pl_printf_out(pl_ctx *c, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
char	   *pl_printf_tmp(pl_ctx *c, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
vc_code		pl_oom(pl_ctx *c);

#endif
