// calo3dgan train: the 3DGAN recipe on shower files into a run directory (docs/train.md).
#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/commands.hh"
#include "cli/interrupt.hh"
#include "cli/nn_options.hh"
#include "core/error.hh"
#include "core/progress_bar.hh"
#include "dist/mpi_communicator.hh"
#include "report/training_report.hh"
#include "train/run_directory.hh"
#include "train/trainer.hh"

namespace calo::cli {

namespace {

struct TrainCommandOptions {
  train::TrainerOptions trainer;
  std::vector<std::string> data;
  std::string out, resume, energy_range, fake_energy_range, loss_weights, checkpoint_every = "10min";
  std::string timeline;
  double fusion_threshold_mib = static_cast<double>(train::kDefaultFusionBytes) / (1 << 20);
  bool no_overlap = false;
  std::string dense_factors = "auto";
  bool quiet = false;
};

/// The threads a rank computes with: --threads, else what OpenMP takes (OMP_NUM_THREADS, else
/// the cores this process is bound to, so that mpirun --bind-to gives each rank its own).
int effective_threads(int option) {
  if (option > 0) return option;
  if (const char* v = std::getenv("OMP_NUM_THREADS"); v && std::atoi(v) > 0) return std::atoi(v);
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

/// "cores 0-1,4" of this process's affinity mask.
std::string bound_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return "?";
  std::string out;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &set) || (c > 0 && CPU_ISSET(c - 1, &set))) continue;
    int last = c;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    out += (out.empty() ? "" : ",") + std::to_string(c) + (last > c ? "-" + std::to_string(last) : "");
  }
  return out;
}

/// Testing only (tests/cli/train_mpi): CALO3DGAN_TEST_EXIT="RANK:STEP" ends that rank with
/// exit code 3 right after that step, as a crash would (no clean-up).
void exit_if_told(int rank, std::int64_t step) {
  static const char* told = std::getenv("CALO3DGAN_TEST_EXIT");
  int r = -1;
  long long s = -1;
  if (told && std::sscanf(told, "%d:%lld", &r, &s) == 2 && r == rank && s == step) std::_Exit(3);
}

/// "A:B" [GeV] into the data options; InputError otherwise.
void parse_energy_range(const std::string& text, train::DatasetOptions& d) {
  const auto colon = text.find(':');
  double lo = NAN, hi = NAN;
  try {
    if (colon != std::string::npos)
      lo = std::stod(text.substr(0, colon)), hi = std::stod(text.substr(colon + 1));
  } catch (const std::exception&) {
  }
  CALO_VALIDATE(std::isfinite(lo) && std::isfinite(hi) && lo >= 0 && hi > lo,
                "invalid --energy-range '" + text + "' (use A:B in GeV with 0 <= A < B, e.g. 10:500)");
  d.energy_min_gev = lo, d.energy_max_gev = hi;
}

/// "6,0.2,0.1" into the three loss weights; InputError otherwise.
train::LossWeights parse_loss_weights(const std::string& text) {
  float w[3];
  char end = 0;
  CALO_VALIDATE(std::sscanf(text.c_str(), "%f,%f,%f%c", &w[0], &w[1], &w[2], &end) == 3,
                "invalid --loss-weights '" + text + "' (three numbers: BCE,energy,ECAL-sum, e.g. 6,0.2,0.1)");
  return {w[0], w[1], w[2]};
}

