/*
 * test_regex.c — vc_regex_validate (core/vc_regex.c): the patterns it must
 * accept, the syntax errors and the unsafe constructs it must reject, with
 * SQLSTATE 2201B, exact messages and 1-based byte positions.
 */
#include "vtest.h"

/* The pattern as a C string is accepted. */
#define ACCEPT(p) accept_((p), __LINE__)
/* Rejected with 2201B, a message starting with prefix, at position pos (0: any). */
#define REJECT(p, prefix, pos) reject_((p), strlen(p), (prefix), (pos), __LINE__)

static void
accept_(const char *p, int line)
{
	vc_error	err;
	vc_code		rc;

	vc_error_clear(&err);
	rc = vc_regex_validate(p, strlen(p), &err);
	if (rc != VC_OK)
	{
		fprintf(stderr, "  %s:%d: \"%s\" rejected: %s\n", __FILE__, line, p,
				err.message);
		vt_current_failed = 1;
	}
}

static void
reject_(const char *p, size_t len, const char *prefix, int pos, int line)
{
	vc_error	err;
	vc_code		rc;

	vc_error_clear(&err);
	rc = vc_regex_validate(p, len, &err);
	if (rc != VC_ERR_REGEX || err.code != VC_ERR_REGEX ||
		strcmp(vc_sqlstate(err.code), "2201B") != 0 ||
		strncmp(err.message, prefix, strlen(prefix)) != 0 ||
		(pos > 0 && err.position != pos))
	{
		fprintf(stderr, "  %s:%d: \"%s\": expected \"%s...\" at %d, got rc %d \"%s\" at %d\n",
				__FILE__, line, p, prefix, pos, (int) rc, err.message,
				err.position);
		vt_current_failed = 1;
	}
}

static const char INVALID[] = "invalid regular expression: ";
static const char UNSAFE[] = "unsafe regular expression: ";

/* ---------------------------------------------------------------- */
/* accepted                                                           */
/* ---------------------------------------------------------------- */

static void
test_accept_identifier_class(void)
{
	ACCEPT("^[a-z0-9_]+$");
}

static void
test_accept_phone(void)
{
	ACCEPT("\\d{3}-\\d{4}");
}

static void
test_accept_email(void)
{
	ACCEPT("^\\w+@\\w+\\.com$");
}

static void
test_accept_optional_group(void)
{
	/* a variable quantifier inside a group that is at most once is fine */
	ACCEPT("[0-9]+(\\.[0-9]+)?");
}

static void
test_accept_alternation(void)
{
	ACCEPT("^(foo|bar)$");
	ACCEPT("^(foo|bar)+$");
	ACCEPT("(foo|bar)+");
	ACCEPT("(a|b)*");
	ACCEPT("(cat|dog)s?");
	ACCEPT("([a-m]|[n-z])+");
}

static void
test_accept_optional_char(void)
{
	ACCEPT("colou?r");
}

static void
test_accept_empty(void)
{
	ACCEPT("");
	ACCEPT("^$");
	ACCEPT("()");
	ACCEPT("a||b");
}

static void
test_accept_bounds(void)
{
	ACCEPT("a{2,5}");
	ACCEPT("a{3}");
	ACCEPT("a{2,}");
	ACCEPT("a{1,255}");
	ACCEPT("x{0}");
}

static void
test_accept_literal_braces(void)
{
	/* '{' not followed by a digit is an ordinary character in ARE */
	ACCEPT("a{");
	ACCEPT("a{,3}");
	ACCEPT("}");
}

static void
test_accept_bracket_literal_close(void)
{
	ACCEPT("[]a]");
	ACCEPT("[^]a]");
	ACCEPT("[]]");
	ACCEPT("[a-]");
	ACCEPT("[--/]");
	ACCEPT("[a[]");
}

static void
test_accept_posix_classes(void)
{
	ACCEPT("[[:alpha:]]+");
	ACCEPT("[[:digit:][:space:]_]");
	ACCEPT("[^[:word:]]");
	ACCEPT("[[.a.]-z]");
	ACCEPT("[[=e=]]");
}

static void
test_accept_noncapturing_repeat(void)
{
	ACCEPT("(?:ab)+");
}

static void
test_accept_inline_flags(void)
{
	ACCEPT("(?i)abc");
	ACCEPT("(?in)^a.c$");
}

static void
test_accept_escapes(void)
{
	ACCEPT("\\.");
	ACCEPT("\\(");
	ACCEPT("\\\\");
	ACCEPT("a\\tb\\n");
	ACCEPT("\\x41\\u00e9\\cA\\0\\e\\b");
	ACCEPT("[\\d\\w\\]\\-]");
}

