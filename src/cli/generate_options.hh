#pragma once
// What `generate` and `bench generate` share: the shipped model's path and the precisions.
#include <string>

namespace calo::cli {

/// <data>/models/3dgan-16.h5: where the trained model ships (core/data_path.hh).
std::string shipped_model_path();

/// InputError unless precision is one this build runs ("f32"; "bf16" and "int8" are named
/// as not implemented yet, anything else as unknown).
void check_precision(const std::string& precision);

}  // namespace calo::cli
