/*
 * engine.c — the query engine's infrastructure in the PostgreSQL host (see
 * engine.h): per-backend catalog cache, kept-plan LRU, parameter binding,
 * execution, result tuples → row JSON, and the for_update / bypass checks
 * shared by reads (query.c) and writes (writes.c).
 *
 * Catalog cache. The catalog lives in its own memory context under
 * TopMemoryContext, allocated through a vc_alloc bound to that context.
 * It is marked stale by a relcache callback: the catalog-bump trigger of
 * viper.models / grants / vendor_features calls viper._catalog_changed(),
 * which queues a relcache invalidation of viper.models. PostgreSQL
 * delivers it to this backend at the next command boundary (and again,
 * undoing, when the transaction aborts) and to every other backend when
 * the transaction commits — the catalog a backend sees follows
 * transaction visibility, and an unchanged catalog costs no query. A
 * stale catalog is freed when no call pins it any more (calls pin it
 * until their memory context is reset, so nested calls are safe).
 *
 * The grants (viper.grants) are read in the same statement and loaded
 * into a vc_perms against that catalog (the catalog-bump trigger fires on
 * viper.grants too, so a grant or revoke invalidates both). Every
 * statement compiled here carries their predicates (vc_query_opts.perm).
 * Grants that no longer validate (a column they name was dropped) make
 * every compile fail with their error until they are revoked: fail
 * closed, never open.
 *
 * Plan cache. Key = compiled SQL text + parameter type OIDs; value = a
 * kept SPIPlanPtr. A hash table with chaining plus an LRU list, bounded
 * by VIPER_PLAN_CACHE_SIZE; entries live in their own memory context.
 * Plans revalidate themselves when the tables change (plancache.c), so
 * the cache needs no flush on migrate.
 */
#include "postgres.h"

#include "spi_json.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "engine.h"
#include "perm.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "viper.h"

PG_FUNCTION_INFO_V1(viper_catalog_changed);

/* ---- allocator over a given memory context ------------------------------ */

static void *
cxt_malloc(size_t size, void *ud)
{
	if (!AllocSizeIsValid(size))
		return NULL;
	return MemoryContextAllocExtended((MemoryContext) ud, size ? size : 1,
									  MCXT_ALLOC_NO_OOM);
}

static void
cxt_free(void *ptr, void *ud)
{
	(void) ud;
	if (ptr != NULL)
		pfree(ptr);
}

/* ---- arguments ---------------------------------------------------------- */

json_t *
viper_engine_spec(FunctionCallInfo fcinfo, int argno, MemoryContext ctx,
				  size_t *spec_len)
{
	char	   *text;
	size_t		len;
	json_t	   *j;

	*spec_len = 0;
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	text = DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(argno)));
	len = strlen(text);
	*spec_len = len;
	j = viper_json_parse(text, len);
	pfree(text);
	return viper_json_guard(j, ctx);
}

char *
viper_engine_label(FunctionCallInfo fcinfo, int argno)
{
	char	   *label = viper_arg_cstring(fcinfo, argno);

	if (label == NULL)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_INVALID_PARAM, "model must not be null");
		viper_pg_raise(&err);
	}
	return label;
}

void
viper_engine_connect(void)
{
	int			rc;

	if ((rc = SPI_connect()) != SPI_OK_CONNECT)
		viper_pg_internal("SPI_connect", SPI_result_code_string(rc));
}

const vc_catalog *
viper_engine_begin(MemoryContext ctx, size_t spec_len, const json_t *spec,
				   vc_query_opts *o)
{
	const vc_catalog *cat;

	viper_engine_connect();
	cat = viper_engine_catalog(ctx);
	viper_engine_opts(o, spec_len, spec);
	return cat;
}

/* ---- catalog cache ------------------------------------------------------ */

