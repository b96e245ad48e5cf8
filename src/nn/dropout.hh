#pragma once
// Dropout (Keras): train: inverted dropout, each element kept with probability 1 - rate
// and scaled by 1/(1 - rate), else 0; infer: the identity. Shape- and layout-preserving.
// Random numbers: element i of the physical buffer (any layout) is dropped where the
// (i mod 4096)-th uniform() of calo::Rng(seed, call * 2^24 + i / 4096) is below rate (call:
// the training forwards drawn before), so masks are reproducible for a seed and independent
// of the thread count.
#include <cstdint>

#include "nn/layer.hh"

namespace calo::nn {

struct DropoutSpec {
  float rate = 0.2f;           ///< probability of dropping, in [0, 1)
  std::uint64_t seed = 12345;  ///< mask stream seed (see set_seed)
};

class Dropout : public Layer {
 public:
  Dropout(Context& ctx, std::string name, DropoutSpec spec);
  std::string type() const override { return "Dropout"; }
  Dims output_dims(const Dims& in) const override { return in; }
  /// Set the mask stream: seed (e.g. a per-rank seed) and position `counter` (the number
  /// of training forwards already drawn; 0 restarts). A resumed run restores
  /// (seed(), counter()) from its checkpoint and draws the same masks as the original.
  void set_seed(std::uint64_t seed, std::uint64_t counter = 0) {
    spec_.seed = seed;
    calls_ = counter;
  }
  std::uint64_t seed() const { return spec_.seed; }
  /// Training forwards drawn so far from the current seed (the next mask's stream index).
  std::uint64_t counter() const { return calls_; }
  const DropoutSpec& spec() const { return spec_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  friend class DropoutPlan;
  DropoutSpec spec_;
  std::uint64_t calls_ = 0;  // training forwards so far: the stream index
};

}  // namespace calo::nn
