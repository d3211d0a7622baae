/*
 * test_query_write.c — the write side of the query compiler: insert,
 * bulk_create, update (F expressions, auto_now, max_affected), delete,
 * bulk_update, get_or_create / update_or_create pieces and m2m, on both
 * dialects, with every validation error (SQLSTATE + message).
 */
#include "vtest.h"

#include <jansson.h>

#include "vc_query.h"

static vc_catalog *cat;

#define PG VC_DIALECT_POSTGRESQL
#define LITE VC_DIALECT_SQLITE

static json_t *
load_rows(void)
{
	static const char *const files[] = {"Author", "Post", "Tag", "Comment", "SiteSettings"};
	json_t	   *rows = json_array();
	size_t		i;

	for (i = 0; i < 5; i++)
	{
		char		path[256];
		json_t	   *s;

		snprintf(path, sizeof(path), "../../examples/blog/schemas/%s.json", files[i]);
		s = json_load_file(path, 0, NULL);
		if (s == NULL)
			exit(2);
		json_array_append_new(rows, json_pack("{s:s+,s:o}", "label", "blog.", files[i], "schema", s));
	}
	/* a read-only model */
	json_array_append_new(rows, json_loads("{\"label\": \"blog.Archive\", \"schema\": {\"app\": \"blog\", \"name\": \"Archive\", \"fields\": [{\"name\": \"note\", \"type\": \"TextField\"}], \"meta\": {\"read_only\": true}}}", 0, NULL));
	return rows;
}

static vc_query_opts
opts(vc_dialect d)
{
	vc_query_opts o;

	memset(&o, 0, sizeof(o));
	o.dialect = d;
	return o;
}

static char last[8192];
static vc_error err;

static vc_compiled *
ins(vc_dialect d, const char *label, const char *row, bool oc)
{
	json_t	   *j = json_loads(row, 0, NULL);
	vc_query_opts o = opts(d);
	vc_compiled *c = NULL;

	vc_error_clear(&err);
	if (vc_compile_insert(&vc_alloc_libc, cat, label, j, oc, &o, &c, &err) != VC_OK)
		c = NULL;
	json_decref(j);
	return c;
}

static const char *
ins_sql(vc_dialect d, const char *label, const char *row)
{
	vc_compiled *c = ins(d, label, row, false);

	snprintf(last, sizeof(last), "%s", c ? c->sql : err.message);
	vc_compiled_free(c);
	return last;
}

static const char *
upd_sql(vc_dialect d, const char *label, const char *spec, const char *changes)
{
	json_t	   *s = json_loads(spec, 0, NULL),
			   *ch = json_loads(changes, 0, NULL);
	vc_query_opts o = opts(d);
	vc_compiled *c = NULL;

	vc_error_clear(&err);
	if (vc_compile_update(&vc_alloc_libc, cat, label, s, ch, &o, &c, &err) == VC_OK)
		snprintf(last, sizeof(last), "%s", c->sql);
	else
		snprintf(last, sizeof(last), "%s", err.message);
	vc_compiled_free(c);
	json_decref(s);
	json_decref(ch);
	return last;
}

static const char *
del_sql(vc_dialect d, const char *label, const char *spec)
{
	json_t	   *s = json_loads(spec, 0, NULL);
	vc_query_opts o = opts(d);
	vc_compiled *c = NULL;

	vc_error_clear(&err);
	if (vc_compile_delete(&vc_alloc_libc, cat, label, s, &o, &c, &err) == VC_OK)
		snprintf(last, sizeof(last), "%s", c->sql);
	else
		snprintf(last, sizeof(last), "%s", err.message);
	vc_compiled_free(c);
	json_decref(s);
	return last;
}

#define TAG_RET " RETURNING \"id\", \"name\", \"slug\", \"color\""

static void
test_insert_basic(void)
{
	vc_compiled *c = ins(PG, "blog.Tag", "{\"name\": \"c\", \"slug\": \"c\"}", false);

	VT_CHECK(c != NULL);
	if (!c)
		return;
	VT_STREQ(c->sql, "INSERT INTO \"blog_tag\" (\"name\", \"slug\") VALUES ($1, $2)" TAG_RET);
	VT_CHECK(c->result == VC_RESULT_RETURNING && c->stmt == VC_STMT_INSERT);
	VT_CHECK(c->ncols == 4);
	VT_STREQ(c->cols[3].key, "color");
	vc_compiled_free(c);
}

