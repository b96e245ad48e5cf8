#include "nn/algorithm_switch.hh"

#include <cstdlib>
#include <string>

#include "core/error.hh"

namespace calo::nn {

AlgorithmSwitch algorithm_switch(const char* name) {
  const char* v = std::getenv(name);
  const std::string s = v ? v : "";
  if (s.empty() || s == "auto") return AlgorithmSwitch::automatic;
  if (s == "on" || s == "1") return AlgorithmSwitch::on;
  if (s == "off" || s == "0") return AlgorithmSwitch::off;
  throw InputError(std::string(name) + "=" + s + ": unknown value (use auto, on or off)");
}

}  // namespace calo::nn
