/*
 * pg_alloc.c — core's allocator over palloc, and text conversions.
 *
 * palloc would raise its own out-of-memory error in the middle of core's
 * work; with MCXT_ALLOC_NO_OOM core sees NULL instead, unwinds cleanly and
 * reports 53200 itself, which then leaves through viper_pg_raise like every
 * other error. Requests above MaxAllocSize get the same treatment rather
 * than palloc's "invalid memory alloc request size".
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "pg_alloc.h"
#include "pg_error.h"

static void *
pg_malloc_fn(size_t size, void *ud)
{
	(void) ud;
	if (!AllocSizeIsValid(size))
		return NULL;
	return palloc_extended(size ? size : 1, MCXT_ALLOC_NO_OOM);
}

static void
pg_free_fn(void *ptr, void *ud)
{
	(void) ud;
	if (ptr != NULL)
		pfree(ptr);
}

const vc_alloc viper_pg_alloc = {pg_malloc_fn, pg_free_fn, NULL};

/*
 * A result too big for a varlena is reported like any other allocation
 * failure of core (53200) rather than as palloc's internal error.
 */
text *
viper_text_from(const char *s, size_t len)
{
	if (len > MaxAllocSize - VARHDRSZ)
	{
		vc_error	err;

		vc_error_set(&err, VC_ERR_OUT_OF_MEMORY, "out of memory");
		vc_error_detail(&err, "A result of %zu bytes does not fit in a text value.", len);
		viper_pg_raise(&err);
	}
	return cstring_to_text_with_len(s, (int) len);
}

char *
viper_arg_cstring(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}
