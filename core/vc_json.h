/*
 * vc_json.h — the one way viper code makes an empty JSON object.
 *
 * The postgres executable exports a SQL-callable C function named
 * json_object, and at dynamic link time an executable's symbol wins over a
 * shared library's: a call to jansson's json_object() from the PostgreSQL
 * module lands in PostgreSQL's function and crashes the backend. jansson's
 * own internal calls are bound directly and are safe, so viper code makes
 * objects through vc_json_object_new(), which reaches jansson without
 * naming that symbol. `make check-core` fails on any direct json_object()
 * call in core/, extension/ or sqlite_ext/.
 */
#ifndef VC_JSON_H
#define VC_JSON_H

#include <jansson.h>

/* A new empty object (a new reference), or NULL when out of memory. */
json_t	   *vc_json_object_new(void);

#endif
