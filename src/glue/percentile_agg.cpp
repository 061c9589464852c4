// mql.percentile_hours(value, count, fraction): percentile_cont over a
// histogram of (whole hours, count) rows, without expanding the rows. The
// transition function collects the pairs; the final function hands them to
// the core (weighted_percentile), which is noexcept and does not allocate.
//
// Error boundary: only palloc'd plain data here (no C++ object with a
// destructor), so an ereport from PostgreSQL skips nothing, and nothing
// here can throw.
#include "pg.hpp"

#include "percentile.hpp"

#include <cmath>

extern "C" {
PG_FUNCTION_INFO_V1(mql_percentile_hours_trans);
PG_FUNCTION_INFO_V1(mql_percentile_hours_final);
}

using namespace mql;

namespace {

// The aggregate's state, in the aggregate memory context: the buckets seen
// so far (count > 0 only) and the fraction of the first row that had one.
struct PercentileState {
  WeightedValue *items;
  size_t n;
  size_t cap;
  double fraction;
  bool has_fraction;
};

constexpr size_t kInitialCap = 16;

} // namespace

// (internal, integer, bigint, double precision) -> internal. Not strict:
// NULL value or count rows are skipped, counts of equal values are netted
// (negative counts subtract) and only positive nets count; the fraction is taken from the first
// row where it is not NULL, and every non-NULL fraction must be in [0, 1].
Datum mql_percentile_hours_trans(PG_FUNCTION_ARGS) {
  MemoryContext aggcontext;
  if (!AggCheckCallContext(fcinfo, &aggcontext))
    elog(ERROR, "mql_percentile_hours_trans called in non-aggregate context");

  PercentileState *state;
  if (PG_ARGISNULL(0)) {
    state = (PercentileState *)MemoryContextAllocZero(aggcontext, sizeof(PercentileState));
    state->items =
        (WeightedValue *)MemoryContextAllocHuge(aggcontext, sizeof(WeightedValue) * kInitialCap);
    state->cap = kInitialCap;
  } else {
    state = (PercentileState *)PG_GETARG_POINTER(0);
  }

  if (!PG_ARGISNULL(3)) {
    double fraction = PG_GETARG_FLOAT8(3);
    if (std::isnan(fraction) || fraction < 0 || fraction > 1)
      ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                      errmsg("percentile fraction must be between 0 and 1"),
                      errdetail("The fraction is %g.", fraction)));
    if (!state->has_fraction) {
      state->fraction = fraction;
      state->has_fraction = true;
    }
  }

  if (PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_POINTER(state);
  int64 count = PG_GETARG_INT64(2);
  if (count == 0) PG_RETURN_POINTER(state); // contributes nothing
  // A negative count is kept: it cancels rows of the same value (the final
  // function nets them), as a rollup's pending subtractions do.
  if (state->n == state->cap) {
    if (state->cap > MaxAllocHugeSize / sizeof(WeightedValue) / 2)
      ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                      errmsg("too many rows for mql.percentile_hours")));
    state->cap *= 2;
    state->items = (WeightedValue *)repalloc_huge(state->items, sizeof(WeightedValue) * state->cap);
  }
  state->items[state->n].value = PG_GETARG_INT32(1);
  state->items[state->n].count = count;
  state->n++;
  PG_RETURN_POINTER(state);
}

// (internal) -> double precision: NULL when no row counted or every
// fraction was NULL. Sorting the buckets in place reorders the state but
// leaves the multiset unchanged, so the aggregate may keep accumulating
// (window functions) and the state may be shared.
Datum mql_percentile_hours_final(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  PercentileState *state = (PercentileState *)PG_GETARG_POINTER(0);
  if (!state->has_fraction) PG_RETURN_NULL();
  // Net equal values (sorting in place keeps the multiset, so the aggregate
  // may go on accumulating as a window function).
  size_t n = state->n;
  if (!merge_weighted(state->items, n))
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("percentile counts add up to more than the bigint range")));
  state->n = n;
  std::optional<double> result = weighted_percentile(state->items, state->n, state->fraction);
  if (!result && state->n > 0)
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("percentile counts add up to more than the bigint range")));
  if (!result) PG_RETURN_NULL();
  PG_RETURN_FLOAT8(*result);
}
