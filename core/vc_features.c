/*
 * vc_features.c — the vendor × feature table and its version gates. The
 * sources for each value are listed in docs/features.md; keep the two in
 * step.
 */
#include "vc_features.h"

static const char *const vendor_names[VC_VENDOR__COUNT] = {
	"postgresql", "mysql", "sqlite", "mssql", "oracle"
};

static const char *const feature_names[VC_FEAT__COUNT] = {
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

/*
 * Rows: vendors; columns: features in enum order.
 * json means a native JSON type or JSON functions usable in queries;
 * uuid means a native UUID column type; returning means the INSERT can
 * hand back generated columns in the same statement.
 */
static const unsigned char defaults[VC_VENDOR__COUNT][VC_FEAT__COUNT] = {
	/* tx sp json uuid ret bulk fk idx part chk cmt ro */
	[VC_VENDOR_POSTGRESQL] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
	[VC_VENDOR_MYSQL] = {1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1},
	[VC_VENDOR_SQLITE] = {1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1},
	[VC_VENDOR_MSSQL] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
	[VC_VENDOR_ORACLE] = {1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1},
};

/* Version gates on the versions a live connection reports. */
static const long min_versions[VC_VENDOR__COUNT][VC_FEAT__COUNT] = {
	/* jsonb arrived in 9.4 */
	[VC_VENDOR_POSTGRESQL] = {[VC_FEAT_JSON] = 90400},
	[VC_VENDOR_SQLITE] = {
		[VC_FEAT_SAVEPOINTS] = 3006008,
		[VC_FEAT_FOREIGN_KEYS] = 3006019,
		[VC_FEAT_BULK_INSERT] = 3007011,	/* multi-row VALUES */
		[VC_FEAT_PARTIAL_INDEXES] = 3008000,
		[VC_FEAT_RETURNING] = 3035000,
		[VC_FEAT_JSON] = 3038000,	/* JSON functions built in by default */
	},
};

const char *
vc_vendor_name(vc_vendor v)
{
	if ((int) v < 0 || v >= VC_VENDOR__COUNT)
		return "unknown";
	return vendor_names[v];
}

const char *
vc_feature_name(vc_feature f)
{
	if ((int) f < 0 || f >= VC_FEAT__COUNT)
		return "unknown";
	return feature_names[f];
}

int
vc_feature_default(vc_vendor v, vc_feature f)
{
	if ((int) v < 0 || v >= VC_VENDOR__COUNT || (int) f < 0 || f >= VC_FEAT__COUNT)
		return 0;
	return defaults[v][f];
}

long
vc_feature_min_version(vc_vendor v, vc_feature f)
{
	if ((int) v < 0 || v >= VC_VENDOR__COUNT || (int) f < 0 || f >= VC_FEAT__COUNT)
		return 0;
	return min_versions[v][f];
}

void
vc_features_eval(vc_vendor v, long version_num,
				 const int baseline[VC_FEAT__COUNT], int enabled[VC_FEAT__COUNT])
{
	int			f;

	for (f = 0; f < VC_FEAT__COUNT; f++)
		enabled[f] = baseline[f] &&
			version_num >= vc_feature_min_version(v, (vc_feature) f);
}

/* Append s as a JSON string (only what a version string can hold needs care). */
static void
put_json_string(vc_buf *b, const char *s)
{
	vc_buf_putc(b, '"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
		{
			vc_buf_putc(b, '\\');
			vc_buf_putc(b, (char) c);
		}
		else if (c < 0x20)
			vc_buf_printf(b, "\\u%04x", c);
		else
			vc_buf_putc(b, (char) c);
	}
	vc_buf_putc(b, '"');
}

vc_code
vc_features_json(const vc_alloc *a, vc_vendor v, const char *version,
				 long version_num, const int enabled[VC_FEAT__COUNT],
				 char **out, vc_error *err)
{
	vc_buf		b;
	int			f;

	vc_buf_init(&b, a);
	vc_buf_puts(&b, "{\"vendor\": ");
	put_json_string(&b, vc_vendor_name(v));
	if (version != NULL)
	{
		vc_buf_puts(&b, ", \"version\": ");
		put_json_string(&b, version);
	}
	vc_buf_printf(&b, ", \"version_num\": %ld", version_num);
	for (f = 0; f < VC_FEAT__COUNT; f++)
		vc_buf_printf(&b, ", \"%s\": %s", feature_names[f],
					  enabled[f] ? "true" : "false");
	vc_buf_putc(&b, '}');
	return vc_buf_finish(&b, out, NULL, err);
}
