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
#include "train/lr_schedule.hh"
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

/// What every rank must agree on (InputError on each rank otherwise, before anything is
/// written): the options (threads aside, a machine's choice) with the fusion threshold and the
/// Dense layers' exchange (they lay out the collectives), the model spec and the data.
void check_same_configuration(dist::Communicator& comm, const TrainerOptions& o, const DistributedRun& d,
                              const gan::ModelSpec& spec, const ShowerDataset& data) {
  if (comm.size() == 1) return;
  auto options = nlohmann::json::parse(to_json(o));
  options.erase("threads");
  options["fusion_threshold_bytes"] = d.fusion_threshold_bytes;
  options["dense_factors"] = to_string(d.dense_factors);
  const std::string mine = options.dump() + "\n" + gan::model_spec_to_json(spec) + "\n" +
                           nlohmann::json(data.files()).dump() + " " + std::to_string(data.training().size());
  std::string root = mine;
  comm.broadcast(root, 0);
  double differ[1] = {root == mine ? 0.0 : 1.0};
  comm.allreduce_sum(differ);
  if (differ[0] == 0) return;
  std::string what = "options, model spec or data";
  if (root != mine) {  // name the first option that differs, where it is one
    const auto theirs = nlohmann::json::parse(root.substr(0, root.find('\n')), nullptr, false);
    if (!theirs.is_discarded())
      for (const auto& [key, value] : options.items())
        if (!theirs.contains(key) || theirs[key] != value) {
          what = "option " + key + " (" + value.dump() + " here, " +
                 theirs.value(key, nlohmann::json()).dump() + " on rank 0)";
          break;
        }
  }
  throw InputError("the " + std::to_string(comm.size()) +
                   " ranks were started with different configurations (" +
                   (root == mine ? std::string("another rank's differs from rank 0's")
                                 : "rank " + std::to_string(comm.rank()) + ": " + what) +
                   "; nothing trained) start every rank with the same options, model and data");
}

/// Losses averaged over the ranks' events (each rank's mean weighted by its batch).
void average_losses(dist::Communicator& comm, StepLosses& l, std::int64_t local, std::int64_t global) {
  std::vector<LossTerms*> terms = {&l.d_real, &l.d_fake};
  for (LossTerms& g : l.generator) terms.push_back(&g);
  std::vector<double> v;
  for (const LossTerms* t : terms)
    for (float x : {t->total, t->real_fake, t->energy, t->ecal_sum})
      v.push_back(static_cast<double>(x) * local);
  comm.allreduce_sum(v);
  std::size_t i = 0;
  for (LossTerms* t : terms)
    for (float* x : {&t->total, &t->real_fake, &t->energy, &t->ecal_sum})
      *x = static_cast<float>(v[i++] / static_cast<double>(global));
}

/// Whether any rank's flag is set (a stop request: Ctrl-C may reach one rank only).
bool any_rank(dist::Communicator& comm, bool flag) {
  double v[1] = {flag ? 1.0 : 0.0};
  comm.allreduce_sum(v);
  return v[0] > 0;
}

/// Rank 0's weights, optimiser state and BatchNorm statistics on every rank (Horovod's
/// broadcast of the initial variables).
void broadcast_state(dist::Communicator& comm, nn::ParameterStore& store, nn::Optimizer& opt) {
  if (comm.size() == 1) return;
  comm.broadcast(store.values(), 0);
  for (std::size_t i = 0; i < store.states().size(); ++i) comm.broadcast(store.state(i), 0);
  auto state = opt.state();
  for (auto& [name, values] : state) comm.broadcast(std::span<float>(values), 0);
  opt.load_state(state);
}

}  // namespace

