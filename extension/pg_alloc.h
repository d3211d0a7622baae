/*
 * pg_alloc.h — core's allocator over palloc, and the conversions between
 * PostgreSQL text values and core's (pointer, length) strings.
 *
 * Memory handed out by viper_pg_alloc lives in the memory context that is
 * current when core allocates (normally the function call's context), so
 * it goes away with that context even when an error is raised later.
 */
#ifndef VIPER_PG_ALLOC_H
#define VIPER_PG_ALLOC_H

#include "vc.h"

#include "compat.h"

/* Allocator over palloc_extended(MCXT_ALLOC_NO_OOM)/pfree. */
extern const vc_alloc viper_pg_alloc;

/* Borrow the bytes of a (detoasted, possibly short-header) text value. */
#define VIPER_TEXT_PTR(t) ((const char *) VARDATA_ANY(t))
#define VIPER_TEXT_LEN(t) ((size_t) VARSIZE_ANY_EXHDR(t))

/* A text value holding len bytes of s (palloc'd in the current context). */
extern text *viper_text_from(const char *s, size_t len);

/* The NUL-terminated copy of a text argument, or NULL for SQL NULL. */
extern char *viper_arg_cstring(FunctionCallInfo fcinfo, int argno);

#endif							/* VIPER_PG_ALLOC_H */
