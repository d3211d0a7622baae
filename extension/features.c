/*
 * features.c — the extension's version and the DatabaseFeatures of the live
 * server (DESIGN §2).
 *
 * viper.features() reads the flags the catalog holds for 'postgresql' (a
 * DBA may switch one off there), lets core apply the version gates for the
 * running server's server_version_num, and returns core's JSON as jsonb.
 * viper._vendor_feature_defaults() exposes core's static table so the
 * install script seeds viper.vendor_features from the single source.
 *
 * Memory: SPI results are read into a fixed int array before SPI_finish;
 * the JSON text is palloc'd in the caller's context after SPI_finish.
 */
#include "postgres.h"

#include "spi_json.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"

#include "engine.h"
#include "pg_alloc.h"
#include "pg_error.h"

#ifndef VIPER_VERSION
#error "VIPER_VERSION must be defined by the Makefile"
#endif

PG_FUNCTION_INFO_V1(viper_version);
PG_FUNCTION_INFO_V1(viper_features);
PG_FUNCTION_INFO_V1(viper_vendor_feature_defaults);

/* viper.version() → the extension version (EXTVERSION of the Makefile) */
Datum
viper_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(VIPER_VERSION));
}

/* The feature of a catalog row, or -1 for a name core does not know. */
static int
feature_by_name(const char *name)
{
	int			f;

	for (f = 0; f < VC_FEAT__COUNT; f++)
		if (strcmp(name, vc_feature_name((vc_feature) f)) == 0)
			return f;
	return -1;
}

/*
 * Fill baseline[] from viper.vendor_features for vendor. A flag that has
 * no row counts as off: the catalog is what the DBA says.
 */
static void
read_catalog_flags(const char *vendor, int baseline[VC_FEAT__COUNT])
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	int			rc;
	uint64		i;

	memset(baseline, 0, sizeof(int) * VC_FEAT__COUNT);
	values[0] = CStringGetTextDatum(vendor);

	viper_engine_connect();
	rc = SPI_execute_with_args("SELECT feature, enabled"
							   " FROM viper.vendor_features"
							   " WHERE vendor OPERATOR(pg_catalog.=) $1",
							   1, argtypes, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		viper_pg_internal("reading viper.vendor_features",
						  SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;
		int			f;

		d = SPI_getbinval(tup, desc, 1, &isnull);
		if (isnull)
			continue;
		f = feature_by_name(TextDatumGetCString(d));
		if (f < 0)
			continue;
		d = SPI_getbinval(tup, desc, 2, &isnull);
		baseline[f] = !isnull && DatumGetBool(d);
	}
	SPI_finish();
}

/* viper.features() → jsonb of the live server's feature flags */
Datum
viper_features(PG_FUNCTION_ARGS)
{
	int			baseline[VC_FEAT__COUNT];
	int			enabled[VC_FEAT__COUNT];
	const char *version = GetConfigOption("server_version", false, false);
	const char *version_num_s = GetConfigOption("server_version_num", false, false);
	long		version_num = strtol(version_num_s, NULL, 10);
	vc_error	err;
	char	   *json;

	read_catalog_flags(vc_vendor_name(VC_VENDOR_POSTGRESQL), baseline);
	vc_features_eval(VC_VENDOR_POSTGRESQL, version_num, baseline, enabled);
	if (vc_features_json(&viper_pg_alloc, VC_VENDOR_POSTGRESQL, version,
						 version_num, enabled, &json, &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}

/*
 * viper._vendor_feature_defaults() → TABLE(vendor, feature, enabled): core's
 * static table, one row per vendor × feature.
 */
Datum
viper_vendor_feature_defaults(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			v;
	int			f;

	InitMaterializedSRF(fcinfo, 0);
	for (v = 0; v < VC_VENDOR__COUNT; v++)
		for (f = 0; f < VC_FEAT__COUNT; f++)
		{
			Datum		values[3];
			bool		nulls[3] = {false, false, false};

			values[0] = CStringGetTextDatum(vc_vendor_name((vc_vendor) v));
			values[1] = CStringGetTextDatum(vc_feature_name((vc_feature) f));
			values[2] = BoolGetDatum(vc_feature_default((vc_vendor) v,
														(vc_feature) f) != 0);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
								 values, nulls);
		}
	return (Datum) 0;
}
