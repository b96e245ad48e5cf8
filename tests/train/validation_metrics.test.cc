// validate_generator (src/train/validation_metrics.hh) on a tiny model: the discriminator's
// BatchNorm statistics are re-estimated on real held-out showers for the validation, so what it
// reports does not depend on the statistics training left behind, and both networks come out
// exactly as they went in (parameters, moving statistics, Dropout streams).
#include "train/validation_metrics.hh"

#include <gtest/gtest.h>

#include <fstream>

#include "gan/batch_norm_refresh.hh"
#include "gan/model_spec.hh"
#include "scratch_directory.hh"
#include "tiny_model_spec.hh"
#include "tiny_showers.hh"

namespace calo::train {
namespace {

class ValidationMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    calo::test::write_tiny_showers(dir_.file("s.h5"));  // 60 showers, 30 held out below
    std::ofstream(dir_.file("tiny.json")) << calo::test::kTinyModelSpec;
  }

  struct Setup {
    nn::Context ctx{1};
    gan::ModelSpec spec;
    ShowerDataset data;
    gan::Generator gen;
    gan::Discriminator disc;
    Setup(const std::string& spec_file, const std::string& files)
        : spec(gan::load_model_spec(spec_file)),
          data(ShowerDataset::open({.patterns = {files}, .validation_fraction = 0.5, .grid = {4, 4, 4}})),
          gen(ctx, spec),
          disc(ctx, spec) {
      Rng rng(3, 0);
      gen.initialise(rng);
      disc.initialise(rng);
    }
  };

  static ValidationInput input() {
    ValidationInput in;
    in.max_events = 100, in.batch_size = 16, in.seed = 4;
    return in;
  }

  /// Sets every moving statistic of the discriminator to `value`.
  static void set_statistics(gan::Discriminator& disc, float value) {
    for (std::size_t i = 0; i < disc.store().states().size(); ++i)
      for (float& v : disc.store().state(i)) v = value;
  }

  calo::test::ScratchDirectory dir_;
};

TEST_F(ValidationMetricsTest, DiscriminatorLossesDoNotDependOnItsTrainingStatistics) {
  Setup s(dir_.file("tiny.json"), dir_.file("s.h5"));
  ValidationInput in = input();
  // Two very different leftovers of training: every moving mean and variance 1, or 5.
  set_statistics(s.disc, 1.f);
  const ValidationMetrics a = validate_generator(s.ctx, s.gen, s.disc, s.data, in);
  set_statistics(s.disc, 5.f);
  const ValidationMetrics b = validate_generator(s.ctx, s.gen, s.disc, s.data, in);
  ASSERT_GT(a.events, 0);
  EXPECT_EQ(a.d_real.total, b.d_real.total);
  EXPECT_EQ(a.d_real.energy, b.d_real.energy);
  // Without the refresh the leftovers decide (so the comparison above can fail).
  in.refresh_batches = 0;
  set_statistics(s.disc, 1.f);
  const ValidationMetrics c = validate_generator(s.ctx, s.gen, s.disc, s.data, in);
  set_statistics(s.disc, 5.f);
  const ValidationMetrics d = validate_generator(s.ctx, s.gen, s.disc, s.data, in);
  EXPECT_NE(c.d_real.total, d.d_real.total);
}

TEST_F(ValidationMetricsTest, LeavesBothNetworksExactlyAsTheyWere) {
  Setup s(dir_.file("tiny.json"), dir_.file("s.h5"));
  set_statistics(s.disc, 0.5f);
  s.disc.set_dropout_streams({{.seed = 9, .counter = 17}});
  const auto params = [](nn::ParameterStore& st) {
    return std::vector<float>(st.values().begin(), st.values().end());
  };
  const auto d_params = params(s.disc.store()), g_params = params(s.gen.store());
  const auto d_states = gan::snapshot_states(s.disc.store()), g_states = gan::snapshot_states(s.gen.store());
  const ValidationMetrics m = validate_generator(s.ctx, s.gen, s.disc, s.data, input());
  ASSERT_GT(m.events, 0);
  EXPECT_EQ(params(s.disc.store()), d_params);
  EXPECT_EQ(params(s.gen.store()), g_params);
  EXPECT_EQ(gan::snapshot_states(s.disc.store()), d_states);
  EXPECT_EQ(gan::snapshot_states(s.gen.store()), g_states);
  EXPECT_EQ(s.disc.dropout_streams(),
            (std::vector<gan::Discriminator::DropoutStream>{{.seed = 9, .counter = 17}}));
}

}  // namespace
}  // namespace calo::train
