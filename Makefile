# pg_mql: PGXS build of the extension. The pure C++ core and its unit tests
# are also built by CMakeLists.txt.
EXTENSION = pg_mql
EXTVERSION = 1.1
MODULE_big = pg_mql

CORE_OBJS = src/core/stage.o src/core/decay.o src/core/fit_rules.o src/core/qualify.o \
            src/core/selftest.o src/core/percentile.o src/core/facts.o \
            src/core/event_merge.o src/core/event_radix.o
GLUE_OBJS = src/glue/module.o src/glue/boundary.o src/glue/stage_type.o src/glue/config.o \
            src/glue/transition.o src/glue/lead_triggers.o src/glue/event_trigger.o \
            src/glue/functions.o src/glue/percentile_agg.o src/glue/input_checks.o \
            src/glue/owner_scope.o src/glue/lead_facts.o src/glue/event_sort.o \
            src/glue/lead_direct.o src/glue/lead_cols.o
OBJS = $(CORE_OBJS) $(GLUE_OBJS)

# The versioned install script is assembled from src/sql/, in file order.
SQL_PARTS = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
# Earlier versions' install scripts (frozen) and the update scripts between them.
DATA = $(sort $(wildcard src/upgrade/$(EXTENSION)--*.sql))
EXTRA_CLEAN = $(EXTENSION)--$(EXTVERSION).sql $(OBJS:.o=.d)

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=plpgsql
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src/core -I$(srcdir)/src/glue
# -MMD -MP: each object's header dependencies, so that a changed header
# rebuilds the objects that include it (PGXS tracks them only in a
# PostgreSQL built with --enable-depend, which Debian's is not).
PG_CXXFLAGS = -std=c++17 -Wno-register -fno-omit-frame-pointer -MMD -MP
SHLIB_LINK = -lstdc++

# No LLVM bitcode: JIT inlining of this module is not worth a clang dependency.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
-include $(OBJS:.o=.d)


$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS)
	cat $^ > $@

# The benchmark in a throwaway cluster (docs/benchmarks.md).
.PHONY: bench
bench:
	scripts/bench.sh
