/*
 * pg_error.h — the one place where the PostgreSQL host raises an error that
 * core reported. Every user-reachable error of the extension goes through
 * viper_pg_raise, so SQLSTATE, message, detail and hint are always those of
 * core's table (DESIGN §9).
 */
#ifndef VIPER_PG_ERROR_H
#define VIPER_PG_ERROR_H

#include "vc.h"

#include "compat.h"

/* ereport(ERROR) with err's SQLSTATE, message, detail and hint; never returns. */
VIPER_NORETURN_PRE void viper_pg_raise(const vc_error *err)
			VIPER_NORETURN_POST;

/*
 * Report a failure of the host machinery itself (SPI and the like) as an
 * internal error (XX000) through viper_pg_raise.
 */
VIPER_NORETURN_PRE void viper_pg_internal(const char *what, const char *why)
			VIPER_NORETURN_POST;

/* core's 53200 "out of memory" (a jansson or buffer allocation failed). */
VIPER_NORETURN_PRE void viper_pg_oom(void) VIPER_NORETURN_POST;

#endif							/* VIPER_PG_ERROR_H */
