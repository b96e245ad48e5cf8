#include "sim/transport/material_physics.hh"

#include <algorithm>
#include <cmath>

namespace calo::sim {

namespace {

template <class F>
GridTable tabulate(const LogGrid& grid, F&& f) {
  std::vector<double> v(grid.nodes());
  for (int i = 0; i < grid.nodes(); ++i) v[i] = f(grid.energy(i));
  return GridTable(std::move(v));
}

/// CSDA range R(E) = integral dE / S(E), by Simpson's rule in ln E between nodes; below the
/// first node S is taken proportional to sqrt(E) (the low-energy Bethe trend), giving
/// R(E_min) = 2 E_min / S(E_min).
GridTable range_table(const LogGrid& grid, const GridTable& dedx) {
  std::vector<double> r(grid.nodes());
  r[0] = 2.0 * grid.energy(0) / dedx.at_node(0);
  for (int i = 1; i < grid.nodes(); ++i) {
    const double a = std::log(grid.energy(i - 1)), b = std::log(grid.energy(i));
    auto integrand = [&](double x) {
      const double e = std::exp(x);
      const double f = (x - a) / (b - a);
      const double s = dedx.at_node(i - 1) + f * (dedx.at_node(i) - dedx.at_node(i - 1));
      return e / s;
    };
    const double m = 0.5 * (a + b);
    r[i] = r[i - 1] + (b - a) / 6.0 * (integrand(a) + 4 * integrand(m) + integrand(b));
  }
  return GridTable(std::move(r));
}

ChargedTables charged_tables(const LogGrid& grid, const IonisationModel& ion,
                             const BremsstrahlungModel& brems, const AnnihilationModel* annih,
                             const MscModel& msc) {
  ChargedTables t;
  t.dedx = tabulate(grid, [&](double e) { return ion.dedx(e) + brems.dedx(e); });
  t.range = range_table(grid, t.dedx);
  t.xs_ionisation = tabulate(grid, [&](double e) { return ion.macro_xs(e); });
  t.xs_brems = tabulate(grid, [&](double e) { return brems.macro_xs(e); });
  t.xs_annihilation = tabulate(grid, [&](double e) { return annih ? annih->macro_xs(e) : 0.0; });
  t.xs_total = tabulate(grid, [&](double e) {
    return ion.macro_xs(e) + brems.macro_xs(e) + (annih ? annih->macro_xs(e) : 0.0);
  });
  t.lambda1 = tabulate(grid, [&](double e) { return msc.transport_mfp(e); });
  return t;
}

BremsOptions brems_options(const PhysicsConfig& config) {
  BremsOptions o;
  o.geant4_parametrized = config.brems_geant4_parametrized;
  o.parametrized_low_limit = config.brems_parametrized_low_limit;
  return o;
}

}  // namespace

MaterialPhysics::MaterialPhysics(const Material& mat, const PhysicsConfig& config, const LogGrid& grid)
    : material(mat),
      gamma_cut(gamma_production_threshold(mat, config.range_cut)),
      electron_cut(electron_production_threshold(mat, config.range_cut, false)),
      positron_cut(electron_production_threshold(mat, config.range_cut, true)),
      compton(mat),
      pair(mat),
      photoelectric(mat),
      ionisation_electron(mat, electron_cut, false),
      ionisation_positron(mat, positron_cut, true),
      brems_electron(mat, gamma_cut, false, brems_options(config)),
      brems_positron(mat, gamma_cut, true, brems_options(config)),
      annihilation(mat),
      msc_electron(mat, false, config.msc_urban_angular),
      msc_positron(mat, true, config.msc_urban_angular),
      fluctuation(mat),
      grid_(grid) {
  photon.xs_compton = tabulate(grid, [&](double k) { return compton.macro_xs(k); });
  photon.xs_pair = tabulate(grid, [&](double k) { return pair.macro_xs(k); });
  photon.xs_photoelectric = tabulate(grid, [&](double k) { return photoelectric.macro_xs(k); });
  std::vector<double> total(grid.nodes());
  for (int i = 0; i < grid.nodes(); ++i)
    total[i] = photon.xs_compton.at_node(i) + photon.xs_pair.at_node(i) + photon.xs_photoelectric.at_node(i);
  photon.xs_total = GridTable(std::move(total));
  electron = charged_tables(grid, ionisation_electron, brems_electron, nullptr, msc_electron);
  positron = charged_tables(grid, ionisation_positron, brems_positron, &annihilation, msc_positron);
}

double MaterialPhysics::energy_from_range(bool is_positron, double r) const {
  const auto& v = (is_positron ? positron : electron).range.values();
  if (r <= v.front()) {  // below the first node: the sqrt(E) law of range_table
    const double f = r / v.front();
    return grid_.energy(0) * f * f;
  }
  const auto it = std::upper_bound(v.begin(), v.end(), r);
  if (it == v.end()) return grid_.e_max();
  const int i = static_cast<int>(it - v.begin()) - 1;
  const double f = (r - v[i]) / (v[i + 1] - v[i]);
  // the forward table interpolates linearly in ln E: invert the same way
  return std::exp(std::log(grid_.energy(i)) +
                  f * (std::log(grid_.energy(i + 1)) - std::log(grid_.energy(i))));
}

}  // namespace calo::sim
