/*
 * test_features.c — core tests of the vendor × feature table (DESIGN §2):
 * its shape and names, known values, the version gates of vc_features_eval
 * and the exact JSON text vc_features_json produces.
 */
#include "vtest.h"

static const char *const expected_vendors[] = {
	"postgresql", "mysql", "sqlite", "mssql", "oracle"
};

static const char *const expected_features[] = {
	"supports_transactions",
	"supports_savepoints",
	"supports_json",
	"supports_uuid",
	"supports_returning",
	"supports_bulk_insert",
	"supports_foreign_keys",
	"supports_indexes",
	"supports_partial_indexes",
	"supports_check_constraints",
	"supports_schema_comments",
	"supports_read_only_connections",
};

/* The vendor's static row, as a baseline for vc_features_eval. */
static void
baseline_of(vc_vendor v, int baseline[VC_FEAT__COUNT])
{
	int			f;

	for (f = 0; f < VC_FEAT__COUNT; f++)
		baseline[f] = vc_feature_default(v, (vc_feature) f);
}

/* Live flags of vendor v at version_num with the static baseline. */
static void
eval_at(vc_vendor v, long version_num, int enabled[VC_FEAT__COUNT])
{
	int			baseline[VC_FEAT__COUNT];

	baseline_of(v, baseline);
	vc_features_eval(v, version_num, baseline, enabled);
}

static void
table_has_five_vendors(void)
{
	int			v;

	VT_CHECK(VC_VENDOR__COUNT == 5);
	for (v = 0; v < VC_VENDOR__COUNT; v++)
		VT_STREQ(vc_vendor_name((vc_vendor) v), expected_vendors[v]);
}

static void
table_has_twelve_features(void)
{
	int			f;

	VT_CHECK(VC_FEAT__COUNT == 12);
	for (f = 0; f < VC_FEAT__COUNT; f++)
		VT_STREQ(vc_feature_name((vc_feature) f), expected_features[f]);
}

static void
names_out_of_range(void)
{
	VT_STREQ(vc_vendor_name(VC_VENDOR__COUNT), "unknown");
	VT_STREQ(vc_vendor_name((vc_vendor) -1), "unknown");
	VT_STREQ(vc_feature_name(VC_FEAT__COUNT), "unknown");
	VT_STREQ(vc_feature_name((vc_feature) -1), "unknown");
	VT_CHECK(vc_feature_default(VC_VENDOR__COUNT, VC_FEAT_JSON) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_POSTGRESQL, VC_FEAT__COUNT) == 0);
	VT_CHECK(vc_feature_min_version(VC_VENDOR__COUNT, VC_FEAT_JSON) == 0);
}

static void
values_are_boolean(void)
{
	int			v,
				f;

	for (v = 0; v < VC_VENDOR__COUNT; v++)
		for (f = 0; f < VC_FEAT__COUNT; f++)
		{
			int			d = vc_feature_default((vc_vendor) v, (vc_feature) f);

			VT_CHECK(d == 0 || d == 1);
			VT_CHECK(vc_feature_min_version((vc_vendor) v, (vc_feature) f) >= 0);
		}
}

static void
every_vendor_has_transactions(void)
{
	int			v;

	for (v = 0; v < VC_VENDOR__COUNT; v++)
	{
		VT_CHECK(vc_feature_default((vc_vendor) v, VC_FEAT_TRANSACTIONS) == 1);
		VT_CHECK(vc_feature_default((vc_vendor) v, VC_FEAT_INDEXES) == 1);
	}
}

static void
postgresql_all_true(void)
{
	int			f;

	for (f = 0; f < VC_FEAT__COUNT; f++)
		VT_CHECK(vc_feature_default(VC_VENDOR_POSTGRESQL, (vc_feature) f) == 1);
}

static void
sqlite_no_schema_comments(void)
{
	VT_CHECK(vc_feature_default(VC_VENDOR_SQLITE, VC_FEAT_SCHEMA_COMMENTS) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_SQLITE, VC_FEAT_UUID) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_SQLITE, VC_FEAT_RETURNING) == 1);
	VT_CHECK(vc_feature_default(VC_VENDOR_SQLITE, VC_FEAT_PARTIAL_INDEXES) == 1);
}

