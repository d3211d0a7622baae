/*
 * test_model.c — core tests of model-schema parsing (core/vc_model*.c,
 * DESIGN §3): every field type, the implicit id, default table and column
 * names, junction tables, every error path with its SQLSTATE and message,
 * sets with relation resolution against the set and the catalog, the
 * normalised JSON round trip, the blog example schemas, and
 * allocation-failure injection. Each test function is one counted case.
 */
#include <libgen.h>

#include "vtest.h"
#include "vc_model.h"

static char examples_dir[4096];

/* Parse one model from JSON text; NULL on failure (err filled). */
static vc_model *
parse(const char *text, vc_error *err)
{
	json_error_t je;
	json_t	   *j = json_loads(text, 0, &je);
	vc_model   *m = NULL;

	vc_error_clear(err);
	if (j == NULL)
	{
		fprintf(stderr, "  bad test JSON: %s\n", je.text);
		vt_current_failed = 1;
		return NULL;
	}
	vc_model_parse(&vc_alloc_libc, j, &m, err);
	json_decref(j);
	return m;
}

static vc_modelset *
parse_set(const char *text, const vc_model_ref *cat, size_t ncat, vc_error *err)
{
	vc_modelset *s = NULL;

	vc_error_clear(err);
	vc_modelset_parse_text(&vc_alloc_libc, text, strlen(text), cat, ncat, &s, err);
	return s;
}

/* Expect the model to be rejected with state and message (hint if given). */
static void
expect_err(const char *text, const char *state, const char *message,
		   const char *hint)
{
	vc_error	err;
	vc_model   *m = parse(text, &err);

	VT_CHECK(m == NULL);
	vc_model_free(m);
	VT_SQLSTATE(&err, state);
	VT_STREQ(err.message, message);
	if (hint)
		VT_STREQ(err.hint, hint);
}

static void
expect_set_err(const char *text, const char *state, const char *message,
			   const char *hint)
{
	vc_error	err;
	vc_modelset *s = parse_set(text, NULL, 0, &err);

	VT_CHECK(s == NULL);
	vc_modelset_free(s);
	VT_SQLSTATE(&err, state);
	VT_STREQ(err.message, message);
	if (hint)
		VT_STREQ(err.hint, hint);
}

#define POST(fields) "{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[" fields "]}"
#define POSTM(fields, meta) "{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[" fields "],\"meta\":" meta "}"

/* ---- parsing ----------------------------------------------------------- */

static void
test_table_default_and_implicit_id(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"title\",\"type\":\"CharField\",\"max_length\":20}"), &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->label, "blog.Post");
	VT_STREQ(m->table, "blog_post");
	VT_CHECK(m->nfields == 2);
	VT_STREQ(m->fields[0].name, "id");
	VT_CHECK(m->fields[0].type == VC_FT_AUTO);
	VT_CHECK(m->fields[0].primary_key && m->fields[0].implicit);
	VT_CHECK(m->pk == 0);
	VT_STREQ(m->fields[1].column, "title");
	VT_CHECK(m->permissions && m->managed && !m->single);
	vc_model_free(m);
}

static void
test_declared_pk_no_implicit_id(void)
{
	vc_error	err;
	vc_model   *m = parse("{\"app\":\"shop\",\"name\":\"Item\",\"table\":\"items\",\"fields\":["
						  "{\"name\":\"code\",\"type\":\"CharField\",\"max_length\":12,\"primary_key\":true}]}",
						  &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->table, "items");
	VT_CHECK(m->nfields == 1);
	VT_CHECK(m->pk == 0 && m->fields[0].unique);
	vc_model_free(m);
}

static void
test_every_field_type_parses(void)
{
	static const char *const schema = POST(
		"{\"name\":\"a\",\"type\":\"BigAutoField\",\"primary_key\":true},"
		"{\"name\":\"b\",\"type\":\"IntegerField\"},"
		"{\"name\":\"c\",\"type\":\"BigIntegerField\"},"
		"{\"name\":\"d\",\"type\":\"SmallIntegerField\"},"
		"{\"name\":\"e\",\"type\":\"PositiveIntegerField\"},"
		"{\"name\":\"f\",\"type\":\"FloatField\"},"
		"{\"name\":\"g\",\"type\":\"DecimalField\",\"max_digits\":8,\"decimal_places\":2},"
		"{\"name\":\"h\",\"type\":\"CharField\",\"max_length\":5},"
		"{\"name\":\"i\",\"type\":\"TextField\"},"
		"{\"name\":\"j\",\"type\":\"EmailField\"},"
		"{\"name\":\"k\",\"type\":\"SlugField\"},"
		"{\"name\":\"l\",\"type\":\"URLField\"},"
		"{\"name\":\"m\",\"type\":\"BooleanField\"},"
		"{\"name\":\"n\",\"type\":\"DateTimeField\",\"auto_now\":true},"
		"{\"name\":\"o\",\"type\":\"DateField\",\"auto_now_add\":true},"
		"{\"name\":\"p\",\"type\":\"TimeField\"},"
		"{\"name\":\"q\",\"type\":\"UUIDField\"},"
		"{\"name\":\"r\",\"type\":\"JSONField\"},"
		"{\"name\":\"s\",\"type\":\"BinaryField\"},"
		"{\"name\":\"t\",\"type\":\"GenericIPAddressField\"},"
		"{\"name\":\"u\",\"type\":\"ArrayField\",\"base_field\":{\"type\":\"IntegerField\"},\"size\":3},"
		"{\"name\":\"v\",\"type\":\"ForeignKey\",\"to\":\"Post\"},"
		"{\"name\":\"w\",\"type\":\"OneToOneField\",\"to\":\"auth.User\"},"
		"{\"name\":\"x\",\"type\":\"ManyToManyField\",\"to\":\"Tag\"},"
		"{\"name\":\"y\",\"type\":\"FileField\"},"
		"{\"name\":\"z\",\"type\":\"PasswordField\"},"
		"{\"name\":\"zz\",\"type\":\"SensitiveField\"}");
	vc_error	err;
	vc_model   *m = parse(schema, &err);
	int			i;

	VT_CHECK(m != NULL);
	if (!m)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_CHECK(m->nfields == 27);
	for (i = 0; i < 27; i++)
		VT_CHECK(m->fields[i].type == (vc_field_type) (i + 1));
	VT_CHECK(m->fields[6].max_digits == 8 && m->fields[6].decimal_places == 2);
	VT_CHECK(m->fields[13].auto_now && m->fields[14].auto_now_add);
	VT_CHECK(m->fields[20].base_field && m->fields[20].base_field->type == VC_FT_INTEGER);
	VT_CHECK(m->fields[20].size == 3);
	VT_STREQ(m->fields[21].to, "blog.Post");
	VT_CHECK(m->fields[21].resolved);	/* self reference resolves at once */
	VT_STREQ(m->fields[22].to, "auth.User");
	VT_CHECK(m->fields[22].unique && !m->fields[22].resolved);
	VT_CHECK(m->fields[23].column == NULL);
	VT_STREQ(vc_field_type_name(VC_FT_IPADDRESS), "GenericIPAddressField");
	vc_model_free(m);
}

