/*
 * query_vtab.c — viper_query, the table-valued function of DESIGN §6 on
 * SQLite: an eponymous-only virtual table with one result column `row`
 * (each row's JSON text, built in C by vc_row_json straight from the
 * statement's cells) and two hidden columns, the arguments:
 *
 *   SELECT row FROM viper_query('blog.Post', '{"limit": 2}');
 *
 * model is required (a plan without it is refused: "no query solution");
 * spec may be omitted like PostgreSQL's DEFAULT '{}'. A NULL model gives
 * no rows (PostgreSQL's function is STRICT).
 *
 * Rows are streamed: xFilter compiles the spec, runs the statement and
 * steps to the first row; xNext steps on. The cursor holds a reference to
 * the catalog the statement was compiled against, so a catalog reload in
 * between (a nested call after a migrate) cannot free models it borrows.
 *
 * The table's xDisconnect empties the connection's statement cache, which
 * is what lets sqlite3_close succeed (engine.h explains it). The module
 * holds a reference to the connection state (xConnect finds the engine
 * there); a connected table holds one to the engine itself, because SQLite
 * may disconnect it after the state is gone (a second .load replaces the
 * module and disconnects the old table later).
 */
#include "engine.h"

#include <string.h>

#define QCOL_ROW 0
#define QCOL_MODEL 1
#define QCOL_SPEC 2

typedef struct query_vtab
{
	sqlite3_vtab base;
	viper_engine *e;			/* a counted reference (engine.h) */
} query_vtab;

typedef struct query_cursor
{
	sqlite3_vtab_cursor base;
	viper_catref *cat;
	vc_compiled *c;
	viper_run	run;
	bool		running;
	bool		eof;
	sqlite3_int64 rowid;
	vc_buf		row;			/* the current row's JSON text */
	sqlite3_value *model;		/* the arguments, for the hidden columns */
	sqlite3_value *spec;
} query_cursor;

static int
q_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
		  sqlite3_vtab **out, char **pzErr)
{
	query_vtab *vt;
	viper_engine *e;
	int			rc;

	(void) argc;
	(void) argv;
	(void) pzErr;
	rc = sqlite3_declare_vtab(db,
							  "CREATE TABLE x(row TEXT, model TEXT HIDDEN, spec TEXT HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	e = viper_engine_get((viper_sqlite_conn *) aux);
	vt = sqlite3_malloc64(sizeof(query_vtab));
	if (vt == NULL || e == NULL)
	{
		sqlite3_free(vt);
		return SQLITE_NOMEM;
	}
	memset(vt, 0, sizeof(*vt));
	viper_engine_retain(e);
	vt->e = e;
	viper_engine_vtab_live(e, true);
	*out = &vt->base;
	return SQLITE_OK;
}

static int
q_disconnect(sqlite3_vtab *base)
{
	query_vtab *vt = (query_vtab *) base;

	viper_engine_vtab_live(vt->e, false);
	viper_engine_release(vt->e);
	sqlite3_free(vt);
	return SQLITE_OK;
}

/*
 * Both arguments are equality constraints on the hidden columns; model is
 * required. idxNum: bit 0 = model given, bit 1 = spec given (argv order:
 * model then spec).
 */
static int
q_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	int			model = -1;
	int			spec = -1;
	int			i;
	int			n = 0;

	(void) base;
	for (i = 0; i < info->nConstraint; i++)
	{
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];

		if (c->iColumn != QCOL_MODEL && c->iColumn != QCOL_SPEC)
			continue;
		if (c->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		/* an unusable argument: this plan cannot run, another may */
		if (!c->usable)
			return SQLITE_CONSTRAINT;
		if (c->iColumn == QCOL_MODEL)
			model = i;
		else
			spec = i;
	}
	if (model < 0)
		return SQLITE_CONSTRAINT;
	info->aConstraintUsage[model].argvIndex = ++n;
	info->aConstraintUsage[model].omit = 1;
	info->idxNum = 1;
	if (spec >= 0)
	{
		info->aConstraintUsage[spec].argvIndex = ++n;
		info->aConstraintUsage[spec].omit = 1;
		info->idxNum |= 2;
	}
	info->estimatedCost = 1000.0;
	info->estimatedRows = 1000;
	return SQLITE_OK;
}

static int
q_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	query_cursor *cur = sqlite3_malloc64(sizeof(query_cursor));

	(void) base;
	if (cur == NULL)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	cur->run.slot = -1;
	vc_buf_init(&cur->row, &viper_sqlite_alloc);
	cur->eof = true;
	*out = &cur->base;
	return SQLITE_OK;
}

/* Let go of the running statement and what it borrows. */
static void
cursor_reset(query_cursor *cur)
{
	if (cur->running)
		viper_run_end(&cur->run);
	cur->running = false;
	vc_compiled_free(cur->c);
	cur->c = NULL;
	viper_catref_release(cur->cat);
	cur->cat = NULL;
	sqlite3_value_free(cur->model);
	sqlite3_value_free(cur->spec);
	cur->model = NULL;
	cur->spec = NULL;
	cur->eof = true;
}

static int
q_close(sqlite3_vtab_cursor *base)
{
	query_cursor *cur = (query_cursor *) base;

	cursor_reset(cur);
	vc_buf_reset(&cur->row);
	sqlite3_free(cur);
	return SQLITE_OK;
}

