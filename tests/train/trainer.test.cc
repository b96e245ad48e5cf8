// run_training (src/train/trainer.hh) on a tiny model (4x4x4 showers, BatchNorm and Dropout in
// both networks, one thread: a step takes milliseconds) and synthetic shower files: exact
// resume (N steps at once = N/2, stop, resume, N/2 more: identical weights, optimiser state
// and log, across an epoch boundary and a validation); a stop request checkpoints the step it
// came after; the run directory's files; bad options refused with nothing left behind.
#include "train/trainer.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "core/rng.hh"
#include "gan/checkpoint.hh"
#include "gan/model_spec.hh"
#include "input_error.hh"
#include "nn/context.hh"
#include "nn/optimizer.hh"
#include "scratch_directory.hh"
#include "tiny_model_spec.hh"
#include "train/run_directory.hh"

namespace calo::train {
namespace {

namespace fs = std::filesystem;
using calo::test::contains;
using calo::test::input_error_message;

class Trainer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("tiny.json")) << calo::test::kTinyModelSpec;
    // 50 showers per file at 10..250 GeV: 45 + 45 training events, batch 6: 15 steps per epoch.
    for (int f = 0; f < 2; ++f) {
      const std::string name = f == 0 ? "s0.h5" : "s1.h5";
      io::ShowerWriter w(dir_.file(name), {.grid = {4, 4, 4}});
      Rng rng(77, f);
      std::vector<float> cells(64);
      for (int e = 0; e < 50; ++e) {
        const float energy = 10.f + 5.f * e, pdg = 11;
        for (std::size_t k = 0; k < cells.size(); ++k)
          cells[k] = rng.uniform() < 0.5 ? static_cast<float>(0.0005 * energy * rng.exponential()) : 0.f;
        w.append(cells.data(), &energy, &pdg, 1);
      }
      w.commit();
    }
  }
  TrainerOptions options() const {
    TrainerOptions o;
    o.model = dir_.file("tiny.json");
    o.data.patterns = {dir_.file("s*.h5")};
    o.batch_size = 6;
    o.threads = 1;
    o.log_every = 1;
    o.validation_events = 10;
    o.checkpoint_every.steps = 1000, o.checkpoint_every.minutes = 0;
    return o;
  }
  /// Every value, gradient-free state and optimiser slot of a checkpoint, in a fixed order.
  std::vector<float> state_of(const std::string& checkpoint) const {
    const gan::ModelSpec spec = gan::read_checkpoint_spec(checkpoint);
    nn::Context ctx(1);
    gan::Generator gen(ctx, spec);
    gan::Discriminator disc(ctx, spec);
    nn::RMSprop og(gen.store()), od(disc.store());
    gan::load_checkpoint(checkpoint, spec, {&gen, &disc, &og, &od});
    std::vector<float> out;
    for (gan::Generator* g : {&gen})
      out.insert(out.end(), g->store().values().begin(), g->store().values().end());
    out.insert(out.end(), disc.store().values().begin(), disc.store().values().end());
    for (nn::ParameterStore* s : {&gen.store(), &disc.store()})
      for (std::size_t i = 0; i < s->states().size(); ++i)
        out.insert(out.end(), s->state(i).begin(), s->state(i).end());  // BatchNorm statistics
    for (const nn::Optimizer* opt : {static_cast<nn::Optimizer*>(&og), static_cast<nn::Optimizer*>(&od)})
      for (const auto& [name, slot] : opt->state()) out.insert(out.end(), slot.begin(), slot.end());
    return out;
  }
  static std::string text(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// The log with its "samples_per_s" values blanked.
  static std::string without_rates(std::string log) {
    for (auto at = log.find("\"samples_per_s\":"); at != std::string::npos;
         at = log.find("\"samples_per_s\":", at + 1))
      log.erase(at + 16, log.find('}', at) - at - 16);
    return log;
  }
  calo::test::ScratchDirectory dir_;
};

