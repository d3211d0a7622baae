/*
 * compat.h — every PostgreSQL version branch of the extension lives here,
 * so the rest of extension/ is written against one API.
 *
 * Supported: PostgreSQL 15 (the build machine), with the branches for 16,
 * 17 and 18 prepared. Include after postgres.h.
 */
#ifndef VIPER_COMPAT_H
#define VIPER_COMPAT_H

#if PG_VERSION_NUM < 150000
#error "viper requires PostgreSQL 15 or later"
#endif

/*
 * "Does not return" markers. PostgreSQL 18 replaced the postfix
 * pg_attribute_noreturn() with a prefix pg_noreturn (C11 _Noreturn);
 * declarations write VIPER_NORETURN_PRE void f(...) VIPER_NORETURN_POST;
 */
#if PG_VERSION_NUM >= 180000
#define VIPER_NORETURN_PRE pg_noreturn
#define VIPER_NORETURN_POST
#else
#define VIPER_NORETURN_PRE
#define VIPER_NORETURN_POST pg_attribute_noreturn()
#endif

/*
 * Materialize-mode set-returning functions: 15.0 shipped the helper as
 * SetSingleFuncCall; 15.1 renamed it InitMaterializedSRF (kept since).
 */
#if PG_VERSION_NUM < 150001
#define InitMaterializedSRF(fcinfo, flags) SetSingleFuncCall((fcinfo), (flags))
#endif

/*
 * PostgreSQL 16 split the varlena macros (VARDATA_ANY, VARSIZE_ANY_EXHDR)
 * out of postgres.h into varatt.h.
 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#endif							/* VIPER_COMPAT_H */