static void
test_fk_column_naming(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"blog.Author\"},"
							   "{\"name\":\"editor\",\"type\":\"ForeignKey\",\"to\":\"Author\",\"db_column\":\"edited_by\",\"null\":true,\"on_delete\":\"set null\"}"),
						&err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->fields[1].column, "author_id");
	VT_STREQ(m->fields[1].on_delete, "CASCADE");	/* default when absent */
	VT_CHECK(m->fields[1].db_index);	/* foreign keys are indexed */
	VT_STREQ(m->fields[2].column, "edited_by");
	VT_STREQ(m->fields[2].to, "blog.Author");
	VT_STREQ(m->fields[2].on_delete, "SET_NULL");
	vc_model_free(m);
}

static void
test_m2m_junction_naming(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"tags\",\"type\":\"ManyToManyField\",\"to\":\"blog.Tag\"}"), &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->fields[1].m2m_table, "blog_post_tags");
	VT_STREQ(m->fields[1].m2m_from_column, "post_id");
	VT_STREQ(m->fields[1].m2m_to_column, "tag_id");
	vc_model_free(m);
}

static void
test_m2m_self_referential(void)
{
	vc_error	err;
	vc_model   *m = parse("{\"app\":\"social\",\"name\":\"Person\",\"fields\":["
						  "{\"name\":\"friends\",\"type\":\"ManyToManyField\",\"to\":\"self\"}]}",
						  &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->fields[1].to, "social.Person");
	VT_STREQ(m->fields[1].m2m_table, "social_person_friends");
	VT_STREQ(m->fields[1].m2m_from_column, "from_person_id");
	VT_STREQ(m->fields[1].m2m_to_column, "to_person_id");
	vc_model_free(m);
}

static void
test_m2m_through_has_no_junction(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"tags\",\"type\":\"ManyToManyField\",\"to\":\"Tag\",\"through\":\"PostTag\"}"), &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->fields[1].through, "blog.PostTag");
	VT_CHECK(m->fields[1].m2m_table == NULL);
	vc_model_free(m);
}

static void
test_string_type_default_lengths(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"e\",\"type\":\"EmailField\"},"
							   "{\"name\":\"s\",\"type\":\"SlugField\"},"
							   "{\"name\":\"u\",\"type\":\"URLField\",\"max_length\":500},"
							   "{\"name\":\"t\",\"type\":\"TextField\"}"), &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_CHECK(m->fields[1].max_length == 254);
	VT_CHECK(m->fields[2].max_length == 50);
	VT_CHECK(m->fields[3].max_length == 500);
	VT_CHECK(m->fields[4].max_length == 0);
	vc_model_free(m);
}

static void
test_verbose_name_defaults(void)
{
	vc_error	err;
	vc_model   *m = parse("{\"app\":\"blog\",\"name\":\"SiteSettings\",\"fields\":[]}", &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_STREQ(m->verbose_name, "site settings");
	VT_STREQ(m->verbose_name_plural, "site settingss");	/* Django's rule: + "s" */
	VT_STREQ(m->table, "blog_sitesettings");
	vc_model_free(m);
}

static void
test_long_generated_names_shortened(void)
{
	char		name[VC_IDENT_MAX + 1];
	char		again[VC_IDENT_MAX + 1];
	const char *base = "analytics_reporting_module_x_averyveryverylongmodelnamethatgoeson";

	vc_model_make_name("blog_post", "idx", name);
	VT_STREQ(name, "blog_post_idx");
	vc_model_make_name(base, "idx", name);
	vc_model_make_name(base, "idx", again);
	VT_CHECK(strlen(name) == VC_IDENT_MAX);
	VT_STREQ(name, again);
	VT_CHECK(strncmp(name, base, 50) == 0);
	VT_CHECK(strcmp(name + strlen(name) - 4, "_idx") == 0);
	VT_CHECK(vc_ident_validate(name, strlen(name), NULL, NULL) == VC_OK);
	vc_model_make_name(base, NULL, name);
	VT_CHECK(strlen(name) == VC_IDENT_MAX && name[54] == '_');
}

static void
test_long_default_table_shortened(void)
{
	vc_error	err;
	vc_model   *m = parse("{\"app\":\"analytics_reporting_module\",\"name\":\"AVeryVeryLongModelNameForTheReportTable\",\"fields\":[]}", &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_CHECK(strlen(m->table) == VC_IDENT_MAX);
	VT_CHECK(strncmp(m->table, "analytics_reporting_module_averyverylongmodel", 45) == 0);
	vc_model_free(m);
}

static void
test_choices_normalised(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"s\",\"type\":\"CharField\",\"max_length\":9,\"choices\":[\"a\",[\"b\",\"Bee\"]],\"default\":\"b\"},"
							   "{\"name\":\"n\",\"type\":\"IntegerField\",\"choices\":[1,2]}"), &err);
	char	   *txt;

	VT_CHECK(m != NULL);
	if (!m)
		return;
	txt = json_dumps(m->fields[1].choices, JSON_COMPACT);
	VT_STREQ(txt, "[[\"a\",\"a\"],[\"b\",\"Bee\"]]");
	free(txt);
	txt = json_dumps(m->fields[2].choices, JSON_COMPACT);
	VT_STREQ(txt, "[[1,\"1\"],[2,\"2\"]]");
	free(txt);
	vc_model_free(m);
}

