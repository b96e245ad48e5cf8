// The generation runner (streams, order, determinism), latent vectors and files, and the
// public ShowerGenerator (calo3dgan/generator.hh).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <thread>

#include "calo3dgan/generator.hh"
#include "infer/folded_generator.hh"
#include "infer/generation_run.hh"
#include "infer/latent.hh"
#include "infer/loaded_model.hh"
#include "infer_test_support.hh"
#include "input_error.hh"
#include "nn/cpu_features.hh"
#include "scratch_directory.hh"

namespace calo::infer {
namespace {

using test::contains;
using test::input_error_message;

struct Collected {
  std::vector<std::int64_t> firsts;
  std::vector<float> energy, cells;
};

Collected run(const LoadedModel& m, std::int64_t events, std::int64_t batch, int streams, int threads) {
  Collected c;
  const std::int64_t L = m.spec.latent_size;
  run_generation(
      m, {.events = events, .batch_size = batch, .streams = streams, .threads_per_stream = threads},
      [&](std::int64_t first, std::int64_t n, std::span<float> z, std::span<float> e) {
        for (std::int64_t i = 0; i < n; ++i) {
          e[i] = static_cast<float>(10 + first + i);
          draw_latent(42, static_cast<std::uint64_t>(first + i), e[i], z.subspan(i * L, L));
        }
      },
      [&](std::int64_t first, std::int64_t, std::span<const float> e, std::span<const float> cells) {
        c.firsts.push_back(first);
        c.energy.insert(c.energy.end(), e.begin(), e.end());
        c.cells.insert(c.cells.end(), cells.begin(), cells.end());
      });
  return c;
}

class GenerationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDirectory;
    test::write_test_checkpoint(dir_->file("g.h5"), "3dgan-16", 21);
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string checkpoint() { return dir_->file("g.h5"); }
  static test::ScratchDirectory* dir_;
};
test::ScratchDirectory* GenerationTest::dir_ = nullptr;

TEST_F(GenerationTest, ShowersDoNotDependOnStreamsOrThreadsAndArriveInEventOrder) {
  const LoadedModel m = load_generator(checkpoint());
  const Collected one = run(m, 37, 8, 1, 1);
  EXPECT_EQ(one.firsts, (std::vector<std::int64_t>{0, 8, 16, 24, 32}));
  ASSERT_EQ(one.energy.size(), 37u);
  for (std::size_t i = 0; i < 37; ++i) EXPECT_EQ(one.energy[i], 10.f + i);
  for (auto [streams, threads] : {std::pair{2, 1}, {3, 1}, {1, 2}, {2, 2}}) {
    const Collected other = run(m, 37, 8, streams, threads);
    EXPECT_EQ(other.firsts, one.firsts) << streams << " streams";
    EXPECT_TRUE(other.cells == one.cells) << streams << " streams x " << threads << " threads";
  }
}

TEST_F(GenerationTest, AWorkerErrorStopsTheRunAndIsRethrown) {
  const LoadedModel m = load_generator(checkpoint());
  int delivered = 0;
  EXPECT_THROW(
      run_generation(
          m, {.events = 40, .batch_size = 4, .streams = 2, .threads_per_stream = 1},
          [&](std::int64_t first, std::int64_t, std::span<float>, std::span<float> e) {
            if (first >= 20) throw InputError("bad event");
            std::fill(e.begin(), e.end(), 50.f);
          },
          [&](std::int64_t, std::int64_t, std::span<const float>, std::span<const float>) { ++delivered; }),
      InputError);
  EXPECT_LE(delivered, 5);
}

TEST(LatentTest, LatentVectorsAreEnergyScaledStandardNormals) {
  const std::size_t L = 200, events = 2000;
  double sum = 0, sum2 = 0;
  std::vector<float> z(L), again(L);
  for (std::size_t i = 0; i < events; ++i) {
    draw_latent(7, i, 250.0, z);
    for (float x : z) {
      sum += x / 2.5;
      sum2 += (x / 2.5) * (x / 2.5);
    }
  }
  const double n = static_cast<double>(L * events), mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_LT(std::abs(mean), 5 / std::sqrt(n));
  EXPECT_LT(std::abs(var - 1), 5 * std::sqrt(2 / n));
  draw_latent(7, 3, 250.0, z);
  draw_latent(7, 3, 250.0, again);
  EXPECT_EQ(z, again);
  draw_latent(8, 3, 250.0, again);
  EXPECT_NE(z, again);  // another seed, another vector
  draw_latent(7, 3, 50.0, again);
  for (std::size_t k = 0; k < L; ++k) EXPECT_FLOAT_EQ(again[k] * 5, z[k]);  // same noise, E scales
}

TEST(LatentTest, LatentFilesRoundTripAndWrongShapesAreRefused) {
  test::ScratchDirectory dir;
  LatentSet set{.latent_size = 3, .z = {1, 2, 3, 4, 5, 6}, .energy_gev = {10, 20}};
  write_latent_file(dir.file("l.h5"), set, false);
  const LatentSet back = read_latent_file(dir.file("l.h5"), 3);
  EXPECT_EQ(back.z, set.z);
  EXPECT_EQ(back.energy_gev, set.energy_gev);
  EXPECT_TRUE(contains(input_error_message([&] { read_latent_file(dir.file("l.h5"), 200); }),
                       "z has shape (2, 3), the model needs (N, 200)"));
  EXPECT_TRUE(
      contains(input_error_message([&] { read_latent_file(dir.file("missing.h5"), 3); }), "missing.h5"));
  set.energy_gev = {10, -1};
  write_latent_file(dir.file("neg.h5"), set, false);
  EXPECT_TRUE(contains(input_error_message([&] { read_latent_file(dir.file("neg.h5"), 3); }), "positive"));
}

TEST_F(GenerationTest, ApiBatchEqualsItsLatentVectorsAndTwoThreadsEqualSequential) {
  const ShowerGenerator gen(checkpoint(), {.threads = 1});
  ASSERT_EQ(gen.cells(), 25u * 25 * 25);
  ASSERT_EQ(gen.latent_size(), 200u);
  const std::vector<float> energies = {20, 80, 300, 45};
  std::vector<float> batch(4 * gen.cells()), z(4 * gen.latent_size()), from_z(batch.size());
  gen.generate(energies.data(), 4, 5, 100, batch.data());
  for (std::size_t i = 0; i < 4; ++i)
    gen.draw_latent(energies[i], 5, 100 + i, z.data() + i * gen.latent_size());
  gen.generate_from_latent(z.data(), 4, from_z.data());
  EXPECT_EQ(batch, from_z);

  // Sequential one-shower calls, then the same calls split over two threads at once.
  const int showers = 6;
  std::vector<std::vector<float>> sequential(showers, std::vector<float>(gen.cells())), parallel = sequential;
  for (int i = 0; i < showers; ++i) gen.generate_one(10.f * (i + 1), 9, i, sequential[i].data());
  std::thread a([&] {
    for (int i = 0; i < showers; i += 2) gen.generate_one(10.f * (i + 1), 9, i, parallel[i].data());
  });
  std::thread b([&] {
    for (int i = 1; i < showers; i += 2) gen.generate_one(10.f * (i + 1), 9, i, parallel[i].data());
  });
  a.join();
  b.join();
  EXPECT_TRUE(parallel == sequential);
  double e0 = 0;
  for (float x : sequential[0]) e0 += x;
  EXPECT_GT(e0, 0);
}

TEST_F(GenerationTest, ApiReducedPrecisionsAreTheInferenceGraphsOfThosePrecisions) {
  const LoadedModel model = load_generator(checkpoint());
  const std::vector<float> energies = {20, 300};
  for (const Precision p : {Precision::bf16, Precision::int8}) {
    const ShowerGenerator gen(checkpoint(),
                              {.threads = 2, .bf16 = p == Precision::bf16, .int8 = p == Precision::int8});
    const bool runs =
        p == Precision::bf16 ? nn::bf16_convolutions_supported() : nn::int8_convolutions_supported();
    EXPECT_EQ(p == Precision::bf16 ? gen.bf16() : gen.int8(), runs);
    std::vector<float> z(2 * gen.latent_size()), got(2 * gen.cells()), want(got.size());
    for (std::size_t i = 0; i < 2; ++i) gen.draw_latent(energies[i], 3, i, z.data() + i * gen.latent_size());
    gen.generate_from_latent(z.data(), 2, got.data());
    nn::Context ctx(2);
    FoldedGenerator graph(ctx, model, true, runs ? p : Precision::f32);
    graph.run(z, 2, want);
    EXPECT_EQ(got, want) << (p == Precision::bf16 ? "bf16" : "int8");
  }
}

TEST(LoadedModelTest, TrainedEnergyRangeComesFromTheTrainersNoteElseTheDefault) {
  test::ScratchDirectory dir;
  gan::TrainingPosition trained;
  trained.notes[gan::kEnergyRangeNote] = "[20.5,80]";
  test::write_test_checkpoint(dir.file("trained.h5"), "3dgan-16", 3, false, trained);
  const ShowerGenerator gen(dir.file("trained.h5"));
  EXPECT_EQ(gen.energy_range_gev(), (std::array<double, 2>{20.5, 80}));
  test::write_test_checkpoint(dir.file("plain.h5"), "3dgan-16", 3);
  EXPECT_EQ(load_generator(dir.file("plain.h5")).trained_min_gev, kDefaultTrainedMinGev);
  for (const char* bad : {"[80,20]", "[0,50]", "fifty", "[10]"}) {
    trained.notes[gan::kEnergyRangeNote] = bad;
    test::write_test_checkpoint(dir.file("bad.h5"), "3dgan-16", 3, false, trained);
    EXPECT_TRUE(contains(input_error_message([&] { load_generator(dir.file("bad.h5")); }), "bad.h5")) << bad;
  }
}

// A generator trained on cells in GeV x s (train --cell-scale) gives GeV after loading: the
// same weights without the note give s times the showers, cell by cell.
TEST(LoadedModelTest, CellScaleNoteIsDividedOutSoShowersAreInGev) {
  test::ScratchDirectory dir;
  gan::TrainingPosition trained;
  trained.notes[gan::kCellScaleNote] = "100";
  test::write_test_checkpoint(dir.file("scaled.h5"), "3dgan-16", 3, false, trained);
  test::write_test_checkpoint(dir.file("plain.h5"), "3dgan-16", 3);
  EXPECT_EQ(load_generator(dir.file("scaled.h5")).cell_scale, 100);
  EXPECT_EQ(load_generator(dir.file("plain.h5")).cell_scale, 1);
  const ShowerGenerator scaled(dir.file("scaled.h5"), {.threads = 1}),
      plain(dir.file("plain.h5"), {.threads = 1});
  const std::vector<float> energies = {20, 150};
  std::vector<float> a(2 * plain.cells()), b(a.size());
  plain.generate(energies.data(), 2, 5, 0, a.data());
  scaled.generate(energies.data(), 2, 5, 0, b.data());
  double sum = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    // Float rounding of the divided weights and of the sums over 128 inputs per cell.
    EXPECT_NEAR(100 * b[k], a[k], 1e-5 * std::abs(a[k]) + 1e-6) << k;
    sum += a[k];
  }
  EXPECT_GT(sum, 0);
  for (const char* bad : {"0", "-2", "\"x\"", "[1]"}) {
    trained.notes[gan::kCellScaleNote] = bad;
    test::write_test_checkpoint(dir.file("bad.h5"), "3dgan-16", 3, false, trained);
    EXPECT_TRUE(contains(input_error_message([&] { load_generator(dir.file("bad.h5")); }), "cell_scale"))
        << bad;
  }
}

TEST_F(GenerationTest, ApiRefusesBadArgumentsWithInputErrors) {
  const ShowerGenerator gen(checkpoint());
  std::vector<float> out(gen.cells());
  const float e = 50;
  EXPECT_TRUE(contains(input_error_message([&] { gen.generate(&e, 0, 1, 0, out.data()); }), "n = 0"));
  EXPECT_TRUE(
      contains(input_error_message([&] { gen.generate_one(-5.f, 1, 0, out.data()); }), "not a positive"));
  EXPECT_TRUE(
      contains(input_error_message([&] { gen.generate_one(NAN, 1, 0, out.data()); }), "not a positive"));
  gen.generate_one(800.f, 1, 0, out.data());  // outside the trained range: allowed unless strict
  const ShowerGenerator strict(checkpoint(), {.strict = true});
  EXPECT_TRUE(
      contains(input_error_message([&] { strict.generate_one(800.f, 1, 0, out.data()); }), "trained range"));
  EXPECT_TRUE(
      contains(input_error_message([] { ShowerGenerator g("/nonexistent/g.h5"); }), "/nonexistent/g.h5"));
}

}  // namespace
}  // namespace calo::infer
