#include "infer/loaded_model.hh"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hh"
#include "gan/checkpoint.hh"
#include "gan/generator.hh"
#include "nn/context.hh"

namespace calo::infer {

namespace {

/// A generator trained on cells in GeV x scale (train::TrainerOptions::cell_scale) made to
/// give GeV: its last weighted layer is divided by the scale. Exact because only ReLUs follow
/// it (relu(w x / s) = relu(w x) / s); InputError naming the checkpoint otherwise.
void fold_cell_scale(LoadedModel& m, double scale) {
  const std::vector<gan::LayerSpec>& layers = m.spec.generator.layers;
  auto last = layers.rbegin();
  while (last != layers.rend() && last->type == gan::LayerType::relu) ++last;
  CALO_VALIDATE(
      last != layers.rend() && (last->type == gan::LayerType::conv3d || last->type == gan::LayerType::dense),
      "checkpoint " + m.path + ": note " + gan::kCellScaleNote +
          " needs a generator that ends in a convolution or dense layer and ReLUs");
  for (const char* part : {".weight", ".bias"}) {
    const auto it = m.tensors.find("generator/" + last->name + part);
    if (it == m.tensors.end()) continue;
    for (float& v : it->second) v = static_cast<float>(v / scale);
  }
}

}  // namespace

LoadedModel load_generator(const std::string& path, const gan::ModelSpec* expected_spec) {
  LoadedModel m;
  m.path = path;
  const gan::ModelSpec stored = gan::read_checkpoint_spec(path);
  m.spec = expected_spec ? *expected_spec : stored;
  nn::Context ctx(1);
  gan::Generator gen(ctx, m.spec);
  const gan::TrainingPosition position =
      gan::load_checkpoint(path, m.spec, {.generator = &gen});  // refuses another spec
  nn::ParameterStore& store = gen.store();
  for (std::size_t i = 0; i < store.parameters().size(); ++i) {
    const auto v = store.value(i);
    m.tensors[store.parameters()[i].name].assign(v.begin(), v.end());
  }
  for (std::size_t i = 0; i < store.states().size(); ++i) {
    const auto v = store.state(i);
    m.tensors[store.states()[i].name].assign(v.begin(), v.end());
  }
  // A checkpoint of `calo3dgan train` says the range it was trained on (others: the default).
  if (const auto it = position.notes.find(gan::kEnergyRangeNote); it != position.notes.end()) {
    const auto range = nlohmann::json::parse(it->second, nullptr, false);
    CALO_VALIDATE(range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number() &&
                      range[0].get<double>() > 0,
                  "checkpoint " + path + ": note " + gan::kEnergyRangeNote + " = '" + it->second +
                      "' is not [min, max] in GeV");
    m.trained_min_gev = range[0].get<double>(), m.trained_max_gev = range[1].get<double>();
  }
  CALO_VALIDATE(m.trained_min_gev < m.trained_max_gev,
                "checkpoint " + path + ": trained energy range min is not below max");
  if (const auto it = position.notes.find(gan::kCellScaleNote); it != position.notes.end()) {
    const auto scale = nlohmann::json::parse(it->second, nullptr, false);
    CALO_VALIDATE(scale.is_number() && scale.get<double>() > 0 && std::isfinite(scale.get<double>()),
                  "checkpoint " + path + ": note " + gan::kCellScaleNote + " = '" + it->second +
                      "' is not a positive number");
    fold_cell_scale(m, scale.get<double>());
    m.cell_scale = scale.get<double>();
  }
  return m;
}

}  // namespace calo::infer