/// The options a run uses: the stored config of a resumed run, then every option given now.
train::TrainerOptions effective_options(const TrainCommandOptions& c, const CLI::App& cmd) {
  train::TrainerOptions o = c.trainer;
  const auto given = [&](const char* name) { return cmd.count(name) > 0; };
  if (!c.resume.empty()) {
    const train::RunDirectory run(c.resume);
    run.check_resumable();
    train::TrainerOptions stored = train::trainer_options_from_json(train::read_text_file(run.config()));
    const train::TrainerOptions& now = c.trainer;
    if (given("--model")) stored.model = now.model;
    if (given("--epochs")) stored.epochs = now.epochs;
    if (given("--batch-size")) stored.batch_size = now.batch_size;
    if (given("--max-steps")) stored.max_steps = now.max_steps;
    if (given("--lr")) stored.learning_rate = now.learning_rate;
    if (given("--warmup-steps")) stored.warmup_steps = now.warmup_steps;
    if (given("--warmup-epochs")) stored.warmup_epochs = now.warmup_epochs;
    if (given("--seed")) stored.seed = now.seed;
    if (given("--threads")) stored.threads = now.threads;
    if (given("--validation-fraction")) stored.data.validation_fraction = now.data.validation_fraction;
    if (given("--skip-bad-files")) stored.data.skip_bad_files = now.data.skip_bad_files;
    if (given("--label-flip")) stored.label_flip_probability = now.label_flip_probability;
    if (given("--generator-updates")) stored.generator_updates = now.generator_updates;
    if (given("--cell-scale")) stored.cell_scale = now.cell_scale;  // refused if it differs
    if (given("--generator-average")) stored.generator_average = now.generator_average;
    if (given("--keep-checkpoints")) stored.keep_checkpoints = now.keep_checkpoints;
    if (given("--log-every")) stored.log_every = now.log_every;
    if (given("--validate-every")) stored.validate_every = now.validate_every;
    if (given("--validation-events")) stored.validation_events = now.validation_events;
    o = stored;
  }
  if (!c.data.empty()) o.data.patterns = c.data;
  if (given("--energy-range")) parse_energy_range(c.energy_range, o.data);
  if (given("--loss-weights")) o.loss_weights = parse_loss_weights(c.loss_weights);
  if (given("--fake-energy-range")) {
    train::DatasetOptions range;
    parse_energy_range(c.fake_energy_range, range);
    CALO_VALIDATE(range.energy_min_gev > 0, "invalid --fake-energy-range (energies must be positive)");
    o.fake_energy_min_gev = range.energy_min_gev, o.fake_energy_max_gev = range.energy_max_gev;
  }
  if (given("--checkpoint-every") || c.resume.empty())
    o.checkpoint_every = train::CheckpointInterval::parse(c.checkpoint_every);
  return o;
}

/// Trains as this rank; the exit code: 0, or 128 + signal after a stop request.
int run_train(const TrainCommandOptions& c, const CLI::App& cmd, dist::Communicator& comm);

/// One rank of a job launched by mpirun/srun, or one process. A rank that fails ends the
/// whole job (after printing its error): the others would wait for it in their next allreduce.
/// A stopped job finalises MPI before exiting (a rank that exits without it is a failure to
/// the launcher).
void run_train_ranks(const TrainCommandOptions& c, const CLI::App& cmd) {
  int code = 0;
  if (!dist::launched_by_mpi()) {
    dist::SerialCommunicator serial;
    code = run_train(c, cmd, serial);
  } else {
    dist::MpiCommunicator comm;
    try {
      code = run_train(c, cmd, comm);
    } catch (const std::exception& e) {
      if (comm.size() == 1) throw;
      const bool input = dynamic_cast<const InputError*>(&e) != nullptr;
      std::string line = e.what();
      for (char& ch : line)
        if (ch == '\n') ch = ' ';
      std::fprintf(stderr, "calo3dgan: error: rank %d of %d: %s\n", comm.rank(), comm.size(), line.c_str());
      std::fflush(stderr);
      comm.abort(input ? 2 : 1);
    }
  }
  if (code != 0) {
    std::fflush(stdout);
    std::exit(code);
  }
}

