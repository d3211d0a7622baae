/*
 * vc_types.h — field type → column type per dialect, the CHECK that keeps a
 * column's data honest, and the classification of a type change (DESIGN
 * §3/§4: widening applies, narrowing applies with a warning when the data
 * fits, incompatible is refused unless force). docs/types.md has the table.
 *
 * Dialects: postgresql and sqlite (22023 for the others). SQLite tables are
 * ordinary (not STRICT: STRICT needs SQLite 3.37 and admits only INT,
 * INTEGER, REAL, TEXT, BLOB, ANY); the CHECKs built here give them the
 * same guarantees — typeof() for numbers, length() for bounded text,
 * json_valid() for JSON, date()/datetime() for temporal text.
 *
 * A ForeignKey/OneToOneField column takes the type of its target's primary
 * key (AutoField → integer, BigAutoField → bigint), so the field must be
 * resolved (vc_modelset_parse); an unresolved relation is XX000.
 *
 * Identifiers in the SQL produced here are quoted (vc_ident_quote_buf) after
 * the parser validated them; numbers printed come from the schema.
 */
#ifndef VC_TYPES_H
#define VC_TYPES_H

#include <stdbool.h>

#include "vc_model.h"

typedef enum vc_type_change
{
	VC_TYPE_SAME = 0,			/* same column type: nothing to do */
	VC_TYPE_WIDEN,				/* every old value fits: applied */
	VC_TYPE_NARROW,				/* applied if the data fits (test below) */
	VC_TYPE_INCOMPATIBLE		/* refused unless force */
} vc_type_change;

/* "same", "widen", "narrow", "incompatible". */
const char *vc_type_change_name(vc_type_change c);

/* Only postgresql and sqlite have a type mapping; 22023 for the others. */
vc_code		vc_types_dialect_check(vc_dialect d, vc_error *err);

/*
 * Append the column type of f (no constraints): "varchar(255)",
 * "numeric(10, 2)", "integer[]" / "TEXT", "INTEGER" ... An AutoField is
 * "integer" here; the identity (PostgreSQL) or AUTOINCREMENT (SQLite) is
 * part of the column definition (vc_ddl).
 */
vc_code		vc_type_sql_buf(vc_buf *b, const vc_field *f, vc_dialect d,
							vc_error *err);

/*
 * Append the CHECK expression (without "CHECK (...)") that keeps f's data
 * honest in dialect d, or nothing; *has tells which. For a nullable SQLite
 * column the expression starts with `"col" IS NULL OR`.
 */
vc_code		vc_type_check_buf(vc_buf *b, const vc_field *f, vc_dialect d,
							  bool *has, vc_error *err);

/*
 * Both of the above as allocated strings (owned by the caller, freed with
 * a); *check_sql is NULL when the column needs no CHECK.
 */
vc_code		vc_type_column(const vc_alloc *a, const vc_field *f, vc_dialect d,
						   char **type_sql, char **check_sql, vc_error *err);

/*
 * How a column changes from field `from` to field `to` (same dialect;
 * null/default/unique changes are not type changes). Independent of the
 * data; see vc_type_narrow_test for a narrowing.
 */
vc_type_change vc_type_classify(const vc_field *from, const vc_field *to,
								vc_dialect d);

/*
 * For a NARROW change: the query a host runs before applying it; a row
 * back means existing data does not fit (22001 unless force), e.g.
 *   SELECT 1 FROM "blog_post" WHERE length("title") > 50 LIMIT 1
 * It reads from->column of table. *sql is NULL (and VC_OK) when the change
 * is not NARROW. *sql is owned by the caller.
 */
vc_code		vc_type_narrow_test(const vc_alloc *a, const char *table,
								const vc_field *from, const vc_field *to,
								vc_dialect d, char **sql, vc_error *err);

#endif
