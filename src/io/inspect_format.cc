#include <cstdio>
#include <string>

#include "io/hdf5_dataset.hh"
#include "io/inspect.hh"

namespace calo::io {

namespace {

std::string grid_text(const ShowerGrid& g) {
  return std::to_string(g.nx) + " x " + std::to_string(g.ny) + " x " + std::to_string(g.nz);
}

/// printf-style formatting of one line (the summary holds a few dozen lines).
template <class... Args>
std::string line(const char* format, Args... args) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return std::string(buffer) + "\n";
}

}  // namespace

std::string format_summary(const InspectSummary& s) {
  std::string text;
  text += line("file              %s", s.path.c_str());
  text += line("events            %zu", s.events);
  std::string grid = grid_text(s.grid) + " (x, y, layer)";
  if (!(s.grid == s.stored_grid)) grid += ", central part of the stored " + grid_text(s.stored_grid);
  text += line("grid              %s", grid.c_str());
  text += line("energy from       %s", s.energy_source.c_str());
  text += "datasets\n";
  for (const auto& d : s.datasets)
    text += line("  %-15s %-22s %s", d.name.c_str(), shape_text(d.shape).c_str(), d.type.c_str());
  if (s.events > 0) {
    text += line("primary energy    min %.6g  max %.6g  mean %.6g [GeV]", s.energy_min_gev, s.energy_max_gev,
                 s.energy_mean_gev);
    text += line("sampled fraction  mean %.6g  std %.6g (ECAL sum / primary energy)", s.sampled_fraction_mean,
                 s.sampled_fraction_std);
    text += line("cells above 0     %.6g per event (of %zu)", s.mean_cells_above_zero, s.grid.cells());
    text += "mean longitudinal profile [GeV per layer, summed over x, y]\n";
    for (std::size_t z = 0; z < s.mean_layer_energy_gev.size(); ++z)
      text += line("  layer %2zu        %.6g", z, s.mean_layer_energy_gev[z]);
  }
  text += "attributes\n";
  if (s.attributes.empty()) text += "  (none)\n";
  for (const auto& [name, value] : s.attributes)
    text += "  " + name + std::string(name.size() < 16 ? 16 - name.size() : 1, ' ') + value + "\n";
  return text;
}

}  // namespace calo::io
