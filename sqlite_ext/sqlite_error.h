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
 * SQLITE_CONSTRAINT for 23xxx, SQLITE_READONLY for 25006, SQLITE_BUSY for
 * 55P03, SQLITE_ERROR otherwise; 53200 (out of memory) becomes sqlite3_result_error_nomem.
 */
void		viper_sqlite_raise(sqlite3_context *ctx, const vc_error *err);

/*
 * The same for a virtual table method (viper_query): the message goes to
 * vtab->zErrMsg; returns the SQLite result code the method must return.
 */
int			viper_sqlite_vtab_raise(sqlite3_vtab *vtab, const vc_error *err);

/*
 * Turn the last failure on db into err, so SQLite's own errors reach the
 * caller with a SQLSTATE like viper's: 53200 out of memory; constraint
 * failures 23505 (unique, primary key), 23502 (NOT NULL), 23514 (CHECK),
 * 23503 (foreign key), 23000 (others); 25006 read-only; 55P03 busy or
 * locked; 42P01 when the catalog table `table` is missing (table may be
 * NULL); 42000 for other SQL errors; XX000 for the rest. A trigger that
 * raised "viper[XXXXX]: text" keeps its state and text. `what` says what
 * was being done and is followed by SQLite's message. Read it before
 * anything else runs on db (finalize keeps it; ROLLBACK does not).
 */
vc_code		viper_sqlite_db_error(sqlite3 *db, int rc, const char *what,
								  const char *table, vc_error *err);

/*
 * The classification under viper_sqlite_db_error, for callers that word
 * their own messages (the query engine): the code only, and *own_text set
 * when the message already carries viper's "viper[XXXXX]: " prefix (then
 * the code is that state and *own_text the text after the prefix).
 * SQLITE_ERROR gives VC_ERR_SQL, unknown results VC_ERR_INTERNAL.
 */
vc_code		viper_sqlite_error_code(sqlite3 *db, int rc, const char **own_text);

/* viper_sqlite_db_error followed by viper_sqlite_raise. */
void		viper_sqlite_raise_db(sqlite3_context *ctx, sqlite3 *db, int rc,
								  const char *what, const char *table);

#endif