static void
test_unique_together_fk_means_column(void)
{
	vc_error	err;
	vc_model   *m = parse(POSTM("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"Author\"},"
								"{\"name\":\"title\",\"type\":\"CharField\",\"max_length\":9}",
								"{\"unique_together\":[[\"author\",\"title\"]],\"index_together\":[\"title\",\"author_id\"]}"),
						&err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_CHECK(m->nconstraints == 1);
	VT_STREQ(m->constraints[0].name, "blog_post_author_id_title_uniq");
	VT_STREQ(m->constraints[0].columns[0], "author_id");
	VT_STREQ(m->constraints[0].fields[0], "author");
	VT_CHECK(m->nindexes == 2);	/* FK index + index_together (flat form) */
	VT_STREQ(m->indexes[0].name, "blog_post_author_id_idx");
	VT_STREQ(m->indexes[1].name, "blog_post_title_author_id_idx");
	vc_model_free(m);
}

static void
test_meta_index_partial_and_desc(void)
{
	vc_error	err;
	vc_model   *m = parse(POSTM("{\"name\":\"views\",\"type\":\"IntegerField\"},"
								"{\"name\":\"created\",\"type\":\"DateTimeField\"}",
								"{\"indexes\":[{\"fields\":[\"-created\"],\"condition\":\"views > 10\"},"
								"{\"fields\":[\"views\"],\"unique\":true,\"name\":\"uq_views\"}]}"),
						&err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_CHECK(m->nindexes == 2);
	VT_STREQ(m->indexes[0].name, "blog_post_created_idx");
	VT_CHECK(m->indexes[0].descending[0]);
	VT_STREQ(m->indexes[0].condition, "views > 10");
	VT_STREQ(m->indexes[1].name, "uq_views");
	VT_CHECK(m->indexes[1].unique);
	vc_model_free(m);
}

static void
test_meta_flags(void)
{
	vc_error	err;
	vc_model   *m = parse("{\"app\":\"ext\",\"name\":\"Feed\",\"fields\":[],\"meta\":{\"virtual\":true,\"backend\":\"rss\",\"cache_ttl\":30,\"events\":true,\"permissions\":false,\"read_only\":true}}", &err);

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_CHECK(m->is_virtual && m->events && !m->permissions && m->read_only);
	VT_CHECK(m->cache_ttl == 30);
	VT_STREQ(m->backend, "rss");
	VT_CHECK(m->table == NULL && !vc_model_has_table(m));
	vc_model_free(m);
}

static void
test_defaults_of_every_kind_accepted(void)
{
	vc_error	err;
	vc_model   *m = parse(POST(
		"{\"name\":\"a\",\"type\":\"DecimalField\",\"max_digits\":5,\"decimal_places\":2,\"default\":\"123.45\"},"
		"{\"name\":\"b\",\"type\":\"DecimalField\",\"max_digits\":5,\"decimal_places\":2,\"default\":1.5},"
		"{\"name\":\"c\",\"type\":\"DateTimeField\",\"default\":\"2024-02-29T10:00:00.5+02:00\"},"
		"{\"name\":\"d\",\"type\":\"DateField\",\"default\":\"2024-02-29\"},"
		"{\"name\":\"e\",\"type\":\"TimeField\",\"default\":\"23:59:59\"},"
		"{\"name\":\"f\",\"type\":\"UUIDField\",\"default\":\"123e4567-e89b-12d3-a456-426614174000\"},"
		"{\"name\":\"g\",\"type\":\"GenericIPAddressField\",\"default\":\"::ffff:10.0.0.1\"},"
		"{\"name\":\"h\",\"type\":\"BinaryField\",\"default\":\"DEADbeef\"},"
		"{\"name\":\"i\",\"type\":\"JSONField\",\"default\":{\"k\":[1]}},"
		"{\"name\":\"j\",\"type\":\"ArrayField\",\"base_field\":{\"type\":\"SmallIntegerField\"},\"default\":[1,null,3]},"
		"{\"name\":\"k\",\"type\":\"FloatField\",\"default\":2},"
		"{\"name\":\"l\",\"type\":\"TextField\",\"null\":true,\"default\":null}"), &err);

	VT_CHECK(m != NULL);
	if (!m)
		fprintf(stderr, "  %s\n", err.message);
	vc_model_free(m);
}

/* ---- error paths (message texts) ------------------------------------- */

static void
test_err_unknown_type(void)
{
	expect_err(POST("{\"name\":\"title\",\"type\":\"Charfield\",\"max_length\":5}"), "22023",
			   "model \"blog.Post\", field \"title\": unknown field type \"Charfield\"",
			   "Did you mean \"CharField\"?");
}

static void
test_err_unknown_field_option(void)
{
	expect_err(POST("{\"name\":\"title\",\"type\":\"TextField\",\"nul\":true}"), "22023",
			   "model \"blog.Post\", field \"title\": unknown option \"nul\"",
			   "Did you mean \"null\"?");
}

static void
test_err_option_not_for_type(void)
{
	expect_err(POST("{\"name\":\"n\",\"type\":\"IntegerField\",\"max_length\":5}"), "22023",
			   "model \"blog.Post\", field \"n\": option \"max_length\" does not apply to IntegerField",
			   NULL);
}

static void
test_err_unknown_meta_key(void)
{
	expect_err(POSTM("", "{\"orderin\":[\"id\"]}"), "22023",
			   "model \"blog.Post\": unknown meta key \"orderin\"",
			   "Did you mean \"ordering\"?");
}

static void
test_err_unknown_top_key(void)
{
	expect_err("{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[],\"tabel\":\"x\"}", "22023",
			   "model \"blog.Post\": unknown model key \"tabel\"",
			   "Did you mean \"table\"?");
}

static void
test_err_charfield_needs_max_length(void)
{
	expect_err(POST("{\"name\":\"title\",\"type\":\"CharField\"}"), "22023",
			   "model \"blog.Post\", field \"title\": max_length is required for CharField",
			   NULL);
}

static void
test_err_decimal_places_gt_digits(void)
{
	expect_err(POST("{\"name\":\"p\",\"type\":\"DecimalField\",\"max_digits\":3,\"decimal_places\":5}"), "22023",
			   "model \"blog.Post\", field \"p\": decimal_places (5) is greater than max_digits (3)",
			   NULL);
}

static void
test_err_decimal_missing_digits(void)
{
	expect_err(POST("{\"name\":\"p\",\"type\":\"DecimalField\",\"max_digits\":3}"), "22023",
			   "model \"blog.Post\", field \"p\": max_digits and decimal_places are required for DecimalField",
			   NULL);
}

static void
test_err_duplicate_field(void)
{
	expect_err(POST("{\"name\":\"a\",\"type\":\"TextField\"},{\"name\":\"a\",\"type\":\"IntegerField\"}"), "22023",
			   "model \"blog.Post\", field \"a\": duplicate field name \"a\"", NULL);
}

static void
test_err_duplicate_column(void)
{
	expect_err(POST("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"Author\"},"
					"{\"name\":\"author_id\",\"type\":\"IntegerField\"}"), "22023",
			   "model \"blog.Post\", field \"author_id\": column \"author_id\" of field \"author_id\" is also used by field \"author\"",
			   NULL);
}

static void
test_err_two_primary_keys(void)
{
	expect_err(POST("{\"name\":\"a\",\"type\":\"IntegerField\",\"primary_key\":true},"
					"{\"name\":\"b\",\"type\":\"IntegerField\",\"primary_key\":true}"), "22023",
			   "model \"blog.Post\", field \"b\": a second primary key (the first is \"a\"); a model has one",
			   NULL);
}

static void
test_err_implicit_id_clash(void)
{
	expect_err(POST("{\"name\":\"id\",\"type\":\"IntegerField\"}"), "22023",
			   "model \"blog.Post\": field \"id\" clashes with the implicit primary key \"id\"; mark a field \"primary_key\": true",
			   NULL);
}

static void
test_err_bad_field_name(void)
{
	expect_err(POST("{\"name\":\"ti-tle\",\"type\":\"TextField\"}"), "42602",
			   "model \"blog.Post\": invalid field name \"ti-tle\"", NULL);
}

static void
test_err_bad_app_name(void)
{
	expect_err("{\"app\":\"1blog\",\"name\":\"Post\",\"fields\":[]}", "42602",
			   "model \"?\": invalid app name \"1blog\"", NULL);
}

static void
test_err_bad_table_name(void)
{
	expect_err("{\"app\":\"blog\",\"name\":\"Post\",\"table\":\"blog post\",\"fields\":[]}", "42602",
			   "model \"blog.Post\": invalid table name \"blog post\"", NULL);
}

static void
test_err_bad_db_column(void)
{
	expect_err(POST("{\"name\":\"a\",\"type\":\"TextField\",\"db_column\":\"a\\\"; DROP TABLE x; --\"}"), "42602",
			   "model \"blog.Post\", field \"a\": invalid column name \"a\"; DROP TABLE x; --\"", NULL);
}

static void
test_err_long_field_name(void)
{
	expect_err(POST("{\"name\":\"a123456789b123456789c123456789d123456789e123456789f123456789xyzw\",\"type\":\"TextField\"}"),
			   "42602",
			   "model \"blog.Post\": invalid field name \"a123456789b123456789c123456789d123456789e123456789f123456789xyzw\": longer than 63 bytes",
			   NULL);
}

static void
test_err_fk_column_too_long(void)
{
	expect_err(POST("{\"name\":\"a123456789b123456789c123456789d123456789e123456789f123456789x\",\"type\":\"ForeignKey\",\"to\":\"A\"}"),
			   "42602",
			   "model \"blog.Post\", field \"a123456789b123456789c123456789d123456789e123456789f123456789x\": invalid column name \"a123456789b123456789c123456789d123456789e123456789f123456789x_id\": longer than 63 bytes",
			   NULL);
}

static void
test_err_default_wrong_type(void)
{
	expect_err(POST("{\"name\":\"views\",\"type\":\"IntegerField\",\"default\":\"0\"}"), "22P02",
			   "model \"blog.Post\", field \"views\": default must be an integer for IntegerField",
			   NULL);
}

static void
test_err_default_bool_wrong_type(void)
{
	expect_err(POST("{\"name\":\"ok\",\"type\":\"BooleanField\",\"default\":1}"), "22P02",
			   "model \"blog.Post\", field \"ok\": default must be true or false for BooleanField",
			   NULL);
}

static void
test_err_default_out_of_range(void)
{
	expect_err(POST("{\"name\":\"n\",\"type\":\"SmallIntegerField\",\"default\":40000}"), "22003",
			   "model \"blog.Post\", field \"n\": default 40000 is out of range for SmallIntegerField",
			   NULL);
}

static void
test_err_default_negative_positive(void)
{
	expect_err(POST("{\"name\":\"n\",\"type\":\"PositiveIntegerField\",\"default\":-1}"), "22003",
			   "model \"blog.Post\", field \"n\": default -1 is out of range for PositiveIntegerField",
			   NULL);
}

static void
test_err_default_too_long(void)
{
	expect_err(POST("{\"name\":\"c\",\"type\":\"CharField\",\"max_length\":3,\"default\":\"abcd\"}"), "22001",
			   "model \"blog.Post\", field \"c\": default is longer than max_length 3", NULL);
}

static void
test_default_length_counts_characters(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"c\",\"type\":\"CharField\",\"max_length\":3,\"default\":\"\xc3\xa9t\xc3\xa9\"}"), &err);

	VT_CHECK(m != NULL);
	vc_model_free(m);
}

