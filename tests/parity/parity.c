/*
 * parity.c — the helper program of the parity suite (tests/parity/run.sh):
 * the same case list runs against the PostgreSQL extension and the SQLite
 * extension, and every case must get the same verdict, SQLSTATE, result
 * text and error text on both hosts, and the verdict the list expects.
 *
 * Modes (all output on stdout):
 *   parity selftest                 unit tests of the parsing below
 *   parity parse CASES.tsv          check the case list, print the plan
 *   parity pgsql PLAN               the psql script that runs the plan
 *   parity sqlite VIPER_SO PLAN     run the plan in SQLite, print results
 *   parity compare PLAN PG SQLITE OUTDIR
 *                                   PASS/FAIL parity/<id> per case; writes
 *                                   OUTDIR/postgresql.txt and sqlite.txt
 *
 * Case list (tab-separated, '#' lines and blank lines ignored):
 *   id  function  arg1  arg2  arg3  expected
 * function is a DESIGN §7 name (validate_identifier ...); an empty arg
 * field means the argument is omitted (only trailing ones may be); a field
 * that is exactly \N is SQL NULL and exactly \E the empty string; inside a
 * field \\ \t \n \r and \xHH stand for a backslash, tab, newline, carriage
 * return and the byte HH — any other backslash is an error, so a literal
 * backslash is always written \\. expected is ok or a SQLSTATE.
 *
 * Plan and result files carry every value as hex ("x" + hex digits, "N"
 * for NULL), so nothing a case holds can break a line, a field or the SQL
 * the pgsql mode writes: that script contains only hex digits, ids checked
 * against [A-Za-z0-9_.-] and function names from the fixed list below,
 * and passes the values to the functions as bound parameters (EXECUTE ...
 * USING). The SQLite mode binds them with sqlite3_bind_text.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define MAX_ARGS 3
#define MAX_FIELDS 8
#define MAX_ID 64

/* The functions of DESIGN §7 with their argument counts (min..max). */
static const struct
{
	const char *name;
	int			min_args;
	int			max_args;
}			functions[] = {
	{"validate_identifier", 1, 2},
	{"assert_safe_table_name", 1, 1},
	{"quote_identifier", 1, 2},
	{"validate_sql_expression", 1, 3},
	{"escape_like", 1, 1},
	{"validate_regex_pattern", 1, 1},
	{"validate_on_delete", 1, 1},
	{"mask_url", 1, 1},
};

#define NFUNCTIONS (sizeof(functions) / sizeof(functions[0]))

/* A byte string that may be SQL NULL. */
typedef struct value
{
	int			is_null;
	char	   *data;			/* malloc'd, NUL-terminated, may hold NULs */
	size_t		len;
} value;

/* One case of the plan. */
typedef struct pcase
{
	char		id[MAX_ID + 1];
	int			fn;				/* index into functions[] */
	char		expected[8];
	int			nargs;
	value		args[MAX_ARGS];
} pcase;

/* What one host gave for one case. */
typedef struct outcome
{
	char		id[MAX_ID + 1];
	int			is_error;
	char		state[8];		/* SQLSTATE when is_error */
	value		result;			/* when !is_error */
	value		message;		/* when is_error: message, detail, hint */
	value		detail;
	value		hint;
} outcome;

