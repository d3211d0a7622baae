/*
 * writes.h — what the write functions of the PostgreSQL host share
 * (writes.c: insert, bulk_create, update, bulk_update, delete;
 * writes_extra.c: get_or_create, update_or_create, m2m_*, *_single):
 * running a statement that returns the stored row, the one-row insert
 * and the update both files use, and the viper_events notification.
 *
 * Memory: every helper allocates what it returns in the caller's memory
 * context callctx (the function call's context), never in SPI's, so the
 * results survive SPI_finish. jansson trees are guarded by callctx.
 */
#ifndef VIPER_WRITES_H
#define VIPER_WRITES_H

#include "fmgr.h"
#include "utils/palloc.h"

#include <jansson.h>

#include "vc.h"
#include "vc_query.h"

#include "compat.h"

/* The NOTIFY channel of models with meta.events (DESIGN §6). */
#define VIPER_EVENTS_CHANNEL "viper_events"

/* A row a write returned: its jsonb datum and its primary key. */
typedef struct viper_write_row
{
	bool		found;			/* false: the statement returned no row */
	Datum		jsonb;			/* the row object (in callctx) */
	json_t	   *pk;				/* the pk value (guarded by callctx) */
} viper_write_row;

/*
 * Run c (inside an SPI connection) and read its first row: the row's JSON
 * built from the result columns (vc_row_json, through engine.h's row
 * writer) and its primary key. more: set to true when the statement
 * returned more than one row (NULL: not asked).
 */
extern viper_write_row viper_write_exec_row(const vc_compiled *c,
											MemoryContext callctx,
											bool *more);

/*
 * Run c (inside an SPI connection) and return the number of rows it
 * touched (SPI_processed).
 */
extern int64 viper_write_exec_count(const vc_compiled *c);

/*
 * NOTIFY viper_events for model m when its meta.events is true: payload
 * {"model": label, "event": event, "pk": pk} for one row (pk not NULL),
 * {"model", "event", "pk": null, "count": count} for a statement that
 * touched many rows (pk NULL). Nothing is sent for count 0. The payload is
 * built with jansson and handed to pg_notify as a value.
 */
extern void viper_write_notify(const vc_model *m, const char *event,
							   const json_t *pk, int64 count);

/*
 * Compile (in callctx) and run the INSERT of one row object with options
 * o, check the new row against the insert grants, notify, and return the
 * stored row as jsonb (in callctx). what names the function in the
 * internal error of a statement that returned no row. Needs SPI.
 */
extern Datum viper_write_insert(const vc_catalog *cat, const char *label,
								const json_t *row, const vc_query_opts *o,
								MemoryContext callctx, const char *what);

/*
 * Compile (in callctx) and run the UPDATE of spec's rows (spec NULL: all)
 * with changes: viper_engine_check, the new rows checked against the
 * update grants, max_affected enforced (the error rolls the statement
 * back), notify. Returns the rows updated. Needs SPI.
 */
extern int64 viper_write_update(const vc_catalog *cat, const char *label,
								const json_t *spec, const json_t *changes,
								const vc_query_opts *o, MemoryContext callctx);

/*
 * The model label argument resolved against the catalog, for checks that
 * run before anything is compiled (single models). Needs SPI.
 */
extern const vc_model *viper_write_model(const vc_catalog *cat,
										 const char *label);

#endif							/* VIPER_WRITES_H */
