/*
 * viper.c — the module's entry point: module magic and _PG_init, which
 * defines viper's configuration parameters. The SQL-callable functions
 * live in validate.c and features.c; errors leave through pg_error.c.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "compat.h"
#include "viper.h"

PG_MODULE_MAGIC;

/*
 * viper.max_query_rows: a cap on the rows the query engine returns (it
 * truncates like LIMIT); 0 means no cap (DESIGN §12). Users may lower or
 * raise it per session, so PGC_USERSET.
 */
int			viper_max_query_rows = 0;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("viper.max_query_rows",
							"Maximum number of rows a viper query returns (0 = no limit).",
							"A query over the cap is truncated as if it had a LIMIT.",
							&viper_max_query_rows,
							0,
							0,
							INT_MAX,
							PGC_USERSET,
							0,
							NULL,
							NULL,
							NULL);
	MarkGUCPrefixReserved("viper");

	/* patch claims never outlive their transaction (patches.c) */
	RegisterXactCallback(viper_patches_xact_callback, NULL);
	RegisterSubXactCallback(viper_patches_subxact_callback, NULL);
	/* the principal and bypasses never outlive their transaction (perm.c) */
	RegisterXactCallback(viper_perm_xact_callback, NULL);
}
