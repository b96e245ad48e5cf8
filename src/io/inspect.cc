#include "io/inspect.hh"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hh"
#include "io/number_text.hh"

namespace calo::io {

namespace {

constexpr std::size_t kBlockBytes = 4 << 20;  // ECAL data read per block

/// Running sums over events; Welford's update keeps the variance accurate in one pass.
struct ShowerStatistics {
  std::size_t events = 0;
  double energy_min = std::numeric_limits<double>::infinity();
  double energy_max = -std::numeric_limits<double>::infinity();
  double energy_sum = 0;
  double fraction_mean = 0;
  double fraction_m2 = 0;  // sum of squared deviations from the running mean
  double cells_above_zero = 0;
  std::vector<double> layer_sums;

  void add_event(const float* cells, const ShowerGrid& grid, double energy_gev) {
    double deposit = 0;
    std::size_t above_zero = 0;
    const std::size_t columns = grid.nx * grid.ny;
    for (std::size_t column = 0; column < columns; ++column) {
      const float* layers = cells + column * grid.nz;  // [x][y][layer]: layer is fastest
      for (std::size_t z = 0; z < grid.nz; ++z) {
        layer_sums[z] += layers[z];
        deposit += layers[z];
        above_zero += layers[z] > 0;
      }
    }
    ++events;
    energy_min = std::min(energy_min, energy_gev);
    energy_max = std::max(energy_max, energy_gev);
    energy_sum += energy_gev;
    double fraction = deposit / energy_gev;
    double delta = fraction - fraction_mean;
    fraction_mean += delta / static_cast<double>(events);
    fraction_m2 += delta * (fraction - fraction_mean);
    cells_above_zero += static_cast<double>(above_zero);
  }
};

/// Counts the non-finite cells of one event.
std::size_t count_non_finite(const float* cells, std::size_t n) {
  return static_cast<std::size_t>(std::count_if(cells, cells + n, [](float v) { return !std::isfinite(v); }));
}

}  // namespace

InspectSummary inspect_file(const std::string& path) {
  ShowerReader reader(path);
  InspectSummary summary;
  summary.path = path;
  summary.events = reader.events();
  summary.datasets = reader.datasets();
  summary.stored_grid = reader.stored_grid();
  summary.grid = reader.grid();
  summary.energy_source = reader.energy_source();
  summary.attributes = reader.attributes();

  const ShowerGrid& grid = summary.grid;
  const std::size_t cells = grid.cells();
  const std::size_t block = std::max<std::size_t>(1, kBlockBytes / (cells * sizeof(float)));
  ShowerStatistics stats;
  stats.layer_sums.assign(grid.nz, 0.0);
  std::size_t bad_events = 0, bad_cells = 0, first_bad_event = 0;
  std::vector<float> ecal, energy;
  for (std::size_t first = 0; first < summary.events; first += block) {
    std::size_t count = std::min(block, summary.events - first);
    reader.read(first, count, ecal, energy);
    for (std::size_t i = 0; i < count; ++i) {
      const float* event_cells = ecal.data() + i * cells;
      const std::size_t event = first + i;
      if (std::size_t non_finite = count_non_finite(event_cells, cells)) {
        if (bad_events++ == 0) first_bad_event = event;
        bad_cells += non_finite;
        continue;
      }
      if (!(std::isfinite(energy[i]) && energy[i] > 0))
        throw InputError("file " + path + ": event " + std::to_string(event) + " has primary energy " +
                         number_text(energy[i]) + " GeV (a positive energy is needed)");
      stats.add_event(event_cells, grid, energy[i]);
    }
  }
  if (bad_events > 0)
    throw InputError("file " + path + ": event " + std::to_string(first_bad_event) +
                     " has non-finite cell values (NaN or inf in " + std::to_string(bad_cells) +
                     " cells of " + std::to_string(bad_events) +
                     " events) regenerate the file or drop those events");

  if (stats.events > 0) {
    auto n = static_cast<double>(stats.events);
    summary.energy_min_gev = stats.energy_min;
    summary.energy_max_gev = stats.energy_max;
    summary.energy_mean_gev = stats.energy_sum / n;
    summary.sampled_fraction_mean = stats.fraction_mean;
    summary.sampled_fraction_std = std::sqrt(stats.fraction_m2 / n);
    summary.mean_cells_above_zero = stats.cells_above_zero / n;
    for (double& sum : stats.layer_sums) sum /= n;
  }
  summary.mean_layer_energy_gev = std::move(stats.layer_sums);
  return summary;
}

}  // namespace calo::io
