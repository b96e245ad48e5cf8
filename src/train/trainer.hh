#pragma once
// run_training: the 3DGAN training loop (docs/train.md) behind `calo3dgan train`.
//
//   TrainerOptions o;  o.data.patterns = {"showers/*.h5"};
//   TrainingReport r = run_training(o, "runs/a", /*resume=*/false, {});
//
// Step s (counted from 0 over the whole run) uses batch s mod S of epoch s / S, S the steps
// per epoch, in the epoch order of event_order.hh, and draws its labels, energies and latents
// from Rng(seed, kStepStream + s). So a run resumed from the checkpoint of step s (weights,
// optimiser state, BatchNorm statistics and Dropout streams restored) computes exactly what
// the uninterrupted run would: nothing random is carried between steps outside the checkpoint.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "gan/checkpoint.hh"
#include "train/gan_step.hh"
#include "train/trainer_options.hh"
#include "train/validation_metrics.hh"

namespace calo::train {

/// Random stream bases of a run (streams apart from the Monte Carlo's per-event ones).
inline constexpr std::uint64_t kInitStream = 0x696e6974ULL;             // initial weights
inline constexpr std::uint64_t kStepStream = 0x7374657000000000ULL;     // + step
inline constexpr std::uint64_t kRefreshStream = 0x7265667200000000ULL;  // + step (BatchNorm refresh)

/// The BatchNorm statistics of the validated (and best) generator: averaged over this many
/// training-mode batches of generated latents (gan/batch_norm_refresh.hh).
inline constexpr int kRefreshBatches = 8;
inline constexpr std::int64_t kRefreshBatchSize = 32;

/// Notes every checkpoint of a run carries (gan/checkpoint.hh): the ECAL-sum fit, the trained
/// energy range and the run's configuration.
using gan::kCellScaleNote;
using gan::kEcalSumFitNote;
using gan::kEnergyRangeNote;
using gan::kTrainConfigNote;

/// What the caller sees after each step (progress bars).
struct StepProgress {
  std::int64_t step = 0, epoch = 0, steps_per_epoch = 0, total_steps = 0;
  StepLosses losses;
  double samples_per_second = 0;
};

struct TrainerHooks {
  std::function<void(const std::string&)> message;    ///< one-line notes (start, checkpoints)
  std::function<void(const StepProgress&)> progress;  ///< after every step
  const std::atomic<int>* stop = nullptr;             ///< non-zero: checkpoint, then stop
  std::function<void()> checkpointed;                 ///< after every checkpoint (e.g. a report)
};

struct TrainingReport {
  std::int64_t steps = 0;             ///< completed steps in total
  std::int64_t epochs = 0;            ///< completed epochs
  std::int64_t steps_this_run = 0;    ///< steps done by this call
  double seconds = 0;                 ///< wall time of this call
  bool stopped = false;               ///< by TrainerHooks::stop
  std::string checkpoint;             ///< the last checkpoint written
  ValidationMetrics last_validation;  ///< of the last validation (events 0 if none ran)
};

/// Trains into run_dir (created; must be absent or empty) or, with resume, continues the run
/// there from its newest checkpoint with these options (the CLI merges the stored config with
/// the options given again; data, model, batch size and seed must not change: InputError).
/// RuntimeError when training diverges (non-finite loss or weights): the last checkpoint is kept.
TrainingReport run_training(const TrainerOptions& options, const std::string& run_dir, bool resume,
                            const TrainerHooks& hooks = {});

}  // namespace calo::train
