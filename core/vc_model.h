/*
 * vc_model.h — model schemas (DESIGN §3): parse one model's JSON schema, or a
 * set of them, into plain C structs; validate every name, option and
 * expression; fill in every default; and produce the normalised JSON that
 * is stored in the catalog and compared by the schema-sync planner.
 *
 * Memory: everything a model or set holds (strings, arrays, the structs
 * themselves) is allocated with the vc_alloc given to the parser and
 * released by ONE call: vc_model_free for a model from vc_model_parse,
 * vc_modelset_free for a set (the models inside a set belong to the set;
 * never vc_model_free them). JSON values kept from the input (defaults,
 * choices) are jansson references released by the same call. jansson's
 * global allocator is never changed.
 *
 * Errors: 22023 malformed schema (unknown key, unknown type, bad option),
 * 22P02 default/choice of the wrong JSON type, 22003 default out of range,
 * 22007 bad date/time default, 22001 default longer than max_length,
 * 42602 bad identifier, 42601 rejected check/condition expression,
 * 42703 unknown field or column (hint: nearest name), 42P01 unknown model
 * (hint: nearest label), 53200 out of memory. Messages start with the
 * model's label and the field, e.g.
 *   model "blog.Post", field "title": max_length is required for CharField
 *
 * Naming rules (docs/types.md has the full list):
 *   table            <app>_<lower-case name> unless "table" is given
 *   FK/O2O column    <name>_id unless "db_column" is given
 *   M2M junction     <table>_<field>, columns id, <model>_id, <target>_id
 *                    (lower-case model names); a self-referential M2M uses
 *                    from_<model>_id and to_<model>_id, like Django
 *   indexes          <table>_<columns>_idx, unique <table>_<columns>_uniq,
 *                    foreign keys <table>_<column>_fkey, type checks
 *                    <table>_<column>_check, single <table>_single
 * Every generated name longer than 63 bytes is shortened deterministically:
 * its first bytes, then "_", the 8 hex digits of the FNV-1a hash of the full
 * name, then the suffix (see vc_model_make_name).
 */
#ifndef VC_MODEL_H
#define VC_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "vc_alloc.h"
#include "vc_error.h"
#include "vc_validate.h"

/* Field types of DESIGN §3. Enums only grow. */
typedef enum vc_field_type
{
	VC_FT_AUTO = 0,				/* AutoField */
	VC_FT_BIGAUTO,				/* BigAutoField */
	VC_FT_INTEGER,				/* IntegerField */
	VC_FT_BIGINTEGER,			/* BigIntegerField */
	VC_FT_SMALLINTEGER,			/* SmallIntegerField */
	VC_FT_POSITIVEINTEGER,		/* PositiveIntegerField */
	VC_FT_FLOAT,				/* FloatField */
	VC_FT_DECIMAL,				/* DecimalField(max_digits, decimal_places) */
	VC_FT_CHAR,					/* CharField(max_length) */
	VC_FT_TEXT,					/* TextField */
	VC_FT_EMAIL,				/* EmailField (max_length 254) */
	VC_FT_SLUG,					/* SlugField (max_length 50) */
	VC_FT_URL,					/* URLField (max_length 200) */
	VC_FT_BOOLEAN,				/* BooleanField */
	VC_FT_DATETIME,				/* DateTimeField(auto_now, auto_now_add) */
	VC_FT_DATE,					/* DateField */
	VC_FT_TIME,					/* TimeField */
	VC_FT_UUID,					/* UUIDField */
	VC_FT_JSON,					/* JSONField */
	VC_FT_BINARY,				/* BinaryField */
	VC_FT_IPADDRESS,			/* GenericIPAddressField */
	VC_FT_ARRAY,				/* ArrayField(base_field) */
	VC_FT_FOREIGNKEY,			/* ForeignKey(to, on_delete) */
	VC_FT_ONETOONE,				/* OneToOneField(to, on_delete) */
	VC_FT_MANYTOMANY,			/* ManyToManyField(to, through) */
	VC_FT_FILE,					/* FileField (path text) */
	VC_FT_PASSWORD,				/* PasswordField (hash text) */
	VC_FT_SENSITIVE,			/* SensitiveField (text, masked by clients) */
	VC_FT__COUNT
} vc_field_type;

/* "CharField" ... ; "unknown" for an out-of-range value. */
const char *vc_field_type_name(vc_field_type t);

/* Exact (case-sensitive) type name → enum; false when unknown. */
bool		vc_field_type_parse(const char *name, vc_field_type *out);

