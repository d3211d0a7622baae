/*
 * vc_checksum.c — SHA-256 (FIPS 180-4) and the normalising patch checksum.
 * Written from the standard; no allocation, no global state.
 */
#include "vc_checksum.h"

#include <string.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
sha256_block(uint32_t st[8], const unsigned char *p)
{
	uint32_t	w[64];
	uint32_t	a, b, c, d, e, f, g, h;
	int			i;

	for (i = 0; i < 16; i++)
		w[i] = ((uint32_t) p[4 * i] << 24) | ((uint32_t) p[4 * i + 1] << 16) |
			((uint32_t) p[4 * i + 2] << 8) | (uint32_t) p[4 * i + 3];
	for (i = 16; i < 64; i++)
	{
		uint32_t	s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t	s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = st[0]; b = st[1]; c = st[2]; d = st[3];
	e = st[4]; f = st[5]; g = st[6]; h = st[7];
	for (i = 0; i < 64; i++)
	{
		uint32_t	S1 = ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25);
		uint32_t	ch = (e & f) ^ (~e & g);
		uint32_t	t1 = h + S1 + ch + K[i] + w[i];
		uint32_t	S0 = ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22);
		uint32_t	maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t	t2 = S0 + maj;

		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
	st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

void
vc_sha256_init(vc_sha256 *ctx)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(ctx->state, iv, sizeof(iv));
	ctx->nbytes = 0;
	ctx->fill = 0;
}

void
vc_sha256_update(vc_sha256 *ctx, const void *data, size_t len)
{
	const unsigned char *p = data;

	ctx->nbytes += len;
	while (len > 0)
	{
		size_t		n = 64 - ctx->fill;

		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->fill, p, n);
		ctx->fill += n;
		p += n;
		len -= n;
		if (ctx->fill == 64)
		{
			sha256_block(ctx->state, ctx->block);
			ctx->fill = 0;
		}
	}
}

void
vc_sha256_final(vc_sha256 *ctx, unsigned char digest[32])
{
	uint64_t	bits = ctx->nbytes * 8;
	unsigned char pad = 0x80;
	unsigned char zero = 0;
	unsigned char lenbuf[8];
	int			i;

	vc_sha256_update(ctx, &pad, 1);
	while (ctx->fill != 56)
		vc_sha256_update(ctx, &zero, 1);
	for (i = 0; i < 8; i++)
		lenbuf[i] = (unsigned char) (bits >> (56 - 8 * i));
	vc_sha256_update(ctx, lenbuf, 8);
	for (i = 0; i < 8; i++)
	{
		digest[4 * i] = (unsigned char) (ctx->state[i] >> 24);
		digest[4 * i + 1] = (unsigned char) (ctx->state[i] >> 16);
		digest[4 * i + 2] = (unsigned char) (ctx->state[i] >> 8);
		digest[4 * i + 3] = (unsigned char) ctx->state[i];
	}
}

static void
to_hex(const unsigned char digest[32], char out[VC_CHECKSUM_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	int			i;

	for (i = 0; i < 32; i++)
	{
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[VC_CHECKSUM_HEXLEN] = '\0';
}

void
vc_sha256_hex(const void *data, size_t len, char out[VC_CHECKSUM_HEXLEN + 1])
{
	vc_sha256	ctx;
	unsigned char digest[32];

	vc_sha256_init(&ctx);
	vc_sha256_update(&ctx, data, len);
	vc_sha256_final(&ctx, digest);
	to_hex(digest, out);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/*
 * Walk the text line by line. Each line's content without its trailing
 * blanks is hashed; the LF that ends it is held back and only emitted once
 * a later non-empty line shows it was not part of the trailing blank run.
 */
void
vc_patch_checksum(const char *text, size_t len, char out[VC_CHECKSUM_HEXLEN + 1])
{
	vc_sha256	ctx;
	unsigned char digest[32];
	size_t		pending_newlines = 0;
	size_t		i = 0;

	vc_sha256_init(&ctx);
	while (i < len)
	{
		size_t		start = i,
					end;

		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		end = i;
		while (end > start && is_blank(text[end - 1]))
			end--;
		if (end > start)
		{
			static const char nl = '\n';

			for (; pending_newlines > 0; pending_newlines--)
				vc_sha256_update(&ctx, &nl, 1);
			vc_sha256_update(&ctx, text + start, end - start);
		}
		if (i < len)
		{
			/* CRLF counts as one line end */
			if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
				i++;
			i++;
			pending_newlines++;
		}
	}
	vc_sha256_final(&ctx, digest);
	to_hex(digest, out);
}
