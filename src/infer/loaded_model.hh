#pragma once
// A generator as a checkpoint holds it, read once: the model spec and every generator
// tensor (parameters and BatchNorm moving statistics) by its nn store name
// ("generator/conv1.weight", "generator/bn1.moving_mean"). Immutable after loading, so any
// number of inference graphs (one per stream or thread) are built from one LoadedModel.
#include <map>
#include <string>
#include <vector>

#include "gan/model_spec.hh"

namespace calo::infer {

/// The energy range a model was trained on when its checkpoint does not say (DESIGN.md
/// section 7: generated energies U(0.1, 5) x 100 GeV).
inline constexpr double kDefaultTrainedMinGev = 10.0;
inline constexpr double kDefaultTrainedMaxGev = 500.0;

struct LoadedModel {
  std::string path;
  gan::ModelSpec spec;
  std::map<std::string, std::vector<float>> tensors;  ///< store name -> values (plain)
  double trained_min_gev = kDefaultTrainedMinGev;     ///< the checkpoint's energy_range_gev note
  double trained_max_gev = kDefaultTrainedMaxGev;     ///< (gan/checkpoint.hh) when present
  /// The checkpoint's cell_scale note (1 when absent). Already divided out of `tensors`: the
  /// generator they describe gives GeV.
  double cell_scale = 1;
};

/// Reads the generator of a checkpoint (docs/checkpoint.md). InputError naming the file when
/// it is missing, corrupt or truncated, or (with expected_spec) holds another model.
LoadedModel load_generator(const std::string& path, const gan::ModelSpec* expected_spec = nullptr);

}  // namespace calo::infer
