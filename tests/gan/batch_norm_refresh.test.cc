// refresh_batch_norm_statistics (src/gan/batch_norm_refresh.hh) on the 3dgan-16 generator:
// the refreshed moving statistics are the average of the batch statistics of the given latent
// batches, whatever they were before; with a single batch the inference-mode generator then
// reproduces the training-mode one on that batch; parameters and momentum are left as they were.
#include "gan/batch_norm_refresh.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gan/model_spec.hh"
#include "nn/batch_norm.hh"
#include "nn/tensor.hh"

namespace calo::gan {
namespace {

class BatchNormRefresh : public ::testing::Test {
 protected:
  BatchNormRefresh() : ctx_(1), gen_(ctx_, load_model_spec("3dgan-16")) {
    Rng init(5, 1);
    gen_.initialise(init);
    Rng rng(5, 2);
    z1_ = draw_latent_batches(gen_, 1, 3, 0.1, 5, rng)[0];
    z2_ = draw_latent_batches(gen_, 1, 3, 0.1, 5, rng)[0];
  }
  /// Scrambles the moving statistics, so that a refresh has to replace them.
  void scramble() {
    for (std::size_t i = 0; i < gen_.store().states().size(); ++i)
      for (float& v : gen_.store().state(i)) v = 3.5f + 0.25f * static_cast<float>(i);
  }
  std::vector<float> output(const std::vector<float>& z, nn::Mode mode) {
    const nn::Tensor in = nn::Tensor::from_host(ctx_, gen_.input_dims(3), z);
    return gen_.forward(in, mode).to_host();
  }
  nn::Context ctx_;
  Generator gen_;
  std::vector<float> z1_, z2_;
};

TEST_F(BatchNormRefresh, StatisticsAreTheAverageOfTheBatchesWhateverTheyWereBefore) {
  scramble();
  refresh_batch_norm_statistics(gen_, ctx_, {z1_});
  const auto s1 = snapshot_states(gen_.store());
  refresh_batch_norm_statistics(gen_, ctx_, {z2_});
  const auto s2 = snapshot_states(gen_.store());
  scramble();
  refresh_batch_norm_statistics(gen_, ctx_, {z1_, z2_});
  const auto both = snapshot_states(gen_.store());
  ASSERT_EQ(both.size(), 4u);  // bn1, bn2: moving mean and variance
  double worst = 0;
  for (std::size_t i = 0; i < both.size(); ++i)
    for (std::size_t c = 0; c < both[i].size(); ++c) {
      const double expected = 0.5 * (static_cast<double>(s1[i][c]) + s2[i][c]);
      worst = std::max(worst, std::abs(both[i][c] - expected) / std::max(1e-6, std::abs(expected)));
    }
  // Two float32 multiply-adds of the cumulative average: a few ulps.
  EXPECT_LT(worst, 1e-6);
  EXPECT_NE(s1, s2);
}

TEST_F(BatchNormRefresh, InferenceModeThenReproducesTheTrainingModeOutputOfThatBatch) {
  scramble();
  const std::vector<float> train = output(z1_, nn::Mode::train);
  const std::vector<float> stale = output(z1_, nn::Mode::infer);
  refresh_batch_norm_statistics(gen_, ctx_, {z1_});
  const std::vector<float> infer = output(z1_, nn::Mode::infer);
  const auto max_abs = [](const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, std::abs(static_cast<double>(x)));
    return m;
  };
  const auto max_diff = [](const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
    return m;
  };
  const double scale = max_abs(train);
  ASSERT_GT(scale, 0);
  // The moving variance is the unbiased one (m/(m-1), m = 3 x 7x7x8 = 1176 values in bn1):
  // inference divides by a standard deviation larger by 1 + 1/(2m), about 4e-4 relative.
  EXPECT_LT(max_diff(infer, train), 1e-3 * scale);
  EXPECT_GT(max_diff(stale, train), 1e-1 * scale);  // the scrambled statistics were far off
}

TEST_F(BatchNormRefresh, LeavesParametersAndMomentumAsTheyWere) {
  const std::vector<float> before(gen_.store().values().begin(), gen_.store().values().end());
  refresh_batch_norm_statistics(gen_, ctx_, {z1_, z2_});
  EXPECT_TRUE(std::equal(before.begin(), before.end(), gen_.store().values().begin()));
  for (std::size_t i = 0; i < gen_.network().size(); ++i) {
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(&gen_.network().layer(i))) {
      EXPECT_FLOAT_EQ(bn->spec().momentum, 0.99f) << bn->name();
    }
  }
  const auto refreshed = snapshot_states(gen_.store());
  scramble();
  restore_states(gen_.store(), refreshed);
  EXPECT_EQ(snapshot_states(gen_.store()), refreshed);
  EXPECT_THROW(refresh_batch_norm_statistics(gen_, ctx_, {std::vector<float>(7)}), std::logic_error);
}

}  // namespace
}  // namespace calo::gan
