/*
 * features.c — viper_features(): the live SQLite library's DatabaseFeatures
 * as JSON text (DESIGN §2, §10: the client reads it at connect).
 *
 * The baseline is what main.viper_vendor_features says for vendor 'sqlite'
 * (a DBA may switch a flag off there; a missing row counts as off); core's
 * version gates are then applied to sqlite3_libversion_number(), the
 * library actually loaded, not the one the extension was compiled against.
 */
#include "sqlite_error.h"

#include <string.h>

/* Read the catalog's flags for 'sqlite' into baseline; SQLite rc. */
static int
read_baseline(sqlite3 *db, int baseline[VC_FEAT__COUNT])
{
	sqlite3_stmt *st = NULL;
	int			rc;
	int			f;

	memset(baseline, 0, sizeof(int) * VC_FEAT__COUNT);
	rc = sqlite3_prepare_v2(db,
							"SELECT feature, enabled FROM main.viper_vendor_features"
							" WHERE vendor = ?1",
							-1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_bind_text(st, 1, vc_vendor_name(VC_VENDOR_SQLITE), -1,
						   SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
	{
		const char *name = (const char *) sqlite3_column_text(st, 0);

		rc = SQLITE_OK;
		if (name == NULL)
			continue;
		/* rows for features this build does not know are ignored */
		for (f = 0; f < VC_FEAT__COUNT; f++)
			if (strcmp(name, vc_feature_name((vc_feature) f)) == 0)
				baseline[f] = sqlite3_column_int(st, 1) != 0;
	}
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

/* viper_features() → JSON text */
void
viper_sqlite_features(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3    *db = sqlite3_context_db_handle(ctx);
	long		version_num = (long) sqlite3_libversion_number();
	int			baseline[VC_FEAT__COUNT];
	int			enabled[VC_FEAT__COUNT];
	char	   *out;
	vc_error	err;
	int			rc;

	(void) argc;
	(void) argv;
	rc = read_baseline(db, baseline);
	if (rc != SQLITE_OK)
	{
		viper_sqlite_catalog_error(ctx, db, rc, "viper_vendor_features");
		return;
	}
	vc_features_eval(VC_VENDOR_SQLITE, version_num, baseline, enabled);

	/*
	 * JSON functions are built in by default only from 3.38; an older
	 * library has them when it was compiled with JSON1. A newer one can
	 * still have been built without them (SQLITE_OMIT_JSON).
	 */
	if (baseline[VC_FEAT_JSON] && !enabled[VC_FEAT_JSON] &&
		sqlite3_compileoption_used("ENABLE_JSON1"))
		enabled[VC_FEAT_JSON] = 1;
	if (enabled[VC_FEAT_JSON] && sqlite3_compileoption_used("OMIT_JSON"))
		enabled[VC_FEAT_JSON] = 0;

	vc_error_clear(&err);
	if (vc_features_json(&viper_sqlite_alloc, VC_VENDOR_SQLITE,
						 sqlite3_libversion(), version_num, enabled, &out,
						 &err) != VC_OK)
	{
		viper_sqlite_raise(ctx, &err);
		return;
	}
	sqlite3_result_text(ctx, out, -1, sqlite3_free);
}
