// Profile metrics against hand computations: the core mean relative error (normalised
// profiles, positions holding > 1 % of the reference) and the populated-position MRE beside it.
#include "physics/metrics.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace calo::physics {
namespace {

std::vector<ProfilePoint> profile(const std::vector<double>& means) {
  std::vector<ProfilePoint> p;
  for (double m : means) p.push_back({.mean = m, .error = 0.01 * m});
  return p;
}

TEST(ProfileMetrics, CoreMeanRelativeErrorComparesNormalisedProfilesWhereTheEnergyIs) {
  // Reference fractions 0.005, 0.3, 0.6, 0.095: the first is under 1 % and left out.
  const auto r = profile({0.5, 30, 60, 9.5});
  const auto c = profile({2, 40, 50, 8});  // fractions 0.02, 0.4, 0.5, 0.08
  const std::vector<bool> all(4, true);
  const double expected = (0.1 / 0.3 + 0.1 / 0.6 + 0.015 / 0.095) / 3;
  EXPECT_NEAR(profile_metrics(c, r, r, all).core_mean_relative_error, expected, 1e-12);
  // Blind to the scale: the candidate x 3 has the same normalised profile.
  EXPECT_NEAR(profile_metrics(profile({6, 120, 150, 24}), r, r, all).core_mean_relative_error, expected,
              1e-12);
  // ... where the populated-position MRE is not (it compares the means themselves).
  EXPECT_GT(profile_metrics(profile({6, 120, 150, 24}), r, r, all).mean_relative_error, 1.0);
  EXPECT_EQ(profile_metrics(r, r, r, all).core_mean_relative_error, 0.0);
}

TEST(ProfileMetrics, CoreMeanRelativeErrorIsUndefinedForEmptyProfiles) {
  const auto r = profile({1, 2, 3});
  const std::vector<bool> all(3, true);
  EXPECT_TRUE(std::isnan(profile_metrics(profile({0, 0, 0}), r, r, all).core_mean_relative_error));
  EXPECT_TRUE(
      std::isnan(profile_metrics(r, profile({0, 0, 0}), profile({0, 0, 0}), all).core_mean_relative_error));
}

}  // namespace
}  // namespace calo::physics
