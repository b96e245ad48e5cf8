#pragma once
// TrainerOptions: everything a training run is configured by (`calo3dgan train`'s options),
// stored in the run directory as config.json so that `--resume` continues with the same run
// and options given again override it. Defaults are the seed's run configuration (DESIGN.md
// section 7): 90 % / 10 % split, batch 8, RMSprop lr 1e-3, 25 epochs.
#include <cstdint>
#include <string>

#include "nn/context_options.hh"
#include "train/shower_dataset.hh"
#include "train/step_config.hh"

namespace calo::train {

/// When checkpoints are written: every `steps` steps, or every `minutes` of wall time.
struct CheckpointInterval {
  std::int64_t steps = 0;
  double minutes = 10;
  /// "500" (steps) or "10min" (minutes); InputError naming the text otherwise.
  static CheckpointInterval parse(const std::string& text);
  std::string text() const;
  bool operator==(const CheckpointInterval&) const = default;
};

struct TrainerOptions {
  std::string model = "3dgan-16";  ///< built-in spec name or spec JSON file
  DatasetOptions data;             ///< files, split, energy range, bad-file policy
  std::int64_t epochs = 25;
  std::int64_t batch_size = 8;
  std::int64_t max_steps = 0;  ///< stop after this many steps in total (0: no limit)
  double learning_rate = 1e-3;
  /// Learning rate ramped linearly from learning_rate / warmup_steps to learning_rate over the
  /// first warmup_steps steps (0: none, the original recipe).
  std::int64_t warmup_steps = 0;
  /// Several ranks (docs/distributed.md): the rate is scaled by the number of ranks, reached
  /// by a linear ramp over this many epochs (lr_schedule.hh; Goyal et al. 2017, the seed's 5).
  double warmup_epochs = 5;
  LossWeights loss_weights;
  /// Energies of the generated showers [GeV], uniform; both 0: the training data's range
  /// (the original's 10-500 GeV was its data's range; far outside it the ECAL-sum fit
  /// extrapolates and the discriminator learns about showers it never sees).
  double fake_energy_min_gev = 0, fake_energy_max_gev = 0;
  double label_flip_probability = 0.05;
  int generator_updates = 2;
  bool public_ecal_fit = false;  ///< the original's fixed fit instead of one made on the data
  /// The networks see cells in GeV x cell_scale (the original's `xscale`; 100 in the seed's
  /// training scripts). In GeV (1) the real showers' ECAL sums are ~10^-4 of what the
  /// initialised generator makes and RMSprop's fixed-size steps cannot hold such a small
  /// output: the generator empties within ~150 steps (docs/train.md, "Cell scale"). The
  /// checkpoint records it (note "cell_scale") and inference divides by it.
  double cell_scale = 100;
  /// Decay d of an exponential moving average of the generator's weights, updated after every
  /// step (a = d a + (1 - d) w; 0: none, the original recipe). Validation, best.h5 and so the
  /// shipped model use the average (with BatchNorm statistics re-estimated for it); training
  /// itself never sees it, so a run may turn it on or change it at a resume (it starts from
  /// the weights then). Polyak averaging of GAN generators (Yazici et al. 2019).
  double generator_average = 0;
  std::uint64_t seed = 1;
  int threads = 0;          ///< 0: all cores
  nn::ConvAlgorithms conv;  ///< the networks' convolution algorithms (not stored: a machine's choice)
  CheckpointInterval checkpoint_every;
  int keep_checkpoints = 3;               ///< step checkpoints kept besides best
  std::int64_t log_every = 10;            ///< steps between metrics-log lines
  std::int64_t validate_every = 0;        ///< steps between validations besides each epoch's end (0: none)
  std::int64_t validation_events = 2000;  ///< validation showers used at most per validation
};

/// InputError naming the first bad option.
void validate(const TrainerOptions& options);

/// config.json text of the options, and back (InputError naming the file's problem).
std::string to_json(const TrainerOptions& options);
TrainerOptions trainer_options_from_json(const std::string& text);

}  // namespace calo::train
