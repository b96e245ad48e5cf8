#pragma once
// Stable names of parameters and state (docs/checkpoint.md), shared with the PyTorch
// reference (bench/reference/weights.py): "<network>/<layer>/<tensor>" with Keras' tensor
// names, e.g. "generator/conv1/kernel", "generator/bn1/moving_mean",
// "discriminator/generation/bias". nn's store names ("generator/conv1.weight") map 1:1.
#include <string>

namespace calo::gan {

/// "generator/conv1.weight" -> "generator/conv1/kernel"; ".bias", ".gamma", ".beta",
/// ".moving_mean", ".moving_variance" keep their suffix.
std::string tensor_name(const std::string& store_name);

/// True for BatchNorm moving statistics (non-trainable state).
bool is_state_name(const std::string& tensor_name);

}  // namespace calo::gan
