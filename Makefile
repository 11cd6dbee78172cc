# journey — PGXS build.  Quick start (see README.md):
#   make demo    set up everything, show what journey answers
#   make test    set up everything, run every test suite
# A DBA with an own server:  make && sudo make install && make installcheck

EXTENSION  = journey
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" journey.control)

MODULE_big = journey
ENGINE_SRCS = $(sort $(wildcard src/engine/*.c))
GLUE_SRCS   = $(sort $(wildcard src/*.c))
OBJS = $(ENGINE_SRCS:.c=.o) $(GLUE_SRCS:.c=.o)

# The install script of the current version is assembled from one fragment
# per capability (src/sql/NN_name.sql), in file-name order.  Once a version is
# released its script is frozen: later changes go into journey--A--B.sql.
# Each fragment goes through the C preprocessor in traditional mode (the PostGIS
# way: gcc's cpp, which build-essential brings) and a sed step, so that a shape
# declared again and again is written once as a macro in src/sql/jy_sqldefs.h
# (how: see that header and doc/DEVELOPING.md).
SQL_FRAGMENTS = $(sort $(wildcard src/sql/*.sql))
SQL_MACROS = src/sql/jy_sqldefs.h src/sql/jy_sqlpp.sed
SQL_CPP = cpp -traditional-cpp -undef -nostdinc -P -w
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built),$(wildcard $(EXTENSION)--*.sql))

# pg_regress: 'setup' first (creates the extension), then every sql/*.sql.
REGRESS_ALL = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS = setup $(filter-out setup,$(REGRESS_ALL))

REGRESS_OPTS = --load-extension=plpgsql

PG_CONFIG ?= pg_config
# Our code builds with -Wall -Wextra -Werror.  PostgreSQL's own headers are not
# -Wextra clean (unused parameters in inline functions), so they are included
# as system headers: warnings in them are not ours to fix.
PG_CPPFLAGS = -Isrc -Isrc/engine -isystem $(shell $(PG_CONFIG) --includedir-server)
PG_CFLAGS = -Wall -Wextra -Werror

EXTRA_CLEAN = $(JY_DEPS) bench/micro $(DATA_built) $(DATA_built).tmp $(DATA_built).cpp test/unit/bin test/fuzz/bin results regression.diffs regression.out

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifeq ($(PGXS),)
$(error pg_config --pgxs found nothing: install postgresql-server-dev-15 (apt-get install postgresql-server-dev-15), or run 'make test' / 'make demo' as root to have it installed)
endif
include $(PGXS)

# Header dependencies: compiling src/x.c also writes src/x.d (gcc -MMD -MP), the headers it read, as
# prerequisites of src/x.o and of the JIT bitcode src/x.bc made from the same source; make reads the
# .d files back, so a changed header rebuilds every object that includes it (-MP: a deleted header is
# no error).  An object without its .d (built before this rule existed, or the .d deleted) is rebuilt
# unconditionally, since nothing says which headers it depends on.  (The usual trick of a .d
# prerequisite with an empty rule does not work under PGXS, whose `.SECONDARY:` keeps a missing .d
# from counting as remade.)
JY_DEPS = $(OBJS:.o=.d)
%.o: %.c
	$(CC) $(CFLAGS) $(CPPFLAGS) -MMD -MP -MT $@ -MT $*.bc -c -o $@ $<
$(foreach o,$(OBJS),$(if $(wildcard $(o:.o=.d)),,$(o))): jy-no-depfile
.PHONY: jy-no-depfile
jy-no-depfile:
include $(wildcard $(JY_DEPS))

$(DATA_built): $(SQL_FRAGMENTS) $(SQL_MACROS) journey.control
	@{ printf '%s\n' '-- journey $(EXTVERSION) install script. Generated from src/sql/*.sql by make: edit those.'; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION journey" to load this file. \quit'; \
	   for f in $(SQL_FRAGMENTS); do printf '\n-- ---- %s ----\n' "$$f"; \
	     $(SQL_CPP) "$$f" > $@.cpp || exit 1; sed -f src/sql/jy_sqlpp.sed $@.cpp || exit 1; done; } > $@.tmp
	@rm -f $@.cpp; if grep -n '#' $@.tmp >&2; then \
	   echo '$@: a # is left after cpp (a macro call gone wrong, or a # in SQL: see src/sql/jy_sqldefs.h)' >&2; exit 1; fi
	@mv $@.tmp $@

# ---- the two README commands, and friends -------------------------------
.PHONY: test demo bench unit fuzz-smoke check-all pictures
test:
	@bash test/run.sh test
demo:
	@bash test/run.sh demo
bench:
	@bash test/run.sh bench $(if $(SCALE),SCALE=$(SCALE))
check-all:
	@bash test/check-all.sh
fuzz-smoke:
	@bash test/fuzz-smoke.sh

# doc/img/*.svg from the demo data (gnuplot + python3; see doc/img/render.sh)
pictures:
	@bash test/run.sh pictures

# Engine unit tests: plain C, no server (never include postgres.h).  The engines are compiled once
# into test/unit/bin/obj/ and linked into every test binary; each compile writes its .d (as above).
UNIT_SRCS = $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS = $(patsubst test/unit/%.c,test/unit/bin/%,$(UNIT_SRCS))
UNIT_ENGINE_OBJS = $(patsubst src/engine/%.c,test/unit/bin/obj/%.o,$(ENGINE_SRCS))
ENGINE_CFLAGS = -O2 -g -std=gnu11 -Wall -Wextra -Werror -Isrc/engine
$(UNIT_ENGINE_OBJS): test/unit/bin/obj/%.o: src/engine/%.c
	@mkdir -p test/unit/bin/obj
	$(CC) $(ENGINE_CFLAGS) -MMD -MP -c -o $@ $<
$(UNIT_BINS): test/unit/bin/%: test/unit/%.c $(UNIT_ENGINE_OBJS)
	$(CC) $(ENGINE_CFLAGS) -MMD -MP -MF $@.d -MT $@ -o $@ $< $(UNIT_ENGINE_OBJS) -lm
-include $(UNIT_ENGINE_OBJS:.o=.d) $(UNIT_BINS:=.d)
unit: $(UNIT_BINS)
	@bash test/unit/run.sh $(UNIT_BINS)

# Engine micro-benchmarks (make bench runs them first).
bench/micro: bench/micro.c $(ENGINE_SRCS) $(wildcard src/engine/*.h)
	$(CC) $(ENGINE_CFLAGS) -o $@ bench/micro.c $(ENGINE_SRCS) -lm

# Debian package of the committed tree (HEAD): postgresql-15-journey_<version>-1_<arch>.deb in this
# directory, then lintian on it (warnings are explained in doc/DEVELOPING.md).  Needs debhelper,
# postgresql-server-dev-all, dpkg-dev, lintian (as root: apt-get install them).
.PHONY: deb
deb:
	@d=$$(mktemp -d /tmp/journey-deb.XXXXXX) && mkdir -p "$$d/journey-$(EXTVERSION)" && \
	 git archive HEAD | tar -x -C "$$d/journey-$(EXTVERSION)" && \
	 (cd "$$d/journey-$(EXTVERSION)" && dpkg-buildpackage -us -uc -b >"$$d/build.log" 2>&1) || \
	   { tail -40 "$$d/build.log"; exit 1; }; \
	 cp "$$d"/*.deb . && ls -l "$$d"/*.deb && \
	 (command -v lintian >/dev/null && lintian --info "$$d"/*.changes || true); rm -rf "$$d"