/* Step once and build the row's JSON; eof at the end. */
static int
cursor_fetch(query_cursor *cur, vc_error *err)
{
	int			rc = viper_run_step(&cur->run, err);

	if (rc == SQLITE_DONE)
	{
		cur->eof = true;
		viper_run_end(&cur->run);
		cur->running = false;
		return SQLITE_OK;
	}
	if (rc != SQLITE_ROW)
		return SQLITE_ERROR;
	cur->row.len = 0;
	cur->row.failed = 0;
	if (cur->row.data != NULL)
		cur->row.data[0] = '\0';
	if (viper_run_row_json(&cur->run, &cur->row, err) != VC_OK)
		return SQLITE_ERROR;
	if (cur->row.failed)
	{
		vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		return SQLITE_ERROR;
	}
	cur->rowid++;
	return SQLITE_OK;
}

static int
q_filter(sqlite3_vtab_cursor *base, int idxNum, const char *idxStr,
		 int argc, sqlite3_value **argv)
{
	query_cursor *cur = (query_cursor *) base;
	query_vtab *vt = (query_vtab *) base->pVtab;
	viper_engine *e;
	json_t	   *spec = NULL;
	size_t		spec_len = 0;
	const char *label;
	vc_query_opts o;
	vc_error	err;
	vc_code		code;

	(void) idxStr;
	cursor_reset(cur);
	cur->rowid = 0;
	vc_error_clear(&err);
	if (argc >= 1)
		cur->model = sqlite3_value_dup(argv[0]);
	if (argc >= 2 && (idxNum & 2))
		cur->spec = sqlite3_value_dup(argv[1]);
	if ((argc >= 1 && cur->model == NULL) ||
		(argc >= 2 && (idxNum & 2) && cur->spec == NULL))
		return SQLITE_NOMEM;
	if (argc < 1 || sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return SQLITE_OK;		/* NULL model: no rows */
	label = (const char *) sqlite3_value_text(argv[0]);
	if (label == NULL)
		return SQLITE_NOMEM;

	e = vt->e;
	if ((idxNum & 2) &&
		viper_engine_json_arg(argv[1], "spec", &spec, &spec_len, &err) != VC_OK)
		return viper_sqlite_vtab_raise(&vt->base, &err);
	if ((code = viper_engine_catalog(e, &cur->cat, &err)) == VC_OK)
	{
		viper_engine_opts(e, cur->cat, spec_len, spec, &o);
		code = vc_compile_query(&viper_sqlite_alloc, cur->cat->cat, label,
								spec, &o, &cur->c, &err);
	}
	json_decref(spec);
	if (code == VC_OK)
		code = viper_engine_check(e, cur->c, false, &err);
	if (code == VC_OK)
		code = viper_run_begin(e, cur->c, &cur->run, &err);
	if (code != VC_OK)
	{
		cursor_reset(cur);
		return viper_sqlite_vtab_raise(&vt->base, &err);
	}
	cur->running = true;
	cur->eof = false;
	if (cursor_fetch(cur, &err) != SQLITE_OK)
	{
		cursor_reset(cur);
		return viper_sqlite_vtab_raise(&vt->base, &err);
	}
	return SQLITE_OK;
}

static int
q_next(sqlite3_vtab_cursor *base)
{
	query_cursor *cur = (query_cursor *) base;
	vc_error	err;

	vc_error_clear(&err);
	if (cur->eof)
		return SQLITE_OK;
	if (cursor_fetch(cur, &err) != SQLITE_OK)
	{
		cursor_reset(cur);
		return viper_sqlite_vtab_raise(base->pVtab, &err);
	}
	return SQLITE_OK;
}

static int
q_eof(sqlite3_vtab_cursor *base)
{
	return ((query_cursor *) base)->eof;
}

static int
q_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
	query_cursor *cur = (query_cursor *) base;

	switch (col)
	{
		case QCOL_ROW:
			sqlite3_result_text64(ctx, cur->row.data ? cur->row.data : "",
								  cur->row.len, SQLITE_TRANSIENT, SQLITE_UTF8);
			break;
		case QCOL_MODEL:
			if (cur->model != NULL)
				sqlite3_result_value(ctx, cur->model);
			break;
		case QCOL_SPEC:
			if (cur->spec != NULL)
				sqlite3_result_value(ctx, cur->spec);
			else
				sqlite3_result_text(ctx, "{}", 2, SQLITE_STATIC);
			break;
	}
	return SQLITE_OK;
}

static int
q_rowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid)
{
	*rowid = ((query_cursor *) base)->rowid;
	return SQLITE_OK;
}

static const sqlite3_module query_module = {
	.iVersion = 0,
	.xCreate = NULL,			/* eponymous-only: no CREATE VIRTUAL TABLE */
	.xConnect = q_connect,
	.xBestIndex = q_best_index,
	.xDisconnect = q_disconnect,
	.xDestroy = NULL,
	.xOpen = q_open,
	.xClose = q_close,
	.xFilter = q_filter,
	.xNext = q_next,
	.xEof = q_eof,
	.xColumn = q_column,
	.xRowid = q_rowid,
};

int
viper_sqlite_query_module_register(sqlite3 *db, viper_sqlite_conn *conn,
								   char **pzErrMsg)
{
	int			rc;

	viper_sqlite_conn_retain(conn);
	/* on failure SQLite calls the destructor itself */
	rc = sqlite3_create_module_v2(db, "viper_query", &query_module, conn,
								  viper_sqlite_conn_release);
	if (rc != SQLITE_OK && pzErrMsg != NULL)
		*pzErrMsg = sqlite3_mprintf("viper: could not register viper_query: %s",
									sqlite3_errmsg(db));
	return rc;
}
