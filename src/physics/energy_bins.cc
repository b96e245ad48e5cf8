// Primary-energy bins of the validation (docs/validation.md, "Energy bins").
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "core/error.hh"
#include "physics/validation.hh"

namespace calo::physics {

namespace {

/// "100" for 100.0, "12.5" for 12.5: labels without trailing zeros.
std::string number_label(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Parses one number of an energy-bin list; InputError naming the whole list otherwise.
double parse_gev(const std::string& token, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(token.c_str(), &end);
  CALO_VALIDATE(!token.empty() && end == token.c_str() + token.size() && std::isfinite(value) && value >= 0,
                "invalid energy bins '" + text + "' ('" + token +
                    "' is not a non-negative number of GeV) use e.g. 50,100,200 or 10:30,30:60");
  return value;
}

EnergyBin all_bin() { return {"all", 0.0, std::numeric_limits<double>::infinity()}; }

}  // namespace

std::vector<EnergyBin> default_energy_bins() {
  std::vector<EnergyBin> bins;
  for (double centre : {50.0, 100.0, 200.0, 300.0, 400.0})
    bins.push_back({number_label(centre) + " GeV", centre - 5.0, centre + 5.0});
  bins.push_back(all_bin());
  return bins;
}

std::vector<EnergyBin> parse_energy_bins(const std::string& text, double half_width_gev) {
  CALO_VALIDATE(std::isfinite(half_width_gev) && half_width_gev > 0,
                "invalid energy-bin half width " + number_label(half_width_gev) + " GeV (must be positive)");
  std::vector<EnergyBin> bins;
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    // Trim blanks so that "50, 100" works.
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    item = first == std::string::npos ? std::string() : item.substr(first, last - first + 1);
    if (item == "all") continue;  // always added at the end
    const auto colon = item.find(':');
    if (colon == std::string::npos) {
      const double centre = parse_gev(item, text);
      bins.push_back(
          {number_label(centre) + " GeV", std::max(0.0, centre - half_width_gev), centre + half_width_gev});
    } else {
      const double lo = parse_gev(item.substr(0, colon), text);
      const double hi = parse_gev(item.substr(colon + 1), text);
      CALO_VALIDATE(hi > lo, "invalid energy bin '" + item + "' in '" + text +
                                 "' (the upper edge must exceed the lower) write lo:hi, e.g. 10:30");
      bins.push_back({number_label(lo) + "-" + number_label(hi) + " GeV", lo, hi});
    }
  }
  bins.push_back(all_bin());
  return bins;
}

}  // namespace calo::physics
