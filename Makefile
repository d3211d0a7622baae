# Makefile — top level. PGXS builds the PostgreSQL module (one module per
# Makefile, so SQLite and the client are delegated with $(MAKE) -C).
#
#   make            build the PostgreSQL extension, the SQLite extension, the client
#   make install    install the PostgreSQL extension (as root)
#   make check      install dependencies, build, run every test suite
#   make demo       the main job on an embedded SQLite database (no server)
#   make check-core compile core/ with only -Icore: a host header breaks it
#
# The orchestration goals (check, demo, deps) must work on a machine that has
# no pg_config yet, so PGXS is only included for the other goals.

EXTENSION  = viper
EXTVERSION = 0.1.0

ORCHESTRATION_GOALS := check demo deps bench
CORE_SRCS  := $(sort $(wildcard core/*.c))
JANSSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
VIPER_WARN := -Wall -Wextra -Werror
export EXTVERSION

ifneq ($(filter $(ORCHESTRATION_GOALS),$(MAKECMDGOALS)),)

.PHONY: check demo deps bench
deps:
	bash scripts/install-deps
check:
	bash tests/run-all.sh
demo:
	bash scripts/install-deps
	$(MAKE) sqlite
	bash examples/demo.sh
bench:
	bash scripts/install-deps
	bash bench/run.sh

else

MODULE_big = viper
EXT_SRCS   := $(sort $(wildcard extension/*.c))
OBJS       = $(EXT_SRCS:.c=.o) $(CORE_SRCS:.c=.o)
DATA       = $(sort $(wildcard extension/scripts/viper--*.sql))
REGRESS    = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=plpgsql
PG_CPPFLAGS = -Icore $(JANSSON_CFLAGS) -DVIPER_VERSION='"$(EXTVERSION)"'
PG_CFLAGS  = $(VIPER_WARN) -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
# jansson stays a shared library; the one symbol clash with the postgres
# executable (json_object) is avoided in our own code: core/vc_json.h.
SHLIB_LINK = $(JANSSON_LIBS)
EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# Debian's server is built with LLVM; JIT-inlining our few functions is not
# worth requiring clang on every machine that builds viper.
override with_llvm = no
include $(PGXS)

all: sqlite client

.PHONY: sqlite client check-core sqlite-clean client-clean
sqlite:
	$(MAKE) -C sqlite_ext EXTVERSION=$(EXTVERSION)
client:
	$(MAKE) -C client EXTVERSION=$(EXTVERSION)

# core must compile with nothing but its own headers and jansson's
check-core:
	@mkdir -p build/check-core
	@for f in $(CORE_SRCS); do \
	  $(CC) -std=c11 -O2 $(VIPER_WARN) -Wmissing-format-attribute -Wmissing-prototypes -pedantic -Icore $(JANSSON_CFLAGS) \
	    -DVIPER_VERSION='"$(EXTVERSION)"' -c $$f -o build/check-core/$$(basename $$f .c).o || exit 1; \
	done
	@if grep -n 'json_object *(' core/*.c extension/*.c sqlite_ext/*.c | grep -v '^core/vc_json.c:' ; then \
	  echo "check-core: call vc_json_object_new(), not json_object() (see core/vc_json.h)"; exit 1; fi
	@echo "check-core: core/ compiles with -Icore only; no direct json_object() calls"

clean: sqlite-clean client-clean
sqlite-clean:
	$(MAKE) -C sqlite_ext clean
client-clean:
	$(MAKE) -C client clean
	rm -rf build

endif
