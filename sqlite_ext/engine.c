/*
 * engine.c — the SQLite host's query engine (see engine.h for the role of
 * each part): the per-connection catalog cache, the prepared-statement
 * cache, binding, stepping, row JSON, the checks run before a compiled
 * statement, write transactions, and the max_query_rows setting.
 *
 * Caching: the catalog is reloaded only when the one-row
 * viper_catalog_state says the version moved (read with a cached
 * statement: one cheap step per call). Statements are cached by their
 * compiled SQL text in ENGINE_CACHE_SLOTS slots, least recently used out;
 * a slot in use by a running statement (an open viper_query cursor, a
 * nested call) is never handed out twice nor finalized under its user —
 * a second user of the same SQL prepares a statement of its own.
 *
 * Double-quoted string literals (DESIGN §7): a statement is prepared once
 * with SQLITE_DBCONFIG_DQS_DML off, so an unknown "name" fails. Turning
 * that flag on and off expires EVERY prepared statement of the connection
 * (sqlite3_db_config does so whenever db->flags changes), so it is done
 * only when a statement is prepared, never per call. SQLite re-prepares an
 * expired statement on its next step with the connection's own setting;
 * the statement then holds the same SQL text that already passed the
 * strict prepare, and it can only read differently when the schema moved
 * since. So each statement remembers the schema cookie it was checked at:
 * after a first step that re-prepared it (SQLITE_STMTSTATUS_REPREPARE
 * moved), the cookie is read again and, when it differs, the SQL text is
 * prepared strictly once more — an error fails the call (a write is rolled
 * back with it). The engine also remembers (by 64-bit hash) which texts
 * passed the strict prepare at the current cookie, so a statement that
 * fell out of the cache is prepared again without a flip.
 *
 * Locking: none; SQLite serialises calls on one connection, and nothing
 * here is shared between connections.
 */
#include "engine.h"

#include <stdint.h>
#include <string.h>

#include "schema_sync.h"
#include "vc_json.h"
#include "vc_perm.h"

#define ENGINE_CACHE_SLOTS 64
#define ENGINE_VALIDATED 1024	/* texts known to pass the strict prepare */

/* the grants, in the order vc_perms keeps within a model */
static const char grants_sql[] =
"SELECT model, action, role, predicate FROM main.viper_grants"
" ORDER BY model, action, role";

static const char version_sql[] =
"SELECT version FROM main.viper_catalog_state WHERE id = 1";

/* main's and temp's schema cookies in one number (both only grow) */
static const char cookie_sql[] =
"SELECT (SELECT schema_version FROM main.pragma_schema_version) * 4294967296"
" + (SELECT schema_version FROM temp.pragma_schema_version)";

typedef struct cache_slot
{
	char	   *sql;			/* NULL: free slot */
	size_t		len;
	uint64_t	hash;			/* sql_hash64: a cheap first test before memcmp */
	sqlite3_stmt *st;
	int64_t		cookie;			/* schema cookie of the last strict prepare */
	int			reprep;			/* SQLITE_STMTSTATUS_REPREPARE seen then */
	bool		busy;			/* handed out to a viper_run */
	bool		orphan;			/* flushed while busy: finalize at run end */
	uint64_t	used;			/* LRU clock */
} cache_slot;

struct viper_engine
{
	int			refs;			/* the connection state's, and viper_query's */
	viper_sqlite_conn *conn;	/* NULL once the connection state is gone */
	sqlite3    *db;
	viper_catref *cat;			/* current catalog (engine holds a ref) */
	int64_t		max_query_rows; /* viper_set('max_query_rows', n) */
	bool		vtab_live;		/* viper_query is connected: caching allowed */
	bool		connecting;		/* engine_connect_vtab running */
	uint64_t	clock;
	cache_slot	slots[ENGINE_CACHE_SLOTS];
	/* 64-bit hashes of SQL texts that passed the strict prepare at schema
	 * cookie validated_cookie (direct-mapped, 0 = empty): preparing one of
	 * them again needs no DQS flip (which would expire every statement) */
	int64_t		validated_cookie;
	uint64_t	validated[ENGINE_VALIDATED];
};

/* ---- engine life ---------------------------------------------------------- */

viper_engine *
viper_engine_get(viper_sqlite_conn *conn)
{
	viper_engine *e;

	if (conn->engine != NULL)
		return conn->engine;
	e = sqlite3_malloc64(sizeof(viper_engine));
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->refs = 1;				/* conn->engine */
	e->conn = conn;
	e->db = conn->db;
	conn->engine = e;
	return e;
}

static void
slot_clear(cache_slot *s)
{
	sqlite3_finalize(s->st);
	sqlite3_free(s->sql);
	memset(s, 0, sizeof(*s));
}

