#include "infer/loaded_model.hh"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hh"
#include "gan/checkpoint.hh"
#include "gan/generator.hh"
#include "io/checkpoint_file.hh"
#include "nn/context.hh"

namespace calo::infer {

namespace {

double attribute_or(const io::CheckpointReader& r, const char* name, double fallback) {
  const std::string text = r.attribute("", name);
  if (text.empty()) return fallback;
  try {
    const double v = std::stod(text);
    if (std::isfinite(v) && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw InputError("checkpoint " + r.path() + ": attribute " + name + " = '" + text +
                   "' is not a positive energy in GeV");
}

}  // namespace

LoadedModel load_generator(const std::string& path, const gan::ModelSpec* expected_spec) {
  LoadedModel m;
  m.path = path;
  const gan::ModelSpec stored = gan::read_checkpoint_spec(path);
  m.spec = expected_spec ? *expected_spec : stored;
  nn::Context ctx(1);
  gan::Generator gen(ctx, m.spec);
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
  const io::CheckpointReader reader(path);
  m.trained_min_gev = attribute_or(reader, "energy_min_gev", kDefaultTrainedMinGev);
  m.trained_max_gev = attribute_or(reader, "energy_max_gev", kDefaultTrainedMaxGev);
  // A checkpoint of `calo3dgan train` says the range it was trained on.
  const auto notes = gan::read_checkpoint_notes(path);
  if (const auto it = notes.find(gan::kEnergyRangeNote); it != notes.end()) {
    const auto range = nlohmann::json::parse(it->second, nullptr, false);
    CALO_VALIDATE(range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number() &&
                      range[0].get<double>() > 0,
                  "checkpoint " + path + ": note " + gan::kEnergyRangeNote + " = '" + it->second +
                      "' is not [min, max] in GeV");
    m.trained_min_gev = range[0].get<double>(), m.trained_max_gev = range[1].get<double>();
  }
  CALO_VALIDATE(m.trained_min_gev < m.trained_max_gev,
                "checkpoint " + path + ": energy_min_gev is not below energy_max_gev");
  return m;
}

}  // namespace calo::infer
