#pragma once
// Shared by the test suites: the one relative-error measure the numerical comparisons use.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <ranges>

namespace calo::test {

/// max|got - want| / max|want|: one scale per tensor, so elements near zero (most of a
/// gradient) are judged against the tensor's magnitude, not their own. Infinity when the sizes
/// differ (a comparison that cannot hold); the absolute difference when want is all zeros.
template <std::ranges::sized_range Got, std::ranges::sized_range Want>
double relative_error(const Got& got, const Want& want) {
  if (std::ranges::size(got) != std::ranges::size(want)) return std::numeric_limits<double>::infinity();
  double diff = 0, scale = 0;
  auto g = std::ranges::begin(got);
  for (auto w = std::ranges::begin(want); w != std::ranges::end(want); ++w, ++g) {
    diff = std::max(diff, std::abs(static_cast<double>(*g) - static_cast<double>(*w)));
    scale = std::max(scale, std::abs(static_cast<double>(*w)));
  }
  return scale > 0 ? diff / scale : diff;
}

}  // namespace calo::test