void
viper_engine_flush(viper_engine *e)
{
	int			i;

	if (e == NULL)
		return;
	for (i = 0; i < ENGINE_CACHE_SLOTS; i++)
	{
		if (e->slots[i].sql == NULL)
			continue;
		if (e->slots[i].busy)
			e->slots[i].orphan = true;
		else
			slot_clear(&e->slots[i]);
	}
}

void
viper_engine_vtab_live(viper_engine *e, bool live)
{
	if (e == NULL)
		return;
	e->vtab_live = live;
	if (!live)
		viper_engine_flush(e);
}

void
viper_engine_retain(viper_engine *e)
{
	e->refs++;
}

void
viper_engine_release(viper_engine *e)
{
	int			i;

	if (e == NULL || --e->refs > 0)
		return;
	for (i = 0; i < ENGINE_CACHE_SLOTS; i++)
		if (e->slots[i].sql != NULL)
			slot_clear(&e->slots[i]);
	viper_catref_release(e->cat);
	sqlite3_free(e);
}

void
viper_engine_detach(viper_engine *e)
{
	if (e == NULL)
		return;
	viper_engine_flush(e);
	if (e->conn != NULL && e->conn->engine == e)
		e->conn->engine = NULL;
	e->conn = NULL;
	viper_engine_release(e);
}

viper_engine *
viper_engine_ctx(sqlite3_context *ctx, vc_error *err)
{
	viper_engine *e = viper_engine_get((viper_sqlite_conn *) sqlite3_user_data(ctx));

	if (e == NULL)
		vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	return e;
}

void
viper_engine_opts(viper_engine *e, const viper_catref *cat, size_t spec_len,
				  const json_t *spec, vc_query_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->dialect = VC_DIALECT_SQLITE;
	o->max_rows = e->max_query_rows;
	o->spec_len = spec_len;
	/* bypassed: compiled without a predicate (the predicate has no bypass
	 * term, so a grant's index stays usable) */
	if ((e->conn != NULL && viper_sqlite_bypass_active(e->conn)) ||
		(spec != NULL &&
		 json_is_true(json_object_get(spec, "ignore_permissions"))))
		return;
	o->perm = cat != NULL && cat->perms != NULL ? vc_perms_apply : NULL;
	o->perm_ud = cat != NULL ? cat->perms : NULL;
}

/* ---- errors ---------------------------------------------------------------- */

/*
 * The shared classification (sqlite_error.c) with the engine's wording:
 * SQLite's own message alone, a hint for a lock, and a missing table or
 * column read as a model whose table differs from the catalog.
 */
vc_code
viper_engine_db_error(sqlite3 *db, int rc, vc_error *err)
{
	const char *msg = sqlite3_errmsg(db);
	const char *own;
	vc_code		code = viper_sqlite_error_code(db, rc, &own);

	if (own != NULL)
		return vc_error_set(err, code, "%s", own);
	switch (code)
	{
		case VC_ERR_OUT_OF_MEMORY:
			return vc_error_set(err, code, "out of memory");
		case VC_ERR_LOCK_NOT_AVAILABLE:
			vc_error_set(err, code, "database is locked");
			vc_error_hint(err, "Another connection holds the write lock; set a busy timeout (sqlite3_busy_timeout, .timeout) to wait for it.");
			return code;
		case VC_ERR_READ_ONLY:
			return vc_error_set(err, code, "cannot write: the database is read-only");
		case VC_ERR_SQL:
			/* the catalog names a table or column the database does not have */
			if (strncmp(msg, "no such table", 13) == 0)
				code = VC_ERR_UNDEFINED_TABLE;
			else if (strncmp(msg, "no such column", 14) == 0)
				code = VC_ERR_UNDEFINED_COLUMN;
			if (code != VC_ERR_SQL)
			{
				vc_error_set(err, code, "%s", msg);
				vc_error_hint(err, "The model is registered but its table is missing or differs; run viper_migrate.");
				return code;
			}
			/* FALLTHROUGH */
		case VC_ERR_INTERNAL:
			return vc_error_set(err, VC_ERR_INTERNAL,
								"could not run the statement: %s", msg);
		default:				/* the constraint states */
			return vc_error_set(err, code, "%s", msg);
	}
}

/* ---- catalog ----------------------------------------------------------------- */

void
viper_catref_release(viper_catref *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	vc_perms_free(r->perms);	/* borrows the catalog: first */
	vc_catalog_free(r->cat);
	sqlite3_free(r);
}

/* Prepare with double-quoted string literals off (DESIGN §7). */
static int
prepare_strict(sqlite3 *db, const char *sql, size_t len, sqlite3_stmt **st)
{
	int			dqs = 1;
	int			rc;

	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, -1, &dqs);
	if (dqs)
		sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
	rc = sqlite3_prepare_v3(db, sql, (int) len, SQLITE_PREPARE_PERSISTENT,
							st, NULL);
	if (dqs)
		sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 1, NULL);
	return rc;
}

