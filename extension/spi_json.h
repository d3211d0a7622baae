/*
 * spi_json.h — jansson trees in the PostgreSQL host: their lifetime tied to
 * a memory context, conversions between jsonb datums and json_t, and a
 * bound SPI query whose single jsonb result comes back as a tree.
 *
 * Memory: jansson allocates with malloc (its global allocator is never
 * changed, CONVENTIONS "Memory"), so a tree alive while code that can
 * ereport runs would leak on error. viper_json_guard hands the tree to a
 * memory context: a reset callback releases it when that context is reset
 * or deleted, on success and on error alike. A guarded tree is never
 * json_decref'd by hand.
 */
#ifndef VIPER_SPI_JSON_H
#define VIPER_SPI_JSON_H

#include "fmgr.h"
#include "utils/palloc.h"

/*
 * jansson's json_object() has the name of a PostgreSQL SQL function
 * (fmgrprotos.h, pulled in by utils/builtins.h). PostgreSQL's declaration
 * is read under another name so the two do not clash at compile time;
 * at run time the module binds jansson's (static, -Bsymbolic: see the
 * Makefile). Include this header right after postgres.h.
 */
#define json_object viper_pg_sql_json_object
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#undef json_object
#include <jansson.h>

#include "vc.h"

#include "compat.h"

/* Run fn(arg) when ctx is reset or deleted (the callback lives in ctx). */
extern void viper_on_context_reset(MemoryContext ctx, void (*fn) (void *),
								   void *arg);

/* Hand the reference j to ctx (json_decref at reset); returns j. */
extern json_t *viper_json_guard(json_t *j, MemoryContext ctx);

/*
 * The tree of a jsonb datum, guarded by ctx. jsonb that jansson cannot
 * represent (an integer beyond 64 bits) is 22P02.
 */
extern json_t *viper_jsonb_to_json(Datum jsonb, MemoryContext ctx);

/*
 * A new, unguarded reference parsed from JSON text; 22P02 on bad text.
 * Nothing can raise after the tree exists, so the caller takes it over.
 */
extern json_t *viper_json_parse(const char *text, size_t len);

/* jsonb datum of a tree (palloc'd in the current memory context). */
extern Datum viper_json_to_jsonb(const json_t *j);

/*
 * Inside an SPI connection: run a read-only query with bound arguments that
 * returns at most one row whose first column is jsonb (or json/text
 * holding JSON). Returns a new, unguarded reference (see viper_json_parse),
 * or NULL when there is no row or the value is SQL NULL. read_only as for
 * SPI_execute: false takes a fresh snapshot (it sees what committed
 * since the statement started, e.g. while waiting for a lock).
 */
extern json_t *viper_spi_json_value(const char *sql, int nargs, Oid *argtypes,
									Datum *values, bool read_only,
									const char *what);

/*
 * The same query's first column as text (its type's output function),
 * palloc'd in SPI's current context; NULL when there is no row or the
 * value is SQL NULL.
 */
extern char *viper_spi_text_value(const char *sql, int nargs, Oid *argtypes,
								  Datum *values, bool read_only,
								  const char *what);

#endif							/* VIPER_SPI_JSON_H */
