/*
 * writes_extra.c — the write functions of DESIGN §6 built from several
 * statements: viper.get_or_create / viper.update_or_create, the
 * many-to-many helpers viper.m2m_add/remove/set/clear, and the
 * single-model helpers viper.get_single / create_single / update_single /
 * get_or_create_single.
 *
 * get_or_create follows core's vc_goc protocol (vc_query.h), all in the
 * caller's transaction:
 *   1. pg_advisory_xact_lock(key of label + lookup): racers on the same
 *      lookup queue here, even without a unique constraint, until the
 *      winner's transaction ends;
 *   2. select the lookup — with a fresh snapshot (SPI read_only = false),
 *      so a racer that waited in 1 sees the row the winner committed;
 *   3. found: get_or_create returns it; update_or_create updates it (by
 *      its primary key) and returns the updated row;
 *   4. not found: insert lookup ∪ defaults (ON CONFLICT DO NOTHING when
 *      core asks for it; compiled only now when core could not build it
 *      up front, so a lookup that finds its row never fails on a field
 *      only an insert would need). No row back means a unique constraint
 *      was hit by
 *      a row that committed meanwhile: select again; still nothing means
 *      the conflict is with a row the lookup does not match (a unique
 *      field of defaults), which is reported as 23505 rather than
 *      swallowed.
 * Two sessions racing therefore end with one row and exactly one
 * created = true (tests/pg/t_get_or_create_race.sh).
 *
 * Memory: as in writes.c — compiled statements and trees in the call's
 * context; core calls that allocate from a compiled statement's pool
 * (vc_value_bind for update_or_create's pk parameter) run with it current.
 */
#include "postgres.h"

#include "spi_json.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "vc_json.h"

#include "engine.h"
#include "perm.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "writes.h"

PG_FUNCTION_INFO_V1(viper_get_or_create);
PG_FUNCTION_INFO_V1(viper_update_or_create);
PG_FUNCTION_INFO_V1(viper_m2m_add);
PG_FUNCTION_INFO_V1(viper_m2m_remove);
PG_FUNCTION_INFO_V1(viper_m2m_set);
PG_FUNCTION_INFO_V1(viper_m2m_clear);
PG_FUNCTION_INFO_V1(viper_get_single);
PG_FUNCTION_INFO_V1(viper_create_single);
PG_FUNCTION_INFO_V1(viper_update_single);
PG_FUNCTION_INFO_V1(viper_get_or_create_single);

/* The model of label, which must be a single model (22023 otherwise). */
static const vc_model *
single_model(const vc_catalog *cat, const char *label)
{
	const vc_model *m = viper_write_model(cat, label);
	vc_error	err;

	if (vc_model_check_single(m, &err) != VC_OK)
		viper_pg_raise(&err);
	return m;
}

/* ---- get_or_create ------------------------------------------------------ */

/* Step 2: the row matching the lookup; P0003 when several match. */
static viper_write_row
goc_select(const vc_goc *g, MemoryContext callctx, const char *what)
{
	bool		more = false;
	viper_write_row r = viper_write_exec_row(g->select, callctx, &more);

	if (more)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_TOO_MANY_ROWS,
					 "%s: more than one \"%s\" row matches the lookup",
					 what, g->select->model->label);
		vc_error_hint(&err, "The lookup must identify at most one row; add fields to it.");
		viper_pg_raise(&err);
	}
	return r;
}

/*
 * Step 3 of update_or_create: update the found row by its primary key
 * (core leaves that parameter for the host) and return the new row.
 */
static viper_write_row
goc_update(vc_goc *g, const json_t *pk, MemoryContext callctx,
		   const vc_perms *perms)
{
	vc_compiled *u = g->update;
	const vc_model *m = u->model;
	MemoryContext oldctx;
	viper_write_row r;
	vc_error	err;
	vc_code		rc;

	if (pk == NULL || json_is_null(pk))
		viper_pg_internal("update_or_create", "the row has no primary key");
	/* the parameter's text comes from the statement's pool: callctx */
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_value_bind(u->pool, m, &m->fields[m->pk], pk,
					   VC_DIALECT_POSTGRESQL, false, false, "value",
					   &u->params[g->pk_param], &err);
	MemoryContextSwitchTo(oldctx);
	if (rc != VC_OK)
		viper_pg_raise(&err);

	r = viper_write_exec_row(u, callctx, NULL);
	if (!r.found)
	{
		vc_error_set(&err, VC_ERR_NO_DATA,
					 "update_or_create: the \"%s\" row matching the lookup was deleted concurrently",
					 m->label);
		vc_error_hint(&err, "Retry the call.");
		viper_pg_raise(&err);
	}
	viper_perm_check_row(perms, u, VC_PERM_UPDATE, r.pk);
	viper_write_notify(m, "update", r.pk, 1);
	return r;
}