static void
test_err_default_bad_date(void)
{
	expect_err(POST("{\"name\":\"d\",\"type\":\"DateField\",\"default\":\"2023-02-29\"}"), "22007",
			   "model \"blog.Post\", field \"d\": default is not a date (YYYY-MM-DD)", NULL);
}

/* an empty string is no date or time (it consumes nothing) */
static void
test_err_default_empty_date_time(void)
{
	expect_err(POST("{\"name\":\"d\",\"type\":\"DateField\",\"default\":\"\"}"), "22007",
			   "model \"blog.Post\", field \"d\": default is not a date (YYYY-MM-DD)", NULL);
	expect_err(POST("{\"name\":\"t\",\"type\":\"TimeField\",\"default\":\"\"}"), "22007",
			   "model \"blog.Post\", field \"t\": default is not a time (HH:MM[:SS[.ffffff]])", NULL);
}

static void
test_err_default_bad_datetime(void)
{
	expect_err(POST("{\"name\":\"d\",\"type\":\"DateTimeField\",\"default\":\"2024-01-01 25:00\"}"), "22007",
			   "model \"blog.Post\", field \"d\": default is not an ISO-8601 date and time (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+HH:MM])",
			   NULL);
}

static void
test_err_default_bad_uuid(void)
{
	expect_err(POST("{\"name\":\"u\",\"type\":\"UUIDField\",\"default\":\"not-a-uuid\"}"), "22P02",
			   "model \"blog.Post\", field \"u\": default must be a UUID string for UUIDField", NULL);
}

static void
test_err_default_bad_ip(void)
{
	expect_err(POST("{\"name\":\"ip\",\"type\":\"GenericIPAddressField\",\"default\":\"256.1.1.1\"}"), "22P02",
			   "model \"blog.Post\", field \"ip\": default must be an IPv4 or IPv6 address string for GenericIPAddressField",
			   NULL);
}

static void
test_err_default_decimal_too_precise(void)
{
	expect_err(POST("{\"name\":\"p\",\"type\":\"DecimalField\",\"max_digits\":4,\"decimal_places\":2,\"default\":\"1.234\"}"), "22003",
			   "model \"blog.Post\", field \"p\": default 1.234 does not fit DecimalField(4, 2)", NULL);
}

static void
test_err_default_array_element(void)
{
	expect_err(POST("{\"name\":\"a\",\"type\":\"ArrayField\",\"base_field\":{\"type\":\"IntegerField\"},\"default\":[1,\"2\"]}"), "22P02",
			   "model \"blog.Post\", field \"a\": array element must be an integer for IntegerField", NULL);
}