static void
test_accept_escaped_parens_are_literals(void)
{
	/* \( and \) are characters, so this is not a repeated group */
	ACCEPT("\\(a+\\)+");
	ACCEPT("\\(\\)");
}

static void
test_accept_lookaround(void)
{
	ACCEPT("(?=x)");
	ACCEPT("(?!x)");
	ACCEPT("(?<=a)b");
	ACCEPT("(?<!a)b");
	ACCEPT("^(?=.*\\d)\\w+$");
}

static void
test_accept_fixed_inner_count(void)
{
	ACCEPT("(\\d{3}-)+");
	ACCEPT("(ab)+");
	ACCEPT("(a{2})+");
	ACCEPT("(a{1,1}b)*");
}

static void
test_accept_lazy_quantifiers(void)
{
	ACCEPT("a*?");
	ACCEPT("a+?");
	ACCEPT("a??");
	ACCEPT("a{2,3}?");
}

static void
test_accept_utf8(void)
{
	ACCEPT("(\xc3\xa9|\xc3\xa8)*");		/* (é|è)*: distinct characters */
	ACCEPT("[\xd0\xb0-\xd1\x8f]+");		/* [а-я]+ */
	ACCEPT("\xc3\xa9+");
}

static void
test_accept_comment(void)
{
	ACCEPT("(?#note)a");
	ACCEPT("a(?#x)*");
}

static void
test_accept_unrepeated_ambiguity(void)
{
	/* overlap and empty branches only matter under repetition */
	ACCEPT("(a|a)");
	ACCEPT("(a|)");
	ACCEPT("(a|ab)?c");
	ACCEPT("((a|)c|b)*");
}

static void
test_accept_max_length(void)
{
	char		p[VC_REGEX_MAX_LEN + 1];

	memset(p, 'a', VC_REGEX_MAX_LEN);
	p[VC_REGEX_MAX_LEN] = '\0';
	ACCEPT(p);
}

static void
test_accept_max_depth(void)
{
	char		p[80];
	int			k,
				n = 0;

	for (k = 0; k < 32; k++)
		p[n++] = '(';
	p[n++] = 'a';
	for (k = 0; k < 32; k++)
		p[n++] = ')';
	p[n] = '\0';
	ACCEPT(p);
}

static void
test_accept_counted_input(void)
{
	/* the pattern is (pointer, length): no terminator is read */
	char	   *p = malloc(3);
	vc_error	err;

	VT_CHECK(p != NULL);
	if (p == NULL)
		return;
	memcpy(p, "a+b", 3);
	VT_CHECK(vc_regex_validate(p, 3, &err) == VC_OK);
	VT_CHECK(vc_regex_validate(p, 2, &err) == VC_OK);
	free(p);
}

/* ---------------------------------------------------------------- */
/* invalid syntax                                                     */
/* ---------------------------------------------------------------- */

