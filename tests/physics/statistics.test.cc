// Two-sample statistics against values worked out by hand and the Kolmogorov distribution.
#include "physics/statistics.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/error.hh"
#include "physics/validation.hh"

namespace calo::physics {
namespace {

TEST(Statistics, MeanAndStd) {
  const std::vector<double> v{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(mean_std(v).mean, 2.5);
  EXPECT_DOUBLE_EQ(mean_std(v).std, std::sqrt(5.0 / 3.0));
}

TEST(Statistics, WassersteinOfAShiftIsTheShift) {
  std::vector<double> a, b;
  for (int i = 0; i < 100; ++i) a.push_back(0.1 * i), b.push_back(0.1 * i + 0.37);
  EXPECT_NEAR(wasserstein1(a, b), 0.37, 1e-12);
  EXPECT_NEAR(wasserstein1(b, a), 0.37, 1e-12);
  EXPECT_DOUBLE_EQ(wasserstein1(a, a), 0.0);
}

TEST(Statistics, WassersteinOfUnequalSamples) {
  // {0, 1} vs {0}: half the mass moves by 1.
  EXPECT_DOUBLE_EQ(wasserstein1(std::vector<double>{0, 1}, std::vector<double>{0}), 0.5);
}

TEST(Statistics, KsHandlesTiesAndDisjointSamples) {
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5}), 1.0);
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, 1, 2, 2}, std::vector<double>{1, 2}), 0.0);
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, 1, 1, 2}, std::vector<double>{1, 2, 2, 2}), 0.5);
}

TEST(Statistics, KsPValueFollowsTheKolmogorovDistribution) {
  // Q_KS(lambda) = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2): Q(1.0) = 0.26999967, Q(1.36) ~ 0.0494.
  const double n = 1e12;  // large samples (Stephens correction negligible): lambda = sqrt(n/2) D
  EXPECT_NEAR(ks_p_value(1.0 / std::sqrt(n / 2), n, n), 0.26999967, 1e-6);
  EXPECT_NEAR(ks_p_value(1.36 / std::sqrt(n / 2), n, n), 0.0494, 5e-4);
  EXPECT_DOUBLE_EQ(ks_p_value(0.0, 100, 100), 1.0);
  EXPECT_LT(ks_p_value(1.0, 100, 100), 1e-10);
}

TEST(Statistics, NullExpectationsMatchSampling) {
  // Mean W1 and D of two normal samples of 200 from one parent, over 400 trials, against the
  // asymptotic expectations (within 15 %: finite-size and trial noise).
  std::mt19937_64 rng(7);
  std::normal_distribution<double> gauss(0.0, 2.0);
  auto draw = [&](int n) {
    std::vector<double> v(n);
    for (double& x : v) x = gauss(rng);
    std::sort(v.begin(), v.end());
    return v;
  };
  double w = 0, d = 0;
  const int trials = 400;
  for (int t = 0; t < trials; ++t) {
    const auto a = draw(200), b = draw(200);
    w += wasserstein1(a, b) / trials;
    d += ks_statistic(a, b) / trials;
  }
  const auto parent = draw(100000);
  EXPECT_NEAR(w / expected_wasserstein1(parent, 200, 200), 1.0, 0.15);
  EXPECT_NEAR(d / expected_ks(200, 200), 1.0, 0.15);
}

TEST(Statistics, BinnedVersionsAgreeWithExact) {
  const std::vector<double> a{0.25, 0.75, 1.25}, b{0.25, 1.25, 1.75};  // bins of width 0.5 on [0, 2)
  const std::vector<double> cdf_a{1 / 3., 2 / 3., 1, 1}, cdf_b{1 / 3., 1 / 3., 2 / 3., 1};
  EXPECT_NEAR(binned_wasserstein1(cdf_a, cdf_b, 0.5), wasserstein1(a, b), 1e-12);
  EXPECT_NEAR(binned_ks(cdf_a, cdf_b), ks_statistic(a, b), 1e-12);
}

TEST(EnergyBins, DefaultsAreThe3dganBins) {
  const auto bins = default_energy_bins();
  ASSERT_EQ(bins.size(), 6u);
  EXPECT_EQ(bins[1].label, "100 GeV");
  EXPECT_DOUBLE_EQ(bins[1].lo_gev, 95);
  EXPECT_DOUBLE_EQ(bins[1].hi_gev, 105);
  EXPECT_EQ(bins.back().label, "all");
  EXPECT_TRUE(std::isinf(bins.back().hi_gev));
}

TEST(EnergyBins, ParsesCentresAndRanges) {
  auto bins = parse_energy_bins("50, 100", 10);
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_DOUBLE_EQ(bins[0].lo_gev, 40);
  EXPECT_DOUBLE_EQ(bins[1].hi_gev, 110);
  bins = parse_energy_bins("10:30,30:60.5");
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins[1].label, "30-60.5 GeV");
  EXPECT_EQ(bins[2].label, "all");
}

TEST(EnergyBins, RejectsBadText) {
  for (const char* text : {"abc", "50,,100", "30:10", "-5", "10:x"}) {
    try {
      parse_energy_bins(text);
      ADD_FAILURE() << text;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
      EXPECT_NE(std::string(e.what()).find("energy bin"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace calo::physics
