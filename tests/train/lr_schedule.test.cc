// learning_rate_scale (src/train/lr_schedule.hh) against the formula of Goyal et al. 2017 /
// Horovod's warm-up callback: 1 + (R - 1) min(1, t / warmup), at hand-computed points.
#include "train/lr_schedule.hh"

#include <gtest/gtest.h>

namespace calo::train {
namespace {

TEST(LearningRateScale, RampsLinearlyFromOneToTheRankCount) {
  // 4 ranks, 5 warm-up epochs: 1 at the start, +0.6 per epoch, 4 from epoch 5 on.
  EXPECT_DOUBLE_EQ(learning_rate_scale(0, 4, 5), 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_scale(1, 4, 5), 1.6);
  EXPECT_DOUBLE_EQ(learning_rate_scale(2.5, 4, 5), 2.5);
  EXPECT_DOUBLE_EQ(learning_rate_scale(5, 4, 5), 4.0);
  EXPECT_DOUBLE_EQ(learning_rate_scale(17.3, 4, 5), 4.0);
  // 128 ranks halfway through 2 warm-up epochs: 1 + 127 / 2.
  EXPECT_DOUBLE_EQ(learning_rate_scale(1, 128, 2), 64.5);
}

TEST(LearningRateScale, OneRankIsTheRecipeAndNoWarmUpScalesAtOnce) {
  for (double t : {0.0, 0.3, 4.0, 100.0}) EXPECT_EQ(learning_rate_scale(t, 1, 5), 1.0);
  EXPECT_EQ(learning_rate_scale(0, 8, 0), 8.0);
}

}  // namespace
}  // namespace calo::train
