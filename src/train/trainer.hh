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

#include "dist/communicator.hh"
#include "gan/checkpoint.hh"
#include "train/distributed_gradients.hh"
#include "train/gan_step.hh"
#include "train/trainer_options.hh"
#include "train/validation_metrics.hh"

namespace calo::train {

/// Random stream bases of a run (streams apart from the Monte Carlo's per-event ones).
inline constexpr std::uint64_t kInitStream = 0x696e6974ULL;             // initial weights
inline constexpr std::uint64_t kStepStream = 0x7374657000000000ULL;     // + (rank << 40) + step
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
/// Where in its epoch a checkpoint was written, {"epoch": e, "events": c}: c events of epoch
/// e's order were trained on, by any number of ranks, so a run resumes on another number of
/// ranks at the next event (absent in single-process checkpoints made before it existed:
/// derived from the step then).
inline constexpr const char* kEpochPositionNote = "epoch_position";

/// What the caller sees after each step (progress bars).
struct StepProgress {
  std::int64_t step = 0, epoch = 0, steps_per_epoch = 0, total_steps = 0;
  std::int64_t epoch_step = 0;  ///< steps done in this epoch (1 after its first step)
  StepLosses losses;
  double samples_per_second = 0;
};

struct TrainerHooks {
  std::function<void(const std::string&)> message;    ///< one-line notes (start, checkpoints)
  std::function<void(const StepProgress&)> progress;  ///< after every step
  const std::atomic<int>* stop = nullptr;             ///< non-zero: checkpoint, then stop
  std::function<void()> checkpointed;                 ///< after every checkpoint (e.g. a report)
  /// After every step, on every rank (the others above: rank 0 only), with the steps done.
  std::function<void(std::int64_t)> step_done;
};

struct TrainingReport {
  std::int64_t steps = 0;             ///< completed steps in total
  std::int64_t epochs = 0;            ///< completed epochs
  std::int64_t steps_this_run = 0;    ///< steps done by this call
  double seconds = 0;                 ///< wall time of this call
  bool stopped = false;               ///< by TrainerHooks::stop
  std::string checkpoint;             ///< the last checkpoint written
  ValidationMetrics last_validation;  ///< of the last validation (events 0 if none ran)
  int ranks = 1;                      ///< ranks that trained together
  double allreduce_seconds = 0;       ///< this rank's time in gradient allreduces
  double allreduce_wait_seconds = 0;  ///< of which backward was done and waited (not hidden)
};

/// Data-parallel training (docs/distributed.md): every rank calls run_training with the same
/// options and its communicator. Rank r trains on positions r, r + R, ... of each epoch's order
/// (event_order.hh) with its own step draws and Dropout masks; the weights and optimiser state
/// start as rank 0's; gradients are averaged over all ranks' events (fused allreduces that
/// overlap the backward pass), the learning rate scaled by R with a warm-up (lr_schedule.hh),
/// the losses averaged; only rank 0 writes the run directory, validates and calls the hooks
/// (except stop, which any rank may raise). BatchNorm statistics stay per rank (Horovod's
/// choice); rank 0's are checkpointed. InputError on every rank when the ranks were started
/// with different options, model specs or data.
struct DistributedRun {
  dist::Communicator* comm = nullptr;  ///< null: one process
  std::size_t fusion_threshold_bytes = kDefaultFusionBytes;
  bool overlap = true;  ///< reduce buckets during backward (false: all after it)
  DenseFactors dense_factors = DenseFactors::automatic;  ///< distributed_gradients.hh
  std::string timeline;  ///< rank 0's Chrome trace of the run (dist/timeline.hh), "" for none
};

/// Trains into run_dir (created; must be absent or empty) or, with resume, continues the run
/// there from its newest checkpoint with these options (the CLI merges the stored config with
/// the options given again; data, model, batch size and seed must not change: InputError).
/// RuntimeError when training diverges (non-finite loss or weights): the last checkpoint is kept.
TrainingReport run_training(const TrainerOptions& options, const std::string& run_dir, bool resume,
                            const TrainerHooks& hooks = {}, const DistributedRun& distributed = {});

}  // namespace calo::train
