#include <nlohmann/json.hpp>

#include "io/inspect.hh"

namespace calo::io {

namespace {
nlohmann::json grid_json(const ShowerGrid& g) { return {g.nx, g.ny, g.nz}; }
}  // namespace

std::string summary_to_json(const InspectSummary& s) {
  nlohmann::json datasets = nlohmann::json::array();
  for (const auto& d : s.datasets)
    datasets.push_back({{"name", d.name}, {"shape", d.shape}, {"type", d.type}});
  nlohmann::json attributes = nlohmann::json::object();
  for (const auto& [name, value] : s.attributes) attributes[name] = value;
  nlohmann::json json = {
      {"path", s.path},
      {"events", s.events},
      {"datasets", datasets},
      {"stored_grid", grid_json(s.stored_grid)},
      {"grid", grid_json(s.grid)},
      {"energy_source", s.energy_source},
      {"energy_min_gev", s.energy_min_gev},
      {"energy_max_gev", s.energy_max_gev},
      {"energy_mean_gev", s.energy_mean_gev},
      {"sampled_fraction_mean", s.sampled_fraction_mean},
      {"sampled_fraction_std", s.sampled_fraction_std},
      {"mean_layer_energy_gev", s.mean_layer_energy_gev},
      {"mean_cells_above_zero", s.mean_cells_above_zero},
      {"attributes", attributes},
  };
  return json.dump(2);
}

}  // namespace calo::io
