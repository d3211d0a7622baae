/*
 * vc_value.h — bound parameters of compiled statements (DESIGN §5: values
 * are typed by the field they meet and ALWAYS bound, never spliced into SQL
 * text), and the conversion of a JSON value to such a parameter for one
 * field (type check, range check, date/time normalisation).
 *
 * A parameter carries what both hosts need to bind it right:
 *   - kind: how the value is carried in C (int64, double, bool, text ...);
 *   - pg_type: the PostgreSQL type name to bind it as ("int4", "int8",
 *     "text", "numeric", "timestamptz", "date", "time", "uuid", "jsonb",
 *     "bytea", "inet", "bool", "float8", "varchar", arrays "int4[]" ...).
 *     The PostgreSQL host binds every non-NULL text-carried value through
 *     the type's input function (or as a text param with that type OID);
 *   - sqlite_class: the storage class the SQLite host binds it with
 *     (sqlite3_bind_int64 / _double / _text / _blob / _null).
 *
 * Text-carried kinds (NUMERIC, TIMESTAMP, DATE, TIME, UUID, JSON, BYTES,
 * INET, ARRAY) hold canonical text in `text`:
 *   NUMERIC    decimal text "-12.50" (SQLite: bound as REAL from `d`, which
 *              is filled too — SQLite stores DecimalField as a number)
 *   TIMESTAMP  UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ" (PostgreSQL) or
 *              "YYYY-MM-DDTHH:MM:SS.sssZ" (SQLite: the exact form the
 *              database writes for auto_now, so text comparison orders right).
 *              Input may be a date alone (midnight UTC), naive (taken as
 *              UTC) or carry Z / ±HH[:MM].
 *   DATE       "YYYY-MM-DD"
 *   TIME       "HH:MM:SS.ffffff" (PostgreSQL) / "HH:MM:SS.sss" (SQLite)
 *   UUID       lower-case 8-4-4-4-12
 *   JSON       compact JSON text (jsonb / TEXT)
 *   BYTES      PostgreSQL: bytea's hex input form "\x" + lower-case hex
 *              digits (what vc_param_pg_text returns); SQLite: lower-case
 *              hex digits, no prefix, bound as a BLOB (vc_hex_decode).
 *   INET       the address text
 *   ARRAY      PostgreSQL: array literal text "{...}" with elements quoted
 *              ('{"a","b\"c"}'), bound as pg_type "<elem>[]"; SQLite: the
 *              JSON array text (ArrayField is JSON text there)
 *
 * Memory: `text` of a parameter inside a vc_compiled belongs to the
 * compiled statement (its pool). vc_value_bind allocates from the pool it is
 * handed.
 */
#ifndef VC_VALUE_H
#define VC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vc_model.h"

typedef enum vc_param_kind
{
	VC_PARAM_NULL = 0,
	VC_PARAM_BOOL,				/* b */
	VC_PARAM_INT,				/* i */
	VC_PARAM_DOUBLE,			/* d */
	VC_PARAM_TEXT,				/* text (UTF-8) */
	VC_PARAM_NUMERIC,			/* text (+ d for SQLite) */
	VC_PARAM_TIMESTAMP,			/* text */
	VC_PARAM_DATE,				/* text */
	VC_PARAM_TIME,				/* text */
	VC_PARAM_UUID,				/* text */
	VC_PARAM_JSON,				/* text */
	VC_PARAM_BYTES,				/* text: PG "\x" + hex; SQLite hex */
	VC_PARAM_INET,				/* text */
	VC_PARAM_ARRAY,				/* text: PG array literal / SQLite JSON */
	VC_PARAM__COUNT
} vc_param_kind;

/* How the SQLite host binds a parameter. */
typedef enum vc_sqlite_class
{
	VC_SQLITE_NULL = 0,			/* sqlite3_bind_null */
	VC_SQLITE_INTEGER,			/* sqlite3_bind_int64(i); BOOL → 0/1 in i */
	VC_SQLITE_REAL,				/* sqlite3_bind_double(d) */
	VC_SQLITE_TEXT,				/* sqlite3_bind_text(text, len) */
	VC_SQLITE_BLOB				/* sqlite3_bind_blob(vc_hex_decode(text)) */
} vc_sqlite_class;

typedef struct vc_param
{
	vc_param_kind kind;
	bool		b;
	int64_t		i;				/* INT; BOOL as 0/1 too */
	double		d;				/* DOUBLE; NUMERIC's value as a double */
	char	   *text;			/* text-carried kinds; NUL-terminated */
	size_t		len;			/* bytes of text */
	const char *pg_type;		/* static PostgreSQL type name; "text" for
								 * untyped text (e.g. LIKE patterns) */
	vc_sqlite_class sqlite_class;
} vc_param;

/* "null", "bool", "int", "double", "text", "numeric", "timestamp", ... */
const char *vc_param_kind_name(vc_param_kind k);

/*
 * The PostgreSQL type name a field's values bind as ("int4", "varchar",
 * "timestamptz", "text[]" ...). ForeignKey/OneToOne: the target pk's type.
 */
const char *vc_field_pg_type(const vc_field *f);

/*
 * Convert JSON value v to a parameter for field f of model m (messages name
 * both), dialect d. JSON null → VC_PARAM_NULL (whatever the field's
 * nullability: callers decide). what: "value", "lookup value", "array
 * element" — appears in messages. Errors: 22P02 wrong JSON type, 22003 out
 * of range (smallint, integer, bigint, positive, decimal digits), 22007 bad
 * date/time, 22001 longer than max_length (only when check_length),
 * 22023 choices (only when check_choices), 53200.
 * Text is allocated from pool (a struct vc_pool, see vc_model_int.h).
 */
struct vc_pool;
vc_code		vc_value_bind(struct vc_pool *pool, const vc_model *m,
						  const vc_field *f, const json_t *v, vc_dialect d,
						  bool check_length, bool check_choices,
						  const char *what, vc_param *out, vc_error *err);

/*
 * Text for the PostgreSQL host to feed the pg_type's input function: the
 * canonical text (BYTES: "\x" + hex, bytea's input form), BOOL "true"/"false",
 * INT/DOUBLE printed. buf must hold 32 bytes for the printed kinds; the
 * result is either buf or p->text. NULL for VC_PARAM_NULL.
 */
const char *vc_param_pg_text(const vc_param *p, char buf[32]);

/*
 * Decode hex digits (SQLite BYTES text) into out (at least len/2 bytes). Returns
 * the number of bytes written; (size_t) -1 for invalid input.
 */
size_t		vc_hex_decode(const char *hex, size_t len, unsigned char *out);

#endif
