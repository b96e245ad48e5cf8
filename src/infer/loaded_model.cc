#include "infer/loaded_model.hh"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hh"
#include "gan/checkpoint.hh"
#include "gan/generator.hh"
#include "nn/context.hh"

namespace calo::infer {

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
  return m;
}

}  // namespace calo::infer