typedef struct cat_entry
{
	MemoryContext cxt;			/* owns the entry and the catalog */
	vc_alloc	alloc;			/* over cxt */
	vc_catalog *cat;
	vc_perms   *perms;			/* NULL when the grants did not load */
	vc_error	perms_err;		/* why not */
	int			pins;
	bool		current;		/* still the backend's catalog */
} cat_entry;

typedef struct cat_pin
{
	MemoryContextCallback cb;
	cat_entry  *entry;
} cat_pin;

static cat_entry *cat_current = NULL;
static bool cat_stale = true;
static bool cat_callback_registered = false;
static Oid	cat_models_relid = InvalidOid;

static void
cat_entry_free(cat_entry *e)
{
	vc_perms_free(e->perms);
	vc_catalog_free(e->cat);
	MemoryContextDelete(e->cxt);
}

/* relcache callback: InvalidOid means "everything" (cache reset). */
static void
cat_relcache_inval(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == cat_models_relid)
		cat_stale = true;
}

static void
cat_unpin(void *arg)
{
	cat_pin    *p = (cat_pin *) arg;
	cat_entry  *e = p->entry;

	if (--e->pins == 0 && !e->current)
		cat_entry_free(e);
}

/* viper.models' OID, or InvalidOid while the extension is not there. */
static Oid
models_relid(void)
{
	Oid			nsp = get_namespace_oid("viper", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("models", nsp);
}

/*
 * Read viper.models and the catalog version in one statement and build
 * a new catalog entry. The stale flag is cleared BEFORE reading: an
 * invalidation that arrives while we read marks it stale again.
 */
static cat_entry *
cat_load(bool read_only)
{
	int			rc;
	bool		isnull;
	Datum		d;
	int64		version;
	char	   *rows;
	char	   *grants;
	MemoryContext cxt;
	cat_entry  *e;
	vc_error	err;
	vc_code		vrc;

	if (read_only)
	{
		cat_stale = false;
		cat_models_relid = models_relid();
	}
	rc = SPI_execute("SELECT (SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END"
					 " FROM viper.catalog_version_seq AS s),"
					 " (SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_object("
					 "'label', m.label, 'schema', m.schema) ORDER BY m.label),"
					 " '[]'::pg_catalog.json)::pg_catalog.text FROM viper.models AS m),"
					 " (SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_object("
					 "'model', g.model, 'action', g.action, 'role', g.role,"
					 " 'predicate', g.predicate) ORDER BY g.model, g.action, g.role),"
					 " '[]'::pg_catalog.json)::pg_catalog.text FROM viper.grants AS g)",
					 read_only, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
	{
		cat_stale = true;
		viper_pg_internal("reading viper.models", SPI_result_code_string(rc));
	}
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	version = isnull ? 0 : DatumGetInt64(d);
	rows = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	grants = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

	cxt = AllocSetContextCreate(TopMemoryContext, "viper catalog",
								ALLOCSET_DEFAULT_SIZES);
	e = MemoryContextAllocZero(cxt, sizeof(cat_entry));
	e->cxt = cxt;
	e->alloc.malloc_fn = cxt_malloc;
	e->alloc.free_fn = cxt_free;
	e->alloc.ud = cxt;
	vrc = vc_catalog_load_text(&e->alloc, rows, strlen(rows), version,
							   &e->cat, &err);
	if (vrc != VC_OK)
	{
		MemoryContextDelete(cxt);
		cat_stale = true;
		viper_pg_raise(&err);
	}
	if (vc_perms_load_text(&e->alloc, e->cat, grants, strlen(grants),
						   &e->perms, &e->perms_err) != VC_OK)
		e->perms = NULL;
	return e;
}

const vc_catalog *
viper_engine_catalog(MemoryContext ctx)
{
	cat_pin    *p;

	if (!cat_callback_registered)
	{
		CacheRegisterRelcacheCallback(cat_relcache_inval, (Datum) 0);
		cat_callback_registered = true;
	}
	if (cat_current == NULL || cat_stale)
	{
		cat_entry  *e = cat_load(true);

		if (cat_current != NULL)
		{
			cat_current->current = false;
			if (cat_current->pins == 0)
				cat_entry_free(cat_current);
		}
		e->current = true;
		cat_current = e;
	}
	p = MemoryContextAlloc(ctx, sizeof(cat_pin));
	p->entry = cat_current;
	p->cb.func = cat_unpin;
	p->cb.arg = p;
	cat_current->pins++;
	MemoryContextRegisterResetCallback(ctx, &p->cb);
	return cat_current->cat;
}

void
viper_engine_opts(vc_query_opts *o, size_t spec_len, const json_t *spec)
{
	memset(o, 0, sizeof(*o));
	o->dialect = VC_DIALECT_POSTGRESQL;
	o->max_rows = viper_max_query_rows;
	o->spec_len = spec_len;
	/* the catalog the caller just pinned is the current one */
	if (cat_current == NULL)
		viper_pg_internal("compiling the query", "no catalog pinned");
	if (cat_current->perms == NULL)
		viper_pg_raise(&cat_current->perms_err);

	/*
	 * Bypassed (bypass_permissions, a claimed patch, or the spec asks for
	 * ignore_permissions — whose right viper_engine_check_bypass checks and
	 * audits before anything runs): compile without a predicate, and with
	 * perm_ud NULL the writes check no new rows. The predicate itself has
	 * no bypass term, so the planner can use the grants' indexes.
	 */
	if (viper_perm_bypass_active() ||
		(spec != NULL &&
		 json_is_true(json_object_get(spec, "ignore_permissions"))))
		return;
	o->perm = vc_perms_apply;
	o->perm_ud = cat_current->perms;
}

const vc_catalog *
viper_engine_catalog_fresh(MemoryContext ctx, const vc_perms **perms)
{
	cat_entry  *e = cat_load(false);
	cat_pin    *p;

	/* never the backend's current catalog: freed once ctx lets go of it */
	e->current = false;
	e->pins = 1;
	p = MemoryContextAlloc(ctx, sizeof(cat_pin));
	p->entry = e;
	p->cb.func = cat_unpin;
	p->cb.arg = p;
	MemoryContextRegisterResetCallback(ctx, &p->cb);
	if (e->perms == NULL)
		viper_pg_raise(&e->perms_err);
	*perms = e->perms;
	return e->cat;
}

/*
 * viper._catalog_changed(): called by the catalog-bump trigger; queues a
 * relcache invalidation of viper.models, which every backend's
 * cat_relcache_inval turns into "reload the catalog" — here at the next
 * command boundary, elsewhere once this transaction commits.
 */
Datum
viper_catalog_changed(PG_FUNCTION_ARGS)
{
	Oid			relid = models_relid();

	if (OidIsValid(relid))
		CacheInvalidateRelcacheByRelid(relid);
	PG_RETURN_VOID();
}

/* ---- compiled statements ------------------------------------------------ */

static void
compiled_release(void *arg)
{
	vc_compiled_free((vc_compiled *) arg);
}

vc_compiled *
viper_engine_compiled(vc_code rc, vc_compiled *c, const vc_error *err,
					  MemoryContext ctx)
{
	if (rc != VC_OK)
		viper_pg_raise(err);
	if (c == NULL)
		viper_pg_internal("compiling the query", "no statement");
	viper_on_context_reset(ctx, compiled_release, c);
	return c;
}

static void
goc_release(void *arg)
{
	vc_goc_free((vc_goc *) arg);
}

void
viper_engine_goc_guard(vc_goc *g, MemoryContext ctx)
{
	vc_goc	   *copy = MemoryContextAlloc(ctx, sizeof(vc_goc));

	*copy = *g;
	viper_on_context_reset(ctx, goc_release, copy);
}

typedef struct compiled_list
{
	vc_compiled **list;
	size_t		n;
} compiled_list;

static void
list_release(void *arg)
{
	compiled_list *l = (compiled_list *) arg;

	vc_compiled_free_list(l->list, l->n);
}

void
viper_engine_list_guard(vc_compiled **list, size_t n, MemoryContext ctx)
{
	compiled_list *l = MemoryContextAlloc(ctx, sizeof(compiled_list));

	l->list = list;
	l->n = n;
	viper_on_context_reset(ctx, list_release, l);
}

/* ---- checks shared by every engine function ----------------------------- */

void
viper_engine_audit(const char *action, const char *model, const char *reason,
				   const char *principal)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	int			rc;

	values[0] = CStringGetTextDatum(action);
	if (model != NULL)
		values[1] = CStringGetTextDatum(model);
	else
		nulls[1] = 'n';
	if (reason != NULL)
		values[2] = CStringGetTextDatum(reason);
	else
		nulls[2] = 'n';
	if (principal != NULL)
		values[3] = CStringGetTextDatum(principal);
	else
		nulls[3] = 'n';
	rc = SPI_execute_with_args("INSERT INTO viper.audit_log (action, model, reason, principal)"
							   " VALUES ($1, $2, $3, $4)",
							   4, argtypes, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		viper_pg_internal("writing viper.audit_log", SPI_result_code_string(rc));
}

/* Superusers and members of viper_admin may bypass permissions (§12). */
static bool
may_bypass(void)
{
	Oid			admin;

	if (superuser())
		return true;
	admin = get_role_oid("viper_admin", true);
	return OidIsValid(admin) && is_member_of_role(GetUserId(), admin);
}

void
viper_engine_check(const vc_compiled *c)
{
	if (c->for_update && !IsTransactionBlock())
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_NO_TRANSACTION,
					 "for_update requires a transaction block");
		vc_error_detail(&err, "Row locks taken outside a transaction block are released as soon as the statement ends.");
		vc_error_hint(&err, "Run the query between BEGIN and COMMIT.");
		viper_pg_raise(&err);
	}
	viper_engine_check_bypass(c);
}