static void
die(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	fprintf(stderr, "parity: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void
value_set(value *v, const char *s, size_t len)
{
	v->is_null = 0;
	v->data = xmalloc(len + 1);
	memcpy(v->data, s, len);
	v->data[len] = '\0';
	v->len = len;
}

static void
value_null(value *v)
{
	v->is_null = 1;
	v->data = NULL;
	v->len = 0;
}

static void
value_free(value *v)
{
	free(v->data);
	v->data = NULL;
}

static int
value_eq(const value *a, const value *b)
{
	if (a->is_null || b->is_null)
		return a->is_null == b->is_null;
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode one argument field of the case list into v. Returns 0, or -1 with
 * a reason in why.
 */
static int
parse_field(const char *s, size_t len, value *v, char *why, size_t whysz)
{
	char	   *buf;
	size_t		i,
				n = 0;

	if (len == 2 && s[0] == '\\' && s[1] == 'N')
	{
		value_null(v);
		return 0;
	}
	if (len == 2 && s[0] == '\\' && s[1] == 'E')
	{
		value_set(v, "", 0);
		return 0;
	}
	buf = xmalloc(len + 1);
	for (i = 0; i < len; i++)
	{
		if (s[i] != '\\')
		{
			buf[n++] = s[i];
			continue;
		}
		if (i + 1 >= len)
		{
			snprintf(why, whysz, "trailing backslash (write \\\\ for one)");
			free(buf);
			return -1;
		}
		switch (s[++i])
		{
			case '\\':
				buf[n++] = '\\';
				break;
			case 't':
				buf[n++] = '\t';
				break;
			case 'n':
				buf[n++] = '\n';
				break;
			case 'r':
				buf[n++] = '\r';
				break;
			case 'x':
				if (i + 2 >= len || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
				{
					snprintf(why, whysz, "\\x needs two hex digits");
					free(buf);
					return -1;
				}
				buf[n++] = (char) (hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
				i += 2;
				break;
			default:
				snprintf(why, whysz, "unknown escape \\%c (write \\\\ for a backslash)",
						 s[i]);
				free(buf);
				return -1;
		}
	}
	v->is_null = 0;
	v->data = buf;
	v->len = n;
	buf[n] = '\0';
	return 0;
}

/* Split line (modified in place) at tabs; returns the field count. */
static int
split_tabs(char *line, char **fields, int max)
{
	int			n = 0;
	char	   *p = line;

	for (;;)
	{
		char	   *tab = strchr(p, '\t');

		if (n == max)
			return max + 1;		/* too many */
		fields[n++] = p;
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

static int
valid_id(const char *s)
{
	size_t		len = strlen(s);
	size_t		i;

	if (len == 0 || len > MAX_ID)
		return 0;
	for (i = 0; i < len; i++)
		if (!(isalnum((unsigned char) s[i]) || s[i] == '_' || s[i] == '-' ||
			  s[i] == '.'))
			return 0;
	return 1;
}

static int
valid_expected(const char *s)
{
	size_t		i;

	if (strcmp(s, "ok") == 0)
		return 1;
	if (strlen(s) != 5)
		return 0;
	for (i = 0; i < 5; i++)
		if (!(isdigit((unsigned char) s[i]) || isupper((unsigned char) s[i])))
			return 0;
	return 1;
}

static int
function_index(const char *name)
{
	size_t		i;

	for (i = 0; i < NFUNCTIONS; i++)
		if (strcmp(functions[i].name, name) == 0)
			return (int) i;
	return -1;
}

/*
 * Parse one line of the case list (without its newline) into c. Returns 1
 * for a case, 0 for a comment or blank line, -1 with why on an error.
 */
static int
parse_case_line(char *line, pcase *c, char *why, size_t whysz)
{
	char	   *f[MAX_FIELDS];
	int			nf,
				i;

	if (line[0] == '\0' || line[0] == '#')
		return 0;
	nf = split_tabs(line, f, MAX_FIELDS);
	if (nf != 6)
	{
		snprintf(why, whysz, "expected 6 tab-separated fields, found %d", nf);
		return -1;
	}
	if (!valid_id(f[0]))
	{
		snprintf(why, whysz, "bad id \"%s\" (use [A-Za-z0-9_.-], at most %d)",
				 f[0], MAX_ID);
		return -1;
	}
	strcpy(c->id, f[0]);
	c->fn = function_index(f[1]);
	if (c->fn < 0)
	{
		snprintf(why, whysz, "unknown function \"%s\"", f[1]);
		return -1;
	}
	if (!valid_expected(f[5]))
	{
		snprintf(why, whysz, "expected must be ok or a SQLSTATE, not \"%s\"", f[5]);
		return -1;
	}
	strcpy(c->expected, f[5]);
	c->nargs = 0;
	for (i = 0; i < MAX_ARGS; i++)
	{
		const char *a = f[2 + i];

		if (a[0] == '\0')
			continue;
		if (c->nargs != i)
		{
			snprintf(why, whysz, "argument %d given after an omitted one", i + 1);
			goto fail;
		}
		if (parse_field(a, strlen(a), &c->args[i], why, whysz) < 0)
			goto fail;
		c->nargs++;
	}
	if (c->nargs < functions[c->fn].min_args || c->nargs > functions[c->fn].max_args)
	{
		snprintf(why, whysz, "%s takes %d to %d arguments, %d given",
				 functions[c->fn].name, functions[c->fn].min_args,
				 functions[c->fn].max_args, c->nargs);
		goto fail;
	}
	return 1;
fail:
	for (i = 0; i < c->nargs; i++)
		value_free(&c->args[i]);
	c->nargs = 0;
	return -1;
}

static void
free_case(pcase *c)
{
	int			i;

	for (i = 0; i < c->nargs; i++)
		value_free(&c->args[i]);
	c->nargs = 0;
}

/* Write the bytes of a non-NULL v as hex digits. */
static void
put_hex_digits(FILE *out, const value *v)
{
	size_t		i;

	for (i = 0; i < v->len; i++)
		fprintf(out, "%02x", (unsigned char) v->data[i]);
}

/* Write v as "N" or "x" + hex. */
static void
put_hex(FILE *out, const value *v)
{
	if (v->is_null)
	{
		fputc('N', out);
		return;
	}
	fputc('x', out);
	put_hex_digits(out, v);
}

/* Read "N" or "x" + hex into v; -1 when malformed. */
static int
get_hex(const char *s, value *v)
{
	size_t		len = strlen(s),
				i;

	if (strcmp(s, "N") == 0)
	{
		value_null(v);
		return 0;
	}
	if (len == 0 || s[0] != 'x' || (len - 1) % 2 != 0)
		return -1;
	v->is_null = 0;
	v->len = (len - 1) / 2;
	v->data = xmalloc(v->len + 1);
	for (i = 0; i < v->len; i++)
	{
		int			hi = hexval(s[1 + 2 * i]),
					lo = hexval(s[2 + 2 * i]);

		if (hi < 0 || lo < 0)
		{
			value_free(v);
			return -1;
		}
		v->data[i] = (char) (hi * 16 + lo);
	}
	v->data[v->len] = '\0';
	return 0;
}

/*
 * Human-readable form of a value for reports: the case-list escapes
 * (\\ \t \n \r \xHH for other control bytes), NULL as \N.
 */
static char *
display(const value *v)
{
	char	   *out;
	size_t		i,
				n = 0;

	if (v->is_null)
	{
		out = xmalloc(3);
		strcpy(out, "\\N");
		return out;
	}
	out = xmalloc(v->len * 4 + 1);
	for (i = 0; i < v->len; i++)
	{
		unsigned char c = (unsigned char) v->data[i];

		if (c == '\\')
			n += (size_t) sprintf(out + n, "\\\\");
		else if (c == '\t')
			n += (size_t) sprintf(out + n, "\\t");
		else if (c == '\n')
			n += (size_t) sprintf(out + n, "\\n");
		else if (c == '\r')
			n += (size_t) sprintf(out + n, "\\r");
		else if (c < 0x20 || c == 0x7f)
			n += (size_t) sprintf(out + n, "\\x%02x", c);
		else
			out[n++] = (char) c;
	}
	out[n] = '\0';
	return out;
}

/* Read a whole line (without newline) from f; NULL at EOF. Caller frees. */
static char *
read_line(FILE *f)
{
	size_t		cap = 256,
				n = 0;
	char	   *buf = xmalloc(cap);
	int			c;

	while ((c = fgetc(f)) != EOF && c != '\n')
	{
		if (n + 1 >= cap)
		{
			char	   *p = realloc(buf, cap * 2);

			if (p == NULL)
				die("out of memory");
			buf = p;
			cap *= 2;
		}
		buf[n++] = (char) c;
	}
	if (c == EOF && n == 0)
	{
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static FILE *
open_or_die(const char *path)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (f == NULL)
		die("cannot open %s", path);
	return f;
}

/* ---- plan: the checked case list in hex form ---- */

/* Plan line: id fn expected nargs arg... */
static void
write_plan_line(FILE *out, const pcase *c)
{
	int			i;

	fprintf(out, "%s\t%s\t%s\t%d", c->id, functions[c->fn].name, c->expected,
			c->nargs);
	for (i = 0; i < c->nargs; i++)
	{
		fputc('\t', out);
		put_hex(out, &c->args[i]);
	}
	fputc('\n', out);
}

static int
read_plan_line(char *line, pcase *c)
{
	char	   *f[MAX_FIELDS];
	int			nf = split_tabs(line, f, MAX_FIELDS),
				i;

	if (nf < 4 || !valid_id(f[0]) || (c->fn = function_index(f[1])) < 0 ||
		!valid_expected(f[2]))
		return -1;
	strcpy(c->id, f[0]);
	strcpy(c->expected, f[2]);
	c->nargs = atoi(f[3]);
	if (c->nargs < 1 || c->nargs > MAX_ARGS || nf != 4 + c->nargs)
		return -1;
	for (i = 0; i < c->nargs; i++)
		if (get_hex(f[4 + i], &c->args[i]) < 0)
		{
			c->nargs = i;
			free_case(c);
			return -1;
		}
	return 0;
}

/* Load a plan file; dies on a malformed line. */
static pcase *
load_plan(const char *path, int *ncases)
{
	FILE	   *f = open_or_die(path);
	pcase	   *cases = NULL;
	int			n = 0,
				cap = 0;
	char	   *line;

	while ((line = read_line(f)) != NULL)
	{
		if (n == cap)
		{
			cap = cap ? cap * 2 : 64;
			cases = realloc(cases, sizeof(pcase) * (size_t) cap);
			if (cases == NULL)
				die("out of memory");
		}
		if (read_plan_line(line, &cases[n]) < 0)
			die("%s: malformed plan line %d", path, n + 1);
		n++;
		free(line);
	}
	if (f != stdin)
		fclose(f);
	*ncases = n;
	return cases;
}

static int
mode_parse(const char *path)
{
	FILE	   *f = open_or_die(path);
	char	   *line;
	int			lineno = 0,
				errors = 0,
				n = 0,
				cap = 0,
				i;
	char	  (*ids)[MAX_ID + 1] = NULL;

	while ((line = read_line(f)) != NULL)
	{
		pcase		c;
		char		why[256];
		int			rc;

		lineno++;
		rc = parse_case_line(line, &c, why, sizeof(why));
		if (rc < 0)
		{
			fprintf(stderr, "%s:%d: %s\n", path, lineno, why);
			errors++;
		}
		else if (rc > 0)
		{
			for (i = 0; i < n; i++)
				if (strcmp(ids[i], c.id) == 0)
					break;
			if (i < n)
			{
				fprintf(stderr, "%s:%d: duplicate id \"%s\"\n", path, lineno, c.id);
				errors++;
			}
			else
			{
				if (n == cap)
				{
					cap = cap ? cap * 2 : 64;
					ids = realloc(ids, sizeof(*ids) * (size_t) cap);
					if (ids == NULL)
						die("out of memory");
				}
				strcpy(ids[n++], c.id);
				write_plan_line(stdout, &c);
			}
			free_case(&c);
		}
		free(line);
	}
	if (f != stdin)
		fclose(f);
	free(ids);
	if (n == 0 && errors == 0)
	{
		fprintf(stderr, "%s: no cases\n", path);
		errors++;
	}
	return errors ? 1 : 0;
}

/* ---- PostgreSQL: one psql script, one session ---- */

/*
 * The psql line that runs one case. id and function name were checked
 * (valid_id, functions[]); every value is hex digits inside decode().
 */
static void
write_pg_call(FILE *out, const pcase *c)
{
	int			j;

	fprintf(out, "SELECT pg_temp.viper_parity('%s', '%s', ARRAY[", c->id,
			functions[c->fn].name);
	for (j = 0; j < c->nargs; j++)
	{
		if (j > 0)
			fputs(", ", out);
		if (c->args[j].is_null)
			fputs("NULL", out);
		else
		{
			fputs("convert_from(decode('", out);
			put_hex_digits(out, &c->args[j]);
			fputs("', 'hex'), 'UTF8')", out);
		}
	}
	fputs("]::text[]);\n", out);
}

static int
mode_pgsql(const char *plan_path)
{
	int			n,
				i;
	pcase	   *cases = load_plan(plan_path, &n);

	/*
	 * One helper catches each call's error so one session runs every case.
	 * Values arrive as hex and reach the function as EXECUTE ... USING
	 * parameters; the function name is quoted with format('%I').
	 */
	puts("SET client_min_messages = warning;\n"
		 "CREATE EXTENSION IF NOT EXISTS viper;\n"
		 "CREATE FUNCTION pg_temp.viper_parity_hex(v text) RETURNS text\n"
		 "LANGUAGE sql IMMUTABLE AS $fn$\n"
		 "  SELECT CASE WHEN v IS NULL THEN 'N'\n"
		 "    ELSE 'x' || encode(convert_to(v, 'UTF8'), 'hex') END\n"
		 "$fn$;\n"
		 "CREATE FUNCTION pg_temp.viper_parity(p_id text, p_fn text, p_args text[])\n"
		 "RETURNS text LANGUAGE plpgsql AS $fn$\n"
		 "DECLARE\n"
		 "  n int := coalesce(array_length(p_args, 1), 0);\n"
		 "  q text;\n"
		 "  r text;\n"
		 "  st text;\n"
		 "  msg text;\n"
		 "  det text;\n"
		 "  hnt text;\n"
		 "BEGIN\n"
		 "  q := format('SELECT viper.%I(%s)', p_fn,\n"
		 "    (SELECT string_agg('$' || i, ', ' ORDER BY i) FROM generate_series(1, n) AS i));\n"
		 "  BEGIN\n"
		 "    CASE n\n"
		 "      WHEN 1 THEN EXECUTE q INTO r USING p_args[1];\n"
		 "      WHEN 2 THEN EXECUTE q INTO r USING p_args[1], p_args[2];\n"
		 "      WHEN 3 THEN EXECUTE q INTO r USING p_args[1], p_args[2], p_args[3];\n"
		 "    END CASE;\n"
		 "  EXCEPTION WHEN OTHERS THEN\n"
		 "    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,\n"
		 "      det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;\n"
		 "    RETURN p_id || E'\\terror\\t' || st\n"
		 "      || E'\\t' || pg_temp.viper_parity_hex(coalesce(msg, ''))\n"
		 "      || E'\\t' || pg_temp.viper_parity_hex(coalesce(det, ''))\n"
		 "      || E'\\t' || pg_temp.viper_parity_hex(coalesce(hnt, ''));\n"
		 "  END;\n"
		 "  RETURN p_id || E'\\tok\\t' || pg_temp.viper_parity_hex(r);\n"
		 "END\n"
		 "$fn$;");
	for (i = 0; i < n; i++)
	{
		write_pg_call(stdout, &cases[i]);
		free_case(&cases[i]);
	}
	free(cases);
	return 0;
}

/* ---- SQLite: bound parameters through libsqlite3 ---- */

/*
 * Split an SQLite error text "viper[SSSSS]: message\nDETAIL:  d\nHINT:  h"
 * into its parts. Returns 0, or -1 when the text lacks the viper prefix
 * (state is then "?????" and message the whole text).
 */
static int
split_sqlite_error(const char *text, char *state, value *message,
				   value *detail, value *hint)
{
	const char *body;
	const char *end;
	const char *d,
			   *h,
			   *p;
	size_t		i;

	value_set(detail, "", 0);
	value_set(hint, "", 0);
	if (strncmp(text, "viper[", 6) != 0 || strlen(text) < 14 ||
		text[11] != ']' || text[12] != ':' || text[13] != ' ')
	{
		strcpy(state, "?????");
		value_set(message, text, strlen(text));
		return -1;
	}
	for (i = 0; i < 5; i++)
		state[i] = text[6 + i];
	state[5] = '\0';
	body = text + 14;
	end = body + strlen(body);
	/* the host appends HINT last and DETAIL before it: take the last ones */
	h = NULL;
	for (p = body; (p = strstr(p, "\nHINT:  ")) != NULL; p++)
		h = p;
	if (h != NULL)
	{
		value_free(hint);
		value_set(hint, h + 8, (size_t) (end - (h + 8)));
		end = h;
	}
	d = NULL;
	for (p = body; (p = strstr(p, "\nDETAIL:  ")) != NULL && p < end; p++)
		d = p;
	if (d != NULL)
	{
		value_free(detail);
		value_set(detail, d + 10, (size_t) (end - (d + 10)));
		end = d;
	}
	value_set(message, body, (size_t) (end - body));
	return 0;
}

static int
mode_sqlite(const char *so_path, const char *plan_path)
{
	sqlite3    *db;
	char	   *errmsg = NULL;
	int			n,
				i,
				j;
	pcase	   *cases = load_plan(plan_path, &n);

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		die("cannot open an in-memory database");
	sqlite3_enable_load_extension(db, 1);
	if (sqlite3_load_extension(db, so_path, NULL, &errmsg) != SQLITE_OK)
		die("cannot load %s: %s", so_path, errmsg ? errmsg : "?");
	for (i = 0; i < n; i++)
	{
		pcase	   *c = &cases[i];
		char		sql[128];
		sqlite3_stmt *stmt = NULL;
		int			rc;

		/* function name from the fixed list; placeholders only */
		snprintf(sql, sizeof(sql), "SELECT viper_%s(%s)", functions[c->fn].name,
				 c->nargs == 1 ? "?1" : c->nargs == 2 ? "?1, ?2" : "?1, ?2, ?3");
		rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
		if (rc == SQLITE_OK)
		{
			for (j = 0; j < c->nargs && rc == SQLITE_OK; j++)
				rc = c->args[j].is_null ? sqlite3_bind_null(stmt, j + 1) :
					sqlite3_bind_text64(stmt, j + 1, c->args[j].data,
										(sqlite3_uint64) c->args[j].len,
										SQLITE_TRANSIENT, SQLITE_UTF8);
			if (rc == SQLITE_OK)
				rc = sqlite3_step(stmt);
		}
		if (rc == SQLITE_ROW)
		{
			value		v;

			if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
				value_null(&v);
			else
			{
				const char *t = (const char *) sqlite3_column_text(stmt, 0);

				value_set(&v, t ? t : "", (size_t) sqlite3_column_bytes(stmt, 0));
			}
			printf("%s\tok\t", c->id);
			put_hex(stdout, &v);
			putchar('\n');
			value_free(&v);
		}
		else
		{
			char		state[8];
			value		m,
						d,
						h;

			if (rc == SQLITE_NOMEM)
			{
				strcpy(state, "53200");
				value_set(&m, "out of memory", 13);
				value_set(&d, "", 0);
				value_set(&h, "", 0);
			}
			else
				split_sqlite_error(sqlite3_errmsg(db), state, &m, &d, &h);
			printf("%s\terror\t%s\t", c->id, state);
			put_hex(stdout, &m);
			putchar('\t');
			put_hex(stdout, &d);
			putchar('\t');
			put_hex(stdout, &h);
			putchar('\n');
			value_free(&m);
			value_free(&d);
			value_free(&h);
		}
		sqlite3_finalize(stmt);
		free_case(c);
	}
	free(cases);
	sqlite3_close(db);
	return 0;
}

/* ---- comparison ---- */

static void
free_outcome(outcome *o)
{
	value_free(&o->result);
	value_free(&o->message);
	value_free(&o->detail);
	value_free(&o->hint);
}

/* Parse a result line of either host; -1 when malformed. */
static int
read_outcome_line(char *line, outcome *o)
{
	char	   *f[MAX_FIELDS];
	int			nf = split_tabs(line, f, MAX_FIELDS);

	memset(o, 0, sizeof(*o));
	if (nf < 3 || !valid_id(f[0]))
		return -1;
	strcpy(o->id, f[0]);
	if (strcmp(f[1], "ok") == 0 && nf == 3)
		return get_hex(f[2], &o->result);
	if (strcmp(f[1], "error") == 0 && nf == 6 && strlen(f[2]) == 5)
	{
		o->is_error = 1;
		strcpy(o->state, f[2]);
		if (get_hex(f[3], &o->message) < 0 || get_hex(f[4], &o->detail) < 0 ||
			get_hex(f[5], &o->hint) < 0)
		{
			free_outcome(o);
			return -1;
		}
		return 0;
	}
	return -1;
}

/*
 * Load a host's results. Lines that are not result lines (psql noise)
 * are skipped; the comparison reports a case without a result.
 */
static outcome *
load_outcomes(const char *path, int *n)
{
	FILE	   *f = fopen(path, "r");
	outcome    *os = NULL;
	int			cap = 0;
	char	   *line;

	*n = 0;
	if (f == NULL)
		return NULL;
	while ((line = read_line(f)) != NULL)
	{
		if (*n == cap)
		{
			cap = cap ? cap * 2 : 64;
			os = realloc(os, sizeof(outcome) * (size_t) cap);
			if (os == NULL)
				die("out of memory");
		}
		if (read_outcome_line(line, &os[*n]) == 0)
			(*n)++;
		free(line);
	}
	fclose(f);
	return os;
}

static outcome *
find_outcome(outcome *os, int n, const char *id)
{
	int			i;

	for (i = 0; i < n; i++)
		if (strcmp(os[i].id, id) == 0)
			return &os[i];
	return NULL;
}

static const char *
verdict(const outcome *o)
{
	return o->is_error ? o->state : "ok";
}

/* Length of the first line of v. */
static size_t
first_line_len(const value *v)
{
	const char *nl = v->is_null ? NULL : memchr(v->data, '\n', v->len);

	return nl ? (size_t) (nl - v->data) : v->len;
}

/*
 * Why two hosts' outcomes for a case differ from each other or from the
 * expected verdict; "" when they agree. why receives a "; "-joined list.
 */
static void
compare_outcomes(const char *expected, const outcome *pg, const outcome *sq,
				 char *why, size_t whysz)
{
	size_t		n = 0;

	why[0] = '\0';
#define WHY(...) \
	do { \
		if (n < whysz) \
			n += (size_t) snprintf(why + n, whysz - n, "%s", n ? "; " : ""); \
		if (n < whysz) \
			n += (size_t) snprintf(why + n, whysz - n, __VA_ARGS__); \
	} while (0)
	if (pg == NULL || sq == NULL)
	{
		if (pg == NULL)
			WHY("no result from postgresql");
		if (sq == NULL)
			WHY("no result from sqlite");
		return;
	}
	if (strcmp(verdict(pg), verdict(sq)) != 0)
		WHY("verdicts differ");
	if (strcmp(verdict(pg), expected) != 0 || strcmp(verdict(sq), expected) != 0)
		WHY("expected %s", expected);
	if (!pg->is_error && !sq->is_error && !value_eq(&pg->result, &sq->result))
		WHY("result text differs");
	if (pg->is_error && sq->is_error)
	{
		size_t		a = first_line_len(&pg->message),
					b = first_line_len(&sq->message);

		if (a != b || memcmp(pg->message.data, sq->message.data, a) != 0)
			WHY("message differs");
		else if (!value_eq(&pg->message, &sq->message))
			WHY("message continuation differs");
		if (!value_eq(&pg->detail, &sq->detail))
			WHY("detail differs");
		if (!value_eq(&pg->hint, &sq->hint))
			WHY("hint differs");
	}
#undef WHY
}

/* One host's outcome as a report line: "ok <text>" or "error S <message>". */
static void
print_outcome(FILE *out, const outcome *o, int full)
{
	char	   *t;

	if (o == NULL)
	{
		fputs("(no result)\n", out);
		return;
	}
	if (!o->is_error)
	{
		t = display(&o->result);
		fprintf(out, "ok %s\n", t);
		free(t);
		return;
	}
	t = display(&o->message);
	fprintf(out, "error %s %s", o->state, t);
	free(t);
	if (full && o->detail.len)
	{
		t = display(&o->detail);
		fprintf(out, " | DETAIL: %s", t);
		free(t);
	}
	if (full && o->hint.len)
	{
		t = display(&o->hint);
		fprintf(out, " | HINT: %s", t);
		free(t);
	}
	fputc('\n', out);
}

static int
mode_compare(const char *plan_path, const char *pg_path, const char *sq_path,
			 const char *outdir)
{
	int			n,
				npg,
				nsq,
				i,
				failed = 0;
	pcase	   *cases = load_plan(plan_path, &n);
	outcome    *pg = load_outcomes(pg_path, &npg);
	outcome    *sq = load_outcomes(sq_path, &nsq);
	char		path[4096];
	FILE	   *pgrec,
			   *sqrec;

	snprintf(path, sizeof(path), "%s/postgresql.txt", outdir);
	pgrec = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/sqlite.txt", outdir);
	sqrec = fopen(path, "w");
	if (pgrec == NULL || sqrec == NULL)
		die("cannot write the records in %s", outdir);
	for (i = 0; i < n; i++)
	{
		outcome    *p = find_outcome(pg, npg, cases[i].id);
		outcome    *s = find_outcome(sq, nsq, cases[i].id);
		char		why[512];
		int			j;

		fprintf(pgrec, "%s\t", cases[i].id);
		print_outcome(pgrec, p, 1);
		fprintf(sqrec, "%s\t", cases[i].id);
		print_outcome(sqrec, s, 1);
		compare_outcomes(cases[i].expected, p, s, why, sizeof(why));
		if (why[0] == '\0')
		{
			printf("PASS parity/%s\n", cases[i].id);
			free_case(&cases[i]);
			continue;
		}
		failed++;
		printf("FAIL parity/%s\n", cases[i].id);
		printf("  call:       %s(", functions[cases[i].fn].name);
		for (j = 0; j < cases[i].nargs; j++)
		{
			char	   *t = display(&cases[i].args[j]);

			printf(cases[i].args[j].is_null ? "%s%s" : "%s'%s'", j ? ", " : "", t);
			free(t);
		}
		printf(")\n  expected:   %s\n  postgresql: ", cases[i].expected);
		print_outcome(stdout, p, 1);
		printf("  sqlite:     ");
		print_outcome(stdout, s, 1);
		printf("  why:        %s\n", why);
		free_case(&cases[i]);
	}
	fclose(pgrec);
	fclose(sqrec);
	for (i = 0; i < npg; i++)
		free_outcome(&pg[i]);
	for (i = 0; i < nsq; i++)
		free_outcome(&sq[i]);
	free(pg);
	free(sq);
	free(cases);
	fprintf(stderr, "parity: %d cases, %d passed, %d failed\n", n, n - failed, failed);
	return failed ? 1 : 0;
}

/* ---- self-test of the parsing above ---- */

static int	st_failed_total;

#define ST_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "  parity.c:%d: check failed: %s\n", __LINE__, #cond); \
			failed = 1; \
		} \
	} while (0)

/* Parse a field given as a C string; returns rc, fills v. */
static int
pf(const char *s, value *v)
{
	char		why[256];

	return parse_field(s, strlen(s), v, why, sizeof(why));
}

static int
field_is(const char *s, const char *bytes, size_t len)
{
	value		v;
	int			ok;

	if (pf(s, &v) < 0)
		return 0;
	ok = !v.is_null && v.len == len && memcmp(v.data, bytes, len) == 0;
	value_free(&v);
	return ok;
}

static int
field_rejected(const char *s)
{
	value		v;

	if (pf(s, &v) == 0)
	{
		value_free(&v);
		return 0;
	}
	return 1;
}

static int
selftest_fields(void)
{
	int			failed = 0;
	value		v;

	ST_CHECK(field_is("abc", "abc", 3));
	ST_CHECK(field_is("a\\\\b", "a\\b", 3));
	ST_CHECK(field_is("\\\\d{3}", "\\d{3}", 5));
	ST_CHECK(field_is("a\\tb\\nc\\rd", "a\tb\nc\rd", 7));
	ST_CHECK(field_is("\\x41\\x7f", "A\x7f", 2));
	ST_CHECK(field_is("\\xc3\\xa9", "\xc3\xa9", 2));
	ST_CHECK(field_is("caf\xc3\xa9", "caf\xc3\xa9", 5));
	ST_CHECK(field_is("\\E", "", 0));
	ST_CHECK(field_is("\\\\N", "\\N", 2));
	ST_CHECK(field_is("\\\\E", "\\E", 2));
	ST_CHECK(pf("\\N", &v) == 0 && v.is_null);
	ST_CHECK(field_rejected("a\\"));
	ST_CHECK(field_rejected("\\d"));
	ST_CHECK(field_rejected("a\\Nb"));
	ST_CHECK(field_rejected("\\N "));
	ST_CHECK(field_rejected("\\x4"));
	ST_CHECK(field_rejected("\\xZZ"));
	ST_CHECK(field_rejected("\\0"));
	return failed;
}

/* Parse a case line given as a C string. */
static int
pl(const char *s, pcase *c)
{
	char	   *line = xmalloc(strlen(s) + 1);
	char		why[256];
	int			rc;

	strcpy(line, s);
	rc = parse_case_line(line, c, why, sizeof(why));
	free(line);
	return rc;
}

static int
selftest_lines(void)
{
	int			failed = 0;
	pcase		c;

	ST_CHECK(pl("# comment", &c) == 0);
	ST_CHECK(pl("", &c) == 0);
	ST_CHECK(pl("id1\tvalidate_identifier\tusers\t\t\tok", &c) == 1);
	ST_CHECK(strcmp(c.id, "id1") == 0 && c.nargs == 1 && c.args[0].len == 5 &&
			 strcmp(c.expected, "ok") == 0 && c.fn == 0);
	free_case(&c);
	ST_CHECK(pl("q.2\tquote_identifier\ta\tmysql\t\t42602", &c) == 1);
	ST_CHECK(c.nargs == 2 && strcmp(c.args[1].data, "mysql") == 0 &&
			 strcmp(c.expected, "42602") == 0);
	free_case(&c);
	ST_CHECK(pl("e-3\tvalidate_sql_expression\ta > 0\t\\N\tctx\tok", &c) == 1);
	ST_CHECK(c.nargs == 3 && c.args[1].is_null && !c.args[2].is_null);
	free_case(&c);
	ST_CHECK(pl("r\tvalidate_regex_pattern\t(a+)+\t\t\t2201B", &c) == 1);
	free_case(&c);
	/* wrong shapes */
	ST_CHECK(pl("x\tvalidate_identifier\tusers\t\tok", &c) == -1);
	ST_CHECK(pl("x\tvalidate_identifier\tusers\t\t\tok\textra", &c) == -1);
	ST_CHECK(pl("x\tno_such_function\tusers\t\t\tok", &c) == -1);
	ST_CHECK(pl("x\tvalidate_identifier\tusers\t\t\tmaybe", &c) == -1);
	ST_CHECK(pl("x\tvalidate_identifier\tusers\t\t\t4260", &c) == -1);
	ST_CHECK(pl("x\tvalidate_identifier\tusers\t\t\t42p01", &c) == -1);
	ST_CHECK(pl("bad id\tvalidate_identifier\tusers\t\t\tok", &c) == -1);
	ST_CHECK(pl("x'\tvalidate_identifier\tusers\t\t\tok", &c) == -1);
	/* a gap in the arguments, and argument counts per function */
	ST_CHECK(pl("x\tvalidate_sql_expression\ta\t\tctx\tok", &c) == -1);
	ST_CHECK(pl("x\tvalidate_identifier\t\t\t\tok", &c) == -1);
	ST_CHECK(pl("x\tescape_like\ta\tb\t\tok", &c) == -1);
	ST_CHECK(pl("x\tvalidate_identifier\ta\tb\tc\tok", &c) == -1);
	ST_CHECK(pl("x\tmask_url\ta\\q\t\t\tok", &c) == -1);
	return failed;
}

static int
selftest_hex(void)
{
	int			failed = 0;
	value		a,
				b;
	char		buf[64];
	FILE	   *f = fmemopen(buf, sizeof(buf), "w");

	value_set(&a, "a\t\n\\\xc3\xa9", 6);
	put_hex(f, &a);
	fclose(f);
	ST_CHECK(strcmp(buf, "x61090a5cc3a9") == 0);
	ST_CHECK(get_hex(buf, &b) == 0 && value_eq(&a, &b));
	value_free(&b);
	ST_CHECK(get_hex("N", &b) == 0 && b.is_null);
	ST_CHECK(get_hex("x", &b) == 0 && !b.is_null && b.len == 0);
	value_free(&b);
	ST_CHECK(get_hex("x6", &b) == -1);
	ST_CHECK(get_hex("xzz", &b) == -1);
	ST_CHECK(get_hex("61", &b) == -1);
	ST_CHECK(get_hex("", &b) == -1);
	value_free(&a);
	return failed;
}

static int
selftest_display(void)
{
	int			failed = 0;
	value		v;
	char	   *t;

	value_set(&v, "a\\b\tc\nd\x01", 8);
	t = display(&v);
	ST_CHECK(strcmp(t, "a\\\\b\\tc\\nd\\x01") == 0);
	free(t);
	value_free(&v);
	value_null(&v);
	t = display(&v);
	ST_CHECK(strcmp(t, "\\N") == 0);
	free(t);
	return failed;
}

static int
selftest_sqlite_errors(void)
{
	int			failed = 0;
	char		state[8];
	value		m,
				d,
				h;

	ST_CHECK(split_sqlite_error("viper[42602]: invalid identifier \"a-b\"\n"
								"DETAIL:  Character 2 is bad.\nHINT:  Use letters.",
								state, &m, &d, &h) == 0);
	ST_CHECK(strcmp(state, "42602") == 0);
	ST_CHECK(strcmp(m.data, "invalid identifier \"a-b\"") == 0);
	ST_CHECK(strcmp(d.data, "Character 2 is bad.") == 0);
	ST_CHECK(strcmp(h.data, "Use letters.") == 0);
	value_free(&m);
	value_free(&d);
	value_free(&h);

	ST_CHECK(split_sqlite_error("viper[22023]: unknown dialect \"x\"\nHINT:  Use one.",
								state, &m, &d, &h) == 0);
	ST_CHECK(strcmp(state, "22023") == 0 && strcmp(m.data, "unknown dialect \"x\"") == 0);
	ST_CHECK(d.len == 0 && strcmp(h.data, "Use one.") == 0);
	value_free(&m);
	value_free(&d);
	value_free(&h);

	ST_CHECK(split_sqlite_error("viper[2201B]: bad\nDETAIL:  Why.", state, &m, &d,
								&h) == 0);
	ST_CHECK(strcmp(m.data, "bad") == 0 && strcmp(d.data, "Why.") == 0 && h.len == 0);
	value_free(&m);
	value_free(&d);
	value_free(&h);

	/* a message that itself spans lines keeps them */
	ST_CHECK(split_sqlite_error("viper[42602]: invalid identifier \"a\nb\"\nDETAIL:  D.",
								state, &m, &d, &h) == 0);
	ST_CHECK(strcmp(m.data, "invalid identifier \"a\nb\"") == 0);
	ST_CHECK(first_line_len(&m) == strlen("invalid identifier \"a"));
	value_free(&m);
	value_free(&d);
	value_free(&h);

	ST_CHECK(split_sqlite_error("wrong number of arguments", state, &m, &d, &h) == -1);
	ST_CHECK(strcmp(state, "?????") == 0 && strcmp(m.data, "wrong number of arguments") == 0);
	value_free(&m);
	value_free(&d);
	value_free(&h);
	ST_CHECK(split_sqlite_error("viper[42602]:x", state, &m, &d, &h) == -1);
	value_free(&m);
	value_free(&d);
	value_free(&h);
	return failed;
}

/* Build an outcome from a result line given as a C string. */
static int
ol(const char *s, outcome *o)
{
	char	   *line = xmalloc(strlen(s) + 1);
	int			rc;

	strcpy(line, s);
	rc = read_outcome_line(line, o);
	free(line);
	return rc;
}

static int
selftest_compare(void)
{
	int			failed = 0;
	outcome		a,
				b;
	char		why[512];

	/* same accepted result */
	ST_CHECK(ol("c1\tok\tx6162", &a) == 0 && ol("c1\tok\tx6162", &b) == 0);
	compare_outcomes("ok", &a, &b, why, sizeof(why));
	ST_CHECK(why[0] == '\0');
	compare_outcomes("42602", &a, &b, why, sizeof(why));
	ST_CHECK(strcmp(why, "expected 42602") == 0);
	free_outcome(&b);
	/* different result text */
	ST_CHECK(ol("c1\tok\tx6163", &b) == 0);
	compare_outcomes("ok", &a, &b, why, sizeof(why));
	ST_CHECK(strcmp(why, "result text differs") == 0);
	free_outcome(&b);
	/* NULL against empty text */
	ST_CHECK(ol("c1\tok\tN", &b) == 0);
	compare_outcomes("ok", &a, &b, why, sizeof(why));
	ST_CHECK(strcmp(why, "result text differs") == 0);
	free_outcome(&b);
	/* accepted on one host, rejected on the other */
	ST_CHECK(ol("c1\terror\t42602\tx61\tx\tx", &b) == 0);
	compare_outcomes("ok", &a, &b, why, sizeof(why));
	ST_CHECK(strcmp(why, "verdicts differ; expected ok") == 0);
	free_outcome(&a);
	/* same rejection */
	ST_CHECK(ol("c1\terror\t42602\tx61\tx\tx", &a) == 0);
	compare_outcomes("42602", &a, &b, why, sizeof(why));
	ST_CHECK(why[0] == '\0');
	free_outcome(&a);
	/* other SQLSTATE, other message, other detail, other hint */
	ST_CHECK(ol("c1\terror\t42601\tx62\tx44\tx48", &a) == 0);
	compare_outcomes("42602", &a, &b, why, sizeof(why));
	ST_CHECK(strcmp(why, "verdicts differ; expected 42602; message differs; "
					"detail differs; hint differs") == 0);
	free_outcome(&a);
	/* messages equal on the first line only */
	ST_CHECK(ol("c1\terror\t42602\tx610a78\tx\tx", &a) == 0);
	compare_outcomes("42602", &a, &b, why, sizeof(why));
	ST_CHECK(strcmp(why, "message continuation differs") == 0);
	free_outcome(&a);
	free_outcome(&b);
	/* missing results and malformed lines */
	ST_CHECK(ol("c1\tok\tx61", &a) == 0);
	compare_outcomes("ok", &a, NULL, why, sizeof(why));
	ST_CHECK(strcmp(why, "no result from sqlite") == 0);
	free_outcome(&a);
	ST_CHECK(ol("c1\tok", &a) == -1);
	ST_CHECK(ol("c1\terror\t42602\tx61", &a) == -1);
	ST_CHECK(ol("c1\terror\t4260\tx61\tx\tx", &a) == -1);
	ST_CHECK(ol("NOTICE:  something", &a) == -1);
	ST_CHECK(ol("c1\tok\tx6", &a) == -1);
	return failed;
}

static int
selftest_plan_roundtrip(void)
{
	int			failed = 0;
	pcase		c,
				d;
	char		buf[512];
	FILE	   *f;
	size_t		len;

	ST_CHECK(pl("rt\tvalidate_sql_expression\ta\\tb\t\\N\t\\E\t42601", &c) == 1);
	f = fmemopen(buf, sizeof(buf), "w");
	write_plan_line(f, &c);
	fclose(f);
	ST_CHECK(strcmp(buf, "rt\tvalidate_sql_expression\t42601\t3\tx610962\tN\tx\n") == 0);
	len = strlen(buf);
	if (len > 0)
		buf[len - 1] = '\0';
	ST_CHECK(read_plan_line(buf, &d) == 0);
	ST_CHECK(d.nargs == 3 && value_eq(&c.args[0], &d.args[0]) &&
			 d.args[1].is_null && d.args[2].len == 0 && !d.args[2].is_null);
	free_case(&c);
	free_case(&d);
	return failed;
}

static int
selftest_pg_call(void)
{
	int			failed = 0;
	pcase		c;
	char		buf[512];
	FILE	   *f;

	ST_CHECK(pl("pg1\tvalidate_sql_expression\ta'b\t\\N\t\\E\tok", &c) == 1);
	f = fmemopen(buf, sizeof(buf), "w");
	write_pg_call(f, &c);
	fclose(f);
	ST_CHECK(strcmp(buf, "SELECT pg_temp.viper_parity('pg1', 'validate_sql_expression', "
					"ARRAY[convert_from(decode('612762', 'hex'), 'UTF8'), NULL, "
					"convert_from(decode('', 'hex'), 'UTF8')]::text[]);\n") == 0);
	free_case(&c);
	return failed;
}

#define ST_RUN(fn) \
	do { \
		int st_f_ = fn(); \
		printf("%s parity/selftest/%s\n", st_f_ ? "FAIL" : "PASS", #fn); \
		st_failed_total += st_f_; \
	} while (0)

static int
mode_selftest(void)
{
	ST_RUN(selftest_fields);
	ST_RUN(selftest_lines);
	ST_RUN(selftest_hex);
	ST_RUN(selftest_display);
	ST_RUN(selftest_sqlite_errors);
	ST_RUN(selftest_compare);
	ST_RUN(selftest_plan_roundtrip);
	ST_RUN(selftest_pg_call);
	return st_failed_total ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "selftest") == 0)
		return mode_selftest();
	if (argc == 3 && strcmp(argv[1], "parse") == 0)
		return mode_parse(argv[2]);
	if (argc == 3 && strcmp(argv[1], "pgsql") == 0)
		return mode_pgsql(argv[2]);
	if (argc == 4 && strcmp(argv[1], "sqlite") == 0)
		return mode_sqlite(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "compare") == 0)
		return mode_compare(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr,
			"usage: parity selftest | parse CASES | pgsql PLAN | sqlite SO PLAN |"
			" compare PLAN PG SQLITE OUTDIR\n");
	return 2;
}