/* FNV-1a, 64 bits, never 0: the key of the validated set, and the
 * cache slots' first test before memcmp. */
static uint64_t
sql_hash64(const char *s, size_t len)
{
	uint64_t	h = 14695981039346656037u;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= 1099511628211u;
	}
	return h | 1;
}

/* sql passed the strict prepare at schema cookie ck (-1: unknown, not kept) */
static void
validated_add(viper_engine *e, const char *sql, size_t len, int64_t ck)
{
	uint64_t	h;

	if (ck < 0)
		return;
	if (ck != e->validated_cookie)
	{
		memset(e->validated, 0, sizeof(e->validated));
		e->validated_cookie = ck;
	}
	h = sql_hash64(sql, len);
	e->validated[h % ENGINE_VALIDATED] = h;
}

static bool
validated_has(viper_engine *e, const char *sql, size_t len, int64_t ck)
{
	uint64_t	h;

	if (ck < 0 || ck != e->validated_cookie)
		return false;
	h = sql_hash64(sql, len);
	return e->validated[h % ENGINE_VALIDATED] == h;
}

/*
 * Make sure viper_query's eponymous table is connected, so that its
 * xDisconnect runs before sqlite3_close checks for open statements.
 * Preparing a statement that names it connects it.
 */
static void
engine_connect_vtab(viper_engine *e)
{
	sqlite3_stmt *st = NULL;

	if (e->vtab_live || e->connecting)
		return;
	e->connecting = true;
	sqlite3_prepare_v2(e->db, "SELECT row FROM viper_query(NULL, NULL) WHERE 0",
					   -1, &st, NULL);
	sqlite3_finalize(st);
	e->connecting = false;
}

static vc_code read_cookie(viper_engine *e, int64_t *cookie, vc_error *err);

/*
 * A statement for sql: a free cached one, or a new one (cached when a slot
 * can take it). *slot is -1 for an uncached statement. strict: viper's
 * compiled SQL (double-quoted names, prepared with DQS off, *cookie and
 * *reprep set for viper_run_step's check); internal statements of this
 * file name nothing in double quotes and are prepared as they are.
 */
static int
stmt_acquire(viper_engine *e, const char *sql, size_t len, bool strict,
			 sqlite3_stmt **st, int *slot, int64_t *cookie, int *reprep)
{
	uint64_t	h = sql_hash64(sql, len);
	int			i;
	int			victim = -1;
	int			rc;
	int64_t		ck = -1;
	char	   *copy;
	vc_error	ignored;

	*st = NULL;
	*slot = -1;
	for (i = 0; i < ENGINE_CACHE_SLOTS; i++)
	{
		cache_slot *s = &e->slots[i];

		if (s->sql != NULL && s->hash == h && s->len == len &&
			!s->busy && !s->orphan && memcmp(s->sql, sql, len) == 0)
		{
			s->busy = true;
			s->used = ++e->clock;
			*st = s->st;
			*slot = i;
			if (cookie != NULL)
				*cookie = s->cookie;
			if (reprep != NULL)
				*reprep = s->reprep;
			return SQLITE_OK;
		}
	}
	if (strict)
	{
		/* the cookie first: the prepare below sees that schema or a newer
		 * one, never an older one (-1 when unreadable: checked again) */
		vc_error_clear(&ignored);
		if (read_cookie(e, &ck, &ignored) != VC_OK)
			ck = -1;
	}
	if (strict && !validated_has(e, sql, len, ck))
	{
		if ((rc = prepare_strict(e->db, sql, len, st)) == SQLITE_OK)
			validated_add(e, sql, len, ck);
	}
	else
		rc = sqlite3_prepare_v3(e->db, sql, (int) len,
								SQLITE_PREPARE_PERSISTENT, st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (cookie != NULL)
		*cookie = ck;
	if (reprep != NULL)
		*reprep = sqlite3_stmt_status(*st, SQLITE_STMTSTATUS_REPREPARE, 0);

	engine_connect_vtab(e);
	if (!e->vtab_live)
		return SQLITE_OK;		/* no xDisconnect to flush a cache: don't keep it */
	for (i = 0; i < ENGINE_CACHE_SLOTS; i++)
	{
		cache_slot *s = &e->slots[i];

		if (s->sql == NULL)
		{
			victim = i;
			break;
		}
		if (!s->busy && (victim < 0 || s->used < e->slots[victim].used))
			victim = i;
	}
	if (victim < 0 || (copy = sqlite3_malloc64(len + 1)) == NULL)
		return SQLITE_OK;		/* every slot busy, or OOM: run uncached */
	memcpy(copy, sql, len);
	copy[len] = '\0';
	if (e->slots[victim].sql != NULL)
		slot_clear(&e->slots[victim]);
	e->slots[victim].sql = copy;
	e->slots[victim].len = len;
	e->slots[victim].hash = h;
	e->slots[victim].st = *st;
	e->slots[victim].cookie = ck;
	e->slots[victim].reprep = sqlite3_stmt_status(*st, SQLITE_STMTSTATUS_REPREPARE, 0);
	e->slots[victim].busy = true;
	e->slots[victim].used = ++e->clock;
	*slot = victim;
	return SQLITE_OK;
}

static void
stmt_release(viper_engine *e, sqlite3_stmt *st, int slot)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (slot < 0)
	{
		sqlite3_finalize(st);
		return;
	}
	e->slots[slot].busy = false;
	if (e->slots[slot].orphan)
		slot_clear(&e->slots[slot]);
}