void
viper_engine_check_bypass(const vc_compiled *c)
{
	vc_error	err;

	if (c->ignore_permissions)
	{
		char		reason[VC_ERRMSG_LEN];

		if (!may_bypass())
		{
			vc_error_set(&err, VC_ERR_PRIVILEGE,
						 "permission denied to bypass permissions on \"%s\"",
						 c->model->label);
			vc_error_detail(&err, "ignore_permissions needs a superuser or a member of viper_admin.");
			viper_pg_raise(&err);
		}
		snprintf(reason, sizeof(reason), "ignore_permissions on %s",
				 c->model->label);
		viper_engine_audit("bypass", c->model->label, reason,
						   viper_perm_principal());
		/* the server log keeps the line even if the transaction rolls back */
		ereport(LOG,
				(errmsg("viper: row permissions bypassed by %s: %s",
						GetUserNameFromId(GetSessionUserId(), false), reason)));
		/*
		 * c was compiled without a predicate (viper_engine_opts); the RLS
		 * bypass policy passes until this call returns (callers RLS applies to)
		 */
		viper_perm_scope_enter();
	}
}

/* ---- parameter types ---------------------------------------------------- */

static const struct
{
	const char *name;
	Oid			oid;
}			type_map[] =
{
	{"bool", BOOLOID},
	{"int2", INT2OID},
	{"int4", INT4OID},
	{"int8", INT8OID},
	{"float4", FLOAT4OID},
	{"float8", FLOAT8OID},
	{"numeric", NUMERICOID},
	{"text", TEXTOID},
	{"varchar", VARCHAROID},
	{"bpchar", BPCHAROID},
	{"timestamptz", TIMESTAMPTZOID},
	{"timestamp", TIMESTAMPOID},
	{"date", DATEOID},
	{"time", TIMEOID},
	{"timetz", TIMETZOID},
	{"interval", INTERVALOID},
	{"uuid", UUIDOID},
	{"jsonb", JSONBOID},
	{"json", JSONOID},
	{"bytea", BYTEAOID},
	{"inet", INETOID},
	{"cidr", CIDROID},
};

