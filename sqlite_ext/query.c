/*
 * query.c — the scalar read functions of DESIGN §6 on SQLite:
 *   viper_get(model, spec) → JSON text; no row P0002, several P0003
 *   viper_count(model[, spec]) → integer
 *   viper_exists(model[, spec]) → 0/1
 *   viper_aggregate(model, spec) → JSON object text
 *   viper_compile(model[, spec]) → {"sql": ..., "params": [...]}
 *   viper_get_single(model) → the single model's row (P0002 when none)
 * (viper_query, the row-set function, is query_vtab.c.)
 *
 * Each one: catalog (cached, engine.c) → core compiler → checks
 * (for_update, ignore_permissions) → cached prepared statement → result.
 * A NULL model or spec gives NULL, like PostgreSQL's STRICT functions;
 * an omitted spec is {}.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "vc_json.h"

typedef vc_code (*compile_fn) (const vc_alloc *a, const vc_catalog *cat,
							   const char *label, const json_t *spec,
							   const vc_query_opts *o, vc_compiled **out,
							   vc_error *err);

/*
 * Unpack (model, spec) and compile. *c NULL with VC_OK: a NULL argument,
 * the result is NULL. *cat must be released by the caller.
 */
static vc_code
compile_args(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			 compile_fn fn, viper_engine **e, viper_catref **cat,
			 vc_compiled **c, vc_error *err)
{
	json_t	   *spec = NULL;
	size_t		spec_len = 0;
	const char *label;
	vc_query_opts o;
	vc_code		code;

	*c = NULL;
	*cat = NULL;
	if ((*e = viper_engine_ctx(ctx, err)) == NULL)
		return err->code;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
		(argc > 1 && sqlite3_value_type(argv[1]) == SQLITE_NULL))
		return VC_OK;
	if ((label = (const char *) sqlite3_value_text(argv[0])) == NULL)
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	if (argc > 1 &&
		(code = viper_engine_json_arg(argv[1], "spec", &spec, &spec_len, err)) != VC_OK)
		return code;
	if ((code = viper_engine_catalog(*e, cat, err)) == VC_OK)
	{
		viper_engine_opts(*e, *cat, spec_len, spec, &o);
		code = fn(&viper_sqlite_alloc, (*cat)->cat, label, spec, &o, c, err);
	}
	json_decref(spec);
	if (code == VC_OK)
		code = viper_engine_check(*e, *c, false, err);
	return code;
}

/* Run c and set the function's result from its kind. */
static vc_code
run_result(sqlite3_context *ctx, viper_engine *e, const vc_compiled *c,
		   bool single, vc_error *err)
{
	viper_run	run;
	vc_buf		b;
	char	   *text = NULL;
	size_t		len = 0;
	int			rc;
	vc_code		code;

	if ((code = viper_run_begin(e, c, &run, err)) != VC_OK)
		return code;
	rc = viper_run_step(&run, err);
	if (rc == SQLITE_ERROR)
	{
		viper_run_end(&run);
		return err->code;
	}
	switch (c->result)
	{
		case VC_RESULT_COUNT:
		case VC_RESULT_EXISTS:
			if (rc != SQLITE_ROW)
			{
				viper_run_end(&run);
				return vc_error_set(err, VC_ERR_INTERNAL,
									"count statement returned no row");
			}
			if (c->result == VC_RESULT_COUNT)
				sqlite3_result_int64(ctx, sqlite3_column_int64(run.st, 0));
			else
				sqlite3_result_int(ctx, sqlite3_column_int64(run.st, 0) != 0);
			viper_run_end(&run);
			return VC_OK;
		case VC_RESULT_ONE:
		case VC_RESULT_OBJECT:
		case VC_RESULT_ROWS:
			if (rc != SQLITE_ROW)
			{
				viper_run_end(&run);
				if (c->result == VC_RESULT_ONE && single)
				{
					vc_error_set(err, VC_ERR_NO_DATA,
								 "single model \"%s\" has no row yet",
								 c->model->label);
					vc_error_hint(err, "Create it with viper_create_single or viper_get_or_create_single.");
					return VC_ERR_NO_DATA;
				}
				if (c->result == VC_RESULT_ONE)
				{
					vc_error_set(err, VC_ERR_NO_DATA,
								 "no \"%s\" row matches the query",
								 c->model->label);
					vc_error_hint(err, "Use viper_query with a limit of 1 when no row is a normal outcome.");
					return VC_ERR_NO_DATA;
				}
				return vc_error_set(err, VC_ERR_INTERNAL,
									"aggregate statement returned no row");
			}
			vc_buf_init(&b, &viper_sqlite_alloc);
			code = viper_run_row_json(&run, &b, err);
			if (code == VC_OK && c->result == VC_RESULT_ONE)
			{
				rc = viper_run_step(&run, err);
				if (rc == SQLITE_ROW)
				{
					code = vc_error_set(err, VC_ERR_TOO_MANY_ROWS,
										"more than one \"%s\" row matches the query",
										c->model->label);
				}
				else if (rc == SQLITE_ERROR)
					code = err->code;
			}
			viper_run_end(&run);
			if (code == VC_OK)
				code = vc_buf_finish(&b, &text, &len, err);
			else
				vc_buf_reset(&b);
			if (code != VC_OK)
				return code;
			sqlite3_result_text64(ctx, text, len, sqlite3_free, SQLITE_UTF8);
			return VC_OK;
		default:
			viper_run_end(&run);
			return vc_error_set(err, VC_ERR_INTERNAL,
								"unexpected result kind for a read");
	}
}

