#pragma once
// Checkpoints of a 3DGAN (layout in docs/checkpoint.md): one HDF5 file holding the model
// spec (canonical JSON), every parameter and BatchNorm moving statistic under its stable
// name (gan/tensor_names.hh), the optimisers' state keyed by parameter name, and the
// training position. Written atomically (temporary file + rename). Loading checks the spec
// and every tensor before changing anything, so a refused checkpoint leaves the model as
// it was. With a discriminator, its Dropout mask streams (seed and position per layer,
// /training/dropout_{seeds,counters}) are saved and restored too (older files lack them:
// the streams are left as they are).
//
//   save_checkpoint("run/ckpt.h5", spec, {&gen, &disc, &opt_g, &opt_d}, {.epoch = 3, ...});
//   ModelSpec spec = read_checkpoint_spec("run/ckpt.h5");   // build the model from it, then
//   TrainingPosition at = load_checkpoint("run/ckpt.h5", spec, {&gen, &disc, &opt_g, &opt_d});
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gan/discriminator.hh"
#include "gan/generator.hh"
#include "gan/model_spec.hh"
#include "nn/optimizer.hh"

namespace calo::gan {

/// "format" attribute of the file's root group.
inline constexpr const char* kCheckpointFormat = "calo3dgan-checkpoint-1";

/// Names of the notes calo3dgan's trainer writes (TrainingPosition::notes): the ECAL-sum fit
/// (train::EcalSumFit's JSON), the primary-energy range the generator was trained on (the JSON
/// array [min, max] in GeV: what `generate` warns outside of), the run's config.json text.
inline constexpr const char* kEcalSumFitNote = "ecal_sum_fit";
inline constexpr const char* kEnergyRangeNote = "energy_range_gev";
inline constexpr const char* kTrainConfigNote = "train_config";
/// The generator's cell unit: its output / cell_scale is GeV (a JSON number; absent: 1).
inline constexpr const char* kCellScaleNote = "cell_scale";

/// Where training stands.
struct TrainingPosition {
  std::int64_t epoch = 0;                ///< completed epochs
  std::int64_t step = 0;                 ///< completed training iterations, over all epochs
  std::uint64_t seed = 0;                ///< the run's seed
  std::vector<std::uint64_t> rng_state;  ///< the trainer's random state, opaque (may be empty)
  /// What the trainer keeps with the weights, opaque to gan: name -> text (JSON by
  /// convention), e.g. "ecal_sum_fit" and "energy_range_gev", so that a checkpoint alone says
  /// how it was trained (`generate` reads the trained energy range from it).
  std::map<std::string, std::string> notes;
  bool operator==(const TrainingPosition&) const = default;
};

/// The parts saved or restored; null ones are skipped (e.g. a generator-only export).
struct CheckpointParts {
  Generator* generator = nullptr;
  Discriminator* discriminator = nullptr;
  nn::Optimizer* generator_optimizer = nullptr;
  nn::Optimizer* discriminator_optimizer = nullptr;
  /// A moving average of the generator's parameter values (the trainer's --generator-average),
  /// /training/generator_average. Saved when non-empty; loaded when the file has one (else
  /// left empty: the caller starts it).
  std::vector<float>* generator_average = nullptr;
};

/// Writes a checkpoint (InputError when path exists and !overwrite, or cannot be written).
void save_checkpoint(const std::string& path, const ModelSpec& spec, const CheckpointParts& parts,
                     const TrainingPosition& position, bool overwrite = false);

/// The model spec stored in a checkpoint (InputError if unreadable or invalid).
ModelSpec read_checkpoint_spec(const std::string& path);

/// The TrainingPosition::notes stored in a checkpoint, without loading any weights (empty for
/// files written before notes existed). InputError if the file is unreadable.
std::map<std::string, std::string> read_checkpoint_notes(const std::string& path);

/// Restores the given parts from path and returns the training position. InputError
/// (naming the file and what is wrong) when the file is missing, truncated or corrupt, was
/// written for another spec, or lacks a tensor / has one of another shape; nothing is
/// changed then.
TrainingPosition load_checkpoint(const std::string& path, const ModelSpec& spec,
                                 const CheckpointParts& parts);

}  // namespace calo::gan
