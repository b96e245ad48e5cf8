#include "nn/initializers.hh"

#include <algorithm>
#include <cmath>

#include "core/error.hh"

namespace calo::nn {

namespace {

void uniform(std::span<float> w, double limit, Rng& rng) {
  for (float& x : w) x = static_cast<float>(limit * (2.0 * rng.uniform() - 1.0));
}

/// Normal(0, stddev) redrawn until |x| <= 2 stddev (tf.random.truncated_normal).
void truncated_normal(std::span<float> w, double stddev, Rng& rng) {
  for (float& x : w) {
    double z;
    do z = rng.normal();
    while (std::abs(z) > 2.0);
    x = static_cast<float>(stddev * z);
  }
}

}  // namespace

void initialise(Init init, std::span<float> w, std::int64_t fan_in, std::int64_t fan_out, Rng& rng) {
  CALO_VALIDATE(fan_in > 0 && fan_out > 0, "initialiser: fans must be positive");
  const double fi = static_cast<double>(fan_in), fo = static_cast<double>(fan_out);
  switch (init) {
    case Init::zeros:
      std::ranges::fill(w, 0.f);
      break;
    case Init::ones:
      std::ranges::fill(w, 1.f);
      break;
    case Init::he_uniform:
      uniform(w, std::sqrt(6.0 / fi), rng);
      break;
    case Init::glorot_uniform:
      uniform(w, std::sqrt(6.0 / (fi + fo)), rng);
      break;
    case Init::glorot_normal:
      truncated_normal(w, std::sqrt(2.0 / (fi + fo)), rng);
      break;
  }
}

Init parse_init(const std::string& name) {
  if (name == "zeros") return Init::zeros;
  if (name == "ones") return Init::ones;
  if (name == "he_uniform") return Init::he_uniform;
  if (name == "glorot_uniform") return Init::glorot_uniform;
  if (name == "glorot_normal") return Init::glorot_normal;
  throw InputError("unknown initialiser '" + name +
                   "' (known: zeros, ones, he_uniform, glorot_uniform, glorot_normal)");
}

}  // namespace calo::nn