TrainingReport run_training(const TrainerOptions& o, const std::string& run_dir, bool resume,
                            const TrainerHooks& hooks, const DistributedRun& distributed) {
  dist::SerialCommunicator serial;
  dist::Communicator& comm = distributed.comm ? *distributed.comm : serial;
  const int rank = comm.rank(), ranks = comm.size();
  const bool leader = rank == 0;  // the only rank that writes, validates and reports
  const auto say = [&](const std::string& text) {
    if (leader && hooks.message) hooks.message(text);
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
  check_same_configuration(comm, o, distributed, spec, data);
  // A resumed run keeps the fit it started with (set below, from its checkpoint or file).
  // Rank 0 makes it; the others take its copy.
  EcalSumFit fit = EcalSumFit::public_fit();
  if (!resume && !o.public_ecal_fit) {
    std::string text = leader ? fit_on_data(data).to_json() : std::string();
    comm.broadcast(text, 0);
    fit = EcalSumFit::from_json(text);
  }
  if (leader) {
    if (resume)
      io::write_file_atomically(run.config().string(), to_json(o));
    else
      run.create_new({{run.ecal_sum_fit().filename().string(), fit.to_json()},
                      {run.config().filename().string(), to_json(o)}});
  }

  nn::Context ctx(nn::ContextOptions{.threads = o.threads, .conv = o.conv});
  gan::Generator gen(ctx, spec);
  gan::Discriminator disc(ctx, spec);
  nn::RMSprop opt_g(gen.store(), static_cast<float>(o.learning_rate));
  nn::RMSprop opt_d(disc.store(), static_cast<float>(o.learning_rate));
  // The generator's weights averaged over the steps (o.generator_average > 0): what validation,
  // best.h5 and so the shipped model use. Only the leader keeps it (every rank has the same
  // weights after each step).
  std::vector<float> average;
  const bool averaging = o.generator_average > 0 && leader;
  gan::CheckpointParts parts{&gen, &disc, &opt_g, &opt_d};
  if (averaging) parts.generator_average = &average;
  gan::TrainingPosition position;
  position.seed = o.seed;
  double best_score = INFINITY;
  if (const auto latest = resume ? run.latest_checkpoint() : std::nullopt) {
    position = gan::load_checkpoint(latest->string(), spec, parts);
    if (leader) run.truncate_metrics_after(position.step);
    say("resumed " + run_dir + " at step " + std::to_string(position.step) + " from " + latest->string());
  } else {
    Rng init(o.seed, kInitStream);
    gen.initialise(init);
    disc.initialise(init);
    if (resume && leader) run.truncate_metrics_after(-1);  // from the start: the step-0 validation again too
  }
  broadcast_state(comm, gen.store(), opt_g);
  broadcast_state(comm, disc.store(), opt_d);
  if (averaging && average.empty()) {  // a new run, or averaging turned on at this resume
    const auto w = gen.store().values();
    average.assign(w.begin(), w.end());
  }
  if (rank > 0)  // own Dropout masks per rank (rank 0 keeps the checkpointed streams)
    disc.set_dropout_seed(o.seed ^ (static_cast<std::uint64_t>(rank) << 48) ^
                          static_cast<std::uint64_t>(position.step));
  if (resume) {  // the fit the run started with: its checkpoint's copy, else the run's file
    if (const auto it = position.notes.find(kEcalSumFitNote); it != position.notes.end())
      fit = EcalSumFit::from_json(it->second);
    else if (std::filesystem::exists(run.ecal_sum_fit()))
      fit = EcalSumFit::from_json(read_text_file(run.ecal_sum_fit()));
    else if (!o.public_ecal_fit)
      fit = fit_on_data(data);
  }
  if (leader && resume && std::filesystem::exists(run.best())) {
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
  dist::Timeline timeline(rank);
  dist::Timeline* trace = distributed.timeline.empty() ? nullptr : &timeline;
  gan_step.set_timeline(trace);
  std::unique_ptr<DistributedGradients> sync;
  if (ranks > 1) {
    sync =
        std::make_unique<DistributedGradients>(comm, distributed.fusion_threshold_bytes, trace,
                                               distributed.overlap, o.batch_size, distributed.dense_factors);
    gan_step.set_gradient_sync(sync.get());
  }
  // The checkpoint alone says how it was trained: generate warns outside the trained range.
  const std::map<std::string, std::string> notes = {
      {kEcalSumFitNote, fit.to_json()},
      {kEnergyRangeNote,
       nlohmann::json::array({100 * step_config.fake_energy_min, 100 * step_config.fake_energy_max}).dump()},
      {kTrainConfigNote, to_json(o)},
      {kCellScaleNote, nlohmann::json(o.cell_scale).dump()}};

  // Position: `consumed` events of epoch `epoch`'s order are trained on. Each step trains on
  // the next global_batch of them, batch_size per rank.
  const auto n_train = static_cast<std::int64_t>(data.training().size());
  const std::int64_t global_batch = ranks * o.batch_size;
  const auto steps_for = [&](std::int64_t events) { return (events + global_batch - 1) / global_batch; };
  const std::int64_t steps_per_epoch = steps_for(n_train);
  std::int64_t step = position.step;
  std::int64_t epoch = 0, consumed = 0;
  if (const auto it = position.notes.find(kEpochPositionNote); it != position.notes.end()) {
    const auto j = nlohmann::json::parse(it->second, nullptr, false);
    if (j.is_discarded() || !j.contains("epoch") || !j.contains("events"))
      throw InputError("the checkpoint's " + std::string(kEpochPositionNote) + " note is malformed ('" +
                       it->second + "') resume from another checkpoint");
    epoch = j.at("epoch").get<std::int64_t>(), consumed = j.at("events").get<std::int64_t>();
    CALO_VALIDATE(consumed >= 0 && consumed < n_train, "the checkpoint's position (" +
                                                           std::to_string(consumed) +
                                                           " events into its epoch) is outside this data's " +
                                                           std::to_string(n_train) + " training events");
  } else {  // a single-process checkpoint made before the note existed
    const std::int64_t single = (n_train + o.batch_size - 1) / o.batch_size;
    epoch = step / single, consumed = (step % single) * o.batch_size;
  }
  std::int64_t total_steps = step + steps_for(n_train - consumed) + (o.epochs - epoch - 1) * steps_per_epoch;
  if (epoch >= o.epochs) total_steps = step;
  if (o.max_steps > 0) total_steps = std::min(total_steps, std::max(step, o.max_steps));

  TrainingReport report;
  report.ranks = ranks;
  auto last_checkpoint = Clock::now();
  const auto save = [&](const std::filesystem::path& path, const gan::CheckpointParts& what) {
    if (!finite(gen.store().values()) || !finite(disc.store().values()))
      throw RuntimeError("training diverged before step " + std::to_string(step) +
                         " (non-finite weights; nothing saved) the last good checkpoint is " +
                         (report.checkpoint.empty() ? std::string("none") : report.checkpoint));
    gan::TrainingPosition at;
    at.epoch = epoch, at.step = step, at.seed = o.seed;
    at.notes = notes;
    at.notes[kEpochPositionNote] = nlohmann::json{{"epoch", epoch}, {"events", consumed}}.dump();
    gan::save_checkpoint(path.string(), spec, what, at, /*overwrite=*/true);
  };
  const auto checkpoint = [&] {
    if (!leader) return;
    save(run.checkpoint(step), parts);
    run.prune_checkpoints(o.keep_checkpoints);
    report.checkpoint = run.checkpoint(step).string();
    last_checkpoint = Clock::now();
    if (hooks.checkpointed) hooks.checkpointed();
  };
  const auto validate_now = [&] {
    if (!leader) return;
    // With averaging, the average is validated (and kept as best) in the generator's place;
    // the trained weights come back at the end of the validation, before anything else runs.
    struct SwapAverage {
      std::span<float> w;
      std::vector<float>& a;
      explicit SwapAverage(std::span<float> weights, std::vector<float>& avg) : w(weights), a(avg) { swap(); }
      ~SwapAverage() { swap(); }
      void swap() {
        if (!a.empty()) std::swap_ranges(w.begin(), w.end(), a.begin());
      }
    } swap_average{averaging ? gen.store().values() : std::span<float>(), average};
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
                                {"epoch", epoch + static_cast<double>(consumed) / n_train},
                                {"events", m.events},
                                {"generator", averaging ? "average" : "trained"},
                                {"d_real", loss_json(m.d_real)},
                                {"sampled_fraction_error", m.sampled_fraction_error},
                                {"sampled_fraction_ratio", m.sampled_fraction_ratio},
                                {"longitudinal_error", m.longitudinal_error},
                                {"transverse_error", m.transverse_error},
                                {"score", m.score()}};
    run.append_metrics(j.dump());
    if (m.score() < best_score) {
      best_score = m.score();
      // best.h5: the validated generator (the average, if any) as the generator; no average
      // dataset, since it would hold the trained weights (swapped out) here.
      gan::CheckpointParts best = parts;
      best.generator_average = nullptr;
      save(run.best(), best);
    }
  };

  say("training " + spec.name + " on " + std::to_string(n_train) + " showers (" +
      std::to_string(data.validation().size()) + " held out), " + std::to_string(steps_per_epoch) +
      " steps per epoch" +
      (ranks > 1 ? " of " + std::to_string(ranks) + " ranks x batch " + std::to_string(o.batch_size) : "") +
      ", steps " + std::to_string(step) + " to " + std::to_string(total_steps));
  // A run that starts from initialised networks validates them first, so its curves begin at
  // the untrained state (what the learning test compares against).
  if (step == 0 && total_steps > 0) validate_now();
  const auto loop_start = Clock::now();
  std::int64_t samples_this_run = 0;
  const std::vector<float> no_cells, no_energies;
  while (step < total_steps) {
    BatchLoader loader(data, epoch_shard(epoch_order(data.training(), o.seed, epoch), consumed, rank, ranks),
                       {.batch_size = o.batch_size, .cell_scale = static_cast<float>(o.cell_scale)});
    const std::int64_t first_epoch_step = steps_per_epoch - steps_for(n_train - consumed);
    std::int64_t epoch_step = first_epoch_step;
    bool stop = false;
    const std::int64_t this_epoch = epoch;
    while (step < total_steps && epoch == this_epoch) {
      const auto wait = Clock::now();
      std::optional<Batch> batch = loader.next();  // none: this rank's events of the epoch ran out
      if (trace) trace->add("data wait", dist::Timeline::kCompute, wait, Clock::now());
      const std::int64_t global = std::min(global_batch, n_train - consumed);
      const std::int64_t local = batch ? static_cast<std::int64_t>(batch->events.size()) : 0;
      CALO_ASSERT(ranks > 1 || local == global);
      Rng rng(o.seed,
              kStepStream + (static_cast<std::uint64_t>(rank) << 40) + static_cast<std::uint64_t>(step));
      // Functions of the position alone, so a resume ramps the same way.
      double lr = o.learning_rate * learning_rate_scale(epoch + static_cast<double>(consumed) / n_train,
                                                        ranks, o.warmup_epochs);
      if (o.warmup_steps > 0)
        lr *= std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(o.warmup_steps));
      if (ranks > 1 || o.warmup_steps > 0) {
        opt_g.set_learning_rate(static_cast<float>(lr));
        opt_d.set_learning_rate(static_cast<float>(lr));
      }
      if (sync) sync->set_batches(local, global);
      StepLosses losses = batch ? gan_step.step(batch->images, batch->energies, rng)
                                : gan_step.step(no_cells, no_energies, rng);
      if (ranks > 1) average_losses(comm, losses, local, global);
      bool ok = finite(losses.d_real) && finite(losses.d_fake);
      for (const LossTerms& g : losses.generator) ok = ok && finite(g);
      if (!ok)
        throw RuntimeError("training diverged at step " + std::to_string(step) +
                           " (non-finite loss) the last good checkpoint is " +
                           (report.checkpoint.empty() ? std::string("none") : report.checkpoint));
      if (averaging) {
        const float d = static_cast<float>(o.generator_average);
        const auto w = gen.store().values();
        for (std::size_t i = 0; i < w.size(); ++i) average[i] = d * average[i] + (1 - d) * w[i];
      }
      ++step, ++report.steps_this_run, ++epoch_step;
      consumed += global;
      const bool epoch_done = consumed == n_train;
      if (epoch_done) ++epoch, consumed = 0;
      samples_this_run += global;
      const double rate = samples_this_run / std::chrono::duration<double>(Clock::now() - loop_start).count();
      if (leader && step % o.log_every == 0) {
        nlohmann::ordered_json j = {{"kind", "step"},
                                    {"step", step},
                                    {"epoch", epoch + static_cast<double>(consumed) / n_train},
                                    {"samples", step * global_batch},
                                    {"d_real", loss_json(losses.d_real)},
                                    {"d_fake", loss_json(losses.d_fake)},
                                    {"g", loss_json(losses.generator.back())},
                                    {"lr", lr},
                                    {"samples_per_s", rate}};
        run.append_metrics(j.dump());
      }
      if (hooks.step_done) hooks.step_done(step);
      if (leader && hooks.progress)
        hooks.progress({step, this_epoch, steps_per_epoch, total_steps, epoch_step, losses, rate});
      if (o.validate_every > 0 && step % o.validate_every == 0 && !epoch_done) validate_now();
      stop = hooks.stop && hooks.stop->load() != 0;
      if (ranks > 1) stop = any_rank(comm, stop);  // every rank stops at the same step
      const bool due = o.checkpoint_every.steps > 0
                           ? step % o.checkpoint_every.steps == 0
                           : std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >=
                                 60 * o.checkpoint_every.minutes;
      if (epoch_done) {
        validate_now();
        checkpoint();
        say("epoch " + std::to_string(epoch) + " done, checkpoint " + report.checkpoint);
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
  report.epochs = epoch;
  if (sync)
    report.allreduce_seconds = sync->reduce_seconds(), report.allreduce_wait_seconds = sync->wait_seconds();
  if (trace && leader) timeline.write(distributed.timeline);
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace calo::train
