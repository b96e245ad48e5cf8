#include "cli/nn_options.hh"

#include <cstdlib>
#include <string>

#include "core/error.hh"

namespace calo::cli {

namespace {

std::string value_of(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

nn::AlgorithmSwitch algorithm_switch(const char* name) {
  const std::string s = value_of(name);
  if (s.empty() || s == "auto") return nn::AlgorithmSwitch::automatic;
  if (s == "on" || s == "1") return nn::AlgorithmSwitch::on;
  if (s == "off" || s == "0") return nn::AlgorithmSwitch::off;
  throw InputError(std::string(name) + "=" + s + ": unknown value (use auto, on or off)");
}

nn::FftIsa fft_isa(const char* name) {
  const std::string s = value_of(name);
  if (s.empty() || s == "auto" || s == "native") return nn::FftIsa::automatic;
  if (s == "generic") return nn::FftIsa::generic;
  throw InputError(std::string(name) + "=" + s + ": unknown value (use auto or generic)");
}

}  // namespace

nn::ContextOptions nn_options_from_environment() {
  nn::ContextOptions o;
  o.conv.thin = algorithm_switch("CALO_NN_CONV_THIN");
  o.conv.fft = algorithm_switch("CALO_NN_CONV_FFT");
  o.conv.phase = algorithm_switch("CALO_NN_CONV_PHASE");
  o.conv.fuse = algorithm_switch("CALO_NN_CONV_FUSE");
  o.conv.fft_isa = fft_isa("CALO_NN_FFT_ISA");
  return o;
}

}  // namespace calo::cli
