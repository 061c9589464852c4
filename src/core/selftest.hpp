// A deliberate failure inside the core, reachable from SQL through
// mql.core_selftest(), so tests can prove that a C++ exception becomes a
// clean PostgreSQL ERROR and the backend survives.
#pragma once

#include <string_view>

namespace mql {

// Throws std::runtime_error for "runtime", std::bad_alloc for "bad_alloc",
// an int for "other"; returns normally for anything else.
void throw_for_test(std::string_view kind);

} // namespace mql