static void
test_err_default_null_not_nullable(void)
{
	expect_err(POST("{\"name\":\"a\",\"type\":\"TextField\",\"default\":null}"), "22023",
			   "model \"blog.Post\", field \"a\": default null needs \"null\": true", NULL);
}

static void
test_err_default_not_in_choices(void)
{
	expect_err(POST("{\"name\":\"s\",\"type\":\"CharField\",\"max_length\":9,\"choices\":[\"a\",\"b\"],\"default\":\"c\"}"), "22023",
			   "model \"blog.Post\", field \"s\": default is not one of the choices", NULL);
}

static void
test_err_choice_wrong_type(void)
{
	expect_err(POST("{\"name\":\"n\",\"type\":\"IntegerField\",\"choices\":[1,\"two\"]}"), "22P02",
			   "model \"blog.Post\", field \"n\": choice must be an integer for IntegerField", NULL);
}

static void
test_err_choice_duplicate(void)
{
	expect_err(POST("{\"name\":\"n\",\"type\":\"IntegerField\",\"choices\":[[1,\"one\"],[1,\"uno\"]]}"), "22023",
			   "model \"blog.Post\", field \"n\": choice 2 repeats an earlier value", NULL);
}

static void
test_err_unknown_on_delete(void)
{
	expect_err(POST("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"Author\",\"on_delete\":\"EXPLODE\"}"), "22023",
			   "model \"blog.Post\", field \"author\": invalid on_delete action \"EXPLODE\"",
			   "Use one of CASCADE, PROTECT, RESTRICT, SET_NULL, SET_DEFAULT, NO_ACTION, DO_NOTHING.");
}

static void
test_err_set_null_without_null(void)
{
	expect_err(POST("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"Author\",\"on_delete\":\"SET_NULL\"}"), "22023",
			   "model \"blog.Post\", field \"author\": on_delete SET_NULL needs \"null\": true", NULL);
}

static void
test_err_fk_without_to(void)
{
	expect_err(POST("{\"name\":\"author\",\"type\":\"ForeignKey\"}"), "22023",
			   "model \"blog.Post\", field \"author\": option \"to\" is required for ForeignKey", NULL);
}

static void
test_err_fk_bad_label(void)
{
	expect_err(POST("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"blog.Au thor\"}"), "42602",
			   "model \"blog.Post\", field \"author\": invalid model name \"Au thor\"", NULL);
}

static void
test_err_autofield_not_pk(void)
{
	expect_err(POST("{\"name\":\"n\",\"type\":\"AutoField\"}"), "22023",
			   "model \"blog.Post\", field \"n\": AutoField must have \"primary_key\": true", NULL);
}

static void
test_err_auto_now_with_default(void)
{
	expect_err(POST("{\"name\":\"d\",\"type\":\"DateTimeField\",\"auto_now\":true,\"default\":\"2024-01-01T00:00\"}"), "22023",
			   "model \"blog.Post\", field \"d\": default cannot be combined with auto_now or auto_now_add", NULL);
}

static void
test_err_option_wrong_json_type(void)
{
	expect_err(POST("{\"name\":\"t\",\"type\":\"TextField\",\"null\":\"yes\"}"), "22023",
			   "model \"blog.Post\", field \"t\": option \"null\" must be true or false", NULL);
}

static void
test_err_m2m_column_option(void)
{
	expect_err(POST("{\"name\":\"tags\",\"type\":\"ManyToManyField\",\"to\":\"Tag\",\"null\":true}"), "22023",
			   "model \"blog.Post\", field \"tags\": option \"null\" does not apply to ManyToManyField", NULL);
}

static void
test_err_array_bad_base(void)
{
	expect_err(POST("{\"name\":\"a\",\"type\":\"ArrayField\",\"base_field\":{\"type\":\"ForeignKey\"}}"), "22023",
			   "model \"blog.Post\", field \"a\": ForeignKey cannot be the base_field of an ArrayField", NULL);
}

static void
test_err_unique_together_unknown_field(void)
{
	expect_err(POSTM("{\"name\":\"title\",\"type\":\"TextField\"}", "{\"unique_together\":[[\"titel\"]]}"), "42703",
			   "model \"blog.Post\": unknown field \"titel\" in unique_together",
			   "Did you mean \"title\"?");
}

static void
test_err_ordering_unknown_field(void)
{
	expect_err(POSTM("{\"name\":\"created\",\"type\":\"DateField\"}", "{\"ordering\":[\"-creatd\"]}"), "42703",
			   "model \"blog.Post\": unknown field \"creatd\" in ordering",
			   "Did you mean \"created\"?");
}

static void
test_err_condition_injection(void)
{
	vc_error	err;
	vc_model   *m = parse(POSTM("{\"name\":\"views\",\"type\":\"IntegerField\"}",
								"{\"indexes\":[{\"fields\":[\"views\"],\"condition\":\"views >= 0; DROP TABLE x\"}]}"),
						&err);

	VT_CHECK(m == NULL);
	VT_SQLSTATE(&err, "42601");
	VT_CHECK(strncmp(err.message, "model \"blog.Post\": invalid expression: ", 39) == 0);
	VT_CHECK(strstr(err.message, "\";\"") != NULL || strstr(err.message, ";") != NULL);
	VT_CHECK(err.position == 11);
}

static void
test_err_check_subquery(void)
{
	vc_error	err;
	vc_model   *m = parse(POSTM("{\"name\":\"views\",\"type\":\"IntegerField\"}",
								"{\"constraints\":[{\"type\":\"check\",\"name\":\"c1\",\"check\":\"(SELECT 1) = 1\"}]}"),
						&err);

	VT_CHECK(m == NULL);
	VT_SQLSTATE(&err, "42601");
	VT_CHECK(strncmp(err.message, "model \"blog.Post\": invalid expression: ", 39) == 0);
	VT_STREQ(err.detail, "The expression is used as check constraint.");
}

static void
test_err_check_unknown_column(void)
{
	vc_error	err;
	vc_model   *m = parse(POSTM("{\"name\":\"views\",\"type\":\"IntegerField\"}",
								"{\"constraints\":[{\"type\":\"check\",\"name\":\"c1\",\"check\":\"veiws >= 0\"}]}"),
						&err);

	VT_CHECK(m == NULL);
	VT_SQLSTATE(&err, "42703");
	VT_STREQ(err.message, "model \"blog.Post\": column \"veiws\" does not exist");
	VT_STREQ(err.hint, "Perhaps you meant \"views\".");
}

static void
test_err_constraint_bad_type(void)
{
	expect_err(POSTM("{\"name\":\"v\",\"type\":\"IntegerField\"}",
					 "{\"constraints\":[{\"type\":\"exclude\",\"name\":\"c1\"}]}"), "22023",
			   "model \"blog.Post\": constraint \"c1\" has type \"exclude\"; use \"check\" or \"unique\"", NULL);
}

