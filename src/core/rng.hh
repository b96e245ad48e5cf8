#pragma once
// Random numbers: xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64.
// Each event gets its own stream derived from (run seed, event index), so results do not
// depend on how events are spread over threads.
#include <cmath>
#include <cstdint>

namespace calo {

class Rng {
 public:
  /// Stream for one event: independent of thread count and event order.
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t x = seed ^ (0x9E3779B97F4A7C15ULL * (stream + 1));
    for (auto& s : s_) s = splitmix64(x);
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Word i < 4 of xoshiro's state: lets a vectorised generator run several streams side by
  /// side and draw exactly what next_u64() would (nn's Dropout masks).
  std::uint64_t state(int i) const { return s_[i]; }

  /// Uniform in the open interval (0, 1): safe for log().
  double uniform() { return to_open_unit_interval(next_u64()); }

  /// The top 53 bits k of a 64-bit draw as (k + 1/2) 2^-53. For k = 2^53 - 1 that sum is not
  /// representable and rounds (to even) up to 1.0 exactly, so the largest value is clamped to
  /// the double just below 1; every other k maps as before, so streams are unchanged.
  static double to_open_unit_interval(std::uint64_t bits) {
    const double u = (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
    return u < 0x1.fffffffffffffp-1 ? u : 0x1.fffffffffffffp-1;
  }

  /// -ln(u): the number of mean free paths to the next interaction.
  double exponential() { return -std::log(uniform()); }

  /// Standard normal (Marsaglia polar method, caching the second value).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

  /// Poisson-distributed count with mean mu (inversion for small mu, Gaussian for large).
  long poisson(double mu) {
    if (mu <= 0.0) return 0;
    if (mu > 60.0) {
      const double x = mu + std::sqrt(mu) * normal() + 0.5;
      return x < 0.0 ? 0 : static_cast<long>(x);
    }
    const double limit = std::exp(-mu);
    long n = 0;
    double p = uniform();
    while (p > limit) {
      p *= uniform();
      ++n;
    }
    return n;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace calo
