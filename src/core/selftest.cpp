#include "selftest.hpp"

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

// Last: fails the build if anything above pulled in a PostgreSQL header.
#include "cpp_only.hpp"

namespace mql {

void throw_for_test(std::string_view kind) {
  // Own some memory on the way out so a sanitizer would see a leak if the
  // boundary skipped destructors.
  std::vector<std::string> owned(4, std::string(64, 'x'));
  if (kind == "runtime")
    throw std::runtime_error("core self-test failure (" + owned[0].substr(0, 3) + ")");
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "other") throw 42;
}

} // namespace mql
