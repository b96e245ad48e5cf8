#pragma once
#include <charconv>
#include <string>

namespace calo::io {

/// A number in the shortest form that reads back to the same value ("0", "0.7", "1e+30").
inline std::string number_text(double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return {buffer, result.ptr};
}

}  // namespace calo::io