static void
test_err_constraint_needs_name(void)
{
	expect_err(POSTM("{\"name\":\"v\",\"type\":\"IntegerField\"}",
					 "{\"constraints\":[{\"type\":\"check\",\"check\":\"v > 0\"}]}"), "22023",
			   "model \"blog.Post\": every constraint needs a \"name\"", NULL);
}

static void
test_err_duplicate_index_name(void)
{
	expect_err(POSTM("{\"name\":\"v\",\"type\":\"IntegerField\",\"db_index\":true}",
					 "{\"indexes\":[{\"fields\":[\"v\"]}]}"), "22023",
			   "model \"blog.Post\": index or constraint name \"blog_post_v_idx\" is used twice", NULL);
}

static void
test_err_proxy_rules(void)
{
	expect_err("{\"app\":\"blog\",\"name\":\"Draft\",\"fields\":[{\"name\":\"x\",\"type\":\"TextField\"}],\"meta\":{\"proxy\":true,\"proxy_for\":\"Post\"}}",
			   "22023", "model \"blog.Draft\": a proxy model cannot declare fields", NULL);
	expect_err("{\"app\":\"blog\",\"name\":\"Draft\",\"fields\":[],\"meta\":{\"proxy\":true}}",
			   "22023", "model \"blog.Draft\": a proxy model needs meta \"proxy_for\"", NULL);
}

static void
test_err_virtual_needs_backend(void)
{
	expect_err("{\"app\":\"ext\",\"name\":\"Feed\",\"fields\":[],\"meta\":{\"virtual\":true}}",
			   "22023", "model \"ext.Feed\": a virtual model needs meta \"backend\"", NULL);
}

static void
test_err_not_an_object(void)
{
	expect_err("[1]", "22023", "model \"?\": a model schema must be a JSON object", NULL);
	expect_err("{\"app\":\"blog\"}", "22023", "model \"?\": \"name\" is required (a string)", NULL);
}

/* ---- sets ---------------------------------------------------------------- */

static const char *const author_post_set =
"[{\"app\":\"blog\",\"name\":\"Author\",\"fields\":[{\"name\":\"name\",\"type\":\"TextField\"}]},"
"{\"app\":\"blog\",\"name\":\"Post\",\"fields\":["
"{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"Author\"},"
"{\"name\":\"owner\",\"type\":\"ForeignKey\",\"to\":\"auth.User\",\"default\":1},"
"{\"name\":\"tags\",\"type\":\"ManyToManyField\",\"to\":\"Tag\"}]},"
"{\"app\":\"blog\",\"name\":\"Tag\",\"fields\":[{\"name\":\"code\",\"type\":\"UUIDField\",\"primary_key\":true}]}]";

static void
test_set_resolves_targets(void)
{
	vc_model_ref cat[] = {{"auth.User", "auth_user", "id", VC_FT_BIGAUTO, 0, 0, 0}};
	vc_error	err;
	vc_modelset *s = parse_set(author_post_set, cat, 1, &err);
	const vc_model *post;

	VT_CHECK(s != NULL);
	if (!s)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_CHECK(s->nmodels == 3);
	post = vc_modelset_find(s, "blog.Post");
	VT_CHECK(post != NULL);
	if (!post)
		return;
	VT_CHECK(post->fields[1].resolved);
	VT_STREQ(post->fields[1].rel_table, "blog_author");
	VT_STREQ(post->fields[1].rel_column, "id");
	VT_CHECK(post->fields[1].rel_type == VC_FT_INTEGER);
	VT_STREQ(post->fields[2].rel_table, "auth_user");
	VT_CHECK(post->fields[2].rel_type == VC_FT_BIGINTEGER);
	VT_CHECK(post->fields[3].rel_type == VC_FT_UUID);
	VT_STREQ(post->fields[3].rel_column, "code");
	VT_CHECK(post->fields[3].m2m_from_type == VC_FT_INTEGER);
	vc_modelset_free(s);
}

static void
test_set_o2o_primary_key_chain(void)
{
	vc_model_ref cat[] = {{"auth.User", "auth_user", "id", VC_FT_BIGAUTO, 0, 0, 0}};
	vc_error	err;
	vc_modelset *s = parse_set("[{\"app\":\"acc\",\"name\":\"Note\",\"fields\":[{\"name\":\"p\",\"type\":\"ForeignKey\",\"to\":\"Profile\"}]},"
							   "{\"app\":\"acc\",\"name\":\"Profile\",\"fields\":[{\"name\":\"user\",\"type\":\"OneToOneField\",\"to\":\"auth.User\",\"primary_key\":true},"
							   "{\"name\":\"groups\",\"type\":\"ManyToManyField\",\"to\":\"Note\"}]}]",
							   cat, 1, &err);

	VT_CHECK(s != NULL);
	if (!s)
	{
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	VT_STREQ(s->models[0].fields[1].rel_table, "acc_profile");
	VT_STREQ(s->models[0].fields[1].rel_column, "user_id");
	VT_CHECK(s->models[0].fields[1].rel_type == VC_FT_BIGINTEGER);
	VT_CHECK(s->models[1].fields[1].m2m_from_type == VC_FT_BIGINTEGER);
	vc_modelset_free(s);
}

static void
test_set_unknown_target(void)
{
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Author\",\"fields\":[]},"
				   "{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"blog.Autor\"}]}]",
				   "42P01",
				   "model \"blog.Post\", field \"author\": target model \"blog.Autor\" does not exist",
				   "Did you mean \"blog.Author\"?");
}

static void
test_set_unknown_through_and_proxy(void)
{
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[{\"name\":\"t\",\"type\":\"ManyToManyField\",\"to\":\"Post\",\"through\":\"Missing\"}]}]",
				   "42P01",
				   "model \"blog.Post\", field \"t\": through model \"blog.Missing\" does not exist", NULL);
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Draft\",\"fields\":[],\"meta\":{\"proxy\":true,\"proxy_for\":\"Pots\"}},"
				   "{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[]}]",
				   "42P01", "model \"blog.Draft\": proxy_for model \"blog.Pots\" does not exist",
				   "Did you mean \"blog.Post\"?");
}

