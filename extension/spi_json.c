/*
 * spi_json.c — jansson trees in the PostgreSQL host (see spi_json.h):
 * context-bound lifetime, jsonb <-> json_t, and bound SPI queries with a
 * jsonb result.
 *
 * jsonb → json_t goes through jsonb's text form (jsonb_out) and jansson's
 * parser; json_t → jsonb through json_dumps and jsonb_in. Both forms are
 * plain JSON, so nothing is lost except jsonb's own normalisation (object
 * keys sorted, duplicates dropped), which the model parser does not care
 * about.
 */
#include "postgres.h"

#include "spi_json.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "pg_alloc.h"
#include "pg_error.h"

typedef struct reset_hook
{
	MemoryContextCallback cb;
	void		(*fn) (void *);
	void	   *arg;
} reset_hook;

static void
reset_hook_run(void *arg)
{
	reset_hook *h = (reset_hook *) arg;

	h->fn(h->arg);
}

void
viper_on_context_reset(MemoryContext ctx, void (*fn) (void *), void *arg)
{
	reset_hook *h = MemoryContextAlloc(ctx, sizeof(reset_hook));

	h->fn = fn;
	h->arg = arg;
	h->cb.func = reset_hook_run;
	h->cb.arg = h;
	MemoryContextRegisterResetCallback(ctx, &h->cb);
}

static void
json_release(void *arg)
{
	json_decref((json_t *) arg);
}

json_t *
viper_json_guard(json_t *j, MemoryContext ctx)
{
	if (j != NULL)
		viper_on_context_reset(ctx, json_release, j);
	return j;
}

json_t *
viper_json_parse(const char *text, size_t len)
{
	json_error_t jerr;
	json_t	   *j;

	j = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	if (j == NULL)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_TEXT_REPR, "invalid JSON value");
		vc_error_detail(&err, "%s at position %d.", jerr.text, jerr.position);
		viper_pg_raise(&err);
	}
	return j;
}

json_t *
viper_jsonb_to_json(Datum jsonb, MemoryContext ctx)
{
	char	   *text = DatumGetCString(DirectFunctionCall1(jsonb_out, jsonb));
	json_t	   *j = viper_json_parse(text, strlen(text));

	pfree(text);
	return viper_json_guard(j, ctx);
}

Datum
viper_json_to_jsonb(const json_t *j)
{
	char	   *dumped;
	char	   *copy;

	dumped = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (dumped == NULL)
		viper_pg_oom();
	/* copy before anything can raise, so the malloc'd text never leaks */
	copy = palloc_extended(strlen(dumped) + 1, MCXT_ALLOC_NO_OOM);
	if (copy != NULL)
		strcpy(copy, dumped);
	free(dumped);
	if (copy == NULL)
		viper_pg_oom();
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(copy));
}

char *
viper_spi_text_value(const char *sql, int nargs, Oid *argtypes, Datum *values,
					 bool read_only, const char *what)
{
	int			rc;
	bool		isnull;

	rc = SPI_execute_with_args(sql, nargs, argtypes, values, NULL, read_only,
							   1);
	if (rc != SPI_OK_SELECT)
		viper_pg_internal(what, SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return NULL;
	(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						 &isnull);
	if (isnull)
		return NULL;
	/* SPI_getvalue prints the value with its type's output function */
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

json_t *
viper_spi_json_value(const char *sql, int nargs, Oid *argtypes, Datum *values,
					 bool read_only, const char *what)
{
	char	   *text = viper_spi_text_value(sql, nargs, argtypes, values,
											read_only, what);

	return text ? viper_json_parse(text, strlen(text)) : NULL;
}
