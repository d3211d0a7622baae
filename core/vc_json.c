/*
 * vc_json.c — see vc_json.h: an empty JSON object made without calling the
 * json_object symbol that the postgres executable interposes.
 */
#include "vc_json.h"

json_t *
vc_json_object_new(void)
{
	return json_pack("{}");
}
