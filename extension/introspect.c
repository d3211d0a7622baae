/*
 * introspect.c — viper.introspect(table): the live state of a table in
 * schema public, in the JSON format core/vc_plan.h defines (columns,
 * indexes, check/unique constraints, foreign keys, triggers, row security).
 * The planner diffs desired models against this, not against viper.models
 * alone, so a change made by hand is seen by the next plan.
 *
 * One catalog query builds the whole object with jsonb_build_object; the
 * table name is a bound parameter. Every function, cast and operator in it
 * is schema-qualified (OPERATOR(pg_catalog.=), even inside CASE and IN,
 * which resolve "=" through search_path), so nothing in public can stand in
 * for a builtin. Lists are ordered (columns by position, the rest by name)
 * so the output is stable.
 *
 * Memory: the JSON text lives in the SPI context; the jansson tree is
 * parsed as the last step and handed to the caller (migrate.c guards it),
 * and viper.introspect() returns a jsonb copied out before SPI_finish.
 */
#include "postgres.h"

#include "spi_json.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "engine.h"
#include "pg_alloc.h"
#include "pg_error.h"
#include "schema_sync.h"

PG_FUNCTION_INFO_V1(viper_introspect);

#define EQ " OPERATOR(pg_catalog.=) "
#define NE " OPERATOR(pg_catalog.<>) "
#define LE " OPERATOR(pg_catalog.<=) "
#define GT " OPERATOR(pg_catalog.>) "
#define EMPTY "'[]'::pg_catalog.jsonb"

/* column names of attnums in array expression arr (int2[]) of relation rel,
 * in array order; NULL entries for 0 (index expressions) */
#define ATTNAMES(arr, rel, limit) \
	"(SELECT pg_catalog.jsonb_agg(ka.attname::pg_catalog.text ORDER BY k.ord)" \
	" FROM pg_catalog.unnest(" arr ") WITH ORDINALITY AS k(attnum, ord)" \
	" LEFT JOIN pg_catalog.pg_attribute ka ON ka.attrelid" EQ rel \
	" AND ka.attnum" EQ "k.attnum AND k.attnum" NE "0" \
	" WHERE k.ord" LE limit ")"

