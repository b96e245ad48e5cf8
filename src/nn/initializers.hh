#pragma once
// Weight initialisers with Keras semantics (keras.initializers). fan_in/fan_out follow
// Keras: Dense [IN][OUT] -> (IN, OUT); Conv3D -> (IC * KD*KH*KW, OC * KD*KH*KW).
#include <cstdint>
#include <span>
#include <string>

#include "core/rng.hh"

namespace calo::nn {

enum class Init {
  zeros,
  ones,
  he_uniform,      ///< U(-l, l), l = sqrt(6 / fan_in)
  glorot_uniform,  ///< U(-l, l), l = sqrt(6 / (fan_in + fan_out))
  glorot_normal,   ///< N(0, s) truncated at |x| <= 2 s, s = sqrt(2 / (fan_in + fan_out))
};

/// Fill w with init for a weight of the given fans.
void initialise(Init init, std::span<float> w, std::int64_t fan_in, std::int64_t fan_out, Rng& rng);

/// "he_uniform" -> Init::he_uniform, ...; InputError on an unknown name.
Init parse_init(const std::string& name);

}  // namespace calo::nn