static void
test_insert_sqlite_fk_and_array(void)
{
	vc_compiled *c = ins(LITE, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 3, \"keywords\": [\"a\"], \"created_at\": \"2000-01-01\", \"updated_at\": \"2000-01-01\"}", false);

	VT_CHECK(c != NULL);
	if (!c)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_CHECK(strncmp(c->sql, "INSERT INTO \"blog_post\" (\"title\", \"slug\", \"body\", \"author_id\", \"keywords\") VALUES (?1, ?2, ?3, ?4, ?5) RETURNING \"id\", ", 110) == 0);
	VT_STREQ(c->params[4].text, "[\"a\"]");
	VT_CHECK(c->ncols == 15);
	VT_STREQ(c->cols[4].key, "author_id");
	vc_compiled_free(c);
}

static void
test_insert_defaults_only(void)
{
	VT_STREQ(ins_sql(LITE, "blog.SiteSettings", "{}"),
			 "INSERT INTO \"blog_sitesettings\" DEFAULT VALUES RETURNING \"id\", \"site_name\", \"posts_per_page\", \"maintenance\", \"contact_email\", \"open_time\", \"launch_date\", \"theme\", \"logo\", \"build\"");
}

static void
test_insert_on_conflict(void)
{
	vc_compiled *c = ins(LITE, "blog.Tag", "{\"name\": \"c\", \"slug\": \"c\"}", true);

	VT_CHECK(c && strstr(c->sql, ") ON CONFLICT DO NOTHING RETURNING") != NULL);
	vc_compiled_free(c);
}

static void
test_insert_errors(void)
{
	VT_STREQ(ins_sql(PG, "blog.Tag", "{\"nmae\": \"c\"}"), "model \"blog.Tag\" has no field \"nmae\"");
	VT_SQLSTATE(&err, "42703");
	VT_STREQ(err.hint, "Perhaps you meant \"name\".");
	/* NULL (or a missing required field) for a NOT NULL column: 23502 */
	VT_STREQ(ins_sql(PG, "blog.Tag", "{\"slug\": \"c\"}"), "model \"blog.Tag\", field \"name\" is required");
	VT_SQLSTATE(&err, "23502");
	VT_STREQ(ins_sql(PG, "blog.Tag", "{\"name\": null, \"slug\": \"c\"}"), "model \"blog.Tag\", field \"name\": null is not allowed");
	VT_SQLSTATE(&err, "23502");
	/* blank and choices stay 22023 */
	VT_STREQ(ins_sql(PG, "blog.Tag", "{\"name\": \"\", \"slug\": \"c\"}"), "model \"blog.Tag\", field \"name\": this field cannot be blank");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(ins_sql(PG, "blog.Tag", "{\"name\": \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\", \"slug\": \"c\"}"),
			 "model \"blog.Tag\", field \"name\": value is longer than max_length 50");
	VT_SQLSTATE(&err, "22001");
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 1, \"status\": \"gone\"}"),
			 "model \"blog.Post\", field \"status\": value is not one of the field's choices");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 1, \"views\": \"many\"}"),
			 "model \"blog.Post\", field \"views\": value must be an integer for PositiveIntegerField");
	VT_SQLSTATE(&err, "22P02");
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 1, \"publish_at\": \"2024-01-01T25:00\"}"),
			 "model \"blog.Post\", field \"publish_at\": value is not an ISO-8601 date and time (YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|+HH:MM])");
	VT_SQLSTATE(&err, "22007");
	/* on write an empty time is blank, checked before its format */
	VT_STREQ(ins_sql(LITE, "blog.SiteSettings", "{\"open_time\": \"\"}"),
			 "model \"blog.SiteSettings\", field \"open_time\": this field cannot be blank");
	VT_SQLSTATE(&err, "22023");
	VT_STREQ(ins_sql(PG, "blog.SiteSettings", "{\"build\": 1e30}"),
			 "model \"blog.SiteSettings\", field \"build\": value must be an integer for BigIntegerField");
	VT_STREQ(ins_sql(PG, "blog.SiteSettings", "{\"posts_per_page\": 99999}"),
			 "model \"blog.SiteSettings\", field \"posts_per_page\": value is out of range for SmallIntegerField");
	VT_SQLSTATE(&err, "22003");
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"tags\": [1]}"),
			 "model \"blog.Post\", field \"tags\": a ManyToManyField is written with m2m_add, m2m_remove, m2m_set or m2m_clear");
	VT_STREQ(ins_sql(PG, "blog.Archive", "{\"note\": \"x\"}"), "model \"blog.Archive\" is read-only");
	VT_SQLSTATE(&err, "25006");
	VT_STREQ(ins_sql(PG, "blog.Tag", "[1]"), "a row must be a JSON object");
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 1, \"rating\": 123.5}"),
			 "model \"blog.Post\", field \"rating\": value does not fit DecimalField(3, 1)");
	VT_SQLSTATE(&err, "22003");
}