/* ForeignKey or OneToOneField: a column that references another table. */
bool		vc_field_type_is_fk(vc_field_type t);

/* The integer types (Auto, BigAuto, Integer, BigInteger, SmallInteger,
 * PositiveInteger); Boolean is not one. */
bool		vc_field_type_is_integer(vc_field_type t);

/* The types stored as text and checked against max_length (Char, Text,
 * Email, Slug, URL, File, Password, Sensitive). */
bool		vc_field_type_is_text(vc_field_type t);

typedef struct vc_field
{
	char	   *name;			/* field name (identifier) */
	vc_field_type type;
	char	   *column;			/* column name; NULL for ManyToManyField */
	bool		column_declared;	/* db_column was given */
	bool		primary_key;
	bool		null;
	bool		blank;
	bool		unique;			/* O2O and primary keys are always unique */
	bool		db_index;		/* ForeignKey defaults to true, like Django */
	bool		auto_now;
	bool		auto_now_add;
	bool		implicit;		/* the implicit "id" AutoField */
	int			max_length;		/* 0 = none (Text/File/Password/Sensitive) */
	int			max_digits;		/* DecimalField */
	int			decimal_places; /* DecimalField */
	int			size;			/* ArrayField size, 0 = unbounded */
	json_t	   *default_value;	/* NULL = no default; JSON null = DEFAULT NULL */
	json_t	   *choices;		/* NULL or [[value, label], ...] */
	char	   *help_text;
	char	   *verbose_name;
	char	   *old_name;		/* renamed from (field name) */
	struct vc_field *base_field;	/* ArrayField element (name/column NULL) */

	/* relations (ForeignKey, OneToOneField, ManyToManyField) */
	char	   *to;				/* target label "app.Model", always qualified */
	char	   *related_name;
	const char *on_delete;		/* normalised (static string); FK/O2O only */
	char	   *through;		/* M2M: label of the through model, or NULL */

	/* filled when the target is resolved (vc_modelset_parse) */
	bool		resolved;
	char	   *rel_table;		/* FK/O2O/M2M: the target's table */
	char	   *rel_column;		/* the target's primary-key column */
	vc_field_type rel_type;		/* the target pk's type (AutoField → IntegerField) */
	int			rel_max_length;
	int			rel_max_digits;
	int			rel_decimal_places;

	/* M2M without through: the junction table (known at parse time) */
	char	   *m2m_table;
	char	   *m2m_from_column;	/* references this model */
	char	   *m2m_to_column;	/* references the target */
	/* filled at resolution: this model's pk column type, for the junction */
	vc_field_type m2m_from_type;
	int			m2m_from_max_length;
	int			m2m_from_max_digits;
	int			m2m_from_decimal_places;
} vc_field;

/* The type of the values a field's column holds: a ForeignKey/OneToOne
 * stores its target's pk type (rel_type), any other field its own type. */
vc_field_type vc_field_storage_type(const struct vc_field *f);

typedef enum vc_index_origin
{
	VC_INDEX_FIELD = 0,			/* db_index on a field, or a ForeignKey */
	VC_INDEX_TOGETHER,			/* meta.index_together */
	VC_INDEX_META				/* meta.indexes */
} vc_index_origin;

typedef struct vc_index
{
	char	   *name;
	vc_index_origin origin;
	bool		unique;
	size_t		ncolumns;
	char	  **fields;			/* as declared (field names, no "-") */
	char	  **columns;		/* resolved column names */
	bool	   *descending;		/* "-field" in meta.indexes */
	char	   *condition;		/* partial index WHERE (validated), or NULL */
} vc_index;

typedef enum vc_constraint_type
{
	VC_CONSTRAINT_CHECK = 0,
	VC_CONSTRAINT_UNIQUE
} vc_constraint_type;

typedef enum vc_constraint_origin
{
	VC_CONSTRAINT_META = 0,		/* meta.constraints */
	VC_CONSTRAINT_TOGETHER		/* meta.unique_together */
} vc_constraint_origin;

typedef struct vc_constraint
{
	char	   *name;
	vc_constraint_type type;
	vc_constraint_origin origin;
	char	   *check;			/* CHECK expression (validated) */
	size_t		ncolumns;		/* UNIQUE */
	char	  **fields;
	char	  **columns;
} vc_constraint;

struct vc_pool;

