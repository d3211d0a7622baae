/*
 * test_error.c — core tests of the error layer: the code → SQLSTATE table
 * of DESIGN §9, formatting and truncation of messages in the fixed-size
 * vc_error buffers (never inside a UTF-8 sequence), clearing, and the
 * tolerance of a NULL error pointer.
 */
#include "vtest.h"

/* Every code with its SQLSTATE, as DESIGN §9 (plus the internal ones) fixes them. */
static const struct
{
	vc_code		code;
	const char *state;
}			sqlstate_table[] = {
	{VC_OK, "00000"},
	{VC_ERR_IDENTIFIER, "42602"},
	{VC_ERR_EXPRESSION, "42601"},
	{VC_ERR_REGEX, "2201B"},
	{VC_ERR_INVALID_PARAM, "22023"},
	{VC_ERR_TEXT_REPR, "22P02"},
	{VC_ERR_DATETIME, "22007"},
	{VC_ERR_OUT_OF_RANGE, "22003"},
	{VC_ERR_UNDEFINED_TABLE, "42P01"},
	{VC_ERR_UNDEFINED_COLUMN, "42703"},
	{VC_ERR_TOO_COMPLEX, "54001"},
	{VC_ERR_PRIVILEGE, "42501"},
	{VC_ERR_READ_ONLY, "25006"},
	{VC_ERR_NO_DATA, "P0002"},
	{VC_ERR_TOO_MANY_ROWS, "P0003"},
	{VC_ERR_UNIQUE, "23505"},
	{VC_ERR_STRING_TRUNC, "22001"},
	{VC_ERR_OUT_OF_MEMORY, "53200"},
	{VC_ERR_INTERNAL, "XX000"},
	{VC_ERR_ACTIVE_TRANSACTION, "25001"},
	{VC_ERR_NOT_NULL, "23502"},
	{VC_ERR_FOREIGN_KEY, "23503"},
	{VC_ERR_CHECK, "23514"},
	{VC_ERR_INTEGRITY, "23000"},
	{VC_ERR_LOCK_NOT_AVAILABLE, "55P03"},
	{VC_ERR_SQL, "42000"},
	{VC_ERR_NO_TRANSACTION, "25P01"},
};

#define NTABLE (sizeof(sqlstate_table) / sizeof(sqlstate_table[0]))

