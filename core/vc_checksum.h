/*
 * vc_checksum.h — the checksum of a data patch (DESIGN §4): SHA-256 over
 * the patch text after normalisation, so that a patch re-saved with other
 * line endings or trailing blanks is recognised as unchanged.
 *
 * Normalisation (algorithm "sha256-norm-v1", stored beside the checksum so
 * it can change later without every patch looking modified):
 *   - CRLF and lone CR become LF;
 *   - blanks (space, tab, vertical tab, form feed) at the end of each line
 *     are removed;
 *   - blank lines and white space at the end of the text are removed.
 */
#ifndef VC_CHECKSUM_H
#define VC_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define VC_CHECKSUM_ALGORITHM "sha256-norm-v1"
#define VC_CHECKSUM_HEXLEN 64

typedef struct vc_sha256
{
	uint32_t	state[8];
	uint64_t	nbytes;
	unsigned char block[64];
	size_t		fill;
} vc_sha256;

void		vc_sha256_init(vc_sha256 *ctx);
void		vc_sha256_update(vc_sha256 *ctx, const void *data, size_t len);
void		vc_sha256_final(vc_sha256 *ctx, unsigned char digest[32]);

/* Lower-case hex SHA-256 of len bytes; out holds 65 bytes. */
void		vc_sha256_hex(const void *data, size_t len, char out[VC_CHECKSUM_HEXLEN + 1]);

/*
 * Checksum of a patch's text under VC_CHECKSUM_ALGORITHM. Streams the
 * normalised text into the hash without allocating.
 */
void		vc_patch_checksum(const char *text, size_t len,
							  char out[VC_CHECKSUM_HEXLEN + 1]);

#endif
