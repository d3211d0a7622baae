/*
 * vc_catalog.h — the registered models as the query compiler sees them:
 * every catalog row parsed and resolved ONCE, then looked up by label.
 *
 * Input: the catalog rows JSON of vc_plan.h —
 *   [{"label": "blog.Post", "schema": {...normalised...}}, ...]
 * (viper.models / viper_models read by the host, schema as stored by
 * migrate/register_model). Models whose targets are outside the rows fail
 * with 42P01 (the catalog is always closed under references).
 *
 * Caching: a loaded catalog is immutable and never refers to the input
 * JSON, so a host keeps one per connection keyed by catalog_version()
 * and reloads when the version changes. Lookups allocate nothing.
 * Thread safety: concurrent reads of one catalog are safe.
 *
 * Memory: everything lives in one pool released by vc_catalog_free; the
 * allocator given to vc_catalog_load must outlive the catalog. The models
 * returned by lookups are borrowed from the catalog.
 */
#ifndef VC_CATALOG_H
#define VC_CATALOG_H

#include <stdint.h>

#include <jansson.h>

#include "vc_model.h"

typedef struct vc_catalog vc_catalog;

/*
 * Parse and resolve every row. version is stored for the host's cache
 * check (vc_catalog_version). Errors: any vc_modelset_parse error
 * (prefixed by the model's label), XX000 for a malformed row (not an
 * object, "schema" missing), 53200. *out: vc_catalog_free.
 */
vc_code		vc_catalog_load(const vc_alloc *a, const json_t *rows,
							int64_t version, vc_catalog **out, vc_error *err);

/* The same from JSON text (22P02 when it is not JSON). */
vc_code		vc_catalog_load_text(const vc_alloc *a, const char *text,
								 size_t len, int64_t version,
								 vc_catalog **out, vc_error *err);

/* Release a catalog. Accepts NULL. */
void		vc_catalog_free(vc_catalog *c);

int64_t		vc_catalog_version(const vc_catalog *c);
size_t		vc_catalog_count(const vc_catalog *c);
const vc_model *vc_catalog_model(const vc_catalog *c, size_t i);

/*
 * The model with this label (exact, case-sensitive "app.Model"). 42P01
 * `unknown model "blog.Pst"` with hint `Perhaps you meant "blog.Post".`
 * (nearest label) when absent. Abstract models are not queryable: 42P01
 * too (detail says so); a proxy model resolves to its concrete table.
 */
vc_code		vc_catalog_find(const vc_catalog *c, const char *label, size_t len,
							const vc_model **out, vc_error *err);

/* Lookup without an error (NULL when absent): relation targets. */
const vc_model *vc_catalog_get(const vc_catalog *c, const char *label);

#endif
