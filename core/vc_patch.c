/*
 * vc_patch.c — argument checks of the data-patch functions (vc_patch.h).
 * Pure functions over (pointer, length) strings; nothing is allocated, and
 * user input reaches a message only through vc_echo (at most ~64 bytes,
 * control characters shown as '?').
 */
#include "vc_patch.h"

#include <string.h>

vc_code
vc_patch_check_name(const char *name, size_t len, vc_error *err)
{
	char		shown[VC_ECHO_BUFSZ];
	size_t		i;

	if (len == 0)
	{
		vc_error_set(err, VC_ERR_INVALID_PARAM, "patch name must not be empty");
		vc_error_hint(err, "Name patches like \"app.0001_description\".");
		return VC_ERR_INVALID_PARAM;
	}
	if (len > VC_PATCH_NAME_MAX)
	{
		vc_error_set(err, VC_ERR_INVALID_PARAM, "patch name \"%s\" is too long",
					 vc_echo(shown, sizeof(shown), name, len));
		vc_error_detail(err, "A patch name has at most %d bytes; this one has %zu.",
						VC_PATCH_NAME_MAX, len);
		return VC_ERR_INVALID_PARAM;
	}
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];

		if (c < 0x20 || c == 0x7f)
		{
			vc_error_set(err, VC_ERR_INVALID_PARAM,
						 "patch name \"%s\" contains a control character",
						 vc_echo(shown, sizeof(shown), name, len));
			vc_error_detail(err, "Byte %zu of the name is 0x%02x.", i + 1,
							(unsigned) c);
			return VC_ERR_INVALID_PARAM;
		}
	}
	return VC_OK;
}

vc_code
vc_patch_check_phase(const char *phase, size_t len, vc_error *err)
{
	char		shown[VC_ECHO_BUFSZ];

	if ((len == 3 && memcmp(phase, "pre", 3) == 0) ||
		(len == 4 && memcmp(phase, "post", 4) == 0))
		return VC_OK;
	vc_error_set(err, VC_ERR_INVALID_PARAM, "invalid patch phase \"%s\"",
				 vc_echo(shown, sizeof(shown), phase, len));
	vc_error_hint(err, "The phase is \"pre\" (runs before the schema sync) "
				  "or \"post\" (runs after it).");
	return VC_ERR_INVALID_PARAM;
}

vc_code
vc_patch_check_checksum(const char *checksum, size_t len, vc_error *err)
{
	char		shown[VC_ECHO_BUFSZ];
	size_t		i;

	for (i = 0; i < len && len == 64; i++)
	{
		char		c = checksum[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			break;
	}
	if (len == 64 && i == len)
		return VC_OK;
	vc_error_set(err, VC_ERR_INVALID_PARAM, "invalid patch checksum \"%s\"",
				 vc_echo(shown, sizeof(shown), checksum, len));
	vc_error_detail(err, "A patch checksum is 64 lower-case hexadecimal digits "
					"(SHA-256 of the normalised patch text).");
	vc_error_hint(err, "Compute it with vc_patch_checksum(), or let "
				  "apply_patch compute it from the text.");
	return VC_ERR_INVALID_PARAM;
}

vc_code
vc_patch_null_arg(const char *what, vc_error *err)
{
	vc_error_set(err, VC_ERR_INVALID_PARAM, "patch %s must not be null", what);
	return VC_ERR_INVALID_PARAM;
}

size_t
vc_patch_app_len(const char *name, size_t len)
{
	const char *dot = memchr(name, '.', len);

	return dot == NULL ? 0 : (size_t) (dot - name);
}
