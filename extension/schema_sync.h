/*
 * schema_sync.h — what the schema-sync files of the PostgreSQL host share:
 * models.c (viper.models: read, upsert, delete; register_model, model),
 * introspect.c (the live table as core/vc_plan.h's introspection JSON) and
 * migrate.c (plan, migrate).
 *
 * Functions marked "SPI" must be called inside an SPI connection. Trees they
 * return are new, unguarded references created as their last step (nothing
 * raises after them): the caller guards them or hands them to a parent.
 */
#ifndef VIPER_SCHEMA_SYNC_H
#define VIPER_SCHEMA_SYNC_H

#include <jansson.h>

#include "vc.h"
#include "vc_plan.h"

/*
 * The advisory lock (pg_advisory_xact_lock) that serialises migrate and
 * register_model: every reader of viper.models that goes on to write it
 * takes this lock first, so two migrators never plan from the same stale
 * catalog. The bytes spell "viper" followed by 1.
 */
#define VIPER_MIGRATE_LOCK_KEY INT64CONST(0x7669706572000001)

/* Take the migrate lock for the rest of the transaction. */
extern void viper_migrate_lock(void);

/*
 * SPI: the catalog as [{"label": ..., "schema": {...}}, ...] by label. Read
 * with a fresh snapshot, so a caller that waited for the migrate lock sees
 * what the previous holder committed.
 */
extern json_t *viper_catalog_read(void);

/*
 * SPI: upsert one catalog row (version + 1 and updated_at = now() when it
 * changed; nothing at all when catalog already holds the same schema).
 */
extern void viper_catalog_store(const vc_plan_store *row, const json_t *catalog);

/* SPI: delete the catalog row of label (grants go with it). */
extern void viper_catalog_unstore(const char *label);

/*
 * SPI: the introspection object of table in schema public (vc_plan.h);
 * {"table": t, "exists": false} when there is none. table must have been
 * validated as an identifier. read_only false takes a fresh snapshot (what
 * migrate needs after waiting for its lock).
 */
extern json_t *viper_introspect_table(const char *table, bool read_only);

#endif							/* VIPER_SCHEMA_SYNC_H */
