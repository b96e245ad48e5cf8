#pragma once
// What `generate` and `bench generate` share: the shipped model's path and the precisions.
#include <string>

#include "infer/folded_generator.hh"

namespace calo::cli {

/// <data>/models/3dgan-16.h5: where the trained model ships (core/data_path.hh).
std::string shipped_model_path();

/// The precision to run for --precision: "f32"; "bf16" where the CPU has AVX-512 BF16 and
/// "int8" where it has AVX-512 VNNI, else f32 after a one-line note on stderr; InputError for
/// anything else.
infer::Precision resolve_precision(const std::string& precision);
const char* precision_name(infer::Precision p);

}  // namespace calo::cli
