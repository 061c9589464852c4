// Included last by every core source file: the core must stay free of PostgreSQL
// headers so it can be unit-tested, fuzzed and benchmarked on its own.
#pragma once

#ifdef PG_VERSION_NUM
static_assert(false, "the pg_mql core must not include PostgreSQL headers");
#endif
