#pragma once
// The statistical baseline splits the reference events of each energy bin into two halves
// several times (docs/validation.md, "Baseline"): split 0 is even/odd position in the bin (the
// plotted halves A and B), splits 1..kBaselineSplits-1 are pseudo-random by that position. Averaging the
// half-vs-half metrics over the splits makes the baseline a stable estimate of the statistical noise instead
// of a single draw of it.
#include <cstdint>

namespace calo::physics {

inline constexpr int kBaselineSplits = 8;

/// Half (0 = A, 1 = B) of the reference event at `event` (its position in the bin) in split k.
inline int split_half(std::uint64_t event, int k) {
  if (k == 0) return int(event & 1);
  // splitmix64 finaliser of (event, k): independent, reproducible halves.
  std::uint64_t z = event + 0x9E3779B97F4A7C15ull * std::uint64_t(k + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return int(z >> 63);
}

}  // namespace calo::physics
