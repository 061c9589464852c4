// The deliberate core failure behind mql.core_selftest(): each kind throws
// what the SQL tests expect, and anything else returns normally.
#include "selftest.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

namespace mql {
namespace {

TEST(ThrowForTest, ThrowsEachKind) {
  EXPECT_THROW(throw_for_test("runtime"), std::runtime_error);
  EXPECT_THROW(throw_for_test("bad_alloc"), std::bad_alloc);
  EXPECT_THROW(throw_for_test("other"), int);
  EXPECT_NO_THROW(throw_for_test("none"));
}

} // namespace
} // namespace mql
