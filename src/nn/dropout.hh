#pragma once
// Dropout (Keras): train: inverted dropout, each element kept with probability 1 - rate
// and scaled by 1/(1 - rate), else 0; infer: the identity. Shape- and layout-preserving.
// Random numbers: calo::Rng(seed, call * 4096 + chunk) per fixed-size chunk, so masks are
// reproducible for a seed and independent of the thread count.
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
  /// Restart the mask sequence from seed (e.g. a per-rank seed).
  void set_seed(std::uint64_t seed) { spec_.seed = seed; calls_ = 0; }
  const DropoutSpec& spec() const { return spec_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  friend class DropoutPlan;
  DropoutSpec spec_;
  std::uint64_t calls_ = 0;  // training forwards so far: the stream index
};

}  // namespace calo::nn