/* What a get_or_create call was given, for compiling its insert late. */
typedef struct goc_args
{
	const vc_catalog *cat;
	const char *label;
	const json_t *lookup;
	const json_t *defaults;
	const vc_query_opts *o;
} goc_args;

/*
 * The insert of step 4. Core leaves it out of the vc_goc when the new row
 * cannot be built (a required field neither lookup nor defaults give):
 * that only matters now that a row must be created, so it is compiled
 * here from the same row — lookup keys without "__", then defaults — and
 * its error (e.g. 22023 "field is required") raised.
 */
static const vc_compiled *
goc_insert(const vc_goc *g, const goc_args *args, MemoryContext callctx)
{
	MemoryContext oldctx;
	json_t	   *row;
	const char *key;
	json_t	   *v;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;

	if (g->insert != NULL)
		return g->insert;
	row = viper_json_guard(vc_json_object_new(), callctx);
	if (row == NULL)
		viper_pg_oom();
	json_object_foreach((json_t *) args->lookup, key, v)
	{
		if (strstr(key, "__") == NULL && json_object_set(row, key, v) != 0)
			viper_pg_oom();
	}
	if (args->defaults != NULL && json_is_object(args->defaults) &&
		json_object_update(row, (json_t *) args->defaults) != 0)
		viper_pg_oom();
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_insert(&viper_pg_alloc, args->cat, args->label, row,
						   g->on_conflict, args->o, &c, &err);
	MemoryContextSwitchTo(oldctx);
	return viper_engine_compiled(rc, c, &err, callctx);
}

/* The protocol of the file header; *created says which way it went. */
static viper_write_row
goc_run(vc_goc *g, const goc_args *args, MemoryContext callctx,
		const char *what, bool *created)
{
	viper_write_row r;
	viper_write_row ins;
	const vc_compiled *insert;
	const vc_perms *perms = (const vc_perms *) args->o->perm_ud;

	*created = false;
	viper_engine_check(g->select);
	if (g->lock != NULL)
		viper_engine_exec(g->lock, false, 0);

	r = goc_select(g, callctx, what);
	if (r.found)
		return g->update ? goc_update(g, r.pk, callctx, perms) : r;

	insert = goc_insert(g, args, callctx);
	ins = viper_write_exec_row(insert, callctx, NULL);
	if (ins.found)
	{
		viper_perm_check_row(perms, insert, VC_PERM_INSERT, ins.pk);
		*created = true;
		viper_write_notify(insert->model, "insert", ins.pk, 1);
		return ins;
	}

	/* a unique constraint stopped the insert: the conflicting row */
	r = goc_select(g, callctx, what);
	if (!r.found)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_UNIQUE,
					 "%s: the new \"%s\" row conflicts with an existing row that the lookup does not match",
					 what, insert->model->label);
		vc_error_detail(&err, "A unique field given in defaults holds a value another row already has.");
		viper_pg_raise(&err);
	}
	return g->update ? goc_update(g, r.pk, callctx, perms) : r;
}

/* Compile the protocol's statements in callctx and hand them to it. */
static void
goc_compile(const vc_catalog *cat, const char *label, const json_t *lookup,
			const json_t *defaults, bool update, const vc_query_opts *o,
			MemoryContext callctx, vc_goc *g)
{
	MemoryContext oldctx;
	vc_error	err;
	vc_code		rc;

	memset(g, 0, sizeof(*g));
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_get_or_create(&viper_pg_alloc, cat, label, lookup,
								  defaults, update, o, g, &err);
	MemoryContextSwitchTo(oldctx);
	if (rc != VC_OK)
	{
		vc_goc_free(g);
		viper_pg_raise(&err);
	}
	viper_engine_goc_guard(g, callctx);
}

/*
 * Compile the protocol for (label, lookup, defaults) and run it: the row,
 * *created saying whether it is new.
 */
