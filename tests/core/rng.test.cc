// calo::Rng (src/core/rng.hh): the per-event random streams that reproducibility rests on.
// The bit stream is compared with an independent Python implementation of splitmix64 and
// xoshiro256** (xoshiro_reference.py); the derived distributions with their exact moments and
// CDFs at fixed seeds, with tolerances of 5 standard errors (deterministic: a fixed seed gives
// the same numbers every run, so these never flake, yet a wrong formula fails them).
#include "core/rng.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.hh"

namespace calo {
namespace {

std::vector<std::uint64_t> reference_stream(std::uint64_t seed, std::uint64_t stream, int count) {
  const std::string command = "/usr/bin/python3 " + std::string(CALO_TEST_SOURCE_DIR) +
                              "/tests/core/xoshiro_reference.py " + std::to_string(seed) + " " +
                              std::to_string(stream) + " " + std::to_string(count);
  std::vector<std::uint64_t> out;
  std::istringstream lines(calo::test::run_command(command, false).output);
  for (std::string line; std::getline(lines, line);) out.push_back(std::stoull(line, nullptr, 16));
  return out;
}

TEST(Rng, BitStreamMatchesIndependentXoshiro256StarStar) {
  // Seeds and streams cover zero, the top bit and large event indices.
  const std::uint64_t seeds[] = {0, 1, 12345, 0xFFFFFFFFFFFFFFFFULL};
  const std::uint64_t streams[] = {0, 1, 999999, 1ULL << 40};
  for (std::uint64_t seed : seeds)
    for (std::uint64_t stream : streams) {
      const auto expected = reference_stream(seed, stream, 100);
      ASSERT_EQ(expected.size(), 100u) << "reference script did not run";
      Rng rng(seed, stream);
      for (std::size_t i = 0; i < expected.size(); ++i)
        ASSERT_EQ(rng.next_u64(), expected[i]) << "seed " << seed << " stream " << stream << " draw " << i;
    }
}

TEST(Rng, SameSeedAndStreamReproduceDifferentOnesDiffer) {
  Rng a(7, 3), b(7, 3), other_stream(7, 4), other_seed(8, 3);
  int same_stream = 0, same_seed = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next_u64();
    ASSERT_EQ(x, b.next_u64());
    same_stream += x == other_stream.next_u64();
    same_seed += x == other_seed.next_u64();
  }
  EXPECT_EQ(same_stream, 0);
  EXPECT_EQ(same_seed, 0);
}

TEST(Rng, NeighbouringStreamsAreUncorrelated) {
  // Events i and i+1 of one run use streams i and i+1: their uniforms must not correlate.
  constexpr int n = 200000;
  for (std::uint64_t stream : {0ULL, 41ULL, 1000ULL}) {
    Rng a(2024, stream), b(2024, stream + 1);
    double sab = 0;
    for (int i = 0; i < n; ++i) sab += (a.uniform() - 0.5) * (b.uniform() - 0.5);
    const double correlation = sab / n * 12.0;  // var(U) = 1/12
    EXPECT_LT(std::abs(correlation), 5.0 / std::sqrt(n)) << "streams " << stream << ", " << stream + 1;
  }
}

TEST(Rng, UniformIsInOpenUnitIntervalWithExactMoments) {
  Rng rng(99, 0);
  constexpr int n = 400000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    lo = std::min(lo, u), hi = std::max(hi, u);
    sum += u, sum2 += u * u;
  }
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 5 * std::sqrt(1.0 / 180 / n));  // var of (U-1/2)^2 is 1/180
}

