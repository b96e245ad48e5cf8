// Per-shower observables on showers whose values are known by hand.
#include "physics/shower_features.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "physics/high_level_features.hh"

namespace calo::physics {
namespace {

struct Grid {
  std::size_t nx = 5, ny = 4, nz = 6;
  std::vector<float> cells = std::vector<float>(nx * ny * nz, 0.0f);
  float& at(std::size_t x, std::size_t y, std::size_t z) { return cells[(x * ny + y) * nz + z]; }
};

TEST(ShowerFeatures, TwoCells) {
  Grid g;
  g.at(1, 2, 3) = 0.002f;   // above every hit threshold
  g.at(3, 2, 5) = 0.0002f;  // above 1e-4 only
  FeatureExtractor fx(g.nx, g.ny, g.nz);
  ShowerFeatures f;
  const double sum = fx.extract(g.cells.data(), 0.11, f);
  EXPECT_NEAR(sum, 0.0022, 1e-9);
  EXPECT_NEAR(f.scalar[kSampledFraction], 0.02, 1e-7);
  EXPECT_EQ(f.scalar[kHits1e4], 2);
  EXPECT_EQ(f.scalar[kHits3e4], 1);
  EXPECT_EQ(f.scalar[kHits1e3], 1);
  EXPECT_EQ(f.scalar[kMaxLayer], 3);
  // Weights 10/11 and 1/11 at x = 1 and 3: mean 13/11, variance 40/121.
  EXPECT_NEAR(f.scalar[kMoment1X], 13.0 / 11.0, 1e-6);
  EXPECT_NEAR(f.scalar[kMoment2X], std::sqrt(40.0) / 11.0, 1e-6);
  EXPECT_NEAR(f.scalar[kMoment1Y], 2.0, 1e-9);
  EXPECT_NEAR(f.scalar[kMoment2Y], 0.0, 1e-9);
  EXPECT_NEAR(f.scalar[kMoment1Z], 35.0 / 11.0, 1e-6);

  const ProfileLayout& L = fx.layout();
  EXPECT_NEAR(f.profile[L.offset[kLongitudinal] + 3], 0.002, 1e-9);
  EXPECT_NEAR(f.profile[L.offset[kTransverseX] + 3], 0.0002, 1e-9);
  EXPECT_NEAR(f.profile[L.offset[kTransverseY] + 2], 0.0022, 1e-9);
  EXPECT_NEAR(f.profile[L.offset[kLongitudinalShape] + 5], 1.0 / 11.0, 1e-6);
  // Sparsity over 120 cells: 2 above 1e-6 ... 1e-4, 1 above 3.16e-4 and 1e-3, 0 above 3.16e-3.
  const double* sparsity = f.profile.data() + L.offset[kSparsity];
  EXPECT_DOUBLE_EQ(sparsity[0], 2.0 / 120);
  EXPECT_DOUBLE_EQ(sparsity[4], 2.0 / 120);  // 1e-4
  EXPECT_DOUBLE_EQ(sparsity[5], 1.0 / 120);  // 3.16e-4
  EXPECT_DOUBLE_EQ(sparsity[6], 1.0 / 120);  // 1e-3
  EXPECT_DOUBLE_EQ(sparsity[7], 0.0);
  // Spectrum: log10(0.002) = -2.70 -> bin 33; log10(0.0002) = -3.70 -> bin 23.
  const double* spectrum = f.profile.data() + L.offset[kSpectrum];
  EXPECT_EQ(spectrum[33], 1);
  EXPECT_EQ(spectrum[23], 1);
  EXPECT_DOUBLE_EQ(f.cell_count, 2);
  EXPECT_NEAR(f.cell_energy, 0.0022, 1e-9);
}

TEST(ShowerFeatures, ScalingLeavesShapesUnchanged) {
  Grid g;
  for (std::size_t i = 0; i < g.cells.size(); ++i) g.cells[i] = float(1e-4 * ((i * 7) % 13));
  Grid scaled = g;
  for (float& c : scaled.cells) c *= 1.05f;
  FeatureExtractor fx(g.nx, g.ny, g.nz);
  ShowerFeatures a, b;
  fx.extract(g.cells.data(), 1.0, a);
  fx.extract(scaled.cells.data(), 1.0, b);
  EXPECT_NEAR(b.scalar[kSampledFraction] / a.scalar[kSampledFraction], 1.05, 1e-6);
  for (int k : {kMaxLayer, kMoment1X, kMoment1Y, kMoment1Z, kMoment2X, kMoment2Y, kMoment2Z})
    EXPECT_NEAR(a.scalar[k], b.scalar[k], 1e-5) << k;
  const ProfileLayout& L = fx.layout();
  for (int p : {kLongitudinalShape, kTransverseXShape, kTransverseYShape})
    for (std::size_t i = 0; i < L.length[p]; ++i)
      EXPECT_NEAR(a.profile[L.offset[p] + i], b.profile[L.offset[p] + i], 1e-6);
}

TEST(ShowerFeatures, EmptyShowerHasCentredMomentsAndZeroShapes) {
  Grid g;
  FeatureExtractor fx(g.nx, g.ny, g.nz);
  ShowerFeatures f;
  EXPECT_EQ(fx.extract(g.cells.data(), 10.0, f), 0.0);
  EXPECT_EQ(f.scalar[kSampledFraction], 0.0);
  EXPECT_EQ(f.scalar[kMoment1X], 2.0);
  EXPECT_EQ(f.scalar[kMoment2Z], 0.0);
  for (double v : f.profile) EXPECT_EQ(v, 0.0);
}

// The CaloChallenge-style high-level features (docs/validation.md, "High-level features"),
// worked out by hand on a 5 x 4 x 6 grid: centre (2, 1.5), 20 cells a layer.
TEST(HighLevelFeatures, HandBuiltShower) {
  Grid g;
  g.at(1, 2, 3) = 0.002f;   // x = -1, y = 0.5, r = sqrt(1.25)
  g.at(3, 2, 3) = 0.0002f;  // x = 1, y = 0.5, r = sqrt(1.25)
  g.at(4, 0, 3) = 5e-7f;    // below the 1e-6 GeV cell floor: empty for every feature
  g.at(0, 0, 5) = 0.001f;   // x = -2, y = -1.5, r = 2.5
  g.at(2, 1, 5) = 0.001f;   // x = 0, y = -0.5, r = 0.5
  HighLevelFeatures hl(g.nx, g.ny, g.nz);
  ASSERT_EQ(hl.size(), 2u + 8 * 6);
  const std::vector<std::string> names = hl.names();
  ASSERT_EQ(names.size(), hl.size());
  EXPECT_EQ(names[2 + 5 * 6], "sparsity_0");
  EXPECT_EQ(names[2 + 6 * 6], "centre_r_0");
  EXPECT_EQ(names.back(), "width_r_5");
  std::vector<double> f(hl.size());
  hl.extract(g.cells.data(), 10.0, f.data());
  auto at = [&](std::size_t group, std::size_t layer) { return f[2 + group * 6 + layer]; };
  EXPECT_DOUBLE_EQ(f[0], 1.0);
  EXPECT_NEAR(f[1], std::log10(0.0042 + 1e-8), 1e-6);
  // An empty layer: log10(1e-8), centres and widths 0, every cell empty.
  EXPECT_DOUBLE_EQ(at(0, 0), -8.0);
  for (std::size_t group : {1, 2, 3, 4, 6, 7}) EXPECT_EQ(at(group, 0), 0.0) << group;
  EXPECT_DOUBLE_EQ(at(5, 0), 1.0);
  // Layer 3: weights 10/11 and 1/11 at x = -1 and 1: mean -9/11, variance 1 - 81/121 = 40/121;
  // both cells at y = 0.5 and r = sqrt(1.25), so no width in y or r. 18 of 20 cells empty.
  EXPECT_NEAR(at(0, 3), std::log10(0.0022 + 1e-8), 1e-6);
  EXPECT_NEAR(at(1, 3), -9.0 / 11.0, 1e-6);
  EXPECT_NEAR(at(2, 3), 0.5, 1e-6);
  EXPECT_NEAR(at(3, 3), std::sqrt(40.0) / 11.0, 1e-6);
  EXPECT_NEAR(at(4, 3), 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(at(5, 3), 0.9);
  EXPECT_NEAR(at(6, 3), std::sqrt(1.25), 1e-6);
  EXPECT_NEAR(at(7, 3), 0.0, 1e-3);  // sqrt of a rounding residue
  // Layer 5: equal weights at (x, y) = (-2, -1.5) and (0, -0.5): centre (-1, -1), widths 1 and
  // 0.5; r = 2.5 and 0.5: centre 1.5, width 1.
  EXPECT_NEAR(at(0, 5), std::log10(0.002 + 1e-8), 1e-6);
  EXPECT_NEAR(at(1, 5), -1.0, 1e-6);
  EXPECT_NEAR(at(2, 5), -1.0, 1e-6);
  EXPECT_NEAR(at(3, 5), 1.0, 1e-6);
  EXPECT_NEAR(at(4, 5), 0.5, 1e-6);
  EXPECT_DOUBLE_EQ(at(5, 5), 0.9);
  EXPECT_NEAR(at(6, 5), 1.5, 1e-6);
  EXPECT_NEAR(at(7, 5), 1.0, 1e-6);
}

}  // namespace
}  // namespace calo::physics
