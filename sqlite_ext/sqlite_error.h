/*
 * sqlite_error.h — the SQLite host's one throw site and its allocator.
 *
 * viper_sqlite_raise() is the only place where a core error becomes an
 * SQLite function error; every wrapper that fails calls it and returns.
 * viper_sqlite_alloc hands core sqlite3_malloc64/sqlite3_free, so text core
 * builds can be given to sqlite3_result_text64 with sqlite3_free as its
 * destructor (no copy).
 */
#ifndef VIPER_SQLITE_ERROR_H
#define VIPER_SQLITE_ERROR_H

#include "viper_sqlite.h"

/* core allocator over sqlite3_malloc64 / sqlite3_free (stateless, const) */
extern const vc_alloc viper_sqlite_alloc;

/*
 * Set ctx's result to err: "viper[SQLSTATE]: message", followed by
 * "\nDETAIL:  ..." and "\nHINT:  ..." when those are non-empty (the layout
 * psql uses, so both hosts read alike). The SQLite result code is
 * SQLITE_CONSTRAINT for 23505, SQLITE_READONLY for 25006, SQLITE_ERROR
 * otherwise; 53200 (out of memory) becomes sqlite3_result_error_nomem.
 */
void		viper_sqlite_raise(sqlite3_context *ctx, const vc_error *err);

#endif
