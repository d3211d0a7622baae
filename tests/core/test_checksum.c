/*
 * test_checksum.c — SHA-256 against the FIPS 180-4 test vectors, and the
 * normalisation rules of the patch checksum (DESIGN §4, §12).
 */
#include "vtest.h"
#include "vc_checksum.h"

static void
sha256_empty(void)
{
	char		hex[65];

	vc_sha256_hex("", 0, hex);
	VT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
sha256_abc(void)
{
	char		hex[65];

	vc_sha256_hex("abc", 3, hex);
	VT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
sha256_two_blocks(void)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char		hex[65];

	vc_sha256_hex(m, strlen(m), hex);
	VT_STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
sha256_million_a_streamed(void)
{
	vc_sha256	ctx;
	unsigned char digest[32];
	char		chunk[1000];
	int			i;
	static const unsigned char expect[4] = {0xcd, 0xc7, 0x6e, 0x5c};

	memset(chunk, 'a', sizeof(chunk));
	vc_sha256_init(&ctx);
	for (i = 0; i < 1000; i++)
		vc_sha256_update(&ctx, chunk, sizeof(chunk));
	vc_sha256_final(&ctx, digest);
	VT_CHECK(memcmp(digest, expect, 4) == 0);
}

static void
checksum_plain_text_is_sha256(void)
{
	char		a[65],
				b[65];

	vc_patch_checksum("UPDATE t SET x = 1;", 19, a);
	vc_sha256_hex("UPDATE t SET x = 1;", 19, b);
	VT_STREQ(a, b);
}

static void
checksum_ignores_line_endings(void)
{
	char		lf[65],
				crlf[65],
				cr[65];
	const char *t1 = "UPDATE t\nSET x = 1;\n";
	const char *t2 = "UPDATE t\r\nSET x = 1;\r\n";
	const char *t3 = "UPDATE t\rSET x = 1;\r";

	vc_patch_checksum(t1, strlen(t1), lf);
	vc_patch_checksum(t2, strlen(t2), crlf);
	vc_patch_checksum(t3, strlen(t3), cr);
	VT_STREQ(crlf, lf);
	VT_STREQ(cr, lf);
}

static void
checksum_ignores_trailing_blanks(void)
{
	char		a[65],
				b[65];
	const char *t1 = "UPDATE t\nSET x = 1;";
	const char *t2 = "UPDATE t   \t\nSET x = 1;  \n\n \n\t\n";

	vc_patch_checksum(t1, strlen(t1), a);
	vc_patch_checksum(t2, strlen(t2), b);
	VT_STREQ(a, b);
}

static void
checksum_keeps_inner_blank_lines(void)
{
	char		a[65],
				b[65];
	const char *t1 = "UPDATE t;\n\nUPDATE u;";
	const char *t2 = "UPDATE t;\nUPDATE u;";

	vc_patch_checksum(t1, strlen(t1), a);
	vc_patch_checksum(t2, strlen(t2), b);
	VT_CHECK(strcmp(a, b) != 0);
}

static void
checksum_keeps_leading_indent(void)
{
	char		a[65],
				b[65];

	vc_patch_checksum("  x", 3, a);
	vc_patch_checksum("x", 1, b);
	VT_CHECK(strcmp(a, b) != 0);
}

static void
checksum_detects_real_change(void)
{
	char		a[65],
				b[65];

	vc_patch_checksum("SET x = 1;", 10, a);
	vc_patch_checksum("SET x = 2;", 10, b);
	VT_CHECK(strcmp(a, b) != 0);
	VT_CHECK(strlen(VC_CHECKSUM_ALGORITHM) > 0);
}

int
main(void)
{
	VT_RUN(sha256_empty);
	VT_RUN(sha256_abc);
	VT_RUN(sha256_two_blocks);
	VT_RUN(sha256_million_a_streamed);
	VT_RUN(checksum_plain_text_is_sha256);
	VT_RUN(checksum_ignores_line_endings);
	VT_RUN(checksum_ignores_trailing_blanks);
	VT_RUN(checksum_keeps_inner_blank_lines);
	VT_RUN(checksum_keeps_leading_indent);
	VT_RUN(checksum_detects_real_change);
	VT_DONE();
}
