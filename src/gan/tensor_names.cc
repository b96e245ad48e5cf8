#include "gan/tensor_names.hh"

#include <stdexcept>

namespace calo::gan {

std::string tensor_name(const std::string& store_name) {
  const std::size_t dot = store_name.rfind('.');
  if (dot == std::string::npos) throw std::logic_error("gan: parameter name without '.': " + store_name);
  std::string suffix = store_name.substr(dot + 1);
  if (suffix == "weight") suffix = "kernel";
  return store_name.substr(0, dot) + "/" + suffix;
}

bool is_state_name(const std::string& name) {
  return name.ends_with("/moving_mean") || name.ends_with("/moving_variance");
}

}  // namespace calo::gan