TEST(Rng, UniformMapsTheExtremeDrawsInsideTheOpenInterval) {
  // The smallest and largest 64-bit draws: (k + 1/2) 2^-53 for k = 2^53 - 1 rounds to 1.0 in
  // double arithmetic, which uniform() must never return (log(1 - u), 1/u callers).
  EXPECT_EQ(Rng::to_open_unit_interval(0), 0x1.0p-54);
  EXPECT_GT(Rng::to_open_unit_interval(0), 0.0);
  EXPECT_LT(Rng::to_open_unit_interval(~0ULL), 1.0);
  EXPECT_EQ(Rng::to_open_unit_interval(~0ULL), std::nextafter(1.0, 0.0));
  // Below the top value the mapping is the plain (k + 1/2) 2^-53, strictly increasing.
  const std::uint64_t k = (1ULL << 53) - 2;
  EXPECT_EQ(Rng::to_open_unit_interval(k << 11), (static_cast<double>(k) + 0.5) * 0x1.0p-53);
  EXPECT_LT(Rng::to_open_unit_interval(k << 11), Rng::to_open_unit_interval(~0ULL));
}

/// Kolmogorov-Smirnov distance of the sorted sample from cdf.
template <class Cdf>
double ks_distance(std::vector<double> x, Cdf cdf) {
  std::ranges::sort(x);
  double d = 0;
  const double n = static_cast<double>(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, std::abs(f - i / n), std::abs((i + 1) / n - f)});
  }
  return d;
}

TEST(Rng, NormalFollowsTheStandardNormalDistribution) {
  Rng rng(5, 17);
  constexpr int n = 100000;
  std::vector<double> x(n);
  double sum = 0, sum2 = 0;
  for (double& v : x) v = rng.normal(), sum += v, sum2 += v * v;
  EXPECT_NEAR(sum / n, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(sum2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  // KS critical value at alpha = 1e-4 is about 2.0 / sqrt(n).
  EXPECT_LT(ks_distance(x, [](double t) { return 0.5 * std::erfc(-t / std::sqrt(2.0)); }),
            2.0 / std::sqrt(n));
}

TEST(Rng, ExponentialFollowsUnitExponentialDistribution) {
  Rng rng(6, 0);
  constexpr int n = 100000;
  std::vector<double> x(n);
  double sum = 0;
  for (double& v : x) v = rng.exponential(), sum += v;
  EXPECT_NEAR(sum / n, 1.0, 5 / std::sqrt(n));
  EXPECT_LT(ks_distance(x, [](double t) { return 1 - std::exp(-t); }), 2.0 / std::sqrt(n));
}

TEST(Rng, PoissonHasMeanAndVarianceMu) {
  // Both branches: inversion (mu <= 60) and the Gaussian approximation above.
  for (double mu : {0.3, 4.0, 45.0, 200.0}) {
    Rng rng(8, static_cast<std::uint64_t>(mu * 10));
    constexpr int n = 100000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; ++i) {
      const double k = static_cast<double>(rng.poisson(mu));
      sum += k, sum2 += k * k;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, mu, 5 * std::sqrt(mu / n)) << "mu " << mu;
    // var of the sample variance ~ (mu + 2 mu^2) / n for a Poisson variable
    EXPECT_NEAR(var, mu, 5 * std::sqrt((mu + 2 * mu * mu) / n)) << "mu " << mu;
  }
  Rng rng(1, 1);
  EXPECT_EQ(rng.poisson(0.0), 0);
  EXPECT_EQ(rng.poisson(-1.0), 0);
}

TEST(Rng, PoissonSmallMeanMatchesProbabilityMassFunction) {
  constexpr double mu = 2.5;
  constexpr int n = 200000;
  std::array<int, 12> counts{};
  Rng rng(10, 2);
  for (int i = 0; i < n; ++i) {
    const long k = rng.poisson(mu);
    if (k < static_cast<long>(counts.size())) ++counts[k];
  }
  double p = std::exp(-mu);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    EXPECT_NEAR(counts[k] / double(n), p, 5 * std::sqrt(p * (1 - p) / n) + 1e-6) << "k = " << k;
    p *= mu / (k + 1);
  }
}

}  // namespace
}  // namespace calo