static void
mysql_no_returning(void)
{
	VT_CHECK(vc_feature_default(VC_VENDOR_MYSQL, VC_FEAT_RETURNING) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_MYSQL, VC_FEAT_PARTIAL_INDEXES) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_MYSQL, VC_FEAT_JSON) == 1);
}

static void
oracle_and_mssql_values(void)
{
	VT_CHECK(vc_feature_default(VC_VENDOR_ORACLE, VC_FEAT_UUID) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_ORACLE, VC_FEAT_PARTIAL_INDEXES) == 0);
	VT_CHECK(vc_feature_default(VC_VENDOR_MSSQL, VC_FEAT_UUID) == 1);
}

static void
eval_sqlite_3_34_no_returning(void)
{
	int			enabled[VC_FEAT__COUNT];

	eval_at(VC_VENDOR_SQLITE, 3034000, enabled);
	VT_CHECK(enabled[VC_FEAT_RETURNING] == 0);
	VT_CHECK(enabled[VC_FEAT_JSON] == 0);
	VT_CHECK(enabled[VC_FEAT_SAVEPOINTS] == 1);
}

static void
eval_sqlite_3_35_returning(void)
{
	int			enabled[VC_FEAT__COUNT];

	eval_at(VC_VENDOR_SQLITE, 3035000, enabled);
	VT_CHECK(enabled[VC_FEAT_RETURNING] == 1);
	eval_at(VC_VENDOR_SQLITE, 3034999, enabled);
	VT_CHECK(enabled[VC_FEAT_RETURNING] == 0);
}

static void
eval_sqlite_3_37_no_json(void)
{
	int			enabled[VC_FEAT__COUNT];

	eval_at(VC_VENDOR_SQLITE, 3037002, enabled);
	VT_CHECK(enabled[VC_FEAT_JSON] == 0);
	VT_CHECK(enabled[VC_FEAT_RETURNING] == 1);
}

static void
eval_sqlite_3_40_json(void)
{
	int			enabled[VC_FEAT__COUNT];
	int			f;

	eval_at(VC_VENDOR_SQLITE, 3040001, enabled);
	VT_CHECK(enabled[VC_FEAT_JSON] == 1);
	/* at a current version, the live flags are the static row */
	for (f = 0; f < VC_FEAT__COUNT; f++)
		VT_CHECK(enabled[f] == vc_feature_default(VC_VENDOR_SQLITE, (vc_feature) f));
}

static void
eval_sqlite_ancient(void)
{
	int			enabled[VC_FEAT__COUNT];

	/* 3.6.0: no savepoints, foreign keys, multi-row VALUES, partial indexes */
	eval_at(VC_VENDOR_SQLITE, 3006000, enabled);
	VT_CHECK(enabled[VC_FEAT_TRANSACTIONS] == 1);
	VT_CHECK(enabled[VC_FEAT_SAVEPOINTS] == 0);
	VT_CHECK(enabled[VC_FEAT_FOREIGN_KEYS] == 0);
	VT_CHECK(enabled[VC_FEAT_BULK_INSERT] == 0);
	VT_CHECK(enabled[VC_FEAT_PARTIAL_INDEXES] == 0);
}

static void
eval_postgresql_gate(void)
{
	int			enabled[VC_FEAT__COUNT];

	eval_at(VC_VENDOR_POSTGRESQL, 90300, enabled);
	VT_CHECK(enabled[VC_FEAT_JSON] == 0);
	eval_at(VC_VENDOR_POSTGRESQL, 150004, enabled);
	VT_CHECK(enabled[VC_FEAT_JSON] == 1);
	VT_CHECK(enabled[VC_FEAT_RETURNING] == 1);
}

static void
eval_baseline_off_stays_off(void)
{
	int			baseline[VC_FEAT__COUNT];
	int			enabled[VC_FEAT__COUNT];

	/* a DBA switched returning and json off in the catalog */
	baseline_of(VC_VENDOR_SQLITE, baseline);
	baseline[VC_FEAT_RETURNING] = 0;
	baseline[VC_FEAT_JSON] = 0;
	vc_features_eval(VC_VENDOR_SQLITE, 3045000, baseline, enabled);
	VT_CHECK(enabled[VC_FEAT_RETURNING] == 0);
	VT_CHECK(enabled[VC_FEAT_JSON] == 0);
	VT_CHECK(enabled[VC_FEAT_SAVEPOINTS] == 1);
}