/* BinaryField values: PostgreSQL gets bytea's hex input form "\x..." (plain
 * "00ff" would be stored as the bytes of that text); SQLite a BLOB. */
static void
test_binary_params(void)
{
	static const char catalog[] =
		"[{\"label\": \"bin.Blob\", \"schema\": {\"app\": \"bin\", \"name\": \"Blob\", \"fields\": ["
		"{\"name\": \"id\", \"type\": \"AutoField\", \"primary_key\": true},"
		"{\"name\": \"data\", \"type\": \"BinaryField\", \"null\": true},"
		"{\"name\": \"parts\", \"type\": \"ArrayField\", \"base_field\": {\"type\": \"BinaryField\"}, \"null\": true}]}}]";
	vc_catalog *bc = NULL;
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;
	json_t	   *row = json_loads("{\"data\": \"00FF\", \"parts\": [\"\\\\x0a\", null]}", 0, NULL);
	char		buf[32];
	unsigned char bytes[4];
	json_t	   *pj;
	char	   *txt;

	VT_CHECK(vc_catalog_load_text(&vc_alloc_libc, catalog, sizeof(catalog) - 1, 1, &bc, &err) == VC_OK);
	if (bc == NULL)
	{
		fprintf(stderr, "  %s\n", err.message);
		json_decref(row);
		return;
	}
	VT_CHECK(vc_compile_insert(&vc_alloc_libc, bc, "bin.Blob", row, false, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_CHECK(c->nparams == 2 && c->params[0].kind == VC_PARAM_BYTES);
		VT_STREQ(c->params[0].pg_type, "bytea");
		VT_STREQ(vc_param_pg_text(&c->params[0], buf), "\\x00ff");
		VT_CHECK(c->params[0].len == 6);
		VT_STREQ(vc_param_pg_text(&c->params[1], buf), "{\"\\\\x0a\",NULL}");
		/* viper.compile's params: bytes as plain hex */
		VT_CHECK(vc_compiled_params_json(c, &pj, &err) == VC_OK);
		txt = json_dumps(pj, JSON_COMPACT);
		VT_STREQ(txt, "[\"00ff\",\"{\\\"\\\\\\\\x0a\\\",NULL}\"]");
		free(txt);
		json_decref(pj);
		vc_compiled_free(c);
	}
	o = opts(LITE);
	VT_CHECK(vc_compile_insert(&vc_alloc_libc, bc, "bin.Blob", row, false, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_CHECK(c->params[0].sqlite_class == VC_SQLITE_BLOB);
		VT_STREQ(c->params[0].text, "00ff");
		VT_CHECK(vc_hex_decode(c->params[0].text, c->params[0].len, bytes) == 2);
		VT_CHECK(bytes[0] == 0x00 && bytes[1] == 0xff);
		vc_compiled_free(c);
	}
	vc_catalog_free(bc);
	json_decref(row);
}

/* An ArrayField element error names the array field and the element. */
static void
test_array_element_errors(void)
{
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 3, \"keywords\": [\"ok\", \"abcdefghijabcdefghijabcdefghijX\"]}"),
			 "model \"blog.Post\", field \"keywords\" (element 2): array element is longer than max_length 30");
	VT_SQLSTATE(&err, "22001");
	VT_STREQ(ins_sql(LITE, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 3, \"keywords\": [1]}"),
			 "model \"blog.Post\", field \"keywords\" (element 1): array element must be a string for CharField");
	VT_SQLSTATE(&err, "22P02");
	VT_STREQ(ins_sql(PG, "blog.Post", "{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 3, \"keywords\": \"a\"}"),
			 "model \"blog.Post\", field \"keywords\": value must be an array for ArrayField");
}

static void
test_insert_auto_now_ignored(void)
{
	VT_STREQ(ins_sql(PG, "blog.Comment", "{\"post\": 1, \"body\": \"x\", \"created_at\": \"1999-01-01T00:00\"}"),
			 "INSERT INTO \"blog_comment\" (\"post_id\", \"body\") VALUES ($1, $2) RETURNING \"id\", \"post_id\", \"author_id\", \"parent_id\", \"body\", \"is_approved\", \"ip_address\", \"created_at\"");
}

