#include "sim/transport/energy_spectrum.hh"

#include <gtest/gtest.h>

#include "core/error.hh"
#include "core/units.hh"

namespace calo::sim {
namespace {

TEST(EnergySpectrum, FixedListIsCycledInEventOrder) {
  const EnergySpectrum s = EnergySpectrum::parse("10,50,100");
  Rng rng(1, 0);
  EXPECT_DOUBLE_EQ(s.energy_of(0, rng), 10 * units::GeV);
  EXPECT_DOUBLE_EQ(s.energy_of(1, rng), 50 * units::GeV);
  EXPECT_DOUBLE_EQ(s.energy_of(5, rng), 100 * units::GeV);
}

TEST(EnergySpectrum, RangeIsUniformBetweenItsEnds) {
  const EnergySpectrum s = EnergySpectrum::parse("2:500");
  Rng rng(7, 0);
  double sum = 0, lo = 1e30, hi = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double e = s.energy_of(i, rng) / units::GeV;
    sum += e;
    lo = std::min(lo, e);
    hi = std::max(hi, e);
  }
  EXPECT_GE(lo, 2.0);
  EXPECT_LE(hi, 500.0);
  // mean 251 with standard error 498/sqrt(12 n) = 1.0
  EXPECT_NEAR(sum / n, 251.0, 4.0);
}

TEST(EnergySpectrum, RefusesNonPositiveNanAndGarbage) {
  for (const char* bad : {"0", "-5", "nan", "inf", "abc", "", "10,", "5:2", "1:1", "10,-1"})
    EXPECT_THROW(EnergySpectrum::parse(bad), InputError) << bad;
}

}  // namespace
}  // namespace calo::sim