static void
test_reject_unmatched_open(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("a(b", 3, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: unmatched opening parenthesis at position 2");
	VT_CHECK(err.position == 2);
	REJECT("((a)", INVALID, 1);
}

static void
test_reject_unmatched_close(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("a)", 2, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: unmatched closing parenthesis at position 2");
	VT_CHECK(err.position == 2);
}

static void
test_reject_unterminated_class(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("x[abc", 5, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: unterminated character class at position 2");
	VT_CHECK(err.position == 2);
	REJECT("[]", INVALID, 1);
	REJECT("[^]", INVALID, 1);
	REJECT("[[:alpha:]", INVALID, 1);
	REJECT("[[:alpha]", INVALID, 2);
}

static void
test_reject_trailing_backslash(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("abc\\", 4, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: trailing backslash at position 4");
	VT_CHECK(err.position == 4);
	REJECT("[a\\", INVALID, 3);
}

static void
test_reject_nothing_to_repeat(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("a**", 3, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: quantifier \"*\" has nothing to repeat at position 3");
	VT_CHECK(err.position == 3);
	REJECT("*a", INVALID, 1);
	REJECT("(+)", INVALID, 2);
	REJECT("|*", INVALID, 2);
	REJECT("a|*b", INVALID, 3);
	REJECT("{3}", INVALID, 1);
	REJECT("a{1}{2}", INVALID, 5);
	REJECT("a?*", INVALID, 3);
}

static void
test_reject_quantified_constraint(void)
{
	/* anchors and lookaround are zero-width: PostgreSQL refuses a quantifier */
	REJECT("^*", INVALID, 2);
	REJECT("a$+", INVALID, 3);
	REJECT("\\y*", INVALID, 3);
	REJECT("(?=a)*", INVALID, 6);
}

static void
test_reject_bad_braces(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("a{3,1}", 6, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: repetition count \"{3,1}\" has a minimum above its maximum at position 2");
	VT_CHECK(err.position == 2);
	REJECT("a{256}", "invalid regular expression: repetition count exceeds 255", 2);
	REJECT("a{1,1000}", INVALID, 2);
	REJECT("a{99999999999999999999}", INVALID, 2);
	REJECT("a{3", INVALID, 2);
	REJECT("a{3x}", INVALID, 2);
}

static void
test_reject_nul_byte(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("a\0b", 3, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message, "invalid regular expression: NUL byte at position 2");
	VT_CHECK(err.position == 2);
}

static void
test_reject_too_long(void)
{
	char		p[VC_REGEX_MAX_LEN + 2];
	vc_error	err;

	memset(p, 'a', sizeof(p) - 1);
	p[sizeof(p) - 1] = '\0';
	VT_CHECK(vc_regex_validate(p, VC_REGEX_MAX_LEN + 1, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message, "regular expression longer than 1000 bytes");
	VT_STREQ(err.detail, "The pattern is 1001 bytes long.");
}

static void
test_reject_bad_range(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("[z-a]", 5, &err) == VC_ERR_REGEX);
	VT_STREQ(err.message,
			 "invalid regular expression: invalid character range at position 2");
	REJECT("[a-c-e]", INVALID, 2);
	REJECT("[\\d-z]", INVALID, 2);
	REJECT("[[:alpha:]-z]", INVALID, 2);
}

static void
test_reject_unknown_class(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("[[:foo:]]", 9, &err) == VC_ERR_REGEX);
	VT_STREQ(err.message,
			 "invalid regular expression: unknown character class \"[:foo:]\" at position 2");
	REJECT("[[.hyphen.]]", INVALID, 2);
}

static void
test_reject_unknown_escape(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("a\\z", 3, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "invalid regular expression: invalid escape sequence \"\\z\" at position 2");
	REJECT("\\x", INVALID, 1);
	REJECT("\\u004", INVALID, 1);
	REJECT("[\\y]", INVALID, 2);
}

static void
test_reject_unsupported_options(void)
{
	/* options that change the syntax itself would defeat the analysis */
	REJECT("(?x)a b", "invalid regular expression: embedded option \"x\" is not supported", 3);
	REJECT("(?q)a", INVALID, 3);
	REJECT("(?z)a", INVALID, 3);
	REJECT("(?i", INVALID, 1);
	REJECT("a(?i)b",
		   "invalid regular expression: embedded options are only allowed at the start of the pattern", 2);
	REJECT("(?P<n>a)", INVALID, 1);
	REJECT("***:a", INVALID, 1);
}

static void
test_reject_deep_nesting(void)
{
	char		p[80];
	int			k,
				n = 0;
	vc_error	err;

	for (k = 0; k < 33; k++)
		p[n++] = '(';
	p[n++] = 'a';
	for (k = 0; k < 33; k++)
		p[n++] = ')';
	VT_CHECK(vc_regex_validate(p, (size_t) n, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "unsafe regular expression: groups nested deeper than 32 levels at position 33");
	VT_CHECK(err.position == 33);
}

/* ---------------------------------------------------------------- */
/* unsafe                                                             */
/* ---------------------------------------------------------------- */

static void
test_reject_nested_plus(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("(a+)+", 5, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message, "unsafe regular expression: nested quantifiers at position 5");
	VT_STREQ(err.detail, "The group at position 1 is repeated by \"+\" and contains the quantifier \"+\" at position 3.");
	VT_STREQ(err.hint, "Nested or ambiguous repetition can take exponential time; rewrite without repeating a repeated group.");
	VT_CHECK(err.position == 5);
}

static void
test_reject_nested_star(void)
{
	REJECT("(a*)*", "unsafe regular expression: nested quantifiers", 5);
	REJECT("(.*)*", "unsafe regular expression: nested quantifiers", 5);
	REJECT("(a+)*", "unsafe regular expression: nested quantifiers", 5);
	REJECT("x(a*)*y", "unsafe regular expression: nested quantifiers", 6);
}

static void
test_reject_nested_deep(void)
{
	REJECT("((ab)*c)+", UNSAFE, 9);
	REJECT("(x+x+)+y", UNSAFE, 7);
	REJECT("(a?)+", UNSAFE, 5);
	REJECT("(?:a+)+", UNSAFE, 7);
	REJECT("(((a+)))+", UNSAFE, 9);
	REJECT("(\\w+\\s?)*", UNSAFE, 9);
}

static void
test_reject_nested_bounds(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("(a{2,3})+", 9, &err) == VC_ERR_REGEX);
	VT_STREQ(err.detail, "The group at position 1 is repeated by \"+\" and contains the quantifier \"{2,3}\" at position 3.");
	REJECT("(a{2,})+", UNSAFE, 8);
	REJECT("(a+){2}", UNSAFE, 5);
	REJECT("(a+){1,5}", UNSAFE, 5);
	ACCEPT("(a+)?");
	ACCEPT("(a+){1}");
	ACCEPT("(a+){0,1}");
}

static void
test_reject_alt_overlap(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("(a|a)*", 6, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "unsafe regular expression: repeated alternation with overlapping branches at position 6");
	VT_STREQ(err.detail,
			 "In the group at position 1, the branch at position 4 can start with \"a\" like an earlier branch.");
	VT_CHECK(err.hint[0] != '\0');
	VT_CHECK(err.position == 6);
}

static void
test_reject_alt_prefix(void)
{
	REJECT("(a|ab)*c", UNSAFE, 7);
	REJECT("(ab|a)+", UNSAFE, 7);
	REJECT("(foo|bar|fizz)+", UNSAFE, 15);
}

static void
test_reject_alt_classes(void)
{
	REJECT("(\\d|1)+", UNSAFE, 7);
	REJECT("(.|a)*", UNSAFE, 6);
	REJECT("([a-f]|c)+", UNSAFE, 10);
	REJECT("(\\w|_)+", UNSAFE, 7);
	REJECT("([^x]|y)+", UNSAFE, 9);
	ACCEPT("([^x]|x)+");
	ACCEPT("\"([^\"\\\\]|\\\\.)*\"");	/* "([^"\\]|\\.)*": a string literal */
	REJECT("([^x]|X)+", UNSAFE, 9);		/* [^x] matches X case-sensitively */
}

static void
test_reject_alt_empty(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("(a|)*", 5, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "unsafe regular expression: repeated alternation with an empty branch at position 5");
	VT_STREQ(err.detail,
			 "In the group at position 1, the branch at position 4 can match the empty string.");
	REJECT("(|a)+", UNSAFE, 5);
	REJECT("(a|^)*", UNSAFE, 6);
}

static void
test_reject_alt_case_insensitive(void)
{
	/* the pattern may be used with iregex: a and A overlap */
	REJECT("(a|A)*", UNSAFE, 6);
}

static void
test_reject_alt_optional_first_atom(void)
{
	/* a first atom that can be skipped lets the next one start the branch */
	REJECT("(a{0}b|b)*", UNSAFE, 10);
	REJECT("((a|)b|b)*", UNSAFE, 10);
	REJECT("(^a|a)*", UNSAFE, 7);
	ACCEPT("((a|)c|b)*");
}

static void
test_reject_wrapped_alternation(void)
{
	/* a group that is only another group hides nothing */
	REJECT("((a|a))*", UNSAFE, 8);
	REJECT("(?:(?:a|ab))+", UNSAFE, 13);
}

static void
test_reject_empty_group_repeat(void)
{
	REJECT("()*", "unsafe regular expression: repeated group can match the empty string", 3);
	REJECT("(^)+", UNSAFE, 4);
}

static void
test_reject_backref(void)
{
	vc_error	err;

	VT_CHECK(vc_regex_validate("(a)\\1", 5, &err) == VC_ERR_REGEX);
	VT_SQLSTATE(&err, "2201B");
	VT_STREQ(err.message,
			 "unsafe regular expression: backreferences are not allowed at position 4");
	VT_STREQ(err.detail, "\"\\1\" refers back to the text a group matched.");
	VT_CHECK(err.hint[0] != '\0');
	VT_CHECK(err.position == 4);
}

static void
test_reject_backref_forms(void)
{
	REJECT("\\9", "unsafe regular expression: backreferences are not allowed", 1);
	REJECT("(?<n>a)", INVALID, 1);
	REJECT("a\\k<n>", "unsafe regular expression: backreferences are not allowed", 2);
	REJECT("a\\g{1}", "unsafe regular expression: backreferences are not allowed", 2);
	REJECT("(a)(?P=n)", "unsafe regular expression: backreferences are not allowed", 4);
	REJECT("[\\1]", "unsafe regular expression: backreferences are not allowed", 2);
}

static void
test_reject_lookahead_body(void)
{
	/* a lookahead runs again on every repetition of its group */
	REJECT("((?=a+)a)*", UNSAFE, 10);
}

static void
test_syntax_wins_over_danger(void)
{
	/* an invalid pattern is reported as invalid, even after an unsafe part */
	REJECT("(a+)+(", "invalid regular expression: unmatched opening parenthesis", 6);
	REJECT("\\1[", INVALID, 3);
}

static void
test_first_danger_reported(void)
{
	REJECT("(a|a)*(b+)+", "unsafe regular expression: repeated alternation", 6);
	REJECT("(b+)+(a|a)*", "unsafe regular expression: nested quantifiers", 5);
}

static void
test_position_counts_bytes(void)
{
	/* é is two bytes: the '(' after it is byte 3 */
	REJECT("\xc3\xa9(", INVALID, 3);
	REJECT("\xc3\xa9(a+)+", UNSAFE, 7);
}

static void
test_null_error_struct(void)
{
	VT_CHECK(vc_regex_validate("(a+)+", 5, NULL) == VC_ERR_REGEX);
	VT_CHECK(vc_regex_validate("(", 1, NULL) == VC_ERR_REGEX);
	VT_CHECK(vc_regex_validate("a+", 2, NULL) == VC_OK);
}

static void
test_counted_input_danger(void)
{
	/* an unsafe pattern in a buffer without terminator, and a prefix of it */
	char	   *p = malloc(5);
	vc_error	err;

	VT_CHECK(p != NULL);
	if (p == NULL)
		return;
	memcpy(p, "(a+)+", 5);
	VT_CHECK(vc_regex_validate(p, 5, &err) == VC_ERR_REGEX);
	VT_CHECK(vc_regex_validate(p, 4, &err) == VC_OK);
	free(p);
}

int
main(void)
{
	VT_RUN(test_accept_identifier_class);
	VT_RUN(test_accept_phone);
	VT_RUN(test_accept_email);
	VT_RUN(test_accept_optional_group);
	VT_RUN(test_accept_alternation);
	VT_RUN(test_accept_optional_char);
	VT_RUN(test_accept_empty);
	VT_RUN(test_accept_bounds);
	VT_RUN(test_accept_literal_braces);
	VT_RUN(test_accept_bracket_literal_close);
	VT_RUN(test_accept_posix_classes);
	VT_RUN(test_accept_noncapturing_repeat);
	VT_RUN(test_accept_inline_flags);
	VT_RUN(test_accept_escapes);
	VT_RUN(test_accept_escaped_parens_are_literals);
	VT_RUN(test_accept_lookaround);
	VT_RUN(test_accept_fixed_inner_count);
	VT_RUN(test_accept_lazy_quantifiers);
	VT_RUN(test_accept_utf8);
	VT_RUN(test_accept_comment);
	VT_RUN(test_accept_unrepeated_ambiguity);
	VT_RUN(test_accept_max_length);
	VT_RUN(test_accept_max_depth);
	VT_RUN(test_accept_counted_input);
	VT_RUN(test_reject_unmatched_open);
	VT_RUN(test_reject_unmatched_close);
	VT_RUN(test_reject_unterminated_class);
	VT_RUN(test_reject_trailing_backslash);
	VT_RUN(test_reject_nothing_to_repeat);
	VT_RUN(test_reject_quantified_constraint);
	VT_RUN(test_reject_bad_braces);
	VT_RUN(test_reject_nul_byte);
	VT_RUN(test_reject_too_long);
	VT_RUN(test_reject_bad_range);
	VT_RUN(test_reject_unknown_class);
	VT_RUN(test_reject_unknown_escape);
	VT_RUN(test_reject_unsupported_options);
	VT_RUN(test_reject_deep_nesting);
	VT_RUN(test_reject_nested_plus);
	VT_RUN(test_reject_nested_star);
	VT_RUN(test_reject_nested_deep);
	VT_RUN(test_reject_nested_bounds);
	VT_RUN(test_reject_alt_overlap);
	VT_RUN(test_reject_alt_prefix);
	VT_RUN(test_reject_alt_classes);
	VT_RUN(test_reject_alt_empty);
	VT_RUN(test_reject_alt_case_insensitive);
	VT_RUN(test_reject_alt_optional_first_atom);
	VT_RUN(test_reject_wrapped_alternation);
	VT_RUN(test_reject_empty_group_repeat);
	VT_RUN(test_reject_backref);
	VT_RUN(test_reject_backref_forms);
	VT_RUN(test_reject_lookahead_body);
	VT_RUN(test_syntax_wins_over_danger);
	VT_RUN(test_first_danger_reported);
	VT_RUN(test_position_counts_bytes);
	VT_RUN(test_null_error_struct);
	VT_RUN(test_counted_input_danger);
	VT_DONE();
}
