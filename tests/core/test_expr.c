/*
 * test_expr.c — core tests of the SQL expression validator (vc_expr.c) and
 * the "did you mean" helper (vc_text.c): the accept/reject examples of the
 * FOUNDATION brief, exact messages and positions, quoting, reserved words,
 * the function allowlist, nesting and length limits, column allowlists.
 */
#include "vtest.h"
#include "vc_text.h"

/* Validate a C string with no columns, field, context or flags. */
static vc_code
ex(const char *s, vc_error *e)
{
	return vc_expr_validate(s, strlen(s), NULL, 0, NULL, NULL, 0, e);
}

static vc_code
ex_flags(const char *s, unsigned flags, vc_error *e)
{
	return vc_expr_validate(s, strlen(s), NULL, 0, NULL, NULL, flags, e);
}

#define ACCEPT(s) \
	do { \
		vc_error	e_; \
		vc_code		c_ = ex((s), &e_); \
		if (c_ != VC_OK) \
			fprintf(stderr, "  %s:%d: rejected [%s]: %s\n", __FILE__, __LINE__, \
					(s), e_.message); \
		VT_CHECK(c_ == VC_OK); \
	} while (0)

/* Rejected with 42601 at the given 1-based position. */
#define REJECT_AT(s, pos) \
	do { \
		vc_error	e_; \
		vc_code		c_ = ex((s), &e_); \
		if (c_ != VC_ERR_EXPRESSION || e_.position != (pos)) \
			fprintf(stderr, "  %s:%d: [%s] gave code %d position %d: %s\n", \
					__FILE__, __LINE__, (s), (int) c_, e_.position, e_.message); \
		VT_CHECK(c_ == VC_ERR_EXPRESSION); \
		VT_SQLSTATE(&e_, "42601"); \
		VT_CHECK(e_.position == (pos)); \
	} while (0)

/* Rejected with exactly this message. */
#define REJECT_MSG(s, msg) \
	do { \
		vc_error	e_; \
		vc_code		c_ = ex((s), &e_); \
		VT_CHECK(c_ != VC_OK); \
		VT_STREQ(e_.message, (msg)); \
	} while (0)

static int
repeat(char *buf, int at, const char *piece, int times)
{
	int			i;
	size_t		n = strlen(piece);

	for (i = 0; i < times; i++)
	{
		memcpy(buf + at, piece, n);
		at += (int) n;
	}
	buf[at] = '\0';
	return at;
}

/* ------------------------------------------------- brief: must accept */

static void
accept_updated_gt_created(void)
{
	ACCEPT("updated_at > created_at");
}

static void
accept_string_drop_table(void)
{
	ACCEPT("status = 'drop table'");
}

static void
accept_is_active(void)
{
	ACCEPT("is_active = 1");
}

static void
accept_between(void)
{
	ACCEPT("price BETWEEN 1 AND 10");
}

/* ------------------------------------------------- brief: must reject */

static void
reject_semicolon_drop(void)
{
	vc_error	e;

	VT_CHECK(ex("1; DROP TABLE t", &e) == VC_ERR_EXPRESSION);
	VT_SQLSTATE(&e, "42601");
	VT_STREQ(e.message,
			 "invalid expression: character \";\" is not allowed at position 2");
	VT_CHECK(e.position == 2);
	VT_CHECK(e.hint[0] != '\0');
}

