// The deposit spectrum of one readout layer (physics/layer_spectrum.hh): which cells it sums,
// and the quantile and binning definitions its table uses, against hand-computed values.
#include "physics/layer_spectrum.hh"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace calo::physics {
namespace {

TEST(LayerSpectrum, SumsTheLayersWindowAndReadsTheCellOnTheAxis) {
  // 5 x 5 x 3 cells, [x][y][layer]: a few marked deposits, each in one known cell.
  std::vector<float> cells(5 * 5 * 3, 0.0f);
  auto at = [&](int x, int y, int z) -> float& { return cells[(x * 5 + y) * 3 + z]; };
  at(2, 2, 1) = 1;  // the central cell of layer 1
  at(0, 4, 1) = 2;  // a corner of layer 1
  at(2, 2, 0) = 4;  // the central cell of another layer
  at(4, 0, 2) = 8;
  LayerSpectrum one(5, 5, 3, 1), zero(5, 5, 3, 0), two(5, 5, 3, 2);
  one.add(cells.data());
  zero.add(cells.data());
  two.add(cells.data());
  EXPECT_EQ(one.window(), std::vector<double>{3.0});
  EXPECT_EQ(one.central(), std::vector<double>{1.0});
  EXPECT_EQ(zero.window(), std::vector<double>{4.0});
  EXPECT_EQ(zero.central(), std::vector<double>{4.0});
  EXPECT_EQ(two.window(), std::vector<double>{8.0});
  EXPECT_EQ(two.central(), std::vector<double>{0.0});
  EXPECT_THROW(LayerSpectrum(5, 5, 3, 3), std::invalid_argument);
}

TEST(LayerSpectrum, QuantilesInterpolateBetweenOrderStatisticsAsNumpyDoes) {
  // numpy.quantile([4, 1, 3, 2], q) (linear, Hyndman-Fan 7): position q * (n - 1) in the
  // sorted values 1 2 3 4.
  const std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile(v, 0.1), 1.3);
  EXPECT_DOUBLE_EQ(quantile(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile(v, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(quantile(v, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(quantile({7.0}, 0.99), 7.0);
  EXPECT_DOUBLE_EQ(quantile({5, 5, 1, 5}, 0.25), 4.0);  // ties: 1 5 5 5 at position 0.75
  EXPECT_THROW(quantile({}, 0.5), std::invalid_argument);
  EXPECT_THROW(quantile(v, 1.5), std::invalid_argument);
  EXPECT_THROW(quantile(v, -0.1), std::invalid_argument);
}

TEST(LayerSpectrum, BinnedFractionsCountEachValueOnceWithLowerEdgesInclusive) {
  const auto f = binned_fractions({0.05, 0.1, 0.15, 1.0, 5.0}, {0.1, 1.0});
  ASSERT_EQ(f.size(), 3u);
  EXPECT_DOUBLE_EQ(f[0], 0.2);  // [0, 0.1): 0.05
  EXPECT_DOUBLE_EQ(f[1], 0.4);  // [0.1, 1): 0.1, 0.15
  EXPECT_DOUBLE_EQ(f[2], 0.4);  // [1, inf): 1, 5
  EXPECT_EQ(binned_fractions({}, {1.0}), (std::vector<double>{0.0, 0.0}));
}

}  // namespace
}  // namespace calo::physics
