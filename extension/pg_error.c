/*
 * pg_error.c — the single throw site of the PostgreSQL host: turns a core
 * vc_error into ereport(ERROR). No other file calls ereport(ERROR) or
 * elog(ERROR) on a path a user can reach.
 *
 * The texts come from core already formatted (and already cut to at most
 * ~64 bytes of user input), so they are passed through "%s" and never
 * used as a format string.
 */
#include "postgres.h"

#include "pg_error.h"

void
viper_pg_raise(const vc_error *err)
{
	const char *state = vc_sqlstate(err->code);
	int			sqlerrcode;

	/* core's table always yields five characters; fall back defensively */
	if (strlen(state) != 5)
		state = "XX000";
	sqlerrcode = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);

	ereport(ERROR,
			(errcode(sqlerrcode),
			 errmsg_internal("%s", err->message[0] ? err->message : "viper error"),
			 err->detail[0] ? errdetail_internal("%s", err->detail) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0));
	pg_unreachable();
}

void
viper_pg_internal(const char *what, const char *why)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_INTERNAL, "%s failed: %s", what, why);
	viper_pg_raise(&err);
}

void
viper_pg_oom(void)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_OUT_OF_MEMORY, "out of memory");
	viper_pg_raise(&err);
}