static void
eval_baseline_on_not_in_table(void)
{
	int			baseline[VC_FEAT__COUNT];
	int			enabled[VC_FEAT__COUNT];

	/* a flag the catalog switches on passes through when no gate applies */
	baseline_of(VC_VENDOR_SQLITE, baseline);
	baseline[VC_FEAT_SCHEMA_COMMENTS] = 1;
	vc_features_eval(VC_VENDOR_SQLITE, 3040001, baseline, enabled);
	VT_CHECK(enabled[VC_FEAT_SCHEMA_COMMENTS] == 1);
}

static void
features_json_sqlite_exact(void)
{
	int			enabled[VC_FEAT__COUNT];
	char	   *out = NULL;
	vc_error	err;

	eval_at(VC_VENDOR_SQLITE, 3040001, enabled);
	VT_CHECK(vc_features_json(&vc_alloc_libc, VC_VENDOR_SQLITE, "3.40.1", 3040001,
							  enabled, &out, &err) == VC_OK);
	VT_STREQ(out,
			 "{\"vendor\": \"sqlite\", \"version\": \"3.40.1\", \"version_num\": 3040001, "
			 "\"supports_transactions\": true, \"supports_savepoints\": true, "
			 "\"supports_json\": true, \"supports_uuid\": false, "
			 "\"supports_returning\": true, \"supports_bulk_insert\": true, "
			 "\"supports_foreign_keys\": true, \"supports_indexes\": true, "
			 "\"supports_partial_indexes\": true, \"supports_check_constraints\": true, "
			 "\"supports_schema_comments\": false, "
			 "\"supports_read_only_connections\": true}");
	free(out);
}

static void
features_json_without_version(void)
{
	const char *prefix = "{\"vendor\": \"mysql\", \"version_num\": 0, "
		"\"supports_transactions\": false, ";
	int			enabled[VC_FEAT__COUNT] = {0};
	char	   *out = NULL;
	vc_error	err;

	VT_CHECK(vc_features_json(&vc_alloc_libc, VC_VENDOR_MYSQL, NULL, 0, enabled,
							  &out, &err) == VC_OK);
	VT_CHECK(out != NULL && strncmp(out, prefix, strlen(prefix)) == 0);
	VT_CHECK(out != NULL && strstr(out, "\"version\":") == NULL);
	free(out);
}

static void
features_json_escapes_version(void)
{
	int			enabled[VC_FEAT__COUNT] = {0};
	char	   *out = NULL;
	vc_error	err;

	VT_CHECK(vc_features_json(&vc_alloc_libc, VC_VENDOR_POSTGRESQL,
							  "15\"x\\y\n", 150000, enabled, &out, &err) == VC_OK);
	VT_CHECK(out != NULL &&
			 strstr(out, "\"version\": \"15\\\"x\\\\y\\u000a\"") != NULL);
	free(out);
}

int
main(void)
{
	VT_RUN(table_has_five_vendors);
	VT_RUN(table_has_twelve_features);
	VT_RUN(names_out_of_range);
	VT_RUN(values_are_boolean);
	VT_RUN(every_vendor_has_transactions);
	VT_RUN(postgresql_all_true);
	VT_RUN(sqlite_no_schema_comments);
	VT_RUN(mysql_no_returning);
	VT_RUN(oracle_and_mssql_values);
	VT_RUN(eval_sqlite_3_34_no_returning);
	VT_RUN(eval_sqlite_3_35_returning);
	VT_RUN(eval_sqlite_3_37_no_json);
	VT_RUN(eval_sqlite_3_40_json);
	VT_RUN(eval_sqlite_ancient);
	VT_RUN(eval_postgresql_gate);
	VT_RUN(eval_baseline_off_stays_off);
	VT_RUN(eval_baseline_on_not_in_table);
	VT_RUN(features_json_sqlite_exact);
	VT_RUN(features_json_without_version);
	VT_RUN(features_json_escapes_version);
	VT_DONE();
}