static const char introspect_sql[] =
"SELECT pg_catalog.jsonb_build_object("
"'table', c.relname::pg_catalog.text,"
"'exists', true,"
/* columns, in table order */
"'columns', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
"  'name', a.attname::pg_catalog.text,"
"  'type', pg_catalog.format_type(a.atttypid, a.atttypmod),"
"  'nullable', NOT a.attnotnull,"
"  'default', pg_catalog.pg_get_expr(d.adbin, d.adrelid),"
"  'identity', a.attidentity" NE "''::pg_catalog.\"char\","
"  'primary_key', EXISTS (SELECT 1 FROM pg_catalog.pg_index pi"
"     WHERE pi.indrelid" EQ "c.oid AND pi.indisprimary"
"       AND a.attnum" EQ "ANY (pi.indkey::pg_catalog.int2[])))"
"  ORDER BY a.attnum), " EMPTY ")"
"  FROM pg_catalog.pg_attribute a"
"  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid" EQ "a.attrelid AND d.adnum" EQ "a.attnum"
"  WHERE a.attrelid" EQ "c.oid AND a.attnum" GT "0 AND NOT a.attisdropped),"
/* indexes, by name; columns up to the key columns (INCLUDE left out) */
"'indexes', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
"  'name', ic.relname::pg_catalog.text,"
"  'columns', " ATTNAMES("i.indkey::pg_catalog.int2[]", "i.indrelid", "i.indnkeyatts::pg_catalog.int8") ","
"  'unique', i.indisunique,"
"  'primary', i.indisprimary,"
"  'constraint', EXISTS (SELECT 1 FROM pg_catalog.pg_constraint x"
"     WHERE x.conindid" EQ "i.indexrelid AND x.conrelid" EQ "c.oid"
"       AND x.contype" EQ "ANY ('{p,u,x}'::pg_catalog.\"char\"[])),"
"  'predicate', pg_catalog.pg_get_expr(i.indpred, i.indrelid))"
"  ORDER BY ic.relname), " EMPTY ")"
"  FROM pg_catalog.pg_index i"
"  JOIN pg_catalog.pg_class ic ON ic.oid" EQ "i.indexrelid"
"  WHERE i.indrelid" EQ "c.oid),"
/* CHECK constraints, by name */
"'checks', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
"  'name', k.conname::pg_catalog.text,"
"  'expression', pg_catalog.pg_get_expr(k.conbin, k.conrelid))"
"  ORDER BY k.conname), " EMPTY ")"
"  FROM pg_catalog.pg_constraint k"
"  WHERE k.conrelid" EQ "c.oid AND k.contype" EQ "'c'::pg_catalog.\"char\"),"
/* UNIQUE constraints, by name */
"'uniques', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
"  'name', u.conname::pg_catalog.text,"
"  'columns', " ATTNAMES("u.conkey", "u.conrelid", "2147483647") ")"
"  ORDER BY u.conname), " EMPTY ")"
"  FROM pg_catalog.pg_constraint u"
"  WHERE u.conrelid" EQ "c.oid AND u.contype" EQ "'u'::pg_catalog.\"char\"),"
/* FOREIGN KEYs, by name, with the referenced table and ON DELETE */
"'foreign_keys', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
"  'name', f.conname::pg_catalog.text,"
"  'columns', " ATTNAMES("f.conkey", "f.conrelid", "2147483647") ","
"  'ref_table', (SELECT r.relname::pg_catalog.text FROM pg_catalog.pg_class r"
"     WHERE r.oid" EQ "f.confrelid),"
"  'ref_columns', " ATTNAMES("f.confkey", "f.confrelid", "2147483647") ","
"  'on_delete', CASE"
"     WHEN f.confdeltype" EQ "'c'::pg_catalog.\"char\" THEN 'CASCADE'"
"     WHEN f.confdeltype" EQ "'r'::pg_catalog.\"char\" THEN 'RESTRICT'"
"     WHEN f.confdeltype" EQ "'n'::pg_catalog.\"char\" THEN 'SET NULL'"
"     WHEN f.confdeltype" EQ "'d'::pg_catalog.\"char\" THEN 'SET DEFAULT'"
"     ELSE 'NO ACTION' END)"
"  ORDER BY f.conname), " EMPTY ")"
"  FROM pg_catalog.pg_constraint f"
"  WHERE f.conrelid" EQ "c.oid AND f.contype" EQ "'f'::pg_catalog.\"char\"),"
/* user triggers (not the internal ones behind foreign keys) */
"'triggers', (SELECT COALESCE(pg_catalog.jsonb_agg(t.tgname::pg_catalog.text"
"  ORDER BY t.tgname), " EMPTY ")"
"  FROM pg_catalog.pg_trigger t"
"  WHERE t.tgrelid" EQ "c.oid AND NOT t.tgisinternal),"
"'row_security', pg_catalog.jsonb_build_object("
"  'enabled', c.relrowsecurity, 'forced', c.relforcerowsecurity))"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid" EQ "c.relnamespace"
" WHERE n.nspname" EQ "'public'::pg_catalog.name"
"   AND c.relname" EQ "$1::pg_catalog.text"
"   AND c.relkind" EQ "ANY ('{r,p}'::pg_catalog.\"char\"[])";

/* The catalog query's jsonb as text, or NULL when there is no such table. */
static char *
introspect_text(const char *table, bool read_only)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(table);
	return viper_spi_text_value(introspect_sql, 1, argtypes, values,
								read_only, "introspecting a table");
}

/* {"table": table, "exists": false}: a new, unguarded reference. */
static json_t *
missing_table(const char *table)
{
	json_t	   *j = json_pack("{s:s, s:b}", "table", table, "exists", 0);

	if (j == NULL)
		viper_pg_oom();
	return j;
}

json_t *
viper_introspect_table(const char *table, bool read_only)
{
	char	   *text = introspect_text(table, read_only);

	if (text != NULL)
		return viper_json_parse(text, strlen(text));
	return missing_table(table);
}

/*
 * viper.introspect(table text) → jsonb. The name is validated like every
 * table name (42602); a missing table is {"table": t, "exists": false}.
 */
Datum
viper_introspect(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	MemoryContext callctx = CurrentMemoryContext;
	MemoryContext oldctx;
	vc_error	err;
	char	   *table;
	char	   *json;

	if (vc_ident_validate(VIPER_TEXT_PTR(name), VIPER_TEXT_LEN(name),
						  "table name", &err) != VC_OK)
		viper_pg_raise(&err);
	table = text_to_cstring(name);

	viper_engine_connect();
	json = introspect_text(table, true);
	/* copy the text out of SPI's memory before SPI_finish */
	oldctx = MemoryContextSwitchTo(callctx);
	if (json != NULL)
		json = pstrdup(json);
	MemoryContextSwitchTo(oldctx);
	SPI_finish();

	if (json == NULL)
		PG_RETURN_DATUM(viper_json_to_jsonb(viper_json_guard(missing_table(table),
															 callctx)));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}