static void
test_bulk_create(void)
{
	json_t	   *rows = json_loads("[{\"name\": \"a\", \"slug\": \"a\"}, {\"name\": \"b\", \"slug\": \"b\", \"color\": \"#000000\"}, {\"name\": \"c\", \"slug\": \"c\"}]", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;

	VT_CHECK(vc_compile_bulk_create(&vc_alloc_libc, cat, "blog.Tag", rows, 0, 2, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->sql, "INSERT INTO \"blog_tag\" (\"name\", \"slug\", \"color\") VALUES ($1, $2, DEFAULT), ($3, $4, $5)");
		VT_CHECK(c->result == VC_RESULT_AFFECTED);
		vc_compiled_free(c);
	}
	o = opts(LITE);
	VT_CHECK(vc_compile_bulk_create(&vc_alloc_libc, cat, "blog.Tag", rows, 1, 2, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->sql, "INSERT INTO \"blog_tag\" (\"name\", \"slug\", \"color\") VALUES (?1, ?2, ?3), (?4, ?5, ?6)");
		VT_STREQ(c->params[5].text, "#cccccc");
		vc_compiled_free(c);
	}
	VT_CHECK(vc_compile_bulk_create(&vc_alloc_libc, cat, "blog.Tag", rows, 2, 2, &o, &c, &err) == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "bulk_create needs a non-empty JSON array of row objects");
	json_decref(rows);
	rows = json_loads("[{\"name\": \"a\", \"slug\": \"a\"}, {\"slug\": \"b\"}]", 0, NULL);
	VT_CHECK(vc_compile_bulk_create(&vc_alloc_libc, cat, "blog.Tag", rows, 0, 2, &o, &c, &err) == VC_ERR_NOT_NULL);
	VT_STREQ(err.message, "model \"blog.Tag\", field \"name\" is required (row 1)");
	json_decref(rows);
	VT_CHECK(vc_bulk_batch_rows(3) == 1000);
	VT_CHECK(vc_bulk_batch_rows(100) == 327);
}

static void
test_update_expr(void)
{
	VT_STREQ(upd_sql(PG, "blog.Post", "{\"where\": {\"id\": 4}}", "{\"views\": {\"$add\": [{\"$f\": \"views\"}, 1]}}"),
			 "UPDATE \"blog_post\" AS \"t0\" SET \"views\" = (\"t0\".\"views\" + $1), \"updated_at\" = now() WHERE \"t0\".\"id\" = $2");
	VT_STREQ(upd_sql(LITE, "blog.Post", "{}", "{\"title\": \"x\", \"updated_at\": \"2000-01-01\"}"),
			 "UPDATE \"blog_post\" AS \"t0\" SET \"title\" = ?1, \"updated_at\" = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
}

static void
test_update_join_and_max(void)
{
	json_t	   *s = json_loads("{\"where\": {\"author__name\": \"a\"}, \"max_affected\": 10}", 0, NULL);
	json_t	   *ch = json_loads("{\"status\": \"draft\"}", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;

	VT_CHECK(vc_compile_update(&vc_alloc_libc, cat, "blog.Post", s, ch, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->sql, "UPDATE \"blog_post\" AS \"t0\" SET \"status\" = $1, \"updated_at\" = now() WHERE \"t0\".\"id\" IN (SELECT \"t0\".\"id\" FROM \"blog_post\" AS \"t0\" JOIN \"blog_author\" AS \"t1\" ON \"t1\".\"id\" = \"t0\".\"author_id\" WHERE \"t1\".\"name\" = $2 LIMIT $3)");
		VT_CHECK(c->params[2].i == 11);
		VT_CHECK(c->max_affected == 10);
		VT_CHECK(vc_compiled_check_affected(c, 10, &err) == VC_OK);
		VT_CHECK(vc_compiled_check_affected(c, 11, &err) == VC_ERR_TOO_MANY_ROWS);
		VT_STREQ(err.message, "update of \"blog.Post\" would affect more than 10 rows (max_affected)");
		VT_SQLSTATE(&err, "P0003");
		vc_compiled_free(c);
	}
	json_decref(s);
	json_decref(ch);
}

static void
test_update_errors(void)
{
	VT_STREQ(upd_sql(PG, "blog.Post", "{}", "{\"titel\": \"x\"}"), "model \"blog.Post\" has no field \"titel\"");
	VT_SQLSTATE(&err, "42703");
	VT_STREQ(upd_sql(PG, "blog.Post", "{}", "{\"title\": null}"), "model \"blog.Post\", field \"title\": null is not allowed");
	VT_SQLSTATE(&err, "23502");
	VT_STREQ(upd_sql(PG, "blog.Post", "{\"order_by\": [\"id\"]}", "{\"title\": \"x\"}"), "spec key \"order_by\" does not apply to update");
	VT_STREQ(upd_sql(PG, "blog.Post", "{}", "{\"views\": {\"$add\": [{\"$f\": \"views\"}, \"x\"]}}"),
			 "model \"blog.Post\", field \"views\": expression value must be an integer for PositiveIntegerField");
	VT_SQLSTATE(&err, "22P02");
	VT_STREQ(upd_sql(PG, "blog.Post", "{}", "{\"views\": {\"$add\": [{\"$f\": \"author__name\"}, 1]}}"),
			 "model \"blog.Post\" has no field \"author__name\"");
	VT_STREQ(upd_sql(PG, "blog.Archive", "{}", "{\"note\": \"x\"}"), "model \"blog.Archive\" is read-only");
	VT_SQLSTATE(&err, "25006");
	VT_STREQ(upd_sql(PG, "blog.Post", "{}", "{}"), "update needs at least one change");
	VT_STREQ(upd_sql(PG, "blog.Post", "{\"max_affected\": -2}", "{\"title\": \"x\"}"), "\"max_affected\" must be a non-negative integer");
}

static void
test_delete(void)
{
	VT_STREQ(del_sql(PG, "blog.Comment", "{\"where\": {\"$not\": {\"is_approved\": true}}}"),
			 "DELETE FROM \"blog_comment\" AS \"t0\" WHERE (\"t0\".\"is_approved\" = $1) IS NOT TRUE");
	VT_STREQ(del_sql(LITE, "blog.Tag", "{}"), "DELETE FROM \"blog_tag\" AS \"t0\"");
	VT_STREQ(del_sql(LITE, "blog.Tag", "{\"where\": {\"posts__title\": \"x\"}, \"max_affected\": 0}"),
			 "DELETE FROM \"blog_tag\" AS \"t0\" WHERE \"t0\".\"id\" IN (SELECT \"t0\".\"id\" FROM \"blog_tag\" AS \"t0\" LEFT JOIN \"blog_post_tags\" AS \"t1\" ON \"t1\".\"tag_id\" = \"t0\".\"id\" LEFT JOIN \"blog_post\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"post_id\" WHERE \"t2\".\"title\" = ?1 LIMIT ?2)");
	/* $not over M2M: a correlated EXISTS on the DELETE's own alias */
	VT_STREQ(del_sql(PG, "blog.Post", "{\"where\": {\"$not\": {\"tags__name\": \"x\"}}}"),
			 "DELETE FROM \"blog_post\" AS \"t0\" WHERE (EXISTS (SELECT 1 FROM \"blog_post_tags\" AS \"t1\" LEFT JOIN \"blog_tag\" AS \"t2\" ON \"t2\".\"id\" = \"t1\".\"tag_id\" WHERE \"t1\".\"post_id\" = \"t0\".\"id\" AND \"t2\".\"name\" = $1)) IS NOT TRUE");
	VT_STREQ(del_sql(LITE, "blog.Archive", "{}"), "model \"blog.Archive\" is read-only");
	VT_STREQ(del_sql(LITE, "blog.Tag", "{\"limit\": 1}"), "spec key \"limit\" does not apply to delete");
}

static void
test_bulk_update(void)
{
	json_t	   *rows = json_loads("[{\"id\": 1, \"name\": \"a\"}, {\"id\": 2, \"name\": \"b\", \"color\": \"#ffffff\"}]", 0, NULL);
	json_t	   *fields = json_loads("[\"name\", \"color\"]", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_compiled *c = NULL;

	VT_CHECK(vc_compile_bulk_update(&vc_alloc_libc, cat, "blog.Tag", rows, fields, &o, &c, &err) == VC_OK);
	if (c)
	{
		VT_STREQ(c->sql, "UPDATE \"blog_tag\" AS \"t0\" SET \"name\" = CASE \"t0\".\"id\" WHEN $1 THEN $3 WHEN $2 THEN $4 ELSE \"t0\".\"name\" END, \"color\" = CASE \"t0\".\"id\" WHEN $2 THEN $5 ELSE \"t0\".\"color\" END WHERE \"t0\".\"id\" IN ($1, $2)");
		vc_compiled_free(c);
	}
	json_decref(fields);
	fields = json_loads("[\"id\"]", 0, NULL);
	VT_CHECK(vc_compile_bulk_update(&vc_alloc_libc, cat, "blog.Tag", rows, fields, &o, &c, &err) == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "bulk_update cannot change the primary key \"id\"");
	json_decref(fields);
	json_decref(rows);
	rows = json_loads("[{\"name\": \"a\"}]", 0, NULL);
	fields = json_loads("[\"name\"]", 0, NULL);
	VT_CHECK(vc_compile_bulk_update(&vc_alloc_libc, cat, "blog.Tag", rows, fields, &o, &c, &err) == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "bulk_update row 0 has no primary key \"id\"");
	json_decref(fields);
	json_decref(rows);
}

static void
test_get_or_create(void)
{
	json_t	   *lookup = json_loads("{\"slug\": \"py\"}", 0, NULL);
	json_t	   *defaults = json_loads("{\"name\": \"Python\"}", 0, NULL);
	vc_query_opts o = opts(PG);
	vc_goc		g;

	VT_CHECK(vc_compile_get_or_create(&vc_alloc_libc, cat, "blog.Tag", lookup, defaults, false, &o, &g, &err) == VC_OK);
	VT_CHECK(g.on_conflict);
	VT_CHECK(g.lock != NULL && g.update == NULL);
	if (g.lock)
	{
		VT_STREQ(g.lock->sql, "SELECT pg_advisory_xact_lock($1)");
		VT_CHECK(g.lock->params[0].kind == VC_PARAM_INT);
	}
	VT_CHECK(g.select && g.select->result == VC_RESULT_ONE);
	if (g.insert)
		VT_STREQ(g.insert->sql, "INSERT INTO \"blog_tag\" (\"name\", \"slug\") VALUES ($1, $2) ON CONFLICT DO NOTHING" TAG_RET);
	vc_goc_free(&g);
	json_decref(lookup);
	json_decref(defaults);
}

static void
test_update_or_create(void)
{
	json_t	   *lookup = json_loads("{\"name__iexact\": \"x\", \"color\": \"#111111\"}", 0, NULL);
	json_t	   *defaults = json_loads("{\"slug\": \"x\", \"name\": \"x\"}", 0, NULL);
	vc_query_opts o = opts(LITE);
	vc_goc		g;

	VT_CHECK(vc_compile_get_or_create(&vc_alloc_libc, cat, "blog.Tag", lookup, defaults, true, &o, &g, &err) == VC_OK);
	VT_CHECK(!g.on_conflict);
	VT_CHECK(g.lock == NULL);
	if (g.insert)
		VT_STREQ(g.insert->sql, "INSERT INTO \"blog_tag\" (\"slug\", \"name\", \"color\") VALUES (?1, ?2, ?3)" TAG_RET);
	if (g.update)
	{
		VT_STREQ(g.update->sql, "UPDATE \"blog_tag\" AS \"t0\" SET \"slug\" = ?2, \"name\" = ?3 WHERE \"t0\".\"id\" = ?1" TAG_RET);
		VT_CHECK(g.pk_param == 0 && g.update->params[0].kind == VC_PARAM_NULL);
		VT_STREQ(g.update->params[0].pg_type, "int4");
	}
	vc_goc_free(&g);
	json_decref(lookup);
	json_decref(defaults);
}

static void
test_m2m(void)
{
	json_t	   *pk = json_integer(7);
	json_t	   *pks = json_loads("[1, 2]", 0, NULL);
	json_t	   *empty = json_array();
	vc_query_opts o = opts(PG);
	vc_compiled *out[2];
	size_t		n;

	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
		VT_STREQ(out[0]->sql, "INSERT INTO \"blog_post_tags\" (\"post_id\", \"tag_id\") VALUES ($1, $2), ($1, $3) ON CONFLICT DO NOTHING");
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_REMOVE, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
		VT_STREQ(out[0]->sql, "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1 AND \"tag_id\" IN ($2, $3)");
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_SET, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 2);
	if (n == 2)
	{
		VT_STREQ(out[0]->sql, "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1 AND \"tag_id\" NOT IN ($2, $3)");
		VT_CHECK(strncmp(out[1]->sql, "INSERT INTO", 11) == 0);
	}
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_SET, pk, "tags", empty, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
		VT_STREQ(out[0]->sql, "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1");
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", empty, &o, out, &n, &err) == VC_OK && n == 0);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_CLEAR, pk, "tags", NULL, &o, out, &n, &err) == VC_OK && n == 1);
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "title", pks, &o, out, &n, &err) == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "model \"blog.Post\", field \"title\" is not a ManyToManyField with a junction table");
	json_decref(pks);
	pks = json_loads("[\"x\"]", 0, NULL);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", pks, &o, out, &n, &err) == VC_ERR_TEXT_REPR);
	VT_STREQ(err.message, "model \"blog.Tag\", field \"id\": target key must be an integer for AutoField");
	json_decref(pks);
	json_decref(pk);
	json_decref(empty);
}

/* ---- m2m under a permission hook ---------------------------------------- */

/* Restricts blog.Post and blog.Tag: the predicate names the action it was
 * asked for, as a bound parameter, so the tests see which one applied. */
static vc_code
m2m_perm(void *ud, const vc_model *m, vc_perm_action action, const char *alias,
		 vc_sql_sink *sink, bool *applied, vc_error *e)
{
	static const char *const names[] = {"select", "insert", "update", "delete"};
	vc_param	p;

	(void) ud;
	if (strcmp(m->label, "blog.Post") != 0 && strcmp(m->label, "blog.Tag") != 0)
		return VC_OK;
	memset(&p, 0, sizeof(p));
	p.kind = VC_PARAM_TEXT;
	p.text = (char *) names[action];
	p.len = strlen(names[action]);
	p.pg_type = "text";
	p.sqlite_class = VC_SQLITE_TEXT;
	vc_sink_ident(sink, alias);
	vc_sink_sql(sink, ".");
	vc_sink_ident(sink, "ok");
	vc_sink_sql(sink, " = ");
	*applied = true;
	return vc_sink_param(sink, &p, e);
}

/* A hook that restricts nothing. */
static vc_code
m2m_perm_none(void *ud, const vc_model *m, vc_perm_action action,
			  const char *alias, vc_sql_sink *sink, bool *applied, vc_error *e)
{
	(void) ud;
	(void) m;
	(void) action;
	(void) alias;
	(void) sink;
	(void) applied;
	(void) e;
	return VC_OK;
}

#define M2M_SRC_PG " AND EXISTS (SELECT 1 FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"id\" = $1 AND (\"t0\".\"ok\" = $%d))"

static void
test_m2m_perm(void)
{
	json_t	   *pk = json_integer(7);
	json_t	   *pks = json_loads("[1, 2]", 0, NULL);
	json_t	   *empty = json_array();
	vc_query_opts o = opts(PG);
	vc_compiled *out[2];
	size_t		n;
	char		want[1024];

	o.perm = m2m_perm;
	/* add: readable targets only, source row updatable */
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
	{
		VT_STREQ(out[0]->sql, "INSERT INTO \"blog_post_tags\" (\"post_id\", \"tag_id\") SELECT $1, \"t1\".\"id\" FROM \"blog_tag\" AS \"t1\" WHERE \"t1\".\"id\" IN ($2, $3) AND (\"t1\".\"ok\" = $5) AND EXISTS (SELECT 1 FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"id\" = $1 AND (\"t0\".\"ok\" = $4)) ON CONFLICT DO NOTHING");
		VT_CHECK(out[0]->nparams == 5);
		if (out[0]->nparams == 5)
		{
			VT_STREQ(out[0]->params[3].text, "update");
			VT_STREQ(out[0]->params[4].text, "select");
		}
	}
	vc_compiled_free_list(out, n);
	/* remove / clear / set: the source row must be updatable */
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_REMOVE, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 1);
	snprintf(want, sizeof(want), "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1 AND \"tag_id\" IN ($2, $3)" M2M_SRC_PG, 4);
	if (n == 1)
		VT_STREQ(out[0]->sql, want);
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_CLEAR, pk, "tags", NULL, &o, out, &n, &err) == VC_OK && n == 1);
	snprintf(want, sizeof(want), "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1" M2M_SRC_PG, 2);
	if (n == 1)
	{
		VT_STREQ(out[0]->sql, want);
		VT_CHECK(out[0]->nparams == 2 && strcmp(out[0]->params[1].text, "update") == 0);
	}
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_SET, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 2);
	if (n == 2)
	{
		snprintf(want, sizeof(want), "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1 AND \"tag_id\" NOT IN ($2, $3)" M2M_SRC_PG, 4);
		VT_STREQ(out[0]->sql, want);
		VT_STREQ(out[1]->sql, "INSERT INTO \"blog_post_tags\" (\"post_id\", \"tag_id\") SELECT $1, \"t1\".\"id\" FROM \"blog_tag\" AS \"t1\" WHERE \"t1\".\"id\" IN ($2, $3) AND (\"t1\".\"ok\" = $5) AND EXISTS (SELECT 1 FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"id\" = $1 AND (\"t0\".\"ok\" = $4)) ON CONFLICT DO NOTHING");
	}
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_SET, pk, "tags", empty, &o, out, &n, &err) == VC_OK && n == 1);
	snprintf(want, sizeof(want), "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1" M2M_SRC_PG, 2);
	if (n == 1)
		VT_STREQ(out[0]->sql, want);
	vc_compiled_free_list(out, n);
	/* SQLite: same shape, ?n placeholders (WHERE keeps ON CONFLICT an upsert) */
	o.dialect = LITE;
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
		VT_STREQ(out[0]->sql, "INSERT INTO \"blog_post_tags\" (\"post_id\", \"tag_id\") SELECT ?1, \"t1\".\"id\" FROM \"blog_tag\" AS \"t1\" WHERE \"t1\".\"id\" IN (?2, ?3) AND (\"t1\".\"ok\" = ?5) AND EXISTS (SELECT 1 FROM \"blog_post\" AS \"t0\" WHERE \"t0\".\"id\" = ?1 AND (\"t0\".\"ok\" = ?4)) ON CONFLICT DO NOTHING");
	vc_compiled_free_list(out, n);
	/* a hook that restricts nothing: the plain statements */
	o.dialect = PG;
	o.perm = m2m_perm_none;
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", pks, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
		VT_STREQ(out[0]->sql, "INSERT INTO \"blog_post_tags\" (\"post_id\", \"tag_id\") VALUES ($1, $2), ($1, $3) ON CONFLICT DO NOTHING");
	vc_compiled_free_list(out, n);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_CLEAR, pk, "tags", NULL, &o, out, &n, &err) == VC_OK && n == 1);
	if (n == 1)
		VT_STREQ(out[0]->sql, "DELETE FROM \"blog_post_tags\" WHERE \"post_id\" = $1");
	vc_compiled_free_list(out, n);
	/* errors still come first: a null target key */
	o.perm = m2m_perm;
	json_decref(pks);
	pks = json_loads("[1, null]", 0, NULL);
	VT_CHECK(vc_compile_m2m(&vc_alloc_libc, cat, "blog.Post", VC_M2M_ADD, pk, "tags", pks, &o, out, &n, &err) == VC_ERR_INVALID_PARAM && n == 0);
	VT_STREQ(err.message, "m2m target keys cannot be null");
	json_decref(pks);
	json_decref(pk);
	json_decref(empty);
}

