#include "train/trainer.hh"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.hh"
#include "gan/batch_norm_refresh.hh"
#include "gan/checkpoint.hh"
#include "gan/model_spec.hh"
#include "io/output_path.hh"
#include "nn/context.hh"
#include "nn/optimizer.hh"
#include "train/batch_loader.hh"
#include "train/ecal_sum_fit.hh"
#include "train/event_order.hh"
#include "train/run_directory.hh"
#include "train/shower_dataset.hh"

namespace calo::train {

namespace {

using Clock = std::chrono::steady_clock;

nlohmann::ordered_json loss_json(const LossTerms& l) {
  return {{"total", l.total}, {"bce", l.real_fake}, {"energy_mape", l.energy}, {"ecal_mape", l.ecal_sum}};
}

bool finite(const LossTerms& l) {
  return std::isfinite(l.total) && std::isfinite(l.real_fake) && std::isfinite(l.energy) &&
         std::isfinite(l.ecal_sum);
}

bool finite(std::span<const float> values) {
  for (float v : values)
    if (!std::isfinite(v)) return false;
  return true;
}

/// The ECAL-sum fit of the recipe made on (up to 20,000 of) the training events.
EcalSumFit fit_on_data(const ShowerDataset& data) {
  std::vector<EventRef> sample(
      data.training().begin(),
      data.training().begin() + std::min<std::size_t>(data.training().size(), 20000));
  std::vector<double> energy, sum;
  BatchLoader loader(data, sample, {.batch_size = 256});
  while (auto b = loader.next()) {
    energy.insert(energy.end(), b->energies.begin(), b->energies.end());
    sum.insert(sum.end(), b->ecal_sums.begin(), b->ecal_sums.end());
  }
  // The original's degree 4 where the data determine it; fewer distinct energies (a set made
  // at a few fixed energies) get the polynomial through them: a constant for one energy.
  std::vector<double> distinct = energy;
  std::ranges::sort(distinct);
  const auto unique_count = std::unique(distinct.begin(), distinct.end()) - distinct.begin();
  return EcalSumFit::fit(energy, sum, static_cast<int>(std::min<std::ptrdiff_t>(4, unique_count - 1)));
}

/// Options a resume may not change: they define which events each step sees.
void check_same_run(const TrainerOptions& stored, const TrainerOptions& given) {
  const auto refuse = [](const std::string& what) {
    throw InputError("cannot resume with another " + what +
                     " (it fixes which events each step sees) start a new run");
  };
  if (stored.model != given.model) refuse("--model");
  if (stored.data.patterns != given.data.patterns) refuse("--data");
  if (stored.data.validation_fraction != given.data.validation_fraction) refuse("--validation-fraction");
  if (stored.data.energy_min_gev != given.data.energy_min_gev ||
      stored.data.energy_max_gev != given.data.energy_max_gev)
    refuse("--energy-range");
  if (stored.batch_size != given.batch_size) refuse("--batch-size");
  if (stored.seed != given.seed) refuse("--seed");
  if (stored.generator_updates != given.generator_updates) refuse("generator update count");
  if (stored.cell_scale != given.cell_scale) refuse("--cell-scale");
}

}  // namespace

TrainingReport run_training(const TrainerOptions& o, const std::string& run_dir, bool resume,
                            const TrainerHooks& hooks) {
  const auto say = [&](const std::string& text) {
    if (hooks.message) hooks.message(text);
  };
  const auto start = Clock::now();
  validate(o);
  const RunDirectory run(run_dir);
  if (resume) {
    run.check_resumable();
    check_same_run(trainer_options_from_json(read_text_file(run.config())), o);
  }
  // Everything the user can get wrong is checked before the run directory is created.
  const gan::ModelSpec spec = gan::load_model_spec(o.model);
  DatasetOptions data_options = o.data;
  data_options.grid = {static_cast<std::size_t>(spec.image_shape[0]),
                       static_cast<std::size_t>(spec.image_shape[1]),
                       static_cast<std::size_t>(spec.image_shape[2])};
  const ShowerDataset data = ShowerDataset::open(data_options);
  for (const SkippedFile& s : data.skipped()) say("skipped " + s.path + ": " + s.reason);
  // A resumed run keeps the fit it started with (set below, from its checkpoint or file).
  EcalSumFit fit = EcalSumFit::public_fit();
  if (!resume && !o.public_ecal_fit) fit = fit_on_data(data);
  if (resume)
    io::write_file_atomically(run.config().string(), to_json(o));
  else
    run.create_new({{run.ecal_sum_fit().filename().string(), fit.to_json()},
                    {run.config().filename().string(), to_json(o)}});

  nn::Context ctx(nn::ContextOptions{.threads = o.threads, .conv = o.conv});
  gan::Generator gen(ctx, spec);
  gan::Discriminator disc(ctx, spec);
  nn::RMSprop opt_g(gen.store(), static_cast<float>(o.learning_rate));
  nn::RMSprop opt_d(disc.store(), static_cast<float>(o.learning_rate));
  const gan::CheckpointParts parts{&gen, &disc, &opt_g, &opt_d};
  gan::TrainingPosition position;
  position.seed = o.seed;
  double best_score = INFINITY;
  if (const auto latest = resume ? run.latest_checkpoint() : std::nullopt) {
    position = gan::load_checkpoint(latest->string(), spec, parts);
    run.truncate_metrics_after(position.step);
    say("resumed " + run_dir + " at step " + std::to_string(position.step) + " from " + latest->string());
  } else {
    Rng init(o.seed, kInitStream);
    gen.initialise(init);
    disc.initialise(init);
    if (resume) run.truncate_metrics_after(-1);  // from the start: the step-0 validation again too
  }
  if (resume) {  // the fit the run started with: its checkpoint's copy, else the run's file
    if (const auto it = position.notes.find(kEcalSumFitNote); it != position.notes.end())
      fit = EcalSumFit::from_json(it->second);
    else if (std::filesystem::exists(run.ecal_sum_fit()))
      fit = EcalSumFit::from_json(read_text_file(run.ecal_sum_fit()));
    else if (!o.public_ecal_fit)
      fit = fit_on_data(data);
  }
  if (resume && std::filesystem::exists(run.best())) {
    // The best score is the minimum over the validation lines kept in the log.
    std::ifstream log(run.metrics());
    for (std::string line; std::getline(log, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("kind", "") == "validation")
        best_score = std::min(best_score, j.value("score", double(INFINITY)));
    }
  }

  StepConfig step_config;
  step_config.loss_weights = o.loss_weights;
  step_config.label_flip_probability = o.label_flip_probability;
  step_config.generator_updates = o.generator_updates;
  step_config.ecal_sum_fit = fit;
  step_config.cell_scale = o.cell_scale;
  if (o.fake_energy_max_gev > 0) {
    step_config.fake_energy_min = o.fake_energy_min_gev / 100,
    step_config.fake_energy_max = o.fake_energy_max_gev / 100;
  } else {  // the training data's range
    double lo = INFINITY, hi = 0;
    for (const EventRef& e : data.training())
      lo = std::min<double>(lo, data.energy_gev(e)), hi = std::max<double>(hi, data.energy_gev(e));
    step_config.fake_energy_min = lo / 100, step_config.fake_energy_max = std::max(hi, lo * (1 + 1e-6)) / 100;
  }
  GanStep gan_step(ctx, gen, disc, opt_g, opt_d, step_config);
  // The checkpoint alone says how it was trained: generate warns outside the trained range.
  const std::map<std::string, std::string> notes = {
      {kEcalSumFitNote, fit.to_json()},
      {kEnergyRangeNote,
       nlohmann::json::array({100 * step_config.fake_energy_min, 100 * step_config.fake_energy_max}).dump()},
      {kTrainConfigNote, to_json(o)},
      {kCellScaleNote, nlohmann::json(o.cell_scale).dump()}};

  const std::int64_t steps_per_epoch =
      (static_cast<std::int64_t>(data.training().size()) + o.batch_size - 1) / o.batch_size;
  std::int64_t total_steps = steps_per_epoch * o.epochs;
  if (o.max_steps > 0) total_steps = std::min(total_steps, o.max_steps);

  TrainingReport report;
  std::int64_t step = position.step;
  auto last_checkpoint = Clock::now();
  const auto save = [&](const std::filesystem::path& path) {
    if (!finite(gen.store().values()) || !finite(disc.store().values()))
      throw RuntimeError("training diverged before step " + std::to_string(step) +
                         " (non-finite weights; nothing saved) the last good checkpoint is " +
                         (report.checkpoint.empty() ? std::string("none") : report.checkpoint));
    gan::TrainingPosition at;
    at.epoch = step / steps_per_epoch, at.step = step, at.seed = o.seed;
    at.notes = notes;
    gan::save_checkpoint(path.string(), spec, parts, at, /*overwrite=*/true);
  };
  const auto checkpoint = [&] {
    save(run.checkpoint(step));
    run.prune_checkpoints(o.keep_checkpoints);
    report.checkpoint = run.checkpoint(step).string();
    last_checkpoint = Clock::now();
    if (hooks.checkpointed) hooks.checkpointed();
  };
  const auto validate_now = [&] {
    // Validated (and kept as best) with BatchNorm statistics re-estimated for the current
    // weights (gan/batch_norm_refresh.hh), then the training statistics are put back, so the
    // recipe, and exact resume, are unaffected.
    const auto training_statistics = gan::snapshot_states(gen.store());
    struct Restore {
      gan::Generator& g;
      const std::vector<std::vector<float>>& s;
      ~Restore() { gan::restore_states(g.store(), s); }
    } restore{gen, training_statistics};
    Rng refresh_rng(o.seed, kRefreshStream + static_cast<std::uint64_t>(step));
    gan::refresh_batch_norm_statistics(
        gen, ctx,
        gan::draw_latent_batches(gen, kRefreshBatches, kRefreshBatchSize, step_config.fake_energy_min,
                                 step_config.fake_energy_max, refresh_rng));
    ValidationInput in{.max_events = o.validation_events,
                       .seed = o.seed,
                       .loss_weights = o.loss_weights,
                       .cell_scale = static_cast<float>(o.cell_scale)};
    report.last_validation = validate_generator(ctx, gen, disc, data, in);
    const ValidationMetrics& m = report.last_validation;
    if (m.events == 0) return;
    nlohmann::ordered_json j = {{"kind", "validation"},
                                {"step", step},
                                {"epoch", static_cast<double>(step) / steps_per_epoch},
                                {"events", m.events},
                                {"d_real", loss_json(m.d_real)},
                                {"sampled_fraction_error", m.sampled_fraction_error},
                                {"sampled_fraction_ratio", m.sampled_fraction_ratio},
                                {"longitudinal_error", m.longitudinal_error},
                                {"transverse_error", m.transverse_error},
                                {"score", m.score()}};
    run.append_metrics(j.dump());
    if (m.score() < best_score) {
      best_score = m.score();
      save(run.best());
    }
  };

  say("training " + spec.name + " on " + std::to_string(data.training().size()) + " showers (" +
      std::to_string(data.validation().size()) + " held out), " + std::to_string(steps_per_epoch) +
      " steps per epoch, steps " + std::to_string(step) + " to " + std::to_string(total_steps));
  // A run that starts from initialised networks validates them first, so its curves begin at
  // the untrained state (what the learning test compares against).
  if (step == 0 && total_steps > 0) validate_now();
  const auto loop_start = Clock::now();
  std::int64_t samples_this_run = 0;
  while (step < total_steps) {
    const std::int64_t epoch = step / steps_per_epoch;
    BatchLoader loader(data, epoch_order(data.training(), o.seed, epoch),
                       {.batch_size = o.batch_size, .cell_scale = static_cast<float>(o.cell_scale)},
                       static_cast<std::uint64_t>(step % steps_per_epoch));
    bool stop = false;
    while (step < total_steps && step / steps_per_epoch == epoch) {
      std::optional<Batch> batch = loader.next();
      CALO_ASSERT(batch);  // steps_per_epoch batches per epoch by construction
      Rng rng(o.seed, kStepStream + static_cast<std::uint64_t>(step));
      if (o.warmup_steps > 0) {  // a function of the step alone, so a resume ramps the same way
        const double f = std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps));
        opt_g.set_learning_rate(static_cast<float>(o.learning_rate * f));
        opt_d.set_learning_rate(static_cast<float>(o.learning_rate * f));
      }
      const StepLosses losses = gan_step.step(batch->images, batch->energies, rng);
      bool ok = finite(losses.d_real) && finite(losses.d_fake);
      for (const LossTerms& g : losses.generator) ok = ok && finite(g);
      if (!ok)
        throw RuntimeError("training diverged at step " + std::to_string(step) +
                           " (non-finite loss) the last good checkpoint is " +
                           (report.checkpoint.empty() ? std::string("none") : report.checkpoint));
      ++step, ++report.steps_this_run;
      samples_this_run += static_cast<std::int64_t>(batch->events.size());
      const double rate = samples_this_run / std::chrono::duration<double>(Clock::now() - loop_start).count();
      if (step % o.log_every == 0) {
        nlohmann::ordered_json j = {{"kind", "step"},
                                    {"step", step},
                                    {"epoch", static_cast<double>(step) / steps_per_epoch},
                                    {"samples", step * o.batch_size},
                                    {"d_real", loss_json(losses.d_real)},
                                    {"d_fake", loss_json(losses.d_fake)},
                                    {"g", loss_json(losses.generator.back())},
                                    {"samples_per_s", rate}};
        run.append_metrics(j.dump());
      }
      if (hooks.progress) hooks.progress({step, epoch, steps_per_epoch, total_steps, losses, rate});
      if (o.validate_every > 0 && step % o.validate_every == 0 && step % steps_per_epoch != 0) validate_now();
      const bool due = o.checkpoint_every.steps > 0
                           ? step % o.checkpoint_every.steps == 0
                           : std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >=
                                 60 * o.checkpoint_every.minutes;
      stop = hooks.stop && hooks.stop->load() != 0;
      if (step % steps_per_epoch == 0) {
        validate_now();
        checkpoint();
        say("epoch " + std::to_string(step / steps_per_epoch) + " done, checkpoint " + report.checkpoint);
      } else if (due || stop || step == total_steps) {
        checkpoint();
      }
      if (stop) break;
    }
    if (stop) {
      report.stopped = true;
      say("stopped at step " + std::to_string(step) + ", checkpoint " + report.checkpoint);
      break;
    }
  }
  report.steps = step;
  report.epochs = step / steps_per_epoch;
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace calo::train