TEST_F(Trainer, ResumedRunEqualsUninterruptedRunExactly) {
  TrainerOptions o = options();
  o.max_steps = 22;  // past the end of epoch 1 (step 15), where a validation runs
  const TrainingReport whole = run_training(o, dir_.file("whole"), false);
  EXPECT_EQ(whole.steps, 22);
  EXPECT_EQ(whole.epochs, 1);
  EXPECT_GT(whole.last_validation.events, 0);

  o.max_steps = 11;
  EXPECT_EQ(run_training(o, dir_.file("split"), false).steps, 11);
  o.max_steps = 22;  // given again on resume: overrides
  const TrainingReport rest = run_training(o, dir_.file("split"), true);
  EXPECT_EQ(rest.steps_this_run, 11);

  const RunDirectory a(dir_.file("whole")), b(dir_.file("split"));
  const std::vector<float> wa = state_of(a.checkpoint(22).string()), wb = state_of(b.checkpoint(22).string());
  ASSERT_EQ(wa.size(), wb.size());
  EXPECT_TRUE(wa == wb) << "weights or optimiser state differ after resume";
  // Every loss and validation line the same (throughput aside: it is wall time).
  EXPECT_EQ(without_rates(text(a.metrics())), without_rates(text(b.metrics())));
  EXPECT_EQ(text(a.ecal_sum_fit()), text(b.ecal_sum_fit()));
  EXPECT_TRUE(fs::exists(a.best()));
}

TEST_F(Trainer, WarmupRampsTheLearningRateByStepAndResumesExactly) {
  TrainerOptions o = options();
  o.max_steps = 6;
  run_training(o, dir_.file("plain"), false);
  o.warmup_steps = 1;  // full rate from the first step: the plain run
  run_training(o, dir_.file("one"), false);
  o.warmup_steps = 12;
  run_training(o, dir_.file("ramp"), false);
  o.max_steps = 3;
  run_training(o, dir_.file("split"), false);
  o.max_steps = 6;
  run_training(o, dir_.file("split"), true);
  const auto at6 = [&](const char* run) {
    return state_of(RunDirectory(dir_.file(run)).checkpoint(6).string());
  };
  EXPECT_TRUE(at6("plain") == at6("one"));
  EXPECT_FALSE(at6("plain") == at6("ramp")) << "the warm-up changed nothing";
  EXPECT_TRUE(at6("ramp") == at6("split")) << "a resume inside the warm-up differs";
  EXPECT_EQ(trainer_options_from_json(text(RunDirectory(dir_.file("split")).config())).warmup_steps, 12);
}

/// The generator's values and the average a checkpoint holds (empty: none).
struct GeneratorAndAverage {
  std::vector<float> values, average;
};
GeneratorAndAverage generator_of(const fs::path& checkpoint) {
  const gan::ModelSpec spec = gan::read_checkpoint_spec(checkpoint.string());
  nn::Context ctx(1);
  gan::Generator gen(ctx, spec);
  GeneratorAndAverage out;
  gan::load_checkpoint(checkpoint.string(), spec, {.generator = &gen, .generator_average = &out.average});
  out.values.assign(gen.store().values().begin(), gen.store().values().end());
  return out;
}

TEST_F(Trainer, GeneratorAverageFollowsItsRecurrenceLeavesTrainingAloneAndResumesExactly) {
  TrainerOptions o = options();
  o.max_steps = 16;  // past the epoch end at step 15, where a validation runs
  o.checkpoint_every.steps = 1, o.keep_checkpoints = 100;
  run_training(o, dir_.file("plain"), false);
  o.generator_average = 0.5;  // exact in float: d a + (1 - d) w is the same with or without FMA
  run_training(o, dir_.file("avg"), false);
  const RunDirectory plain(dir_.file("plain")), avg(dir_.file("avg"));
  for (int k : {1, 15, 16})
    EXPECT_TRUE(state_of(plain.checkpoint(k).string()) == state_of(avg.checkpoint(k).string()))
        << "averaging changed training at step " << k;
  // a_k = 0.5 a_(k-1) + 0.5 w_k from a_0 = w_0 (step 1's a_0: the initial weights, unsaved).
  std::vector<float> previous = generator_of(avg.checkpoint(1)).average;
  for (int k = 2; k <= 16; ++k) {
    const GeneratorAndAverage g = generator_of(avg.checkpoint(k));
    ASSERT_EQ(g.average.size(), g.values.size());
    std::vector<float> expected(g.values.size());
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = 0.5f * previous[i] + 0.5f * g.values[i];
    EXPECT_TRUE(g.average == expected) << "step " << k;
    EXPECT_FALSE(g.average == g.values) << "step " << k;
    previous = g.average;
  }
  EXPECT_TRUE(generator_of(plain.checkpoint(16)).average.empty()) << "no average without the option";
  // Validation sees the average: the same trained weights, other metrics at the epoch end.
  const auto validation_at_15 = [&](const RunDirectory& r) {
    std::istringstream log(text(r.metrics()));
    for (std::string line; std::getline(log, line);)
      if (line.find(R"("kind":"validation","step":15,)") != std::string::npos) return line;
    return std::string();
  };
  ASSERT_FALSE(validation_at_15(avg).empty());
  EXPECT_NE(validation_at_15(plain), validation_at_15(avg));
  EXPECT_TRUE(contains(validation_at_15(avg), R"("generator":"average")")) << validation_at_15(avg);
  // best.h5 holds, as its generator, the average of the step it was validated at.
  const auto best_json = [&] {
    double best = INFINITY;
    std::int64_t at = -1;
    std::istringstream log(text(avg.metrics()));
    for (std::string line; std::getline(log, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j["kind"] == "validation" && j["score"].get<double>() < best) best = j["score"], at = j["step"];
    }
    return at;
  }();
  if (best_json > 0) {
    const GeneratorAndAverage best = generator_of(avg.best());
    EXPECT_TRUE(best.values == generator_of(avg.checkpoint(best_json)).average);
    EXPECT_TRUE(best.average.empty());
  }

  // Exact resume, and averaging turned on at a resume starts from the weights then.
  o.max_steps = 8;
  run_training(o, dir_.file("split"), false);
  o.max_steps = 16;
  run_training(o, dir_.file("split"), true);
  const RunDirectory split(dir_.file("split"));
  EXPECT_TRUE(generator_of(split.checkpoint(16)).average == generator_of(avg.checkpoint(16)).average);
  o.generator_average = 0;
  o.max_steps = 8;
  run_training(o, dir_.file("late"), false);
  o.generator_average = 0.5;
  o.max_steps = 9;
  run_training(o, dir_.file("late"), true);
  const RunDirectory late(dir_.file("late"));
  const std::vector<float> w8 = generator_of(late.checkpoint(8)).values;
  const GeneratorAndAverage at9 = generator_of(late.checkpoint(9));
  std::vector<float> expected(w8.size());
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = 0.5f * w8[i] + 0.5f * at9.values[i];
  EXPECT_TRUE(at9.average == expected);
  EXPECT_EQ(trainer_options_from_json(text(late.config())).generator_average, 0.5);
}