/* Read viper_catalog_state.version with a cached statement. */
static vc_code
read_version(viper_engine *e, int64_t *version, vc_error *err)
{
	sqlite3_stmt *st;
	int			slot;
	int			rc;

	rc = stmt_acquire(e, version_sql, sizeof(version_sql) - 1, false, &st, &slot,
					  NULL, NULL);
	if (rc != SQLITE_OK)
	{
		if (strncmp(sqlite3_errmsg(e->db), "no such table", 13) == 0)
		{
			vc_error_set(err, VC_ERR_UNDEFINED_TABLE,
						 "viper catalog is not installed in this database");
			vc_error_detail(err, "Table main.viper_catalog_state does not exist.");
			vc_error_hint(err, "Load the extension once on a writable connection to the database; it creates the viper_* tables.");
			return VC_ERR_UNDEFINED_TABLE;
		}
		return viper_engine_db_error(e->db, rc, err);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		*version = sqlite3_column_int64(st, 0);
		stmt_release(e, st, slot);
		return VC_OK;
	}
	if (rc == SQLITE_DONE)
	{
		stmt_release(e, st, slot);
		vc_error_set(err, VC_ERR_INTERNAL,
					 "viper catalog is damaged: viper_catalog_state has no row");
		vc_error_hint(err, "Insert (1, 1) into main.viper_catalog_state.");
		return VC_ERR_INTERNAL;
	}
	rc = sqlite3_reset(st);
	viper_engine_db_error(e->db, rc, err);
	stmt_release(e, st, slot);
	return err->code;
}

