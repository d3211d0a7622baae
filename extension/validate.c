/*
 * validate.c — SQL-callable wrappers of the validation functions of
 * DESIGN §7. Each wrapper only unpacks its arguments, calls core and
 * converts the result; every rule lives in core (vc_ident.c, vc_expr.c,
 * vc_regex.c) so the SQLite host applies exactly the same ones.
 *
 * Functions that "return the name" hand back their input datum unchanged.
 * Results built by core are palloc'd in the call's memory context.
 */
#include "postgres.h"

#include "fmgr.h"

#include "pg_alloc.h"
#include "pg_error.h"

PG_FUNCTION_INFO_V1(viper_validate_identifier);
PG_FUNCTION_INFO_V1(viper_assert_safe_table_name);
PG_FUNCTION_INFO_V1(viper_quote_identifier);
PG_FUNCTION_INFO_V1(viper_validate_sql_expression);
PG_FUNCTION_INFO_V1(viper_escape_like);
PG_FUNCTION_INFO_V1(viper_validate_regex_pattern);
PG_FUNCTION_INFO_V1(viper_validate_on_delete);
PG_FUNCTION_INFO_V1(viper_mask_url);

/* viper.validate_identifier(name text, description text) → name */
Datum
viper_validate_identifier(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	char	   *description = viper_arg_cstring(fcinfo, 1);
	vc_error	err;

	if (vc_ident_validate(VIPER_TEXT_PTR(name), VIPER_TEXT_LEN(name),
						  description, &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* viper.assert_safe_table_name(name text) → name */
Datum
viper_assert_safe_table_name(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	vc_error	err;

	if (vc_ident_validate(VIPER_TEXT_PTR(name), VIPER_TEXT_LEN(name),
						  "table name", &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* viper.quote_identifier(name text, dialect text) → quoted name */
Datum
viper_quote_identifier(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	text	   *dialect_name = PG_GETARG_TEXT_PP(1);
	vc_dialect	dialect;
	vc_error	err;
	char	   *out;
	size_t		outlen;

	if (vc_dialect_parse(VIPER_TEXT_PTR(dialect_name),
						 VIPER_TEXT_LEN(dialect_name), &dialect, &err) != VC_OK)
		viper_pg_raise(&err);
	if (vc_ident_quote(&viper_pg_alloc, VIPER_TEXT_PTR(name),
					   VIPER_TEXT_LEN(name), dialect, &out, &outlen,
					   &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_TEXT_P(viper_text_from(out, outlen));
}

/*
 * viper.validate_sql_expression(expr text, field_name text, context text)
 * → expr. Not STRICT: field_name and context default to NULL and only
 * colour the message; a NULL expression gives NULL.
 */
Datum
viper_validate_sql_expression(PG_FUNCTION_ARGS)
{
	text	   *expr;
	char	   *field_name;
	char	   *context;
	vc_error	err;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	expr = PG_GETARG_TEXT_PP(0);
	field_name = viper_arg_cstring(fcinfo, 1);
	context = viper_arg_cstring(fcinfo, 2);
	if (vc_expr_validate(VIPER_TEXT_PTR(expr), VIPER_TEXT_LEN(expr),
						 NULL, 0, field_name, context, 0, &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* viper.escape_like(value text) → value with %, _ and \ escaped by \ */
Datum
viper_escape_like(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	vc_error	err;
	char	   *out;
	size_t		outlen;

	if (vc_like_escape(&viper_pg_alloc, VIPER_TEXT_PTR(value),
					   VIPER_TEXT_LEN(value), &out, &outlen, &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_TEXT_P(viper_text_from(out, outlen));
}

/* viper.validate_regex_pattern(pattern text) → pattern */
Datum
viper_validate_regex_pattern(PG_FUNCTION_ARGS)
{
	text	   *pattern = PG_GETARG_TEXT_PP(0);
	vc_error	err;

	if (vc_regex_validate(VIPER_TEXT_PTR(pattern), VIPER_TEXT_LEN(pattern),
						  &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* viper.validate_on_delete(action text) → normalised upper-case action */
Datum
viper_validate_on_delete(PG_FUNCTION_ARGS)
{
	text	   *action = PG_GETARG_TEXT_PP(0);
	const char *out;
	vc_error	err;

	if (vc_on_delete_normalize(VIPER_TEXT_PTR(action), VIPER_TEXT_LEN(action),
							   &out, &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_TEXT_P(viper_text_from(out, strlen(out)));
}

/* viper.mask_url(url text) → url with its password replaced by *** */
Datum
viper_mask_url(PG_FUNCTION_ARGS)
{
	text	   *url = PG_GETARG_TEXT_PP(0);
	vc_error	err;
	char	   *out;
	size_t		outlen;

	if (vc_url_mask(&viper_pg_alloc, VIPER_TEXT_PTR(url), VIPER_TEXT_LEN(url),
					&out, &outlen, &err) != VC_OK)
		viper_pg_raise(&err);
	PG_RETURN_TEXT_P(viper_text_from(out, outlen));
}
