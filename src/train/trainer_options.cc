#include "train/trainer_options.hh"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.hh"

namespace calo::train {

CheckpointInterval CheckpointInterval::parse(const std::string& text) {
  CheckpointInterval c;
  const bool minutes = text.size() > 3 && text.ends_with("min");
  const std::string number = minutes ? text.substr(0, text.size() - 3) : text;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (number.empty() || used != number.size() || !std::isfinite(v) || v <= 0 ||
      (!minutes && v != std::floor(v)))
    throw InputError("invalid --checkpoint-every '" + text +
                     "' (use a step count such as 500 or minutes such as 10min)");
  if (minutes)
    c.minutes = v, c.steps = 0;
  else
    c.steps = static_cast<std::int64_t>(v), c.minutes = 0;
  return c;
}

std::string CheckpointInterval::text() const {
  if (steps > 0) return std::to_string(steps);
  nlohmann::json j = minutes;  // shortest exact text of the double
  return j.dump() + "min";
}

void validate(const TrainerOptions& o) {
  CALO_VALIDATE(o.epochs > 0, "invalid --epochs " + std::to_string(o.epochs) + " (must be positive)");
  CALO_VALIDATE(o.batch_size > 0,
                "invalid --batch-size " + std::to_string(o.batch_size) + " (must be positive)");
  CALO_VALIDATE(o.max_steps >= 0, "invalid --max-steps (must be >= 0; 0 = no limit)");
  CALO_VALIDATE(std::isfinite(o.learning_rate) && o.learning_rate > 0, "invalid --lr (must be positive)");
  CALO_VALIDATE(o.threads >= 0, "invalid --threads (must be >= 0; 0 = all cores)");
  CALO_VALIDATE(o.keep_checkpoints >= 1, "invalid --keep-checkpoints (must be at least 1)");
  CALO_VALIDATE(o.log_every > 0, "invalid --log-every (must be positive)");
  CALO_VALIDATE(o.warmup_steps >= 0, "invalid --warmup-steps (must be >= 0)");
  CALO_VALIDATE(std::isfinite(o.warmup_epochs) && o.warmup_epochs >= 0,
                "invalid --warmup-epochs (must be >= 0)");
  CALO_VALIDATE(o.validate_every >= 0, "invalid --validate-every (must be >= 0; 0 = each epoch only)");
  CALO_VALIDATE(o.validation_events > 0, "invalid --validation-events (must be positive)");
  CALO_VALIDATE((o.fake_energy_min_gev == 0 && o.fake_energy_max_gev == 0) ||
                    (o.fake_energy_min_gev > 0 && o.fake_energy_max_gev > o.fake_energy_min_gev),
                "invalid --fake-energy-range (use A:B in GeV with 0 < A < B)");
  StepConfig step;
  step.loss_weights = o.loss_weights;
  step.label_flip_probability = o.label_flip_probability;
  step.generator_updates = o.generator_updates;
  step.cell_scale = o.cell_scale;
  CALO_VALIDATE(std::isfinite(o.cell_scale) && o.cell_scale > 0, "invalid --cell-scale (must be positive)");
  CALO_VALIDATE(o.generator_average >= 0 && o.generator_average < 1,
                "invalid --generator-average (a decay in [0, 1); 0 = none)");
  validate(step);
}

std::string to_json(const TrainerOptions& o) {
  nlohmann::ordered_json j;
  j["format"] = "calo3dgan-train-config-1";
  j["model"] = o.model;
  j["data"] = {
      {"patterns", o.data.patterns},
      {"validation_fraction", o.data.validation_fraction},
      {"energy_min_gev", o.data.energy_min_gev},
      {"energy_max_gev", std::isinf(o.data.energy_max_gev) ? nlohmann::ordered_json(nullptr)
                                                           : nlohmann::ordered_json(o.data.energy_max_gev)},
      {"skip_bad_files", o.data.skip_bad_files}};
  j["epochs"] = o.epochs;
  j["batch_size"] = o.batch_size;
  j["max_steps"] = o.max_steps;
  j["learning_rate"] = o.learning_rate;
  j["warmup_steps"] = o.warmup_steps;
  j["warmup_epochs"] = o.warmup_epochs;
  j["loss_weights"] = {o.loss_weights.real_fake, o.loss_weights.energy, o.loss_weights.ecal_sum};
  j["fake_energy_gev"] = {o.fake_energy_min_gev, o.fake_energy_max_gev};
  j["label_flip_probability"] = o.label_flip_probability;
  j["generator_updates"] = o.generator_updates;
  j["public_ecal_fit"] = o.public_ecal_fit;
  j["cell_scale"] = o.cell_scale;
  j["generator_average"] = o.generator_average;
  j["seed"] = o.seed;
  j["threads"] = o.threads;
  j["checkpoint_every"] = o.checkpoint_every.text();
  j["keep_checkpoints"] = o.keep_checkpoints;
  j["log_every"] = o.log_every;
  j["validate_every"] = o.validate_every;
  j["validation_events"] = o.validation_events;
  return j.dump(2) + "\n";
}

TrainerOptions trainer_options_from_json(const std::string& text) {
  TrainerOptions o;
  try {
    const auto j = nlohmann::json::parse(text);
    CALO_VALIDATE(j.value("format", "") == "calo3dgan-train-config-1",
                  "not a calo3dgan training configuration");
    o.model = j.at("model");
    const auto& d = j.at("data");
    o.data.patterns = d.at("patterns").get<std::vector<std::string>>();
    o.data.validation_fraction = d.at("validation_fraction");
    o.data.energy_min_gev = d.at("energy_min_gev");
    if (!d.at("energy_max_gev").is_null()) o.data.energy_max_gev = d.at("energy_max_gev");
    o.data.skip_bad_files = d.at("skip_bad_files");
    o.epochs = j.at("epochs");
    o.batch_size = j.at("batch_size");
    o.max_steps = j.at("max_steps");
    o.learning_rate = j.at("learning_rate");
    o.warmup_steps = j.value("warmup_steps", std::int64_t{0});  // absent in runs made before it existed
    o.warmup_epochs = j.value("warmup_epochs", 5.0);            // likewise
    const auto w = j.at("loss_weights").get<std::vector<float>>();
    CALO_VALIDATE(w.size() == 3, "loss_weights must hold three numbers");
    o.loss_weights = {w[0], w[1], w[2]};
    if (j.contains("fake_energy_gev")) {
      const auto f = j.at("fake_energy_gev").get<std::vector<double>>();
      CALO_VALIDATE(f.size() == 2, "fake_energy_gev must hold two numbers");
      o.fake_energy_min_gev = f[0], o.fake_energy_max_gev = f[1];
    }
    o.label_flip_probability = j.at("label_flip_probability");
    o.generator_updates = j.at("generator_updates");
    o.public_ecal_fit = j.at("public_ecal_fit");
    o.cell_scale = j.value("cell_scale", 1.0);                // runs made before it existed trained in GeV
    o.generator_average = j.value("generator_average", 0.0);  // likewise: none
    o.seed = j.at("seed");
    o.threads = j.at("threads");
    o.checkpoint_every = CheckpointInterval::parse(j.at("checkpoint_every").get<std::string>());
    o.keep_checkpoints = j.at("keep_checkpoints");
    o.log_every = j.at("log_every");
    o.validate_every = j.at("validate_every");
    o.validation_events = j.at("validation_events");
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("invalid training configuration (") + e.what() + ")");
  }
  return o;
}

}  // namespace calo::train