typedef struct vc_model
{
	char	   *app;
	char	   *name;
	char	   *label;			/* "app.Name" */
	char	   *table;			/* NULL for abstract and virtual models, and for a
								 * proxy until resolved */
	bool		table_declared;
	vc_field   *fields;			/* implicit id first when added */
	size_t		nfields;
	size_t		pk;				/* index of the primary key in fields (not
								 * meaningful for a proxy: it has no fields) */
	vc_index   *indexes;		/* every index the table gets */
	size_t		nindexes;
	vc_constraint *constraints; /* unique_together and meta.constraints */
	size_t		nconstraints;
	char	  **ordering;		/* as declared ("-created_at", "?") */
	size_t		nordering;
	bool		read_only;
	bool		single;
	bool		managed;
	bool		abstract;
	bool		proxy;
	bool		permissions;	/* default true: default deny */
	bool		events;
	bool		is_virtual;
	char	   *proxy_for;		/* label, qualified */
	long		cache_ttl;		/* seconds; -1 = not set */
	char	   *backend;		/* DATABASES alias, or NULL */
	char	   *verbose_name;	/* default: the name split into lower-case words */
	char	   *verbose_name_plural;	/* default: verbose_name + "s" */
	struct vc_pool *pool;		/* private: owns every allocation above */
	bool		owns_pool;		/* private */
} vc_model;

/* True when migrate creates a table for this model (not abstract, proxy,
 * virtual, or managed: false). */
bool		vc_model_has_table(const vc_model *m);

/* The field named name (field name, or its column), or NULL. */
const vc_field *vc_model_field(const vc_model *m, const char *name);

/*
 * Parse and validate one model schema object. Relation targets are
 * qualified (a bare "Model" means the same app) but not resolved: the
 * rel_* members stay empty (resolved == false) except for references to
 * the model itself. *out is owned by the caller: vc_model_free.
 */
vc_code		vc_model_parse(const vc_alloc *a, const json_t *schema,
						   vc_model **out, vc_error *err);

/* Release a model from vc_model_parse. Accepts NULL. */
void		vc_model_free(vc_model *m);

/*
 * Normalised JSON of a model: every default filled in (table, db_column of
 * every column field, on_delete, booleans, implicit id, generated index
 * names, verbose names). Feeding it back to vc_model_parse gives the same
 * normalised JSON. *out is a new reference (json_decref).
 */
vc_code		vc_model_to_json(const vc_model *m, json_t **out, vc_error *err);

/*
 * A model that already exists in the catalog, for resolving references to
 * it from a set (ForeignKey to an already-migrated model). Strings are
 * borrowed for the duration of the call.
 */
typedef struct vc_model_ref
{
	const char *label;			/* "app.Model" */
	const char *table;
	const char *pk_column;
	vc_field_type pk_type;		/* the pk field's own type (AutoField ...) */
	int			pk_max_length;
	int			pk_max_digits;
	int			pk_decimal_places;
} vc_model_ref;

typedef struct vc_modelset
{
	vc_model   *models;
	size_t		nmodels;
	struct vc_pool *pool;		/* private */
} vc_modelset;

/*
 * Parse a JSON array of model schemas, then resolve every ForeignKey,
 * OneToOneField, ManyToManyField target, through model and proxy_for
 * against the set itself and then catalog[0..ncatalog) (42P01 naming the
 * label, hint: the nearest known label). Also checks across the set:
 * duplicate labels, tables, and index/constraint names (22023). Nothing is
 * returned when any model is invalid. *out: vc_modelset_free.
 */
vc_code		vc_modelset_parse(const vc_alloc *a, const json_t *schemas,
							  const vc_model_ref *catalog, size_t ncatalog,
							  vc_modelset **out, vc_error *err);

/* The same from JSON text (22P02 for text that is not JSON). */
vc_code		vc_modelset_parse_text(const vc_alloc *a, const char *text,
								   size_t len, const vc_model_ref *catalog,
								   size_t ncatalog, vc_modelset **out,
								   vc_error *err);

/* Release a set and every model in it. Accepts NULL. */
void		vc_modelset_free(vc_modelset *set);

/* The model with this label in the set, or NULL. */
const vc_model *vc_modelset_find(const vc_modelset *set, const char *label);

/*
 * A generated name: base + "_" + suffix when that fits in 63 bytes;
 * otherwise the first bytes of base, "_", 8 hex digits of the FNV-1a hash
 * of the full name, "_", suffix — deterministic and at most 63 bytes.
 * suffix may be NULL or "" (then no separator). out must hold 64 bytes.
 */
void		vc_model_make_name(const char *base, const char *suffix,
							   char out[VC_IDENT_MAX + 1]);

#endif
