#pragma once
// Test-side unwrapping of simdjson results. The project builds simdjson without exceptions
// (SIMDJSON_EXCEPTIONS=0, see CMakeLists.txt), so every result is checked before use: here a
// failed check fails the current test and yields a default value instead of throwing.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <utility>

namespace consentry::test_support {

template <typename T>
T ok(simdjson::simdjson_result<T> result) {
  T value{};
  const simdjson::error_code error = std::move(result).get(value);
  EXPECT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error);
  return value;
}

// A DOM element read as T (what `int64_t(doc["x"])` did with exceptions).
template <typename T>
T as(const simdjson::simdjson_result<simdjson::dom::element>& element) {
  return ok(element.get<T>());
}

}  // namespace consentry::test_support