TEST_F(Trainer, StopRequestCheckpointsTheStepItCameAfterAndResumeContinues) {
  std::atomic<int> stop{0};
  TrainerHooks hooks;
  hooks.stop = &stop;
  hooks.progress = [&](const StepProgress& p) {
    if (p.step == 4) stop = 15;
  };
  TrainerOptions o = options();
  o.max_steps = 9;
  const TrainingReport r = run_training(o, dir_.file("run"), false, hooks);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.steps, 4);
  const RunDirectory run(dir_.file("run"));
  EXPECT_EQ(run.latest_checkpoint(), run.checkpoint(4));
  EXPECT_EQ(run_training(o, dir_.file("run"), true).steps, 9);
}

TEST_F(Trainer, KeepsTheLastCheckpointsAndWritesTheRunFiles) {
  TrainerOptions o = options();
  o.max_steps = 10, o.checkpoint_every.steps = 2, o.keep_checkpoints = 2;
  run_training(o, dir_.file("run"), false);
  const RunDirectory run(dir_.file("run"));
  EXPECT_FALSE(fs::exists(run.checkpoint(6)));
  EXPECT_TRUE(fs::exists(run.checkpoint(8)));
  EXPECT_TRUE(fs::exists(run.checkpoint(10)));
  EXPECT_EQ(trainer_options_from_json(text(run.config())).max_steps, 10);
  const std::string log = text(run.metrics());
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 11);  // the step-0 validation, then a line per step
  EXPECT_TRUE(log.starts_with(R"({"kind":"validation","step":0,)")) << log.substr(0, 80);
  // The fit is made on the data (sums ~0.0005 x 32 x E: ratio ~1.6 % in the fit's units).
  const EcalSumFit fit = EcalSumFit::from_json(text(run.ecal_sum_fit()));
  EXPECT_EQ(fit.source(), EcalSumFit::Source::data);
  EXPECT_NEAR(fit.target(1.0), 1.6, 0.3);
}

