#include "sim/transport/energy_spectrum.hh"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/error.hh"
#include "core/units.hh"

namespace calo::sim {

namespace {
double parse_energy(const std::string& token, const std::string& whole) {
  const char* begin = token.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  if (token.empty() || end != begin + token.size() || errno == ERANGE)
    throw InputError("invalid energy '" + whole + "' (expected GeV as 100, 10,50,100 or 2:500)");
  if (!std::isfinite(v) || v <= 0)
    throw InputError("invalid energy '" + token + "' (energies must be positive finite GeV)");
  return v;
}
}  // namespace

EnergySpectrum EnergySpectrum::parse(const std::string& text) {
  EnergySpectrum s;
  s.text_ = text;
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    s.lo_gev_ = parse_energy(text.substr(0, colon), text);
    s.hi_gev_ = parse_energy(text.substr(colon + 1), text);
    if (s.hi_gev_ <= s.lo_gev_)
      throw InputError("invalid energy range '" + text + "' (the upper end must exceed the lower)");
    return s;
  }
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    s.values_gev_.push_back(parse_energy(text.substr(start, comma - start), text));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return s;
}

double EnergySpectrum::energy_of(std::uint64_t index, Rng& rng) const {
  if (!values_gev_.empty()) return values_gev_[index % values_gev_.size()] * units::GeV;
  return (lo_gev_ + (hi_gev_ - lo_gev_) * rng.uniform()) * units::GeV;
}

void EnergySpectrum::check_within(double min_mev, double max_mev) const {
  const auto gev = [](double mev) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", mev / units::GeV);
    return std::string(text);
  };
  if (min_gev() * units::GeV < min_mev || max_gev() * units::GeV > max_mev)
    throw InputError("invalid energy '" + text_ + "' (the physics tables cover " + gev(min_mev) + " to " +
                     gev(max_mev) + " GeV) choose energies in that range");
}

double EnergySpectrum::min_gev() const {
  return values_gev_.empty() ? lo_gev_ : *std::min_element(values_gev_.begin(), values_gev_.end());
}

double EnergySpectrum::max_gev() const {
  return values_gev_.empty() ? hi_gev_ : *std::max_element(values_gev_.begin(), values_gev_.end());
}

}  // namespace calo::sim