static Oid
type_oid_scalar(const char *name, size_t len)
{
	size_t		i;
	char		buf[NAMEDATALEN];

	for (i = 0; i < lengthof(type_map); i++)
		if (strlen(type_map[i].name) == len &&
			memcmp(type_map[i].name, name, len) == 0)
			return type_map[i].oid;
	if (len == 0 || len >= NAMEDATALEN)
		return InvalidOid;
	/* anything else: a type visible on the search path (pg_catalog first) */
	memcpy(buf, name, len);
	buf[len] = '\0';
	return TypenameGetTypid(buf);
}

Oid
viper_engine_param_type(const vc_param *p)
{
	const char *name = p->pg_type ? p->pg_type : "text";
	size_t		len = strlen(name);
	Oid			oid;

	if (len > 2 && strcmp(name + len - 2, "[]") == 0)
	{
		Oid			elem = type_oid_scalar(name, len - 2);

		oid = OidIsValid(elem) ? get_array_type(elem) : InvalidOid;
	}
	else
		oid = type_oid_scalar(name, len);
	if (!OidIsValid(oid))
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_INTERNAL, "unknown parameter type \"%s\"", name);
		viper_pg_raise(&err);
	}
	return oid;
}

/* ---- plan cache --------------------------------------------------------- */

typedef struct plan_entry
{
	char	   *key;			/* SQL text, NUL, then the type OIDs */
	size_t		keylen;
	uint32		hash;
	SPIPlanPtr	plan;
	struct plan_entry *chain;	/* bucket list */
	struct plan_entry *prev;	/* LRU: prev = more recent */
	struct plan_entry *next;
} plan_entry;

