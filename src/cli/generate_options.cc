#include "cli/generate_options.hh"

#include <cstdio>
#include <filesystem>

#include "core/data_path.hh"
#include "core/error.hh"
#include "nn/cpu_features.hh"

namespace calo::cli {

std::string shipped_model_path() {
  return (std::filesystem::path(data_directory()) / "models" / "3dgan-16.h5").string();
}

infer::Precision resolve_precision(const std::string& precision) {
  if (precision == "f32") return infer::Precision::f32;
  if (precision == "bf16") {
    if (nn::bf16_convolutions_supported()) return infer::Precision::bf16;
    std::fprintf(stderr, "calo3dgan: note: this CPU lacks AVX-512 BF16: --precision bf16 runs in f32\n");
    return infer::Precision::f32;
  }
  if (precision == "int8") {
    if (nn::int8_convolutions_supported()) return infer::Precision::int8;
    std::fprintf(stderr, "calo3dgan: note: this CPU lacks AVX-512 VNNI: --precision int8 runs in f32\n");
    return infer::Precision::f32;
  }
  throw InputError("unknown --precision '" + precision + "' (use f32, bf16 or int8)");
}

const char* precision_name(infer::Precision p) {
  return p == infer::Precision::int8 ? "int8" : p == infer::Precision::bf16 ? "bf16" : "f32";
}

}  // namespace calo::cli
