/*
 * vc.h — umbrella header of the portable core. Hosts include this one.
 * The core is C11 + jansson only: no postgres.h, no sqlite3.h (the
 * check-core target proves it by compiling with -Icore alone).
 */
#ifndef VC_H
#define VC_H

#include "vc_error.h"
#include "vc_alloc.h"
#include "vc_validate.h"
#include "vc_features.h"


#endif