static void
reject_line_comment(void)
{
	vc_error	e;

	VT_CHECK(ex("a > 0 -- x", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: comment \"--\" is not allowed at position 7");
	VT_CHECK(e.position == 7);
}

static void
reject_block_comment(void)
{
	vc_error	e;

	VT_CHECK(ex("a > 0 /* x */", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: comment \"/*\" is not allowed at position 7");
	VT_CHECK(e.position == 7);
}

static void
reject_select_in_parens(void)
{
	vc_error	e;

	VT_CHECK(ex("(SELECT 1) = 1", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: keyword \"SELECT\" is not allowed at position 2");
	VT_CHECK(e.position == 2);
	VT_STREQ(e.hint, "Only column names, literals, operators and allowlisted "
			 "functions are accepted.");
}

static void
reject_pg_sleep(void)
{
	vc_error	e;

	VT_CHECK(ex("pg_sleep(1) IS NULL", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: function \"pg_sleep\" is not allowed at position 1");
	VT_CHECK(e.position == 1);
	VT_CHECK(strstr(e.hint, "lower") != NULL);
	VT_CHECK(strstr(e.hint, "principal") == NULL);
}

static void
reject_in_subselect(void)
{
	vc_error	e;

	VT_CHECK(ex("x IN (SELECT id FROM y)", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: keyword \"SELECT\" is not allowed at position 7");
}

static void
reject_unterminated_string(void)
{
	vc_error	e;

	VT_CHECK(ex("status = 'open", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: unterminated string literal at position 10");
	REJECT_AT("'it''s", 1);
	REJECT_AT("a = 'x' || 'y", 12);
}

static void
reject_unterminated_quoted_ident(void)
{
	vc_error	e;

	VT_CHECK(ex("\"abc = 1", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: unterminated quoted identifier at position 1");
}

static void
reject_unmatched_open_paren(void)
{
	REJECT_MSG("(a = 1", "invalid expression: unmatched \"(\" at position 1");
	REJECT_AT("((a = 1)", 1);
	REJECT_AT("(a = (1)", 1);
	REJECT_AT("lower(a", 6);
	REJECT_AT("a IN (1, 2", 6);
}

static void
reject_unmatched_close_paren(void)
{
	REJECT_MSG("a = 1)", "invalid expression: unmatched \")\" at position 6");
	REJECT_AT("(a) = 1)", 8);
	REJECT_AT(")", 1);
}

/* ------------------------------------------------------ message shape */

static void
message_with_field_name(void)
{
	vc_error	e;

	VT_CHECK(vc_expr_validate("1;", 2, NULL, 0, "price", NULL, 0, &e)
			 == VC_ERR_EXPRESSION);
	VT_STREQ(e.message, "invalid expression for field \"price\": character "
			 "\";\" is not allowed at position 2");
	VT_STREQ(e.detail, "");
	/* an empty field name is the same as none */
	VT_CHECK(vc_expr_validate("1;", 2, NULL, 0, "", "", 0, &e)
			 == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: character \";\" is not allowed at position 2");
	VT_STREQ(e.detail, "");
}

static void
message_with_context(void)
{
	vc_error	e;

	VT_CHECK(vc_expr_validate("a >", 3, NULL, 0, "total", "check constraint",
							  0, &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message, "invalid expression for field \"total\": unexpected "
			 "end of expression at position 4");
	VT_STREQ(e.detail, "The expression is used as check constraint.");
	VT_CHECK(e.position == 4);
}

static void
message_trailing_token(void)
{
	REJECT_MSG("a = 1 b",
			   "invalid expression: unexpected token \"b\" at position 7");
	REJECT_MSG("a = 1 = 2",
			   "invalid expression: unexpected token \"=\" at position 7");
	REJECT_AT("a = E'x'", 6);
	REJECT_AT("a = 'x' 'y'", 9);
}

static void
message_echo_is_capped(void)
{
	char		buf[300];
	vc_error	e;

	strcpy(buf, "a = 1 '");
	repeat(buf, 7, "x", 200);
	strcat(buf, "'");
	VT_CHECK(ex(buf, &e) == VC_ERR_EXPRESSION);
	VT_CHECK(e.position == 7);
	VT_CHECK(strstr(e.message, "...\" at position 7") != NULL);
	VT_CHECK(strlen(e.message) < 140);
}

static void
message_null_err_pointer(void)
{
	VT_CHECK(vc_expr_validate("1;", 2, NULL, 0, NULL, NULL, 0, NULL)
			 == VC_ERR_EXPRESSION);
	VT_CHECK(vc_expr_validate("a = 1", 5, NULL, 0, NULL, NULL, 0, NULL)
			 == VC_OK);
	VT_CHECK(vc_expr_validate("zz = 1", 6, (const char *const[]) {"a"}, 1,
							  NULL, NULL, 0, NULL) == VC_ERR_UNDEFINED_COLUMN);
}

static void
message_error_cleared_on_success(void)
{
	vc_error	e;

	VT_CHECK(ex("1;", &e) == VC_ERR_EXPRESSION);
	VT_CHECK(ex("a = 1", &e) == VC_OK);
	VT_CHECK(e.code == VC_OK);
	VT_STREQ(e.message, "");
	VT_CHECK(e.position == 0);
}

/* ------------------------------------------------------------ emptiness */

static void
reject_empty(void)
{
	vc_error	e;

	VT_CHECK(ex("", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message, "invalid expression: empty expression at position 1");
	VT_CHECK(vc_expr_validate(NULL, 0, NULL, 0, NULL, NULL, 0, &e)
			 == VC_ERR_EXPRESSION);
}

static void
reject_blank(void)
{
	REJECT_MSG(" \t\r\n ", "invalid expression: empty expression at position 1");
}

static void
reject_unexpected_end(void)
{
	REJECT_MSG("a =", "invalid expression: unexpected end of expression at position 4");
	REJECT_AT("a AND", 6);
	REJECT_AT("NOT", 4);
	REJECT_AT("a BETWEEN 1", 12);
}

/* ----------------------------------------------------- characters */

static void
reject_forbidden_characters(void)
{
	const char *chars[] = {";", "#", "$", "@", ":", "?", "[", "]", "{", "}",
	"\\", "`", "!", "|", "&", "^", "~", "."};
	size_t		i;

	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
	{
		char		in[32];
		char		msg[128];
		vc_error	e;

		snprintf(in, sizeof(in), "a = 1 %s 2", chars[i]);
		snprintf(msg, sizeof(msg),
				 "invalid expression: character \"%s\" is not allowed at position 7",
				 chars[i]);
		VT_CHECK(ex(in, &e) == VC_ERR_EXPRESSION);
		VT_STREQ(e.message, msg);
		VT_CHECK(e.position == 7);
	}
}

static void
reject_dollar_param(void)
{
	REJECT_AT("$1 = a", 1);
	REJECT_AT("a = $$x$$", 5);
	REJECT_AT("a = :name", 5);
	REJECT_AT("a = ?", 5);
	REJECT_AT("@a > 0", 1);
}

static void
reject_cast(void)
{
	REJECT_MSG("a::int = 1",
			   "invalid expression: cast \"::\" is not allowed at position 2");
}

static void
reject_qualified_name(void)
{
	vc_error	e;

	VT_CHECK(ex("a.b = 1", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: character \".\" is not allowed at position 2");
	VT_CHECK(e.hint[0] != '\0');
	REJECT_AT("t.* IS NULL", 2);
	REJECT_AT("viper.principal() = a", 6);
}

static void
reject_nul_byte(void)
{
	vc_error	e;

	VT_CHECK(vc_expr_validate("a\0 = 1", 6, NULL, 0, NULL, NULL, 0, &e)
			 == VC_ERR_EXPRESSION);
	VT_STREQ(e.message, "invalid expression: NUL byte is not allowed at position 2");
	VT_CHECK(vc_expr_validate("a = 'x\0y'", 9, NULL, 0, NULL, NULL, 0, &e)
			 == VC_ERR_EXPRESSION);
	VT_CHECK(e.position == 7);
	VT_CHECK(vc_expr_validate("\"x\0y\" = 1", 9, NULL, 0, NULL, NULL, 0, &e)
			 == VC_ERR_EXPRESSION);
	VT_CHECK(e.position == 3);
}

static void
reject_control_character(void)
{
	REJECT_MSG("a = 1\f",
			   "invalid expression: character \"\\x0C\" is not allowed at position 6");
	REJECT_AT("a\v= 1", 2);
}

static void
reject_non_ascii_outside_strings(void)
{
	REJECT_MSG("a = \xc3\xa9",
			   "invalid expression: character \"\xc3\xa9\" is not allowed at position 5");
	REJECT_MSG("a = \xff",
			   "invalid expression: character \"\\xFF\" is not allowed at position 5");
	ACCEPT("a = '\xc3\xa9t\xc3\xa9'");
	/* positions count bytes */
	REJECT_AT("'\xc3\xa9' = ;", 8);
}

static void
accept_whitespace_kinds(void)
{
	ACCEPT("\ta\r\n=\n1 ");
	ACCEPT("  a  =  1  ");
}

/* ------------------------------------------------ comments, operators */

static void
reject_comment_variants(void)
{
	REJECT_AT("a--x", 2);
	REJECT_AT("a > 0 --", 7);
	REJECT_AT("a=--1", 3);
	REJECT_AT("a/**/= 1", 2);
	REJECT_AT("a > 0 /*", 7);
}

static void
accept_comparison_operators(void)
{
	ACCEPT("a = 1");
	ACCEPT("a <> 1");
	ACCEPT("a != 1");
	ACCEPT("a < 1");
	ACCEPT("a > 1");
	ACCEPT("a <= 1");
	ACCEPT("a >= 1");
	ACCEPT("a>=b");
}

static void
accept_arithmetic(void)
{
	ACCEPT("a + b * c - d / e % 2 = 0");
	ACCEPT("first_name || ' ' || last_name = 'a b'");
	ACCEPT("-a = +b");
	ACCEPT("a - -1 > 0");
	ACCEPT("(a + b) * (c - d) >= 10");
}

static void
accept_glued_signs(void)
{
	/* PostgreSQL reads these as "=" "-1" and so on: same here */
	ACCEPT("a=-1");
	ACCEPT("a<-1");
	ACCEPT("a<>-1");
	ACCEPT("a>=+1");
	ACCEPT("a*-1 = 2");
}

static void
reject_unknown_operators(void)
{
	REJECT_MSG("a == 1",
			   "invalid expression: operator \"==\" is not allowed at position 3");
	/* PostgreSQL lexes "!=-" and "||-" as single unknown operators */
	REJECT_MSG("a!=-1",
			   "invalid expression: operator \"!=-\" is not allowed at position 2");
	REJECT_AT("a||-1 = 'x'", 2);
	REJECT_AT("a <=> 1", 3);
	REJECT_AT("a => 1", 3);
	REJECT_AT("a = *b", 5);
}

/* ----------------------------------------------------------- numbers */

static void
accept_numbers(void)
{
	ACCEPT("a = 123");
	ACCEPT("a = 1.5");
	ACCEPT("a = .5");
	ACCEPT("a = 1.");
	ACCEPT("a = 1e10");
	ACCEPT("a = 1.5E-3");
	ACCEPT("a = 2e+3");
}

static void
reject_bad_numbers(void)
{
	REJECT_MSG("a = 1or b = 2",
			   "invalid expression: invalid number \"1or\" at position 5");
	REJECT_AT("a = 0x1F", 5);
	REJECT_AT("a = 1e", 5);
	REJECT_AT("a = 1.5.3", 8);
}

/* ------------------------------------------------------------ strings */

static void
accept_keywords_inside_strings(void)
{
	ACCEPT("name = 'SELECT * FROM users; DROP TABLE x -- /* */'");
	ACCEPT("note <> ';'");
	ACCEPT("name = 'O''Brien'");
	ACCEPT("name = ''");
	ACCEPT("path = 'a\\b'");
}

/* ---------------------------------------------------- quoted identifiers */

static void
accept_quoted_identifiers(void)
{
	ACCEPT("\"select\" = 1");
	ACCEPT("\"from\" IS NOT NULL");
	ACCEPT("\"we\"\"ird\" = 1");
	ACCEPT("\"a b; DROP\" > 0");
	ACCEPT("\"Mixed\" = \"CASE\"");
}

static void
reject_bad_quoted_identifiers(void)
{
	char		buf[256];
	int			n;

	REJECT_MSG("\"\" = 1",
			   "invalid expression: zero-length quoted identifier at position 1");
	buf[0] = '"';
	n = repeat(buf, 1, "q", 64);
	strcpy(buf + n, "\" = 1");
	REJECT_AT(buf, 1);
	n = repeat(buf, 1, "q", 63);
	strcpy(buf + n, "\" = 1");
	ACCEPT(buf);
	/* "" counts as one byte of the name */
	n = repeat(buf, 1, "\"\"", 63);
	strcpy(buf + n, "\" = 1");
	ACCEPT(buf);
}

static void
reject_long_unquoted_identifier(void)
{
	char		buf[128];
	int			n;

	n = repeat(buf, 0, "c", 64);
	strcpy(buf + n, " = 1");
	REJECT_AT(buf, 1);
	n = repeat(buf, 0, "c", 63);
	strcpy(buf + n, " = 1");
	ACCEPT(buf);
}

/* ----------------------------------------------------- reserved words */

static void
accept_names_containing_keywords(void)
{
	ACCEPT("drop_count >= 0");
	ACCEPT("selected = 1 AND deleted_at IS NULL");
	ACCEPT("order_id > 0 OR union_id > 0 OR from_date < to_date");
	ACCEPT("updated_by = created_by");
	ACCEPT("fromage = 'brie'");
	ACCEPT("user_id = 1");
}

static void
reject_reserved_lowercase(void)
{
	REJECT_MSG("select = 1",
			   "invalid expression: keyword \"SELECT\" is not allowed at position 1");
	REJECT_MSG("a = 1 union select 1",
			   "invalid expression: keyword \"UNION\" is not allowed at position 7");
}

static void
reject_reserved_word_list(void)
{
	const char *words[] = {
		"SELECT", "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER",
		"TRUNCATE", "GRANT", "REVOKE", "UNION", "INTERSECT", "EXCEPT", "FROM",
		"WHERE", "INTO", "EXEC", "EXECUTE", "CALL", "COPY", "DO", "WITH",
		"RETURNING", "SET", "TABLE", "JOIN", "HAVING", "GROUP", "ORDER",
		"LIMIT", "OFFSET", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "AS",
		"ON", "USING", "VALUES", "ANALYZE", "VACUUM", "ATTACH", "DETACH",
		"PRAGMA", "LOAD", "EXISTS", "USER", "CURRENT_USER", "DISTINCT"
	};
	size_t		i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
	{
		char		in[64];
		char		msg[128];
		vc_error	e;

		snprintf(in, sizeof(in), "x = %s", words[i]);
		snprintf(msg, sizeof(msg),
				 "invalid expression: keyword \"%s\" is not allowed at position 5",
				 words[i]);
		VT_CHECK(ex(in, &e) == VC_ERR_EXPRESSION);
		VT_STREQ(e.message, msg);
		/* and as a would-be function name */
		snprintf(in, sizeof(in), "%s(1) = 1", words[i]);
		VT_CHECK(ex(in, &e) == VC_ERR_EXPRESSION);
		VT_CHECK(e.position == 1);
	}
}

static void
reject_case_expression(void)
{
	REJECT_AT("CASE WHEN a THEN 1 ELSE 0 END = 1", 1);
}

static void
reject_cast_keyword(void)
{
	REJECT_MSG("CAST(a AS int) = 1",
			   "invalid expression: keyword \"CAST\" is not allowed at position 1");
}

static void
reject_exists_subquery(void)
{
	REJECT_AT("EXISTS (SELECT 1)", 1);
	REJECT_AT("a = ANY (b)", 5);
}

static void
reject_is_distinct_from(void)
{
	REJECT_MSG("a IS DISTINCT FROM b",
			   "invalid expression: keyword \"DISTINCT\" is not allowed at position 6");
}

static void
reject_like_escape(void)
{
	REJECT_AT("a LIKE 'x!_' ESCAPE '!'", 14);
}

static void
reject_grammar_keyword_as_name(void)
{
	REJECT_MSG("and = 1",
			   "invalid expression: unexpected token \"and\" at position 1");
	REJECT_AT("a = in", 5);
}

/* ------------------------------------------------------- predicates */

static void
accept_is_null_forms(void)
{
	ACCEPT("a IS NULL");
	ACCEPT("a IS NOT NULL");
	ACCEPT("a is not null and b is null");
	ACCEPT("flag IS TRUE OR flag IS NOT FALSE");
	ACCEPT("NULL IS NULL");
}

static void
reject_is_without_operand(void)
{
	REJECT_MSG("a IS 1",
			   "invalid expression: unexpected token \"1\" at position 6");
	REJECT_AT("a IS NOT", 9);
	REJECT_AT("a NOT NULL", 3);
}

static void
accept_in_lists(void)
{
	ACCEPT("status IN ('a', 'b', 'c')");
	ACCEPT("a NOT IN (1, 2 + 3, -4)");
	ACCEPT("a in (1)");
}

static void
reject_bad_in_lists(void)
{
	REJECT_MSG("a IN ()",
			   "invalid expression: unexpected token \")\" at position 7");
	REJECT_AT("a IN b", 6);
	REJECT_AT("a IN (1,)", 9);
	REJECT_AT("a IN (1 2)", 9);
}

static void
accept_between_forms(void)
{
	ACCEPT("a NOT BETWEEN 1 AND 10");
	ACCEPT("a BETWEEN b - 1 AND b + 1 AND c = 2");
	ACCEPT("price between 0.5 and 9.99");
}

static void
reject_between_without_and(void)
{
	REJECT_AT("a BETWEEN 1 OR 2", 13);
}

static void
accept_like_forms(void)
{
	ACCEPT("name LIKE 'a%'");
	ACCEPT("name NOT LIKE '%x_'");
}

/* ILIKE is PostgreSQL-only: an expression must run on both hosts */
static void
reject_ilike(void)
{
	REJECT_AT("name ILIKE 'A%'", 6);
}

static void
accept_boolean_logic(void)
{
	ACCEPT("a = 1 AND b = 2 OR NOT c = 3");
	ACCEPT("NOT (a = 1 OR b = 2) AND c");
	ACCEPT("is_active");
	ACCEPT("TRUE");
	ACCEPT("NOT NOT deleted");
	ACCEPT("a < b and b < c or c < d");
}

/* ---------------------------------------------------------- functions */

/* not portable to SQLite, so not on the allowlist */
static void
reject_non_portable_functions(void)
{
	REJECT_AT("greatest(a, b) > 1", 1);
	REJECT_AT("a > least(a, b)", 5);
	REJECT_AT("char_length(name) < 10", 1);
}

static void
accept_allowlisted_functions(void)
{
	ACCEPT("lower(name) = 'x'");
	ACCEPT("UPPER(name) <> Lower(name)");
	ACCEPT("length(name) > 0 AND length(name) < 10");
	ACCEPT("abs(a) > 1");
	ACCEPT("coalesce(a, b, 0) > 1");
	ACCEPT("nullif(a, 0) IS NULL");
	ACCEPT("trim(a) = ltrim(rtrim(a)) AND trim(a, 'x') <> ''");
	ACCEPT("round(price, 2) = round(1.5)");
	ACCEPT("floor(a) <= ceil(a) AND ceiling(a) > 0");
	ACCEPT("substr(name, 1, 3) = substr(name, 2)");
	ACCEPT("replace(a, 'x', 'y') = 'z'");
	ACCEPT("mod(a, 2) = 0 AND sign(a) = 1");
	ACCEPT("lower ( name ) = 'x'");
}

static void
accept_nested_function_calls(void)
{
	ACCEPT("lower(trim(coalesce(name, ''))) LIKE 'a%'");
	ACCEPT("abs(a - b) < (c * 2)");
	ACCEPT("coalesce(a = 1, FALSE)");
}

static void
reject_other_functions(void)
{
	REJECT_MSG("now() > created_at",
			   "invalid expression: function \"now\" is not allowed at position 1");
	REJECT_AT("count(*) > 1", 1);
	REJECT_AT("a = set_config('x', 'y', false)", 5);
	REJECT_AT("lo_import('/etc/passwd') > 0", 1);
	REJECT_AT("lower(pg_read_file('x')) = 'a'", 7);
}

static void
reject_quoted_function_case(void)
{
	ACCEPT("\"lower\"(a) = 'x'");
	REJECT_MSG("\"LOWER\"(a) = 'x'",
			   "invalid expression: function \"LOWER\" is not allowed at position 1");
}

static void
reject_function_arity(void)
{
	REJECT_MSG("lower(a, b) = 'x'", "invalid expression: function \"lower\" "
			   "expects 1 argument, got 2 at position 1");
	REJECT_MSG("coalesce(a) = 1", "invalid expression: function \"coalesce\" "
			   "expects at least 2 arguments, got 1 at position 1");
	REJECT_MSG("a = round(a, 1, 2)", "invalid expression: function \"round\" "
			   "expects 1 to 2 arguments, got 3 at position 5");
	REJECT_AT("upper() = 'A'", 1);
	REJECT_AT("lower(a,) = 'x'", 9);
}

static void
principal_without_flag(void)
{
	vc_error	e;

	VT_CHECK(ex("owner_id = principal()", &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message, "invalid expression: function \"principal\" is not "
			 "allowed at position 12");
	VT_STREQ(e.hint, "principal() is only accepted in permission predicates.");
}

static void
principal_with_flag(void)
{
	vc_error	e;

	VT_CHECK(ex_flags("owner_id = principal()", VC_EXPR_ALLOW_PRINCIPAL, &e)
			 == VC_OK);
	VT_CHECK(ex_flags("owner_id = PRINCIPAL ( ) OR is_public",
					  VC_EXPR_ALLOW_PRINCIPAL, &e) == VC_OK);
	VT_CHECK(ex_flags("owner_id = principal(1)", VC_EXPR_ALLOW_PRINCIPAL, &e)
			 == VC_ERR_EXPRESSION);
	VT_CHECK(e.position == 12);
	/* the flag admits principal only, not other functions */
	VT_CHECK(ex_flags("now() > a", VC_EXPR_ALLOW_PRINCIPAL, &e)
			 == VC_ERR_EXPRESSION);
	VT_CHECK(strstr(e.hint, "principal") != NULL);
}

/* ------------------------------------------------------ nesting, length */

static void
depth_parens_32_accepted(void)
{
	char		buf[256];
	int			n;

	n = repeat(buf, 0, "(", 32);
	n = repeat(buf, n, "a", 1);
	repeat(buf, n, ")", 32);
	ACCEPT(buf);
}

static void
depth_parens_33_rejected(void)
{
	char		buf[256];
	int			n;
	vc_error	e;

	n = repeat(buf, 0, "(", 33);
	n = repeat(buf, n, "a", 1);
	repeat(buf, n, ")", 33);
	VT_CHECK(ex(buf, &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: nesting deeper than 32 levels at position 33");
	VT_CHECK(e.position == 33);
}

static void
depth_not_chain(void)
{
	char		buf[512];
	int			n;

	n = repeat(buf, 0, "NOT ", 32);
	repeat(buf, n, "a", 1);
	ACCEPT(buf);
	n = repeat(buf, 0, "NOT ", 33);
	repeat(buf, n, "a", 1);
	REJECT_AT(buf, 129);
}

static void
depth_unary_chain(void)
{
	char		buf[512];
	int			n;

	n = repeat(buf, 0, "- ", 32);
	repeat(buf, n, "1 = a", 1);
	ACCEPT(buf);
	n = repeat(buf, 0, "- ", 33);
	repeat(buf, n, "1 = a", 1);
	REJECT_AT(buf, 65);
}

static void
depth_function_calls(void)
{
	char		buf[512];
	int			n;

	n = repeat(buf, 0, "abs(", 32);
	n = repeat(buf, n, "a", 1);
	repeat(buf, n, ")", 32);
	ACCEPT(buf);
	n = repeat(buf, 0, "abs(", 33);
	n = repeat(buf, n, "a", 1);
	repeat(buf, n, ")", 33);
	REJECT_AT(buf, 132);
}

static void
depth_mixed_counts_together(void)
{
	char		buf[512];
	int			n;

	n = repeat(buf, 0, "NOT (", 17);
	n = repeat(buf, n, "a", 1);
	repeat(buf, n, ")", 17);
	REJECT_AT(buf, 81);
	n = repeat(buf, 0, "NOT (", 16);
	n = repeat(buf, n, "a", 1);
	repeat(buf, n, ")", 16);
	ACCEPT(buf);
}

static void
depth_hostile_input_is_bounded(void)
{
	char		buf[VC_EXPR_MAX_LEN + 1];
	vc_error	e;

	/* as deep as the length cap allows: stops at level 33, no recursion blowup */
	memset(buf, '(', VC_EXPR_MAX_LEN);
	buf[VC_EXPR_MAX_LEN] = '\0';
	VT_CHECK(ex(buf, &e) == VC_ERR_EXPRESSION);
	VT_CHECK(e.position == 33);
	memset(buf, '-', VC_EXPR_MAX_LEN);
	for (int i = 1; i < VC_EXPR_MAX_LEN; i += 2)
		buf[i] = ' ';
	VT_CHECK(ex(buf, &e) == VC_ERR_EXPRESSION);
	VT_CHECK(e.position == 65);
}

static void
length_limit(void)
{
	static char buf[VC_EXPR_MAX_LEN + 2];
	vc_error	e;
	int			n;

	/* a = 'xxx...x' of exactly VC_EXPR_MAX_LEN bytes */
	n = repeat(buf, 0, "a = '", 1);
	n = repeat(buf, n, "x", VC_EXPR_MAX_LEN - 6);
	repeat(buf, n, "'", 1);
	VT_CHECK(strlen(buf) == VC_EXPR_MAX_LEN);
	ACCEPT(buf);
	n = repeat(buf, 0, "a = '", 1);
	n = repeat(buf, n, "x", VC_EXPR_MAX_LEN - 5);
	repeat(buf, n, "'", 1);
	VT_CHECK(ex(buf, &e) == VC_ERR_EXPRESSION);
	VT_STREQ(e.message,
			 "invalid expression: expression longer than 4096 bytes at position 1");
	VT_CHECK(e.position == 1);
}

static void
length_wide_in_list(void)
{
	static char buf[VC_EXPR_MAX_LEN + 1];
	int			n;

	/* many list items and arguments iterate rather than recurse */
	n = repeat(buf, 0, "a IN (1", 1);
	n = repeat(buf, n, ",1", 1500);
	repeat(buf, n, ")", 1);
	ACCEPT(buf);
	n = repeat(buf, 0, "a = 1", 1);
	n = repeat(buf, n, " OR a = 1", 400);
	ACCEPT(buf);
}

/* ----------------------------------------------------- column allowlist */

static const char *const cols[] = {"id", "name", "created_at", "Mixed"};

static vc_code
ex_cols(const char *s, vc_error *e)
{
	return vc_expr_validate(s, strlen(s), cols, 4, NULL, NULL, 0, e);
}

static void
columns_known_accepted(void)
{
	vc_error	e;

	VT_CHECK(ex_cols("name = 'x' AND id > 0", &e) == VC_OK);
	VT_CHECK(ex_cols("NAME = 'x'", &e) == VC_OK);
	VT_CHECK(ex_cols("\"Mixed\" = 1 AND mixed = 2", &e) == VC_OK);
	VT_CHECK(ex_cols("lower(name) = 'x'", &e) == VC_OK);
}

static void
columns_unknown_42703_with_hint(void)
{
	vc_error	e;

	VT_CHECK(ex_cols("id > 0 AND nme = 'x'", &e) == VC_ERR_UNDEFINED_COLUMN);
	VT_SQLSTATE(&e, "42703");
	VT_STREQ(e.message, "column \"nme\" does not exist");
	VT_STREQ(e.hint, "Perhaps you meant \"name\".");
	VT_STREQ(e.detail, "The expression refers to it at position 12.");
	VT_CHECK(e.position == 12);
}

static void
columns_unknown_without_hint(void)
{
	vc_error	e;

	VT_CHECK(ex_cols("zzzzzzzz = 1", &e) == VC_ERR_UNDEFINED_COLUMN);
	VT_STREQ(e.message, "column \"zzzzzzzz\" does not exist");
	VT_STREQ(e.hint, "");
}

static void
columns_quoted_is_case_sensitive(void)
{
	vc_error	e;

	VT_CHECK(ex_cols("\"NAME\" = 'x'", &e) == VC_ERR_UNDEFINED_COLUMN);
	VT_STREQ(e.message, "column \"NAME\" does not exist");
	VT_STREQ(e.hint, "Perhaps you meant \"name\".");
	VT_CHECK(ex_cols("\"mixed\" = 1", &e) == VC_ERR_UNDEFINED_COLUMN);
}

static void
columns_detail_with_field_and_context(void)
{
	vc_error	e;

	VT_CHECK(vc_expr_validate("create_at = 1", 13, cols, 4, "ok", "index condition",
							  0, &e) == VC_ERR_UNDEFINED_COLUMN);
	VT_STREQ(e.detail, "The expression for field \"ok\" refers to it at "
			 "position 1. The expression is used as index condition.");
	VT_STREQ(e.hint, "Perhaps you meant \"created_at\".");
}

static void
columns_syntax_error_before_unknown(void)
{
	vc_error	e;

	/* errors come left to right: the ";" before the unknown column wins */
	VT_CHECK(ex_cols("id; nme", &e) == VC_ERR_EXPRESSION);
	VT_CHECK(ex_cols("nme; id", &e) == VC_ERR_UNDEFINED_COLUMN);
}

static void
columns_none_means_any_name(void)
{
	ACCEPT("anything_at_all = whatever_else");
	ACCEPT("\"Any Name\" IS NULL");
}

/* ----------------------------------------------------------- vc_nearest */

static const char *const names[] = {"created_at", "updated_at", "name", "email"};

static void
nearest_close_match(void)
{
	VT_STREQ(vc_nearest("nmae", 4, names, 4), "name");
	VT_STREQ(vc_nearest("emial", 5, names, 4), "email");
	VT_STREQ(vc_nearest("create_at", 9, names, 4), "created_at");
}

static void
nearest_case_insensitive(void)
{
	VT_STREQ(vc_nearest("NAME", 4, names, 4), "name");
	VT_STREQ(vc_nearest("Updated_At", 10, names, 4), "updated_at");
}

static void
nearest_threshold(void)
{
	/* limit max(2, len / 3): 2 for up to 8 bytes, 3 for 9 to 11 */
	VT_CHECK(vc_nearest("zzzz", 4, names, 4) == NULL);
	VT_STREQ(vc_nearest("crated_a", 8, names, 4), "created_at");
	VT_STREQ(vc_nearest("creaxed_xt", 10, names, 4), "created_at");
	VT_CHECK(vc_nearest("xxxxxed_at", 10, names, 4) == NULL);
	/* "created" is 3 edits from created_at but its limit is 2 */
	VT_CHECK(vc_nearest("created", 7, names, 4) == NULL);
}

static void
nearest_ties_and_nulls(void)
{
	const char *const c[] = {NULL, "abd", "abe", NULL};

	VT_STREQ(vc_nearest("abc", 3, c, 4), "abd");
	VT_CHECK(vc_nearest("abc", 3, c, 0) == NULL);
	VT_CHECK(vc_nearest("abc", 3, NULL, 4) == NULL);
	VT_CHECK(vc_nearest(NULL, 3, c, 4) == NULL);
	VT_CHECK(vc_nearest("", 0, c, 4) == NULL);
}

static void
nearest_length_bounds(void)
{
	char		longname[80];
	char		cand63[64];
	const char *const c[] = {longname, cand63};

	memset(longname, 'a', 64);
	longname[64] = '\0';
	memset(cand63, 'a', 63);
	cand63[63] = '\0';
	/* a 64-byte name is never compared; a 64-byte candidate is skipped */
	VT_CHECK(vc_nearest(longname, 64, c, 2) == NULL);
	VT_CHECK(vc_nearest(cand63, 63, c, 2) == cand63);
	VT_CHECK(vc_nearest(cand63, 62, c, 1) == NULL);
	VT_CHECK(vc_nearest(cand63, 62, c, 2) == cand63);
}

static void
nearest_counted_name(void)
{
	/* the name is (pointer, length): bytes after len are ignored */
	VT_STREQ(vc_nearest("emailXXXX", 5, names, 4), "email");
}

int
main(void)
{
	VT_RUN(accept_updated_gt_created);
	VT_RUN(accept_string_drop_table);
	VT_RUN(accept_is_active);
	VT_RUN(accept_between);
	VT_RUN(reject_semicolon_drop);
	VT_RUN(reject_line_comment);
	VT_RUN(reject_block_comment);
	VT_RUN(reject_select_in_parens);
	VT_RUN(reject_pg_sleep);
	VT_RUN(reject_in_subselect);
	VT_RUN(reject_unterminated_string);
	VT_RUN(reject_unterminated_quoted_ident);
	VT_RUN(reject_unmatched_open_paren);
	VT_RUN(reject_unmatched_close_paren);
	VT_RUN(message_with_field_name);
	VT_RUN(message_with_context);
	VT_RUN(message_trailing_token);
	VT_RUN(message_echo_is_capped);
	VT_RUN(message_null_err_pointer);
	VT_RUN(message_error_cleared_on_success);
	VT_RUN(reject_empty);
	VT_RUN(reject_blank);
	VT_RUN(reject_unexpected_end);
	VT_RUN(reject_forbidden_characters);
	VT_RUN(reject_dollar_param);
	VT_RUN(reject_cast);
	VT_RUN(reject_qualified_name);
	VT_RUN(reject_nul_byte);
	VT_RUN(reject_control_character);
	VT_RUN(reject_non_ascii_outside_strings);
	VT_RUN(accept_whitespace_kinds);
	VT_RUN(reject_comment_variants);
	VT_RUN(accept_comparison_operators);
	VT_RUN(accept_arithmetic);
	VT_RUN(accept_glued_signs);
	VT_RUN(reject_unknown_operators);
	VT_RUN(accept_numbers);
	VT_RUN(reject_bad_numbers);
	VT_RUN(accept_keywords_inside_strings);
	VT_RUN(accept_quoted_identifiers);
	VT_RUN(reject_bad_quoted_identifiers);
	VT_RUN(reject_long_unquoted_identifier);
	VT_RUN(accept_names_containing_keywords);
	VT_RUN(reject_reserved_lowercase);
	VT_RUN(reject_reserved_word_list);
	VT_RUN(reject_case_expression);
	VT_RUN(reject_cast_keyword);
	VT_RUN(reject_exists_subquery);
	VT_RUN(reject_is_distinct_from);
	VT_RUN(reject_like_escape);
	VT_RUN(reject_grammar_keyword_as_name);
	VT_RUN(accept_is_null_forms);
	VT_RUN(reject_is_without_operand);
	VT_RUN(accept_in_lists);
	VT_RUN(reject_bad_in_lists);
	VT_RUN(accept_between_forms);
	VT_RUN(reject_between_without_and);
	VT_RUN(accept_like_forms);
	VT_RUN(reject_ilike);
	VT_RUN(reject_non_portable_functions);
	VT_RUN(accept_boolean_logic);
	VT_RUN(accept_allowlisted_functions);
	VT_RUN(accept_nested_function_calls);
	VT_RUN(reject_other_functions);
	VT_RUN(reject_quoted_function_case);
	VT_RUN(reject_function_arity);
	VT_RUN(principal_without_flag);
	VT_RUN(principal_with_flag);
	VT_RUN(depth_parens_32_accepted);
	VT_RUN(depth_parens_33_rejected);
	VT_RUN(depth_not_chain);
	VT_RUN(depth_unary_chain);
	VT_RUN(depth_function_calls);
	VT_RUN(depth_mixed_counts_together);
	VT_RUN(depth_hostile_input_is_bounded);
	VT_RUN(length_limit);
	VT_RUN(length_wide_in_list);
	VT_RUN(columns_known_accepted);
	VT_RUN(columns_unknown_42703_with_hint);
	VT_RUN(columns_unknown_without_hint);
	VT_RUN(columns_quoted_is_case_sensitive);
	VT_RUN(columns_detail_with_field_and_context);
	VT_RUN(columns_syntax_error_before_unknown);
	VT_RUN(columns_none_means_any_name);
	VT_RUN(nearest_close_match);
	VT_RUN(nearest_case_insensitive);
	VT_RUN(nearest_threshold);
	VT_RUN(nearest_ties_and_nulls);
	VT_RUN(nearest_length_bounds);
	VT_RUN(nearest_counted_name);
	VT_DONE();
}
