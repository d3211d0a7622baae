/*
 * vc_patch.h — the argument rules of the data-patch functions (DESIGN §4),
 * shared by both hosts so that viper.patch_claim and viper_patch_claim
 * accept and reject exactly the same input with the same messages.
 *
 * The hosts own everything that touches the database (locks, the patches
 * table, running the patch); core only checks names, phases, orders and
 * checksums and derives a patch's app from its name.
 */
#ifndef VC_PATCH_H
#define VC_PATCH_H

#include <stddef.h>

#include "vc_error.h"

/* A patch name has 1..VC_PATCH_NAME_MAX bytes and no control character. */
#define VC_PATCH_NAME_MAX 200

/* 22023 unless name is 1..200 bytes without control characters. */
vc_code		vc_patch_check_name(const char *name, size_t len, vc_error *err);

/* 22023 unless phase is exactly "pre" or "post". */
vc_code		vc_patch_check_phase(const char *phase, size_t len, vc_error *err);

/* 22023 unless checksum is 64 lower-case hexadecimal digits. */
vc_code		vc_patch_check_checksum(const char *checksum, size_t len,
									vc_error *err);

/*
 * 22023 for a missing argument (SQL NULL): what names the argument
 * ("name", "sql", "phase", "order", "checksum").
 */
vc_code		vc_patch_null_arg(const char *what, vc_error *err);

/*
 * The app a patch belongs to: the bytes of name before its first '.'.
 * Returns that length, or 0 when the name has no '.' or starts with one
 * (the patch then has no app).
 */
size_t		vc_patch_app_len(const char *name, size_t len);

/* The 12-character prefix of a checksum shown in messages. */
#define VC_PATCH_CHECKSUM_SHOWN 12

#endif