int run_train(const TrainCommandOptions& c, const CLI::App& cmd, dist::Communicator& comm) {
  CALO_VALIDATE(c.out.empty() != c.resume.empty(),
                "give either --out RUN_DIR (a new run) or --resume RUN_DIR");
  CALO_VALIDATE(!c.resume.empty() || !c.data.empty(),
                "no training data (name shower files with --data 'GLOB')");
  train::TrainerOptions o = effective_options(c, cmd);
  o.conv = nn_options_from_environment().conv;
  const std::string run_dir = c.resume.empty() ? c.out : c.resume;
  const std::atomic<int>& stop = stop_cleanly_on_interrupt();

  CALO_VALIDATE(
      std::isfinite(c.fusion_threshold_mib) && c.fusion_threshold_mib >= 0,
      "invalid --fusion-threshold " + std::to_string(c.fusion_threshold_mib) + " (MiB, must be >= 0)");
  train::DistributedRun distributed;
  distributed.comm = &comm;
  distributed.fusion_threshold_bytes = static_cast<std::size_t>(c.fusion_threshold_mib * (1 << 20));
  distributed.overlap = !c.no_overlap;
  distributed.dense_factors = train::parse_dense_factors(c.dense_factors);
  distributed.timeline = c.timeline;
  const bool leader = comm.rank() == 0;
  if (!c.quiet && comm.size() > 1) {
    char host[256] = "?";
    gethostname(host, sizeof host - 1);
    const int threads = effective_threads(o.threads);
    std::fprintf(stderr, "rank %d of %d on %s: %d thread%s, cores %s\n", comm.rank(), comm.size(), host,
                 threads, threads == 1 ? "" : "s", bound_cores().c_str());
  }

  std::unique_ptr<ProgressBar> bar;
  std::int64_t bar_epoch = -1;
  train::TrainerHooks hooks;
  hooks.stop = &stop;
  hooks.step_done = [&](std::int64_t step) { exit_if_told(comm.rank(), step); };
  hooks.message = [&](const std::string& text) {
    if (!c.quiet) std::fprintf(stderr, "%s%s\n", bar && bar->enabled() ? "\n" : "", text.c_str());
  };
  hooks.progress = [&](const train::StepProgress& p) {
    if (c.quiet) return;
    if (p.epoch != bar_epoch) {
      bar_epoch = p.epoch;
      bar = std::make_unique<ProgressBar>("epoch " + std::to_string(p.epoch + 1), p.steps_per_epoch, "steps");
    }
    char note[160];
    std::snprintf(note, sizeof note, "D %.3f/%.3f G %.3f  %.1f samples/s", p.losses.d_real.total,
                  p.losses.d_fake.total, p.losses.generator.back().total, p.samples_per_second);
    bar->update(p.epoch_step, note);
  };
  // training.html at every checkpoint; a report that cannot be drawn (no gnuplot) is noted
  // once and never stops the training.
  bool report_failed = false;
  hooks.checkpointed = [&] {
    if (report_failed) return;
    const train::RunDirectory run(run_dir);
    try {
      report::write_training_report(run.metrics().string(), run_dir, (run.root() / "training.html").string());
    } catch (const std::exception& e) {
      report_failed = true;
      std::fprintf(stderr, "calo3dgan: warning: training.html not written (%s); training goes on\n",
                   e.what());
    }
  };
  const train::TrainingReport r = train::run_training(o, run_dir, !c.resume.empty(), hooks, distributed);
  if (bar) bar->finish();
  if (!c.quiet && leader) {
    std::printf("trained %lld steps (%lld in this run, %.1f s), %lld epochs complete; last checkpoint %s\n",
                static_cast<long long>(r.steps), static_cast<long long>(r.steps_this_run), r.seconds,
                static_cast<long long>(r.epochs), r.checkpoint.c_str());
    if (r.ranks > 1)
      std::printf(
          "%d ranks: %.1f s in gradient exchanges on rank 0, %.0f %% of it not waited for after backward "
          "(waits for slower ranks included; bench scaling tells them apart)\n",
          r.ranks, r.allreduce_seconds,
          r.allreduce_seconds > 0 ? 100 * (1 - r.allreduce_wait_seconds / r.allreduce_seconds) : 0.0);
    if (r.last_validation.events > 0)
      std::printf(
          "validation (%lld showers): sampled fraction %.1f %%, longitudinal %.1f %%, transverse %.1f %% "
          "off\n",
          static_cast<long long>(r.last_validation.events), 100 * r.last_validation.sampled_fraction_error,
          100 * r.last_validation.longitudinal_error, 100 * r.last_validation.transverse_error);
  }
  if (!r.stopped) return 0;
  // Another rank may have been the one signalled (the stop is collective): SIGTERM then.
  const int signal_number = stop.load() != 0 ? stop.load() : 15;
  if (leader)
    std::fprintf(stderr, "calo3dgan: %s; checkpoint written, continue with --resume %s\n",
                 signal_number == 2 ? "interrupted (SIGINT)" : "terminated (SIGTERM)", run_dir.c_str());
  return 128 + signal_number;
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto c = std::make_shared<TrainCommandOptions>();
  train::TrainerOptions& t = c->trainer;
  CLI::App* cmd = app.add_subcommand("train", "Train the 3DGAN on shower files (docs/train.md)");
  cmd->add_option("--data", c->data, "Shower files or quoted glob patterns (repeatable)");
  cmd->add_option("--out", c->out, "Run directory of a new run (must be absent or empty)");
  cmd->add_option("--resume", c->resume, "Continue the run in this directory from its newest checkpoint");
  cmd->add_option("--model", t.model, "Model spec name or JSON file")->capture_default_str();
  cmd->add_option("--epochs", t.epochs, "Epochs in total")->capture_default_str();
  cmd->add_option("--batch-size", t.batch_size, "Showers per step")->capture_default_str();
  cmd->add_option("--max-steps", t.max_steps, "Stop after this many steps in total (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--lr", t.learning_rate, "RMSprop learning rate")->capture_default_str();
  cmd->add_option("--warmup-steps", t.warmup_steps,
                  "Ramp the learning rate up linearly over the first N steps (0: none, the original)")
      ->capture_default_str();
  cmd->add_option("--warmup-epochs", t.warmup_epochs,
                  "Several ranks: ramp the learning rate from --lr to ranks x --lr over N epochs")
      ->capture_default_str();
  cmd->add_option(
         "--fusion-threshold", c->fusion_threshold_mib,
         "Several ranks: gradients allreduced in buckets of at least this many MiB (0: per parameter)")
      ->capture_default_str();
  cmd->add_flag(
      "--no-overlap", c->no_overlap,
      "Several ranks: allreduce the gradients after backward instead of during it (for comparisons)");
  cmd->add_option("--dense-factors", c->dense_factors,
                  "Several ranks: Dense layers exchange their batch's sufficient factors instead of their "
                  "gradient: auto (where fewer floats), always, never")
      ->capture_default_str();
  cmd->add_option(
      "--timeline", c->timeline,
      "Write rank 0's Chrome-trace timeline (forward, backward, allreduces, optimiser, data wait) here");
  cmd->add_option("--loss-weights", c->loss_weights, "BCE,energy,ECAL-sum loss weights (default 6,0.2,0.1)");
  cmd->add_option("--fake-energy-range", c->fake_energy_range,
                  "Energies A:B GeV of the generated showers (default: the training data's range)");
  cmd->add_option("--label-flip", t.label_flip_probability, "Probability of flipping a D label")
      ->capture_default_str();
  cmd->add_option("--generator-updates", t.generator_updates, "G updates per step")->capture_default_str();
  cmd->add_flag("--public-ecal-fit", t.public_ecal_fit,
                "ECAL-sum targets from the original's fit of the public data, not a fit of this data");
  cmd->add_option("--cell-scale", t.cell_scale,
                  "Cells are fed to the networks in GeV x this (the original's xscale; docs/train.md)")
      ->capture_default_str();
  cmd->add_option("--generator-average", t.generator_average,
                  "Validate and keep as best an exponential moving average of the generator's weights "
                  "with this decay, e.g. 0.999 (0: none, the original recipe)")
      ->capture_default_str();
  cmd->add_option("--seed", t.seed, "Seed of the weights, epoch orders and step draws")
      ->capture_default_str();
  cmd->add_option("--threads", t.threads, "Threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--validation-fraction", t.data.validation_fraction, "Events held out per file")
      ->capture_default_str();
  cmd->add_option("--validation-events", t.validation_events, "Held-out showers used per validation")
      ->capture_default_str();
  cmd->add_option("--validate-every", t.validate_every, "Also validate every N steps (0: at epoch ends only)")
      ->capture_default_str();
  cmd->add_option("--energy-range", c->energy_range, "Only showers with primary energy in A:B GeV");
  cmd->add_option("--checkpoint-every", c->checkpoint_every, "Checkpoint every N steps or every Nmin minutes")
      ->capture_default_str();
  cmd->add_option("--keep-checkpoints", t.keep_checkpoints, "Step checkpoints kept (besides best.h5)")
      ->capture_default_str();
  cmd->add_option("--log-every", t.log_every, "Steps between metrics-log lines")->capture_default_str();
  cmd->add_flag("--skip-bad-files", t.data.skip_bad_files, "Skip unreadable or malformed files (listed)");
  cmd->add_flag("--quiet", c->quiet, "Print nothing but errors");
  cmd->callback([c, cmd] { run_train_ranks(*c, *cmd); });
}

}  // namespace calo::cli