#define PLAN_BUCKETS 512

static MemoryContext plan_cxt = NULL;
static plan_entry *plan_buckets[PLAN_BUCKETS];
static plan_entry *plan_head = NULL;	/* most recently used */
static plan_entry *plan_tail = NULL;
static int	plan_count = 0;

static void
lru_unlink(plan_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		plan_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		plan_tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push(plan_entry *e)
{
	e->prev = NULL;
	e->next = plan_head;
	if (plan_head)
		plan_head->prev = e;
	plan_head = e;
	if (plan_tail == NULL)
		plan_tail = e;
}

static void
plan_evict(plan_entry *e)
{
	plan_entry **pp = &plan_buckets[e->hash % PLAN_BUCKETS];

	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	lru_unlink(e);
	SPI_freeplan(e->plan);
	pfree(e->key);
	pfree(e);
	plan_count--;
}

SPIPlanPtr
viper_engine_plan(const vc_compiled *c)
{
	size_t		keylen = c->sql_len + 1 + c->nparams * sizeof(Oid);
	char	   *key = palloc(keylen);
	Oid		   *types = palloc(sizeof(Oid) * (c->nparams ? c->nparams : 1));
	uint32		hash;
	plan_entry *e;
	SPIPlanPtr	plan;
	size_t		i;

	for (i = 0; i < c->nparams; i++)
		types[i] = viper_engine_param_type(&c->params[i]);
	memcpy(key, c->sql, c->sql_len);
	key[c->sql_len] = '\0';
	if (c->nparams)
		memcpy(key + c->sql_len + 1, types, c->nparams * sizeof(Oid));
	hash = hash_bytes((const unsigned char *) key, (int) keylen);

	for (e = plan_buckets[hash % PLAN_BUCKETS]; e != NULL; e = e->chain)
		if (e->hash == hash && e->keylen == keylen &&
			memcmp(e->key, key, keylen) == 0)
		{
			lru_unlink(e);
			lru_push(e);
			pfree(key);
			pfree(types);
			return e->plan;
		}

	plan = SPI_prepare(c->sql, (int) c->nparams, types);
	if (plan == NULL)
		viper_pg_internal("SPI_prepare", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		viper_pg_internal("SPI_keepplan", SPI_result_code_string(SPI_result));

	if (plan_cxt == NULL)
		plan_cxt = AllocSetContextCreate(TopMemoryContext, "viper plans",
										 ALLOCSET_DEFAULT_SIZES);
	while (plan_count >= VIPER_PLAN_CACHE_SIZE && plan_tail != NULL)
		plan_evict(plan_tail);
	e = MemoryContextAllocZero(plan_cxt, sizeof(plan_entry));
	e->key = MemoryContextAlloc(plan_cxt, keylen);
	memcpy(e->key, key, keylen);
	e->keylen = keylen;
	e->hash = hash;
	e->plan = plan;
	e->chain = plan_buckets[hash % PLAN_BUCKETS];
	plan_buckets[hash % PLAN_BUCKETS] = e;
	lru_push(e);
	plan_count++;
	pfree(key);
	pfree(types);
	return plan;
}

/* ---- binding and execution ---------------------------------------------- */

static Datum
input_datum(Oid type, const char *text)
{
	Oid			typinput,
				typioparam;

	getTypeInputInfo(type, &typinput, &typioparam);
	return OidInputFunctionCall(typinput, (char *) text, typioparam, -1);
}

void
viper_engine_bind(const vc_compiled *c, Datum **values_out, char **nulls_out)
{
	size_t		n = c->nparams ? c->nparams : 1;
	Datum	   *values = palloc0(sizeof(Datum) * n);
	char	   *nulls = palloc(n + 1);
	size_t		i;

	for (i = 0; i < c->nparams; i++)
	{
		const vc_param *p = &c->params[i];
		Oid			type = viper_engine_param_type(p);
		char		buf[32];

		nulls[i] = ' ';
		switch (p->kind)
		{
			case VC_PARAM_NULL:
				nulls[i] = 'n';
				continue;
			case VC_PARAM_BOOL:
				if (type == BOOLOID)
				{
					values[i] = BoolGetDatum(p->b);
					continue;
				}
				break;
			case VC_PARAM_INT:
				if (type == INT8OID)
				{
					values[i] = Int64GetDatum(p->i);
					continue;
				}
				if (type == INT4OID && p->i >= PG_INT32_MIN && p->i <= PG_INT32_MAX)
				{
					values[i] = Int32GetDatum((int32) p->i);
					continue;
				}
				if (type == INT2OID && p->i >= PG_INT16_MIN && p->i <= PG_INT16_MAX)
				{
					values[i] = Int16GetDatum((int16) p->i);
					continue;
				}
				break;
			case VC_PARAM_DOUBLE:
				if (type == FLOAT8OID)
				{
					values[i] = Float8GetDatum(p->d);
					continue;
				}
				break;
			case VC_PARAM_TEXT:
				if (type == TEXTOID || type == VARCHAROID)
				{
					values[i] = PointerGetDatum(cstring_to_text_with_len(p->text, (int) p->len));
					continue;
				}
				break;
			default:
				break;
		}
		/* everything else: the type's input function over canonical text */
		values[i] = input_datum(type, vc_param_pg_text(p, buf));
	}
	nulls[c->nparams] = '\0';
	*values_out = values;
	*nulls_out = nulls;
}

int
viper_engine_exec(const vc_compiled *c, bool read_only, long count)
{
	SPIPlanPtr	plan = viper_engine_plan(c);
	Datum	   *values;
	char	   *nulls;
	volatile int rc = 0;

	viper_engine_bind(c, &values, &nulls);
	if (c->stmt == VC_STMT_INSERT || c->stmt == VC_STMT_UPDATE)
	{
		/* a new row the table's policies refuse: viper's message */
		MemoryContext oldcxt = CurrentMemoryContext;

		PG_TRY();
		{
			rc = SPI_execute_plan(plan, values, nulls, read_only, count);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(oldcxt);
			viper_perm_rethrow(c->model->label,
							   c->stmt == VC_STMT_INSERT ? "insert" : "update");
		}
		PG_END_TRY();
	}
	else
		rc = SPI_execute_plan(plan, values, nulls, read_only, count);
	if (rc < 0)
		viper_pg_internal("running the query", SPI_result_code_string(rc));
	return rc;
}

Portal
viper_engine_cursor(const vc_compiled *c, bool read_only)
{
	SPIPlanPtr	plan = viper_engine_plan(c);
	Datum	   *values;
	char	   *nulls;
	Portal		portal;

	viper_engine_bind(c, &values, &nulls);
	portal = SPI_cursor_open(NULL, plan, values, nulls, read_only);
	if (portal == NULL)
		viper_pg_internal("SPI_cursor_open", SPI_result_code_string(SPI_result));
	return portal;
}

/* ---- rows → JSON -------------------------------------------------------- */

typedef enum col_path
{
	COL_OUTPUT = 0,				/* the type's output function */
	COL_INT2,
	COL_INT4,
	COL_INT8,
	COL_BOOL,
	COL_TEXT,					/* text, varchar, bpchar: the bytes */
	COL_DATETIME				/* JSON's ISO 8601 form, whatever DateStyle */
} col_path;

typedef struct col_info
{
	col_path	path;
	Oid			type;
	FmgrInfo	out;
	char		num[MAXDATELEN + 1];	/* digits / date text of this row */
} col_info;

struct viper_row_writer
{
	const vc_compiled *c;
	TupleDesc	td;				/* a copy: SPI's goes away per fetch */
	int			natts;
	col_info   *cols;
	vc_cell    *cells;
	vc_alloc	alloc;			/* over w's context */
	vc_buf		buf;
	MemoryContext rowcxt;		/* output function results, reset per row */
};

viper_row_writer *
viper_row_writer_new(const vc_compiled *c, TupleDesc td)
{
	viper_row_writer *w = palloc0(sizeof(viper_row_writer));
	int			k;

	/*
	 * Columns past c->ncols are helpers of the statement (ORDER BY terms a
	 * DISTINCT query must select); they are not part of the row.
	 */
	if ((size_t) td->natts < c->ncols)
		viper_pg_internal("reading the result",
						  "fewer columns than the compiled statement describes");
	w->c = c;
	w->td = CreateTupleDescCopy(td);
	w->natts = (int) c->ncols;
	w->cols = palloc0(sizeof(col_info) * (td->natts ? td->natts : 1));
	w->cells = palloc0(sizeof(vc_cell) * (td->natts ? td->natts : 1));
	w->alloc.malloc_fn = cxt_malloc;
	w->alloc.free_fn = cxt_free;
	w->alloc.ud = CurrentMemoryContext;
	vc_buf_init(&w->buf, &w->alloc);
	w->rowcxt = AllocSetContextCreate(CurrentMemoryContext, "viper row",
									  ALLOCSET_SMALL_SIZES);
	for (k = 0; k < td->natts; k++)
	{
		Oid			type = TupleDescAttr(td, k)->atttypid;
		col_info   *ci = &w->cols[k];

		ci->type = type;
		switch (type)
		{
			case INT2OID:
				ci->path = COL_INT2;
				break;
			case INT4OID:
				ci->path = COL_INT4;
				break;
			case INT8OID:
				ci->path = COL_INT8;
				break;
			case BOOLOID:
				ci->path = COL_BOOL;
				break;
			case TEXTOID:
			case VARCHAROID:
			case BPCHAROID:
				ci->path = COL_TEXT;
				break;
			case TIMESTAMPTZOID:
			case TIMESTAMPOID:
			case DATEOID:
				ci->path = COL_DATETIME;
				break;
			default:
				{
					Oid			typoutput;
					bool		varlena;

					ci->path = COL_OUTPUT;
					getTypeOutputInfo(type, &typoutput, &varlena);
					fmgr_info_cxt(typoutput, &ci->out, CurrentMemoryContext);
				}
				break;
		}
	}
	return w;
}

const char *
viper_row_writer_text(viper_row_writer *w, HeapTuple tup, size_t *len)
{
	MemoryContext old;
	vc_error	err;
	int			k;

	MemoryContextReset(w->rowcxt);
	old = MemoryContextSwitchTo(w->rowcxt);
	for (k = 0; k < w->natts; k++)
	{
		col_info   *ci = &w->cols[k];
		vc_cell    *cell = &w->cells[k];
		bool		isnull;
		Datum		d = heap_getattr(tup, k + 1, w->td, &isnull);

		cell->blob = false;
		cell->isnull = isnull;
		if (isnull)
		{
			cell->data = NULL;
			cell->len = 0;
			continue;
		}
		switch (ci->path)
		{
			case COL_INT2:
				cell->len = (size_t) pg_ltoa(DatumGetInt16(d), ci->num);
				cell->data = ci->num;
				break;
			case COL_INT4:
				cell->len = (size_t) pg_ltoa(DatumGetInt32(d), ci->num);
				cell->data = ci->num;
				break;
			case COL_INT8:
				cell->len = (size_t) pg_lltoa(DatumGetInt64(d), ci->num);
				cell->data = ci->num;
				break;
			case COL_BOOL:
				cell->data = DatumGetBool(d) ? "t" : "f";
				cell->len = 1;
				break;
			case COL_TEXT:
				{
					struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));

					cell->data = VARDATA_ANY(v);
					cell->len = VARSIZE_ANY_EXHDR(v);
				}
				break;
			case COL_DATETIME:
				cell->data = JsonEncodeDateTime(ci->num, d, ci->type, NULL);
				cell->len = strlen(cell->data);
				break;
			default:
				cell->data = OutputFunctionCall(&ci->out, d);
				cell->len = strlen(cell->data);
				break;
		}
	}
	MemoryContextSwitchTo(old);

	w->buf.len = 0;
	if (w->buf.data)
		w->buf.data[0] = '\0';
	if (vc_row_json(&w->buf, w->c, w->cells, &err) != VC_OK)
		viper_pg_raise(&err);
	*len = w->buf.len;
	return w->buf.data;
}

Datum
viper_row_writer_json(viper_row_writer *w, HeapTuple tup)
{
	size_t		len;
	const char *text = viper_row_writer_text(w, tup, &len);

	return PointerGetDatum(viper_text_from(text, len));
}

Datum
viper_engine_text_to_jsonb(const char *text, size_t len)
{
	char	   *copy = palloc(len + 1);
	Datum		d;

	memcpy(copy, text, len);
	copy[len] = '\0';
	d = DirectFunctionCall1(jsonb_in, CStringGetDatum(copy));
	pfree(copy);
	return d;
}

Datum
viper_row_writer_jsonb(viper_row_writer *w, HeapTuple tup)
{
	size_t		len;
	const char *text = viper_row_writer_text(w, tup, &len);

	return viper_engine_text_to_jsonb(text, len);
}

Datum
viper_engine_first_row(const vc_compiled *c, MemoryContext ctx)
{
	viper_row_writer *w = viper_row_writer_new(c, SPI_tuptable->tupdesc);
	MemoryContext old = MemoryContextSwitchTo(ctx);
	Datum		d = viper_row_writer_jsonb(w, SPI_tuptable->vals[0]);

	MemoryContextSwitchTo(old);
	return d;
}
