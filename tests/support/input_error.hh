#pragma once
// Shared by the test suites: checks on the one-line InputError messages users see.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hh"

namespace calo::test {

/// The message of the InputError that body throws; records a test failure if it throws none.
template <class Body>
std::string input_error_message(Body&& body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected calo::InputError";
  return {};
}

/// True when text contains fragment (for message checks that print the text on failure).
inline bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

}  // namespace calo::test