/* A string of n copies of c (n < size). */
static char *
fill(char *buf, size_t size, char c, size_t n)
{
	if (n >= size)
		n = size - 1;
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* The text is valid UTF-8 (no truncated sequence at the end or inside). */
static int
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	while (*p)
	{
		size_t		need,
					i;

		if (*p < 0x80)
			need = 0;
		else if ((*p & 0xE0) == 0xC0)
			need = 1;
		else if ((*p & 0xF0) == 0xE0)
			need = 2;
		else if ((*p & 0xF8) == 0xF0)
			need = 3;
		else
			return 0;
		for (i = 1; i <= need; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += need + 1;
	}
	return 1;
}

static void
sqlstate_table_covers_every_code(void)
{
	/* the table above lists each code once: adding a code needs a row here */
	VT_CHECK(NTABLE == VC_ERR__COUNT);
}

static void
sqlstate_every_code(void)
{
	size_t		i;

	for (i = 0; i < NTABLE; i++)
	{
		const char *got = vc_sqlstate(sqlstate_table[i].code);

		VT_STREQ(got, sqlstate_table[i].state);
		VT_CHECK(strlen(got) == 5);
	}
}

static void
sqlstate_design_section_9(void)
{
	VT_STREQ(vc_sqlstate(VC_ERR_IDENTIFIER), "42602");
	VT_STREQ(vc_sqlstate(VC_ERR_EXPRESSION), "42601");
	VT_STREQ(vc_sqlstate(VC_ERR_REGEX), "2201B");
	VT_STREQ(vc_sqlstate(VC_ERR_INVALID_PARAM), "22023");
	VT_STREQ(vc_sqlstate(VC_ERR_UNDEFINED_TABLE), "42P01");
	VT_STREQ(vc_sqlstate(VC_ERR_UNDEFINED_COLUMN), "42703");
	VT_STREQ(vc_sqlstate(VC_ERR_TOO_COMPLEX), "54001");
	VT_STREQ(vc_sqlstate(VC_ERR_PRIVILEGE), "42501");
	VT_STREQ(vc_sqlstate(VC_ERR_READ_ONLY), "25006");
	VT_STREQ(vc_sqlstate(VC_ERR_NO_DATA), "P0002");
	VT_STREQ(vc_sqlstate(VC_ERR_TOO_MANY_ROWS), "P0003");
	VT_STREQ(vc_sqlstate(VC_ERR_UNIQUE), "23505");
}

static void
sqlstate_22001_53200_xx000(void)
{
	VT_STREQ(vc_sqlstate(VC_ERR_STRING_TRUNC), "22001");
	VT_STREQ(vc_sqlstate(VC_ERR_OUT_OF_MEMORY), "53200");
	VT_STREQ(vc_sqlstate(VC_ERR_INTERNAL), "XX000");
}

static void
sqlstate_out_of_range(void)
{
	VT_STREQ(vc_sqlstate(VC_ERR__COUNT), "XX000");
	VT_STREQ(vc_sqlstate((vc_code) 1000), "XX000");
	VT_STREQ(vc_sqlstate((vc_code) -1), "XX000");
}

static void
sqlstates_are_distinct(void)
{
	size_t		i,
				j;

	for (i = 0; i < NTABLE; i++)
		for (j = i + 1; j < NTABLE; j++)
			VT_CHECK(strcmp(vc_sqlstate(sqlstate_table[i].code),
							vc_sqlstate(sqlstate_table[j].code)) != 0);
}

static void
error_set_formats(void)
{
	vc_error	err;
	vc_code		rc;

	rc = vc_error_set(&err, VC_ERR_INVALID_PARAM, "bad %s at %d: %zu", "thing", 7,
					  (size_t) 3);
	VT_CHECK(rc == VC_ERR_INVALID_PARAM);
	VT_CHECK(err.code == VC_ERR_INVALID_PARAM);
	VT_STREQ(err.message, "bad thing at 7: 3");
	VT_STREQ(err.detail, "");
	VT_STREQ(err.hint, "");
	VT_CHECK(err.position == 0);
}

static void
error_set_clears_previous(void)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_EXPRESSION, "first");
	vc_error_detail(&err, "Some detail.");
	vc_error_hint(&err, "Some hint.");
	err.position = 12;
	vc_error_set(&err, VC_ERR_REGEX, "second");
	VT_CHECK(err.code == VC_ERR_REGEX);
	VT_STREQ(err.message, "second");
	VT_STREQ(err.detail, "");
	VT_STREQ(err.hint, "");
	VT_CHECK(err.position == 0);
}

static void
error_detail_and_hint(void)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_UNDEFINED_COLUMN, "unknown field \"%s\"", "nme");
	vc_error_detail(&err, "Model %s has %d fields.", "Post", 4);
	vc_error_hint(&err, "Did you mean \"%s\"?", "name");
	VT_STREQ(err.message, "unknown field \"nme\"");
	VT_STREQ(err.detail, "Model Post has 4 fields.");
	VT_STREQ(err.hint, "Did you mean \"name\"?");
	VT_SQLSTATE(&err, "42703");
}

static void
error_set_truncates_long_message(void)
{
	vc_error	err;
	char		big[1000];

	fill(big, sizeof(big), 'm', 600);
	vc_error_set(&err, VC_ERR_INTERNAL, "x%sy", big);
	VT_CHECK(strlen(err.message) == VC_ERRMSG_LEN - 1);
	VT_CHECK(err.message[0] == 'x' && err.message[VC_ERRMSG_LEN - 2] == 'm');
	VT_CHECK(err.code == VC_ERR_INTERNAL);
}

static void
error_message_exactly_255(void)
{
	vc_error	err;
	char		big[300];

	fill(big, sizeof(big), 'a', VC_ERRMSG_LEN - 1);
	vc_error_set(&err, VC_ERR_INTERNAL, "%s", big);
	VT_STREQ(err.message, big);
}

static void
error_detail_hint_truncate(void)
{
	vc_error	err;
	char		big[1000];

	fill(big, sizeof(big), 'd', 700);
	vc_error_set(&err, VC_ERR_INTERNAL, "m");
	vc_error_detail(&err, "%s", big);
	vc_error_hint(&err, "%s.", big);
	VT_CHECK(strlen(err.detail) == VC_ERRMSG_LEN - 1);
	VT_CHECK(strlen(err.hint) == VC_ERRMSG_LEN - 1);
	VT_STREQ(err.message, "m");
}

