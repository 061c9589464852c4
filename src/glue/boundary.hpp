// The C++/PostgreSQL error boundary (see docs/error-boundary.md).
//
// Rule 1: no C++ exception leaves an extern "C" entry point. Pure C++ work
// (anything that may allocate with new or throw) runs inside cpp_call, which
// catches, lets destructors run, copies the message into a fixed buffer and
// only then raises the PostgreSQL error, outside the catch block.
//
// Rule 2: no PostgreSQL error (a longjmp) unwinds C++ frames that own
// resources. Code that calls PostgreSQL keeps only trivially destructible
// locals (pointers, PODs, palloc'd memory); C++ objects that must outlive a
// call into PostgreSQL are globals or are freed by a memory context callback.
#pragma once

#include "pg.hpp"

#include <cstring>
#include <exception>
#include <new>
#include <type_traits>

namespace mql::pg {

// Raised outside any catch block, so the longjmp crosses no live handler.
[[noreturn]] void raise_cpp_error(const char *where, const char *what, bool out_of_memory);

// Runs pure C++ code that must not call PostgreSQL, converting exceptions.
template <typename F> auto cpp_call(const char *where, F &&f) -> decltype(f()) {
  char message[256];
  bool oom = false;
  message[0] = '\0';
  try {
    return f();
  } catch (const std::bad_alloc &) {
    oom = true;
  } catch (const std::exception &e) {
    std::strncpy(message, e.what(), sizeof(message) - 1);
    message[sizeof(message) - 1] = '\0';
  } catch (...) {
    std::strncpy(message, "unknown exception", sizeof(message) - 1);
  }
  raise_cpp_error(where, message, oom);
}

} // namespace mql::pg
