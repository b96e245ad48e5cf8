#pragma once
// Checkpoints for the infer tests: a 3dgan-16 generator with initialised weights and, unless
// keras_batchnorm, BatchNorm parameters and moving statistics drawn at random (gamma of both
// signs, means and variances away from Keras' 0 / 1), so that folding has work to do.
#include <string>

#include "core/rng.hh"
#include "gan/checkpoint.hh"
#include "gan/generator.hh"
#include "nn/context.hh"

namespace calo::test {

inline void randomise_batchnorms(gan::Generator& gen, Rng& rng) {
  nn::ParameterStore& s = gen.store();
  for (std::size_t i = 0; i < s.parameters().size(); ++i) {
    const std::string& name = s.parameters()[i].name;
    if (name.ends_with(".gamma"))
      for (float& g : s.value(i))
        g = static_cast<float>((rng.uniform() < 0.3 ? -1 : 1) * (0.2 + rng.uniform()));
    if (name.ends_with(".beta"))
      for (float& b : s.value(i)) b = static_cast<float>(rng.normal());
  }
  for (std::size_t i = 0; i < s.states().size(); ++i) {
    const std::string& name = s.states()[i].name;
    for (float& v : s.state(i))
      v = static_cast<float>(name.ends_with(".moving_mean") ? 0.5 * rng.normal() : 0.05 + 2 * rng.uniform());
  }
}

/// Writes the checkpoint at path (a fresh Generator of spec, seed `seed`).
inline void write_test_checkpoint(const std::string& path, const std::string& model, std::uint64_t seed,
                                  bool keras_batchnorm = false, gan::TrainingPosition position = {}) {
  const gan::ModelSpec spec = gan::load_model_spec(model);
  nn::Context ctx(1);
  gan::Generator gen(ctx, spec);
  Rng rng(seed, 0);
  gen.initialise(rng);
  if (!keras_batchnorm) randomise_batchnorms(gen, rng);
  gan::save_checkpoint(path, spec, {.generator = &gen}, position, true);
}

}  // namespace calo::test