static void
error_truncation_keeps_utf8_whole(void)
{
	vc_error	err;
	char		big[1000];
	size_t		i;
	size_t		len;

	/* "é" repeated: the 255-byte cut falls after the lead byte of one */
	for (i = 0; i < 300; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	big[600] = '\0';
	vc_error_set(&err, VC_ERR_INTERNAL, "%s", big);
	len = strlen(err.message);
	VT_CHECK(len == VC_ERRMSG_LEN - 2);
	VT_CHECK(valid_utf8(err.message));
	vc_error_detail(&err, "%s", big);
	VT_CHECK(valid_utf8(err.detail));
	vc_error_hint(&err, "%s", big);
	VT_CHECK(valid_utf8(err.hint));
}

static void
error_truncation_three_and_four_byte(void)
{
	vc_error	err;
	char		big[1000];
	size_t		i;

	/* "€" (3 bytes) × 100: 255 = 85 × 3, the cut is clean */
	for (i = 0; i < 100; i++)
		memcpy(big + 3 * i, "\xe2\x82\xac", 3);
	big[300] = '\0';
	vc_error_set(&err, VC_ERR_INTERNAL, "%s", big);
	VT_CHECK(strlen(err.message) == 255);
	VT_CHECK(valid_utf8(err.message));
	/* "a" + "€"...: the cut at 255 leaves 2 bytes of a "€" that must go */
	vc_error_set(&err, VC_ERR_INTERNAL, "a%s", big);
	VT_CHECK(strlen(err.message) == 253);
	VT_CHECK(valid_utf8(err.message));
	/* "ab" + emoji (4 bytes) × 100: the cut leaves one byte of an emoji */
	for (i = 0; i < 100; i++)
		memcpy(big + 4 * i, "\xf0\x9f\x90\x8d", 4);
	big[400] = '\0';
	vc_error_set(&err, VC_ERR_INTERNAL, "ab%s", big);
	VT_CHECK(strlen(err.message) == 255 - 1);
	VT_CHECK(valid_utf8(err.message));
}

static void
error_clear_resets(void)
{
	vc_error	err;

	vc_error_set(&err, VC_ERR_PRIVILEGE, "denied");
	vc_error_detail(&err, "D.");
	vc_error_hint(&err, "H.");
	err.position = 3;
	vc_error_clear(&err);
	VT_CHECK(err.code == VC_OK);
	VT_STREQ(err.message, "");
	VT_STREQ(err.detail, "");
	VT_STREQ(err.hint, "");
	VT_CHECK(err.position == 0);
	VT_SQLSTATE(&err, "00000");
}

static void
error_null_tolerated(void)
{
	vc_error_clear(NULL);
	VT_CHECK(vc_error_set(NULL, VC_ERR_REGEX, "ignored %d", 1) == VC_ERR_REGEX);
	vc_error_detail(NULL, "ignored");
	vc_error_hint(NULL, "ignored");
}

static void
error_percent_in_argument_is_literal(void)
{
	vc_error	err;

	/* user text goes in as an argument, never as the format */
	vc_error_set(&err, VC_ERR_IDENTIFIER, "invalid identifier \"%s\"", "%s%n%d");
	VT_STREQ(err.message, "invalid identifier \"%s%n%d\"");
}

/* every state of the table maps back to its code */
static void
code_from_sqlstate_round_trip(void)
{
	size_t		i;

	for (i = 0; i < NTABLE; i++)
		if (sqlstate_table[i].code != VC_OK)
			VT_CHECK(vc_code_from_sqlstate(sqlstate_table[i].state) == sqlstate_table[i].code);
	VT_CHECK(vc_code_from_sqlstate("99999") == VC_ERR_INTERNAL);
	VT_CHECK(vc_code_from_sqlstate("23505: tail") == VC_ERR_UNIQUE);
}

int
main(void)
{
	VT_RUN(sqlstate_table_covers_every_code);
	VT_RUN(sqlstate_every_code);
	VT_RUN(sqlstate_design_section_9);
	VT_RUN(sqlstate_22001_53200_xx000);
	VT_RUN(sqlstate_out_of_range);
	VT_RUN(sqlstates_are_distinct);
	VT_RUN(error_set_formats);
	VT_RUN(error_set_clears_previous);
	VT_RUN(error_detail_and_hint);
	VT_RUN(error_set_truncates_long_message);
	VT_RUN(error_message_exactly_255);
	VT_RUN(error_detail_hint_truncate);
	VT_RUN(error_truncation_keeps_utf8_whole);
	VT_RUN(error_truncation_three_and_four_byte);
	VT_RUN(error_clear_resets);
	VT_RUN(error_null_tolerated);
	VT_RUN(error_percent_in_argument_is_literal);
	VT_RUN(code_from_sqlstate_round_trip);
	VT_DONE();
}