/* The schema cookies (cookie_sql) with a cached statement. */
static vc_code
read_cookie(viper_engine *e, int64_t *cookie, vc_error *err)
{
	sqlite3_stmt *st;
	int			slot;
	int			rc;

	rc = stmt_acquire(e, cookie_sql, sizeof(cookie_sql) - 1, false, &st, &slot,
					  NULL, NULL);
	if (rc != SQLITE_OK)
		return viper_engine_db_error(e->db, rc, err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
	{
		*cookie = sqlite3_column_int64(st, 0);
		stmt_release(e, st, slot);
		return VC_OK;
	}
	rc = sqlite3_reset(st);
	viper_engine_db_error(e->db, rc == SQLITE_OK ? SQLITE_ERROR : rc, err);
	stmt_release(e, st, slot);
	return err->code;
}

/*
 * viper_grants as vc_perms against cat. A grant that no longer fits the
 * catalog (a column it names was dropped) fails every engine call until
 * it is revoked: running without it could show rows it was meant to hide.
 */
static vc_code
load_grants(viper_engine *e, const vc_catalog *cat, vc_perms **out,
			vc_error *err)
{
	sqlite3_stmt *st = NULL;
	json_t	   *rows = json_array();
	int			rc;
	vc_code		code = VC_OK;

	*out = NULL;
	if (rows == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	rc = sqlite3_prepare_v2(e->db, grants_sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
	{
		json_decref(rows);
		return viper_engine_db_error(e->db, rc, err);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && code == VC_OK)
	{
		json_t	   *row = json_pack("{s:s, s:s, s:s, s:o}",
									"model", (const char *) sqlite3_column_text(st, 0),
									"action", (const char *) sqlite3_column_text(st, 1),
									"role", (const char *) sqlite3_column_text(st, 2),
									"predicate",
									sqlite3_column_type(st, 3) == SQLITE_NULL ?
									json_null() :
									json_string((const char *) sqlite3_column_text(st, 3)));

		if (row == NULL || json_array_append_new(rows, row) != 0)
			code = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	if (code == VC_OK && rc != SQLITE_DONE)
	{
		rc = sqlite3_reset(st);
		code = viper_engine_db_error(e->db, rc, err);
	}
	sqlite3_finalize(st);
	if (code == VC_OK)
		code = vc_perms_load(&viper_sqlite_alloc, cat, rows, out, err);
	json_decref(rows);
	if (code != VC_OK && code != VC_ERR_OUT_OF_MEMORY)
		vc_error_hint(err, "A grant in viper_grants no longer fits the catalog; fix it with viper_grant or remove it with viper_revoke.");
	return code;
}

vc_code
viper_engine_catalog(viper_engine *e, viper_catref **out, vc_error *err)
{
	int64_t		version = 0;
	json_t	   *rows = NULL;
	viper_catref *r;
	vc_code		code;

	*out = NULL;
	if ((code = read_version(e, &version, err)) != VC_OK)
		return code;
	if (e->cat == NULL || vc_catalog_version(e->cat->cat) != version)
	{
		if ((code = viper_sqlite_read_catalog(e->db, &rows, err)) != VC_OK)
			return code;
		r = sqlite3_malloc64(sizeof(viper_catref));
		if (r == NULL)
		{
			json_decref(rows);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
		r->refs = 1;
		r->cat = NULL;
		r->perms = NULL;
		code = vc_catalog_load(&viper_sqlite_alloc, rows, version, &r->cat, err);
		json_decref(rows);
		if (code == VC_OK)
			code = load_grants(e, r->cat, &r->perms, err);
		if (code != VC_OK)
		{
			vc_catalog_free(r->cat);
			sqlite3_free(r);
			return code;
		}
		viper_catref_release(e->cat);
		e->cat = r;
	}
	e->cat->refs++;
	*out = e->cat;
	return VC_OK;
}

/* ---- running statements -------------------------------------------------- */

static int
bind_param(sqlite3_stmt *st, int idx, const vc_param *p)
{
	switch (p->sqlite_class)
	{
		case VC_SQLITE_NULL:
			return sqlite3_bind_null(st, idx);
		case VC_SQLITE_INTEGER:
			return sqlite3_bind_int64(st, idx, p->i);
		case VC_SQLITE_REAL:
			return sqlite3_bind_double(st, idx, p->d);
		case VC_SQLITE_TEXT:
			/* the text lives in the compiled statement, which outlives
			 * the binding (viper_run_end clears bindings first) */
			return sqlite3_bind_text64(st, idx, p->text ? p->text : "",
									   p->text ? p->len : 0, SQLITE_STATIC,
									   SQLITE_UTF8);
		case VC_SQLITE_BLOB:
			{
				size_t		n = p->text ? p->len / 2 : 0;
				unsigned char *bytes = sqlite3_malloc64(n ? n : 1);

				if (bytes == NULL)
					return SQLITE_NOMEM;
				if (n > 0 && vc_hex_decode(p->text, p->len, bytes) != n)
				{
					sqlite3_free(bytes);
					return SQLITE_MISMATCH;
				}
				return sqlite3_bind_blob64(st, idx, bytes, n, sqlite3_free);
			}
	}
	return SQLITE_MISMATCH;
}

vc_code
viper_run_begin(viper_engine *e, const vc_compiled *c, viper_run *run,
				vc_error *err)
{
	size_t		k;
	int			rc;

	memset(run, 0, sizeof(*run));
	run->slot = -1;
	rc = stmt_acquire(e, c->sql, c->sql_len, true, &run->st, &run->slot,
					  &run->cookie, &run->reprep);
	if (rc != SQLITE_OK)
	{
		run->st = NULL;
		return viper_engine_db_error(e->db, rc, err);
	}
	run->e = e;
	run->c = c;
	if ((size_t) sqlite3_bind_parameter_count(run->st) != c->nparams)
	{
		int			have = sqlite3_bind_parameter_count(run->st);

		viper_run_end(run);
		return vc_error_set(err, VC_ERR_INTERNAL,
							"compiled statement has %zu parameters, SQLite sees %d",
							c->nparams, have);
	}
	for (k = 0; k < c->nparams; k++)
	{
		rc = bind_param(run->st, (int) k + 1, &c->params[k]);
		if (rc != SQLITE_OK)
		{
			viper_run_end(run);
			if (rc == SQLITE_NOMEM)
				return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			return vc_error_set(err, VC_ERR_INTERNAL,
								"could not bind parameter %zu", k + 1);
		}
	}
	if (c->ncols > 0)
	{
		/* trailing extra columns (ORDER BY terms of a DISTINCT select)
		 * are not part of the row */
		int			have = sqlite3_column_count(run->st);

		if ((size_t) have < c->ncols)
		{
			viper_run_end(run);
			return vc_error_set(err, VC_ERR_INTERNAL,
								"compiled statement describes %zu columns, SQLite returns %d",
								c->ncols, have);
		}
		run->cells = sqlite3_malloc64(c->ncols * sizeof(vc_cell));
		if (run->cells == NULL)
		{
			viper_run_end(run);
			return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		}
	}
	return VC_OK;
}

/*
 * The statement was re-prepared by its first step, with the connection's
 * DQS setting (see the top of the file): when the schema moved since its
 * last strict prepare, prepare its text strictly again; an unknown
 * double-quoted name then fails the call.
 */
static bool
run_recheck(viper_run *run, vc_error *err)
{
	viper_engine *e = run->e;
	sqlite3_stmt *check = NULL;
	int64_t		ck;
	int			rc;
	vc_error	ignored;
	bool		known;

	/* an unreadable cookie (-1) is never trusted: prepare again */
	vc_error_clear(&ignored);
	known = read_cookie(e, &ck, &ignored) == VC_OK;
	if (!known)
		ck = -1;
	if (!known || ck != run->cookie)
	{
		if (!validated_has(e, run->c->sql, run->c->sql_len, ck))
		{
			rc = prepare_strict(e->db, run->c->sql, run->c->sql_len, &check);
			sqlite3_finalize(check);
			if (rc != SQLITE_OK)
			{
				viper_engine_db_error(e->db, rc, err);
				return false;
			}
			validated_add(e, run->c->sql, run->c->sql_len, ck);
		}
		run->cookie = ck;
	}
	run->reprep = sqlite3_stmt_status(run->st, SQLITE_STMTSTATUS_REPREPARE, 0);
	if (run->slot >= 0)
	{
		e->slots[run->slot].cookie = run->cookie;
		e->slots[run->slot].reprep = run->reprep;
	}
	return true;
}

int
viper_run_step(viper_run *run, vc_error *err)
{
	int			rc;

	rc = sqlite3_step(run->st);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
	{
		/* the statement's own error text, before anything else runs
		 * (a failed first step is checked again next time) */
		run->stepped = true;
		viper_engine_db_error(run->e->db, rc, err);
		return SQLITE_ERROR;
	}
	if (!run->stepped)
	{
		run->stepped = true;
		if (sqlite3_stmt_status(run->st, SQLITE_STMTSTATUS_REPREPARE, 0) != run->reprep &&
			!run_recheck(run, err))
			return SQLITE_ERROR;
	}
	return rc;
}

vc_code
viper_run_row_json(viper_run *run, vc_buf *b, vc_error *err)
{
	size_t		k;
	sqlite3_stmt *st = run->st;

	for (k = 0; k < run->c->ncols; k++)
	{
		vc_cell    *cell = &run->cells[k];
		int			t = sqlite3_column_type(st, (int) k);

		cell->isnull = false;
		cell->blob = false;
		if (t == SQLITE_NULL)
		{
			cell->isnull = true;
			cell->data = NULL;
			cell->len = 0;
		}
		else if (t == SQLITE_BLOB)
		{
			cell->blob = true;
			cell->data = (const char *) sqlite3_column_blob(st, (int) k);
			cell->len = (size_t) sqlite3_column_bytes(st, (int) k);
			if (cell->data == NULL)
				cell->data = "";
		}
		else
		{
			cell->data = (const char *) sqlite3_column_text(st, (int) k);
			if (cell->data == NULL)
				return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
			cell->len = (size_t) sqlite3_column_bytes(st, (int) k);
		}
	}
	return vc_row_json(b, run->c, run->cells, err);
}

vc_code
viper_run_exec(viper_run *run, int64_t *changes, vc_error *err)
{
	int			rc;

	while ((rc = viper_run_step(run, err)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		return err->code;
	if (changes != NULL)
		*changes = sqlite3_changes64(run->e->db);
	return VC_OK;
}

void
viper_run_end(viper_run *run)
{
	if (run->st != NULL)
		stmt_release(run->e, run->st, run->slot);
	sqlite3_free(run->cells);
	run->st = NULL;
	run->cells = NULL;
	run->slot = -1;
}

/* ---- checks and transactions -------------------------------------------- */

/* A "bypass" row in viper_audit_log (SQLite has no roles: allowed, §12). */
static vc_code
audit_bypass(viper_engine *e, const char *label, vc_error *err)
{
	static const char sql[] =
		"INSERT INTO main.viper_audit_log (principal, action, model, reason)"
		" VALUES (?2, 'bypass', ?1, 'ignore_permissions on ' || ?1)";
	sqlite3_stmt *st;
	int			slot;
	int			rc;

	rc = stmt_acquire(e, sql, sizeof(sql) - 1, false, &st, &slot, NULL, NULL);
	if (rc != SQLITE_OK)
		return viper_engine_db_error(e->db, rc, err);
	rc = sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && e->conn != NULL && e->conn->principal != NULL)
		rc = sqlite3_bind_text(st, 2, e->conn->principal, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
	{
		rc = sqlite3_reset(st);
		viper_engine_db_error(e->db, rc, err);
		stmt_release(e, st, slot);
		return err->code;
	}
	stmt_release(e, st, slot);
	return VC_OK;
}

vc_code
viper_engine_check(viper_engine *e, const vc_compiled *c, bool write,
				   vc_error *err)
{
	if (c->for_update && sqlite3_get_autocommit(e->db))
	{
		vc_error_set(err, VC_ERR_NO_TRANSACTION,
					 "for_update requires a transaction");
		vc_error_detail(err, "In autocommit mode the lock would end with the statement.");
		vc_error_hint(err, "Run the query between BEGIN IMMEDIATE and COMMIT.");
		return VC_ERR_NO_TRANSACTION;
	}
	if (write && c->model != NULL && c->model->read_only)
	{
		vc_error_set(err, VC_ERR_READ_ONLY,
					 "model \"%s\" is read-only", c->model->label);
		return VC_ERR_READ_ONLY;
	}
	if (c->ignore_permissions && c->model != NULL)
		return audit_bypass(e, c->model->label, err);
	return VC_OK;
}

vc_code
viper_engine_check_rows(viper_engine *e, const viper_catref *cat,
						const vc_compiled *c, vc_perm_action action,
						const char *pks, vc_error *err)
{
	const vc_model *m = c->model;
	const vc_field *pk;
	vc_perm_sql check;
	vc_compiled q;
	vc_param   *params = NULL;
	vc_buf		sql;
	viper_run	run;
	char	   *text = NULL;
	size_t		len = 0;
	int			rc;
	vc_code		code;

	if (cat->perms == NULL || m == NULL || m->table == NULL)
		return VC_OK;
	code = vc_perm_check_sql(&viper_sqlite_alloc, cat->perms, m, action,
							 VC_DIALECT_SQLITE, "t0", 1, &check, err);
	if (code != VC_OK || !check.applied)
	{
		vc_perm_sql_free(&check);
		return code;
	}
	pk = &m->fields[m->pk];

	/* one text per model and action: cached like compiled statements */
	vc_buf_init(&sql, &viper_sqlite_alloc);
	vc_buf_puts(&sql, "SELECT 1 FROM ");
	vc_ident_quote_buf(&sql, m->table, strlen(m->table), VC_DIALECT_SQLITE);
	vc_buf_puts(&sql, " AS \"t0\" WHERE \"t0\".");
	vc_ident_quote_buf(&sql, pk->column, strlen(pk->column), VC_DIALECT_SQLITE);
	vc_buf_puts(&sql, " IN (SELECT value FROM json_each(?1)) AND (");
	vc_buf_puts(&sql, check.sql);
	vc_buf_puts(&sql, ") IS NOT TRUE LIMIT 1");
	code = vc_buf_finish(&sql, &text, &len, err);
	if (code == VC_OK &&
		(params = sqlite3_malloc64((check.nparams + 1) * sizeof(vc_param))) == NULL)
		code = vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (code != VC_OK)
	{
		sqlite3_free(text);
		vc_perm_sql_free(&check);
		return code;
	}
	memset(&params[0], 0, sizeof(vc_param));
	params[0].kind = VC_PARAM_TEXT;
	params[0].text = (char *) pks;
	params[0].len = strlen(pks);
	params[0].pg_type = "text";
	params[0].sqlite_class = VC_SQLITE_TEXT;
	if (check.nparams > 0)
		memcpy(&params[1], check.params, check.nparams * sizeof(vc_param));

	memset(&q, 0, sizeof(q));
	q.stmt = VC_STMT_SELECT;
	q.result = VC_RESULT_EXISTS;
	q.dialect = VC_DIALECT_SQLITE;
	q.model = m;
	q.sql = text;
	q.sql_len = len;
	q.params = params;
	q.nparams = check.nparams + 1;
	q.max_affected = -1;

	if ((code = viper_run_begin(e, &q, &run, err)) == VC_OK)
	{
		rc = viper_run_step(&run, err);
		if (rc == SQLITE_ERROR)
			code = err->code;
		else if (rc == SQLITE_ROW)
		{
			const char *what = action == VC_PERM_INSERT ? "insert" : "update";

			vc_error_set(err, VC_ERR_PRIVILEGE,
						 "new row violates the %s permission of \"%s\"",
						 what, m->label);
			vc_error_detail(err, "No %s grant of \"%s\" allows the row for the current principal.",
							what, m->label);
			code = VC_ERR_PRIVILEGE;
		}
		viper_run_end(&run);
	}
	sqlite3_free(params);
	sqlite3_free(text);
	vc_perm_sql_free(&check);
	return code;
}

/* Run one of the fixed transaction statements, prepared once and cached. */
static vc_code
exec_cached(viper_engine *e, const char *sql, vc_error *err)
{
	sqlite3_stmt *st;
	int			slot;
	int			rc;

	rc = stmt_acquire(e, sql, strlen(sql), false, &st, &slot, NULL, NULL);
	if (rc != SQLITE_OK)
		return viper_engine_db_error(e->db, rc, err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
	{
		stmt_release(e, st, slot);
		return VC_OK;
	}
	rc = sqlite3_reset(st);
	viper_engine_db_error(e->db, rc, err);
	stmt_release(e, st, slot);
	return err->code;
}

vc_code
viper_write_begin(viper_engine *e, viper_write_mode *mode, vc_error *err)
{
	const char *sql;

	if (!sqlite3_get_autocommit(e->db))
	{
		*mode = VIPER_WRITE_SAVEPOINT;
		sql = "SAVEPOINT viper_write";
	}
	else if (sqlite3_txn_state(e->db, NULL) == SQLITE_TXN_WRITE)
	{
		/* inside an autocommit statement that writes (INSERT ... SELECT
		 * viper_insert(...)): its own transaction covers us, and a COMMIT
		 * of ours would be refused while it runs */
		*mode = VIPER_WRITE_NONE;
		return VC_OK;
	}
	else
	{
		/* the write lock first: racers (get_or_create) serialise here */
		*mode = VIPER_WRITE_BEGIN;
		sql = "BEGIN IMMEDIATE";
	}
	return exec_cached(e, sql, err);
}

vc_code
viper_write_end(viper_engine *e, viper_write_mode mode, bool ok, vc_error *err)
{
	switch (mode)
	{
		case VIPER_WRITE_NONE:
			return ok ? VC_OK : err->code;
		case VIPER_WRITE_SAVEPOINT:
			if (ok)
			{
				if (exec_cached(e, "RELEASE viper_write", err) == VC_OK)
					return VC_OK;
			}
			sqlite3_exec(e->db, "ROLLBACK TO viper_write; RELEASE viper_write",
						 NULL, NULL, NULL);
			return err->code;
		case VIPER_WRITE_BEGIN:
			if (ok)
			{
				if (exec_cached(e, "COMMIT", err) == VC_OK)
					return VC_OK;
			}
			if (!sqlite3_get_autocommit(e->db))
				sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
			return err->code;
	}
	return err->code;
}

/* ---- arguments and settings ------------------------------------------------ */

vc_code
viper_engine_json_arg(sqlite3_value *v, const char *what, json_t **out,
					  size_t *len, vc_error *err)
{
	*out = NULL;
	if (len != NULL)
		*len = 0;
	if (sqlite3_value_type(v) == SQLITE_NULL)
		return VC_OK;
	if (len != NULL)
		*len = (size_t) sqlite3_value_bytes(v);
	return viper_sqlite_json_arg(v, what, out, err);
}

/* The settings viper_set knows. */
static const char *const settings[] = {"max_query_rows"};

/*
 * The engine, once argv[0] names a setting viper_set knows; NULL after
 * the result is set. A NULL name is an error for viper_set (null_error)
 * and gives NULL for viper_setting.
 */
static viper_engine *
setting_engine(sqlite3_context *ctx, sqlite3_value **argv, bool null_error)
{
	viper_engine *e;
	const char *name;
	char		echo[VC_ECHO_BUFSZ];
	vc_error	err;

	vc_error_clear(&err);
	if ((e = viper_engine_ctx(ctx, &err)) == NULL)
	{
		viper_sqlite_raise(ctx, &err);
		return NULL;
	}
	name = (const char *) sqlite3_value_text(argv[0]);
	if (name == NULL && !null_error)
	{
		sqlite3_result_null(ctx);
		return NULL;
	}
	if (name == NULL)
		vc_error_set(&err, VC_ERR_INVALID_PARAM, "setting name must not be NULL");
	else if (strcmp(name, "max_query_rows") != 0)
	{
		vc_error_set(&err, VC_ERR_INVALID_PARAM, "unknown setting \"%s\"",
					 vc_echo(echo, sizeof(echo), name, strlen(name)));
		vc_error_hint(&err, "Settings: %s.", settings[0]);
	}
	else
		return e;
	viper_sqlite_raise(ctx, &err);
	return NULL;
}

/* viper_set(name, value) → the new value; per connection */
void
viper_sqlite_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_engine *e;
	vc_error	err;
	int64_t		n;

	(void) argc;
	if ((e = setting_engine(ctx, argv, true)) == NULL)
		return;
	vc_error_clear(&err);
	/* an integer, or text holding one (like SET viper.max_query_rows = '5') */
	if (sqlite3_value_numeric_type(argv[1]) != SQLITE_INTEGER)
	{
		vc_error_set(&err, VC_ERR_TEXT_REPR,
					 "max_query_rows must be an integer");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	n = sqlite3_value_int64(argv[1]);
	if (n < 0 || n > INT32_MAX)
	{
		vc_error_set(&err, VC_ERR_OUT_OF_RANGE,
					 "max_query_rows must be between 0 and %d", INT32_MAX);
		vc_error_hint(&err, "0 means no cap.");
		viper_sqlite_raise(ctx, &err);
		return;
	}
	e->max_query_rows = n;
	sqlite3_result_int64(ctx, n);
}

/* viper_setting(name) → the setting's current value on this connection */
void
viper_sqlite_setting(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_engine *e;

	(void) argc;
	if ((e = setting_engine(ctx, argv, false)) != NULL)
		sqlite3_result_int64(ctx, e->max_query_rows);
}