TEST_F(Trainer, EveryCheckpointCarriesTheFitTheTrainedEnergyRangeTheCellScaleAndTheConfig) {
  TrainerOptions o = options();
  o.max_steps = 4;
  o.cell_scale = 250;
  run_training(o, dir_.file("run"), false);
  const RunDirectory run(dir_.file("run"));
  const auto notes = gan::read_checkpoint_notes(run.checkpoint(4).string());
  ASSERT_TRUE(notes.contains(kEcalSumFitNote) && notes.contains(kEnergyRangeNote) &&
              notes.contains(kTrainConfigNote) && notes.contains(kCellScaleNote));
  EXPECT_EQ(nlohmann::json::parse(notes.at(kCellScaleNote)).get<double>(), 250);
  // The fit stays in GeV (sums of the stored cells), whatever unit the networks see.
  double fit_sum = 0, cells = 0;
  const EcalSumFit fit = EcalSumFit::from_json(notes.at(kEcalSumFitNote));
  for (int e = 0; e < 50; ++e) fit_sum += fit.target((10 + 5 * e) / 100.0);
  for (const char* f : {"s0.h5", "s1.h5"}) {
    const io::ShowerReader r(dir_.file(f));
    std::vector<float> ecal, energy;
    r.read(0, r.events(), ecal, energy);
    for (float c : ecal) cells += c >= 1e-6f ? c : 0;
  }
  EXPECT_NEAR(fit_sum, cells / 2, 0.1 * cells / 2);  // a GeV x 250 fit would be 250 times off
  EXPECT_EQ(EcalSumFit::from_json(notes.at(kEcalSumFitNote)),
            EcalSumFit::from_json(text(run.ecal_sum_fit())));
  EXPECT_EQ(notes.at(kTrainConfigNote), text(run.config()));
  // The generated energies span the training events' (10..255 GeV, minus the held-out ones).
  const auto range = nlohmann::json::parse(notes.at(kEnergyRangeNote));
  ASSERT_EQ(range.size(), 2u);
  EXPECT_GE(range[0].get<double>(), 10 * (1 - 1e-12));
  EXPECT_LE(range[0].get<double>(), 20);
  EXPECT_GE(range[1].get<double>(), 240);
  EXPECT_LE(range[1].get<double>(), 255 * (1 + 1e-12));

  // A resume takes the fit from the checkpoint: the run's own copy is not needed.
  fs::remove(run.ecal_sum_fit());
  o.max_steps = 6;
  EXPECT_EQ(run_training(o, dir_.file("run"), true).steps, 6);
  EXPECT_EQ(gan::read_checkpoint_notes(run.checkpoint(6).string()).at(kEcalSumFitNote),
            notes.at(kEcalSumFitNote));
}

TEST_F(Trainer, ResumeDropsAMetricsLineCutShortByAKill) {
  TrainerOptions o = options();
  o.max_steps = 3;
  run_training(o, dir_.file("run"), false);
  const RunDirectory run(dir_.file("run"));
  std::ofstream(run.metrics(), std::ios::app) << R"({"kind":"step","step":)";  // killed mid-line
  o.max_steps = 5;
  run_training(o, dir_.file("run"), true);
  std::ifstream log(run.metrics());
  int lines = 0;
  for (std::string line; std::getline(log, line); ++lines)
    EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
  EXPECT_EQ(lines, 6);  // the step-0 validation and steps 1-5
}

TEST_F(Trainer, BadRunsAreRefusedWithNothingLeftBehind) {
  TrainerOptions o = options();
  o.data.patterns = {dir_.file("none-*.h5")};
  EXPECT_TRUE(contains(input_error_message([&] { run_training(o, dir_.file("a"), false); }), "none-*.h5"));
  EXPECT_FALSE(fs::exists(dir_.file("a")));
  o = options();
  o.model = dir_.file("missing.json");
  input_error_message([&] { run_training(o, dir_.file("a"), false); });
  EXPECT_FALSE(fs::exists(dir_.file("a")));

  o = options();
  o.max_steps = 1;
  run_training(o, dir_.file("run"), false);
  EXPECT_TRUE(contains(input_error_message([&] { run_training(o, dir_.file("run"), false); }), "not empty"));
  EXPECT_TRUE(
      contains(input_error_message([&] { run_training(o, dir_.file("nothing"), true); }), "cannot resume"));
  o.batch_size = 5;
  EXPECT_TRUE(
      contains(input_error_message([&] { run_training(o, dir_.file("run"), true); }), "--batch-size"));
  o = options();
  o.cell_scale = 7;  // the networks' unit: the run's weights mean nothing in another
  EXPECT_TRUE(
      contains(input_error_message([&] { run_training(o, dir_.file("run"), true); }), "--cell-scale"));
  o.cell_scale = 0;
  EXPECT_TRUE(
      contains(input_error_message([&] { run_training(o, dir_.file("fresh"), false); }), "--cell-scale"));
  EXPECT_FALSE(fs::exists(dir_.file("fresh")));
  o = options();
  for (double decay : {1.0, -0.1}) {
    o.generator_average = decay;
    EXPECT_TRUE(contains(input_error_message([&] { run_training(o, dir_.file("fresh"), false); }),
                         "--generator-average"));
    EXPECT_FALSE(fs::exists(dir_.file("fresh")));
  }
}

}  // namespace
}  // namespace calo::train