static void
test_single_check(void)
{
	const vc_model *m;

	VT_CHECK(vc_catalog_find(cat, "blog.SiteSettings", 17, &m, &err) == VC_OK);
	VT_CHECK(vc_model_check_single(m, &err) == VC_OK);
	VT_CHECK(vc_catalog_find(cat, "blog.Tag", 8, &m, &err) == VC_OK);
	VT_CHECK(vc_model_check_single(m, &err) == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "model \"blog.Tag\" is not a single model");
}

static void
test_write_alloc_failures(void)
{
	json_t	   *s = json_loads("{\"where\": {\"author__name\": \"a\"}, \"max_affected\": 3}", 0, NULL);
	json_t	   *ch = json_loads("{\"views\": {\"$mul\": [{\"$f\": \"views\"}, 2]}, \"title\": \"t\"}", 0, NULL);
	json_t	   *row = json_loads("{\"title\": \"T\", \"slug\": \"t\", \"body\": \"b\", \"author\": 3, \"keywords\": [\"a\", \"b\"]}", 0, NULL);
	vc_query_opts o = opts(PG);
	long		n;
	int			ok1 = 0,
				ok2 = 0,
				bad = 0;

	for (n = 1; n < 300 && !(ok1 && ok2); n++)
	{
		vt_fail_state st;
		vc_alloc	fa = vt_failing_alloc(&st, n);
		vc_compiled *c = NULL;
		vc_code		rc;

		if (!ok1)
		{
			rc = vc_compile_update(&fa, cat, "blog.Post", s, ch, &o, &c, &err);
			if (rc == VC_OK)
			{
				ok1 = 1;
				vc_compiled_free(c);
			}
			else if (rc != VC_ERR_OUT_OF_MEMORY)
				bad++;
		}
		fa = vt_failing_alloc(&st, n);
		if (!ok2)
		{
			rc = vc_compile_insert(&fa, cat, "blog.Post", row, false, &o, &c, &err);
			if (rc == VC_OK)
			{
				ok2 = 1;
				vc_compiled_free(c);
			}
			else if (rc != VC_ERR_OUT_OF_MEMORY)
				bad++;
		}
	}
	VT_CHECK(ok1 && ok2 && bad == 0);
	json_decref(s);
	json_decref(ch);
	json_decref(row);
}

int
main(void)
{
	json_t	   *rows = load_rows();

	if (vc_catalog_load(&vc_alloc_libc, rows, 1, &cat, &err) != VC_OK)
	{
		fprintf(stderr, "catalog: %s\n", err.message);
		return 2;
	}
	json_decref(rows);
	VT_RUN(test_insert_basic);
	VT_RUN(test_insert_sqlite_fk_and_array);
	VT_RUN(test_insert_defaults_only);
	VT_RUN(test_insert_on_conflict);
	VT_RUN(test_insert_errors);
	VT_RUN(test_binary_params);
	VT_RUN(test_array_element_errors);
	VT_RUN(test_insert_auto_now_ignored);
	VT_RUN(test_bulk_create);
	VT_RUN(test_update_expr);
	VT_RUN(test_update_join_and_max);
	VT_RUN(test_update_errors);
	VT_RUN(test_delete);
	VT_RUN(test_bulk_update);
	VT_RUN(test_get_or_create);
	VT_RUN(test_update_or_create);
	VT_RUN(test_m2m);
	VT_RUN(test_m2m_perm);
	VT_RUN(test_single_check);
	VT_RUN(test_write_alloc_failures);
	vc_catalog_free(cat);
	VT_DONE();
}