static void
test_set_proxy_shares_table(void)
{
	vc_error	err;
	vc_modelset *s = parse_set("[{\"app\":\"blog\",\"name\":\"Draft\",\"fields\":[],\"meta\":{\"proxy\":true,\"proxy_for\":\"Post\"}},"
							   "{\"app\":\"blog\",\"name\":\"Post\",\"table\":\"posts\",\"fields\":[]},"
							   "{\"app\":\"blog\",\"name\":\"Note\",\"fields\":[{\"name\":\"d\",\"type\":\"ForeignKey\",\"to\":\"Draft\"}]}]",
							   NULL, 0, &err);

	VT_CHECK(s != NULL);
	if (!s)
		return;
	VT_STREQ(s->models[0].table, "posts");
	VT_CHECK(!vc_model_has_table(&s->models[0]));
	VT_STREQ(s->models[2].fields[1].rel_table, "posts");
	vc_modelset_free(s);
}

static void
test_set_fk_to_abstract(void)
{
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Base\",\"fields\":[],\"meta\":{\"abstract\":true}},"
				   "{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[{\"name\":\"b\",\"type\":\"ForeignKey\",\"to\":\"Base\"}]}]",
				   "22023", "model \"blog.Post\", field \"b\": target model \"blog.Base\" is abstract and has no table", NULL);
}

static void
test_set_duplicate_label_and_table(void)
{
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[]},{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[]}]",
				   "22023", "model \"blog.Post\": the set declares this model twice (#1 and #2)", NULL);
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[]},{\"app\":\"news\",\"name\":\"Item\",\"table\":\"blog_post\",\"fields\":[]}]",
				   "22023", "model \"news.Item\": table name \"blog_post\" is already used by a table of model \"blog.Post\"", NULL);
}

static void
test_set_fk_default_checked_against_target_pk(void)
{
	expect_set_err("[{\"app\":\"a\",\"name\":\"T\",\"fields\":[{\"name\":\"u\",\"type\":\"UUIDField\",\"primary_key\":true}]},"
				   "{\"app\":\"a\",\"name\":\"R\",\"fields\":[{\"name\":\"t\",\"type\":\"ForeignKey\",\"to\":\"T\",\"default\":7}]}]",
				   "22P02", "model \"a.R\", field \"t\": default must be a UUID string for ForeignKey", NULL);
}

static void
test_set_error_names_model_index(void)
{
	expect_set_err("[{\"app\":\"blog\",\"name\":\"Post\",\"fields\":[]},{\"app\":\"blog\",\"fields\":[]}]",
				   "22023", "model \"#2\": \"name\" is required (a string)", NULL);
}

static void
test_set_invalid_json_text(void)
{
	expect_set_err("[{\"app\": ", "22P02", "invalid JSON in model schemas", NULL);
	expect_set_err("{}", "22023", "model schemas must be a JSON array of model objects", NULL);
}

/* ---- normalised JSON ----------------------------------------------------- */

static void
test_normalised_json_fills_defaults(void)
{
	vc_error	err;
	vc_model   *m = parse(POST("{\"name\":\"author\",\"type\":\"ForeignKey\",\"to\":\"Author\",\"on_delete\":\"set default\",\"default\":1}"), &err);
	json_t	   *j;
	char	   *txt;

	VT_CHECK(m != NULL);
	if (!m)
		return;
	VT_CHECK(vc_model_to_json(m, &j, &err) == VC_OK);
	txt = json_dumps(j, JSON_COMPACT);
	VT_STREQ(txt,
			 "{\"app\":\"blog\",\"name\":\"Post\",\"table\":\"blog_post\",\"fields\":["
			 "{\"name\":\"id\",\"type\":\"AutoField\",\"db_column\":\"id\",\"primary_key\":true,\"null\":false,\"blank\":false,\"unique\":true,\"db_index\":false},"
			 "{\"name\":\"author\",\"type\":\"ForeignKey\",\"db_column\":\"author_id\",\"primary_key\":false,\"null\":false,\"blank\":false,\"unique\":false,\"db_index\":true,\"to\":\"blog.Author\",\"on_delete\":\"SET_DEFAULT\",\"default\":1}],"
			 "\"meta\":{\"ordering\":[],\"unique_together\":[],\"index_together\":[],\"indexes\":[],\"constraints\":[],"
			 "\"read_only\":false,\"single\":false,\"managed\":true,\"abstract\":false,\"proxy\":false,\"permissions\":true,\"events\":false,"
			 "\"virtual\":false,\"verbose_name\":\"post\",\"verbose_name_plural\":\"posts\"}}");
	free(txt);
	json_decref(j);
	vc_model_free(m);
}

/* Read a file of the blog example into a new JSON value. */
static json_t *
load_example(const char *name)
{
	char		path[4200];
	json_error_t je;

	snprintf(path, sizeof(path), "%s/%s", examples_dir, name);
	return json_load_file(path, 0, &je);
}

static json_t *
blog_schemas(void)
{
	static const char *const files[] = {
		"Author.json", "Tag.json", "Post.json", "Comment.json", "SiteSettings.json"
	};
	json_t	   *arr = json_array();
	size_t		i;

	for (i = 0; i < 5; i++)
	{
		json_t	   *j = load_example(files[i]);

		if (j == NULL)
		{
			fprintf(stderr, "  cannot read %s/%s\n", examples_dir, files[i]);
			vt_current_failed = 1;
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, j);
	}
	return arr;
}

static void
test_blog_examples_parse(void)
{
	json_t	   *arr = blog_schemas();
	vc_modelset *s = NULL;
	vc_error	err;
	const vc_model *post;

	if (!arr)
		return;
	VT_CHECK(vc_modelset_parse(&vc_alloc_libc, arr, NULL, 0, &s, &err) == VC_OK);
	if (!s)
	{
		fprintf(stderr, "  %s\n", err.message);
		json_decref(arr);
		return;
	}
	VT_CHECK(s->nmodels == 5);
	post = vc_modelset_find(s, "blog.Post");
	VT_CHECK(post && post->nconstraints == 3 && post->nindexes == 3);
	VT_CHECK(vc_modelset_find(s, "blog.SiteSettings")->single);
	vc_modelset_free(s);
	json_decref(arr);
}

static void
test_normalised_json_round_trip(void)
{
	json_t	   *arr = blog_schemas();
	vc_modelset *s = NULL;
	vc_error	err;
	size_t		i;

	if (!arr)
		return;
	VT_CHECK(vc_modelset_parse(&vc_alloc_libc, arr, NULL, 0, &s, &err) == VC_OK);
	for (i = 0; s && i < s->nmodels; i++)
	{
		json_t	   *n1,
				   *n2;
		vc_model   *again = NULL;

		VT_CHECK(vc_model_to_json(&s->models[i], &n1, &err) == VC_OK);
		VT_CHECK(vc_model_parse(&vc_alloc_libc, n1, &again, &err) == VC_OK);
		if (again == NULL)
		{
			fprintf(stderr, "  %s: %s\n", s->models[i].label, err.message);
			json_decref(n1);
			continue;
		}
		VT_CHECK(vc_model_to_json(again, &n2, &err) == VC_OK);
		VT_CHECK(json_equal(n1, n2));
		json_decref(n1);
		json_decref(n2);
		vc_model_free(again);
	}
	vc_modelset_free(s);
	json_decref(arr);
}

