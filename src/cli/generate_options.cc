#include "cli/generate_options.hh"

#include <filesystem>

#include "core/data_path.hh"
#include "core/error.hh"

namespace calo::cli {

std::string shipped_model_path() {
  return (std::filesystem::path(data_directory()) / "models" / "3dgan-16.h5").string();
}

void check_precision(const std::string& precision) {
  if (precision == "f32") return;
  if (precision == "bf16" || precision == "int8")
    throw InputError("--precision " + precision +
                     " is not implemented yet (this build generates in f32 only)");
  throw InputError("unknown --precision '" + precision + "' (use f32, bf16 or int8)");
}

}  // namespace calo::cli