static vc_code compile_single(const vc_alloc *a, const vc_catalog *cat,
							  const char *label, const json_t *spec,
							  const vc_query_opts *o, vc_compiled **out,
							  vc_error *err);

static void
read_function(sqlite3_context *ctx, int argc, sqlite3_value **argv,
			  compile_fn fn)
{
	viper_engine *e;
	viper_catref *cat = NULL;
	vc_compiled *c = NULL;
	vc_error	err;
	vc_code		code;

	vc_error_clear(&err);
	code = compile_args(ctx, argc, argv, fn, &e, &cat, &c, &err);
	if (code == VC_OK && c != NULL)
		code = run_result(ctx, e, c, fn == compile_single, &err);
	else if (code == VC_OK)
		sqlite3_result_null(ctx);
	vc_compiled_free(c);
	viper_catref_release(cat);
	if (code != VC_OK)
		viper_sqlite_raise(ctx, &err);
}

void
viper_sqlite_get(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	read_function(ctx, argc, argv, vc_compile_get);
}

void
viper_sqlite_count(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	read_function(ctx, argc, argv, vc_compile_count);
}

void
viper_sqlite_exists(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	read_function(ctx, argc, argv, vc_compile_exists);
}

void
viper_sqlite_aggregate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	read_function(ctx, argc, argv, vc_compile_aggregate);
}

/* viper_compile(model[, spec]) → {"sql": text, "params": [...]}; runs nothing */
void
viper_sqlite_compile(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	viper_engine *e;
	viper_catref *cat = NULL;
	vc_compiled *c = NULL;
	json_t	   *params = NULL;
	json_t	   *obj = NULL;
	char	   *text = NULL;
	vc_error	err;
	vc_code		code;

	vc_error_clear(&err);
	code = compile_args(ctx, argc, argv, vc_compile_query, &e, &cat, &c, &err);
	if (code == VC_OK && c == NULL)
		sqlite3_result_null(ctx);
	else if (code == VC_OK &&
			 (code = vc_compiled_params_json(c, &params, &err)) == VC_OK)
	{
		obj = vc_json_object_new();
		if (obj == NULL ||
			json_object_set_new(obj, "sql", json_stringn(c->sql, c->sql_len)) != 0 ||
			json_object_set(obj, "params", params) != 0 ||
			(text = json_dumps(obj, JSON_COMPACT)) == NULL)
			code = vc_error_set(&err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		else
			sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
	}
	free(text);
	json_decref(obj);
	json_decref(params);
	vc_compiled_free(c);
	viper_catref_release(cat);
	if (code != VC_OK)
		viper_sqlite_raise(ctx, &err);
}

/* get_single: the query {"limit": 1} on a single model */
static vc_code
compile_single(const vc_alloc *a, const vc_catalog *cat, const char *label,
			   const json_t *spec, const vc_query_opts *o, vc_compiled **out,
			   vc_error *err)
{
	const vc_model *m;
	json_t	   *one;
	vc_code		code;

	(void) spec;
	*out = NULL;
	if ((code = vc_catalog_find(cat, label, strlen(label), &m, err)) != VC_OK ||
		(code = vc_model_check_single(m, err)) != VC_OK)
		return code;
	if ((one = vc_json_object_new()) == NULL ||
		json_object_set_new(one, "limit", json_integer(1)) != 0)
	{
		json_decref(one);
		return vc_error_set(err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	}
	code = vc_compile_get(a, cat, label, one, o, out, err);
	json_decref(one);
	return code;
}

void
viper_sqlite_get_single(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	read_function(ctx, argc, argv, compile_single);
}