/* ---- allocation failure -------------------------------------------------- */

static void
test_alloc_failure_injection(void)
{
	json_t	   *arr = blog_schemas();
	long		fail_at;
	int			ok_seen = 0;

	if (!arr)
		return;
	for (fail_at = 1; fail_at < 5000 && !ok_seen; fail_at++)
	{
		vt_fail_state st;
		vc_alloc	a = vt_failing_alloc(&st, fail_at);
		vc_modelset *s = NULL;
		vc_error	err;
		vc_code		rc = vc_modelset_parse(&a, arr, NULL, 0, &s, &err);

		if (rc == VC_OK)
		{
			ok_seen = 1;
			VT_CHECK(s != NULL && s->nmodels == 5);
		}
		else
		{
			VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY && s == NULL);
			VT_SQLSTATE(&err, "53200");
		}
		vc_modelset_free(s);
	}
	VT_CHECK(ok_seen);
	/* the single-model parser too */
	for (fail_at = 1; fail_at < 2000; fail_at++)
	{
		vt_fail_state st;
		vc_alloc	a = vt_failing_alloc(&st, fail_at);
		vc_model   *m = NULL;
		vc_error	err;
		vc_code		rc = vc_model_parse(&a, json_array_get(arr, 2), &m, &err);

		vc_model_free(m);
		if (rc == VC_OK)
			break;
		VT_CHECK(rc == VC_ERR_OUT_OF_MEMORY);
	}
	VT_CHECK(fail_at < 2000);
	json_decref(arr);
}

int
main(int argc, char **argv)
{
	char		self[4096];

	(void) argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	/* the binary lives in tests/core/build/ */
	snprintf(examples_dir, sizeof(examples_dir), "%s/../../../examples/blog/schemas",
			 dirname(self));

	VT_RUN(test_table_default_and_implicit_id);
	VT_RUN(test_declared_pk_no_implicit_id);
	VT_RUN(test_every_field_type_parses);
	VT_RUN(test_fk_column_naming);
	VT_RUN(test_m2m_junction_naming);
	VT_RUN(test_m2m_self_referential);
	VT_RUN(test_m2m_through_has_no_junction);
	VT_RUN(test_string_type_default_lengths);
	VT_RUN(test_verbose_name_defaults);
	VT_RUN(test_long_generated_names_shortened);
	VT_RUN(test_long_default_table_shortened);
	VT_RUN(test_choices_normalised);
	VT_RUN(test_unique_together_fk_means_column);
	VT_RUN(test_meta_index_partial_and_desc);
	VT_RUN(test_meta_flags);
	VT_RUN(test_defaults_of_every_kind_accepted);
	VT_RUN(test_err_unknown_type);
	VT_RUN(test_err_unknown_field_option);
	VT_RUN(test_err_option_not_for_type);
	VT_RUN(test_err_unknown_meta_key);
	VT_RUN(test_err_unknown_top_key);
	VT_RUN(test_err_charfield_needs_max_length);
	VT_RUN(test_err_decimal_places_gt_digits);
	VT_RUN(test_err_decimal_missing_digits);
	VT_RUN(test_err_duplicate_field);
	VT_RUN(test_err_duplicate_column);
	VT_RUN(test_err_two_primary_keys);
	VT_RUN(test_err_implicit_id_clash);
	VT_RUN(test_err_bad_field_name);
	VT_RUN(test_err_bad_app_name);
	VT_RUN(test_err_bad_table_name);
	VT_RUN(test_err_bad_db_column);
	VT_RUN(test_err_long_field_name);
	VT_RUN(test_err_fk_column_too_long);
	VT_RUN(test_err_default_wrong_type);
	VT_RUN(test_err_default_empty_date_time);
	VT_RUN(test_err_default_bool_wrong_type);
	VT_RUN(test_err_default_out_of_range);
	VT_RUN(test_err_default_negative_positive);
	VT_RUN(test_err_default_too_long);
	VT_RUN(test_default_length_counts_characters);
	VT_RUN(test_err_default_bad_date);
	VT_RUN(test_err_default_bad_datetime);
	VT_RUN(test_err_default_bad_uuid);
	VT_RUN(test_err_default_bad_ip);
	VT_RUN(test_err_default_decimal_too_precise);
	VT_RUN(test_err_default_array_element);
	VT_RUN(test_err_default_null_not_nullable);
	VT_RUN(test_err_default_not_in_choices);
	VT_RUN(test_err_choice_wrong_type);
	VT_RUN(test_err_choice_duplicate);
	VT_RUN(test_err_unknown_on_delete);
	VT_RUN(test_err_set_null_without_null);
	VT_RUN(test_err_fk_without_to);
	VT_RUN(test_err_fk_bad_label);
	VT_RUN(test_err_autofield_not_pk);
	VT_RUN(test_err_auto_now_with_default);
	VT_RUN(test_err_option_wrong_json_type);
	VT_RUN(test_err_m2m_column_option);
	VT_RUN(test_err_array_bad_base);
	VT_RUN(test_err_unique_together_unknown_field);
	VT_RUN(test_err_ordering_unknown_field);
	VT_RUN(test_err_condition_injection);
	VT_RUN(test_err_check_subquery);
	VT_RUN(test_err_check_unknown_column);
	VT_RUN(test_err_constraint_bad_type);
	VT_RUN(test_err_constraint_needs_name);
	VT_RUN(test_err_duplicate_index_name);
	VT_RUN(test_err_proxy_rules);
	VT_RUN(test_err_virtual_needs_backend);
	VT_RUN(test_err_not_an_object);
	VT_RUN(test_set_resolves_targets);
	VT_RUN(test_set_o2o_primary_key_chain);
	VT_RUN(test_set_unknown_target);
	VT_RUN(test_set_unknown_through_and_proxy);
	VT_RUN(test_set_proxy_shares_table);
	VT_RUN(test_set_fk_to_abstract);
	VT_RUN(test_set_duplicate_label_and_table);
	VT_RUN(test_set_fk_default_checked_against_target_pk);
	VT_RUN(test_set_error_names_model_index);
	VT_RUN(test_set_invalid_json_text);
	VT_RUN(test_normalised_json_fills_defaults);
	VT_RUN(test_blog_examples_parse);
	VT_RUN(test_normalised_json_round_trip);
	VT_RUN(test_alloc_failure_injection);
	VT_DONE();
}
