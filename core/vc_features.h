/*
 * vc_features.h — the DatabaseFeatures table of DESIGN §2: which of twelve
 * capabilities each vendor has, and the version gates that decide whether
 * the live server or library actually has them.
 *
 * The static table is the single source: the PostgreSQL install script
 * seeds viper.vendor_features from it (viper._vendor_feature_defaults()),
 * the SQLite host seeds viper_vendor_features from it, and docs/features.md
 * cites the source of each value.
 */
#ifndef VC_FEATURES_H
#define VC_FEATURES_H

#include "vc_alloc.h"
#include "vc_error.h"

typedef enum vc_vendor
{
	VC_VENDOR_POSTGRESQL = 0,
	VC_VENDOR_MYSQL,
	VC_VENDOR_SQLITE,
	VC_VENDOR_MSSQL,
	VC_VENDOR_ORACLE,
	VC_VENDOR__COUNT
} vc_vendor;

typedef enum vc_feature
{
	VC_FEAT_TRANSACTIONS = 0,
	VC_FEAT_SAVEPOINTS,
	VC_FEAT_JSON,
	VC_FEAT_UUID,
	VC_FEAT_RETURNING,
	VC_FEAT_BULK_INSERT,
	VC_FEAT_FOREIGN_KEYS,
	VC_FEAT_INDEXES,
	VC_FEAT_PARTIAL_INDEXES,
	VC_FEAT_CHECK_CONSTRAINTS,
	VC_FEAT_SCHEMA_COMMENTS,
	VC_FEAT_READ_ONLY_CONNECTIONS,
	VC_FEAT__COUNT
} vc_feature;

const char *vc_vendor_name(vc_vendor v);
/* "supports_transactions", ... */
const char *vc_feature_name(vc_feature f);
/* The vendor's value in the static table (1/0). */
int			vc_feature_default(vc_vendor v, vc_feature f);

/*
 * The minimum version (the vendor's own number: PostgreSQL's
 * server_version_num, SQLite's sqlite3_libversion_number) at which the
 * feature exists; 0 when every version viper supports has it.
 */
long		vc_feature_min_version(vc_vendor v, vc_feature f);

/*
 * Live flags: enabled[f] = baseline[f] && version >= min_version(v, f).
 * baseline is what the catalog says (a DBA may switch a flag off there).
 */
void		vc_features_eval(vc_vendor v, long version_num,
							 const int baseline[VC_FEAT__COUNT],
							 int enabled[VC_FEAT__COUNT]);

/*
 * {"vendor": "...", "version": "...", "version_num": N,
 *  "supports_transactions": true, ...} in table order. *out owned by the
 * caller (allocated with a). version may be NULL.
 */
vc_code		vc_features_json(const vc_alloc *a, vc_vendor v,
							 const char *version, long version_num,
							 const int enabled[VC_FEAT__COUNT], char **out,
							 vc_error *err);

#endif