static viper_write_row
goc_call(const vc_catalog *cat, const char *label, const json_t *lookup,
		 const json_t *defaults, bool update, const vc_query_opts *o,
		 MemoryContext callctx, const char *what, bool *created)
{
	vc_goc		g;
	goc_args	args;

	goc_compile(cat, label, lookup, defaults, update, o, callctx, &g);
	args.cat = cat;
	args.label = label;
	args.lookup = lookup;
	args.defaults = defaults;
	args.o = o;
	return goc_run(&g, &args, callctx, what, created);
}

/* Shared body of get_or_create and update_or_create: one (row, created). */
static Datum
goc_function(FunctionCallInfo fcinfo, bool update)
{
	MemoryContext callctx = CurrentMemoryContext;
	const char *what = update ? "update_or_create" : "get_or_create";
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	size_t		len2 = 0;
	json_t	   *lookup = viper_engine_spec(fcinfo, 1, callctx, &len);
	json_t	   *defaults = viper_engine_spec(fcinfo, 2, callctx, &len2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const vc_catalog *cat;
	vc_query_opts o;
	viper_write_row r;
	bool		created;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	InitMaterializedSRF(fcinfo, 0);
	cat = viper_engine_begin(callctx, len + len2, NULL, &o);
	r = goc_call(cat, label, lookup, defaults, update, &o, callctx, what,
				 &created);
	SPI_finish();

	values[0] = r.jsonb;
	values[1] = BoolGetDatum(created);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/*
 * viper.get_or_create(model text, lookup jsonb, defaults jsonb) →
 * TABLE(row jsonb, created boolean).
 */
static Datum
get_or_create_body(PG_FUNCTION_ARGS)
{
	return goc_function(fcinfo, false);
}

/*
 * viper.update_or_create(model text, lookup jsonb, defaults jsonb) →
 * TABLE(row jsonb, created boolean): defaults are applied to the found
 * row, or go into the new one.
 */
static Datum
update_or_create_body(PG_FUNCTION_ARGS)
{
	return goc_function(fcinfo, true);
}

/* ---- many-to-many ------------------------------------------------------- */

/*
 * viper.m2m_<op>(model text, pk jsonb, field text, pks jsonb) → bigint:
 * links added/removed (set: both). Every statement core returns runs in
 * order; the junction table has no model of its own, so no event is sent.
 */
static Datum
m2m_function(FunctionCallInfo fcinfo, vc_m2m_op op)
{
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	char	   *label = viper_engine_label(fcinfo, 0);
	json_t	   *pk = viper_jsonb_to_json(PG_GETARG_DATUM(1), callctx);
	char	   *field = text_to_cstring(PG_GETARG_TEXT_PP(2));
	json_t	   *pks = viper_jsonb_to_json(PG_GETARG_DATUM(3), callctx);
	const vc_catalog *cat;
	vc_query_opts o;
	vc_compiled **list;
	size_t		n = 0;
	size_t		i;
	vc_error	err;
	vc_code		rc;
	int64		total = 0;

	/* core fills at most two statements (set: delete, then add) */
	list = MemoryContextAllocZero(callctx, 2 * sizeof(vc_compiled *));
	cat = viper_engine_begin(callctx, 0, NULL, &o);
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_m2m(&viper_pg_alloc, cat, label, op, pk, field, pks, &o,
						list, &n, &err);
	MemoryContextSwitchTo(oldctx);
	if (rc != VC_OK)
		viper_pg_raise(&err);
	viper_engine_list_guard(list, n, callctx);
	for (i = 0; i < n; i++)
	{
		viper_engine_check(list[i]);
		total += viper_write_exec_count(list[i]);
	}
	SPI_finish();
	PG_RETURN_INT64(total);
}

static Datum
m2m_add_body(PG_FUNCTION_ARGS)
{
	return m2m_function(fcinfo, VC_M2M_ADD);
}

static Datum
m2m_remove_body(PG_FUNCTION_ARGS)
{
	return m2m_function(fcinfo, VC_M2M_REMOVE);
}

static Datum
m2m_set_body(PG_FUNCTION_ARGS)
{
	return m2m_function(fcinfo, VC_M2M_SET);
}

static Datum
m2m_clear_body(PG_FUNCTION_ARGS)
{
	return m2m_function(fcinfo, VC_M2M_CLEAR);
}

/* ---- single models ------------------------------------------------------ */

/* {"limit": 1}: the spec of get_single (guarded by ctx). */
static json_t *
limit_one_spec(MemoryContext ctx)
{
	json_t	   *spec = viper_json_guard(vc_json_object_new(), ctx);

	if (spec == NULL || json_object_set_new(spec, "limit", json_integer(1)) != 0)
		viper_pg_oom();
	return spec;
}

/* viper.get_single(model text) → jsonb: the row; P0002 when none yet. */
static Datum
get_single_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	char	   *label = viper_engine_label(fcinfo, 0);
	json_t	   *spec = limit_one_spec(callctx);
	const vc_catalog *cat;
	const vc_model *m;
	vc_query_opts o;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		rc;
	Datum		result;

	cat = viper_engine_begin(callctx, 0, NULL, &o);
	m = single_model(cat, label);
	oldctx = MemoryContextSwitchTo(callctx);
	rc = vc_compile_query(&viper_pg_alloc, cat, label, spec, &o, &c, &err);
	MemoryContextSwitchTo(oldctx);
	c = viper_engine_compiled(rc, c, &err, callctx);
	viper_engine_check(c);
	viper_engine_exec(c, true, 1);
	if (SPI_processed == 0)
	{
		vc_error_set(&err, VC_ERR_NO_DATA,
					 "single model \"%s\" has no row yet", m->label);
		vc_error_hint(&err, "Create it with viper.create_single or viper.get_or_create_single.");
		viper_pg_raise(&err);
	}
	result = viper_engine_first_row(c, callctx);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * viper.create_single(model text, row jsonb) → jsonb: the new row. A
 * second row is refused by the table's one-row guard (23505).
 */
static Datum
create_single_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *row = viper_engine_spec(fcinfo, 1, callctx, &len);
	const vc_catalog *cat;
	vc_query_opts o;
	Datum		result;

	cat = viper_engine_begin(callctx, len, NULL, &o);
	single_model(cat, label);
	result = viper_write_insert(cat, label, row, &o, callctx, "create_single");
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * viper.update_single(model text, changes jsonb) → bigint: 1, or 0 while
 * the single row does not exist.
 */
static Datum
update_single_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *changes = viper_engine_spec(fcinfo, 1, callctx, &len);
	const vc_catalog *cat;
	vc_query_opts o;
	int64		n;

	cat = viper_engine_begin(callctx, len, NULL, &o);
	single_model(cat, label);
	/* no spec: the one row, no max_affected */
	n = viper_write_update(cat, label, NULL, changes, &o, callctx);
	SPI_finish();
	PG_RETURN_INT64(n);
}

/*
 * viper.get_or_create_single(model text, defaults jsonb) → jsonb: the row,
 * created from defaults when there is none (get_or_create with an empty
 * lookup, so racers serialise on the same advisory lock).
 */
static Datum
get_or_create_single_body(PG_FUNCTION_ARGS)
{
	MemoryContext callctx = CurrentMemoryContext;
	char	   *label = viper_engine_label(fcinfo, 0);
	size_t		len = 0;
	json_t	   *defaults = viper_engine_spec(fcinfo, 1, callctx, &len);
	json_t	   *lookup = viper_json_guard(vc_json_object_new(), callctx);
	const vc_catalog *cat;
	vc_query_opts o;
	viper_write_row r;
	bool		created;

	if (lookup == NULL)
		viper_pg_oom();
	cat = viper_engine_begin(callctx, len, NULL, &o);
	single_model(cat, label);
	r = goc_call(cat, label, lookup, defaults, false, &o, callctx,
				 "get_or_create_single", &created);
	SPI_finish();
	PG_RETURN_DATUM(r.jsonb);
}

/*
 * Entry points: each body runs under viper_perm_guarded, which closes
 * the bypass scope a spec with ignore_permissions opens (perm.h).
 */
Datum
viper_get_or_create(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, get_or_create_body);
}

Datum
viper_update_or_create(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, update_or_create_body);
}

Datum
viper_m2m_add(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, m2m_add_body);
}

Datum
viper_m2m_remove(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, m2m_remove_body);
}

Datum
viper_m2m_set(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, m2m_set_body);
}

Datum
viper_m2m_clear(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, m2m_clear_body);
}

Datum
viper_get_single(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, get_single_body);
}

Datum
viper_create_single(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, create_single_body);
}

Datum
viper_update_single(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, update_single_body);
}

Datum
viper_get_or_create_single(PG_FUNCTION_ARGS)
{
	return viper_perm_guarded(fcinfo, get_or_create_single_body);
}
