// Photoelectric absorption: XCOM photoabsorption per element with its edges
// (photoelectric_data.hh), shell chosen by the edge jump ratios, Sauter-Gavrila angles.
#include <algorithm>
#include <array>
#include <cmath>

#include "core/units.hh"
#include "sim/em/photon/photoelectric_data.hh"
#include "sim/em/photon/photon_models.hh"

namespace calo::sim {

using namespace calo::constants;

namespace {

/// The table that describes element z after scaling energies by `scale` (1 for a tabulated
/// element). An element that is not tabulated borrows the nearest tabulated one, scaled
/// hydrogen-like: sigma_Z(k) = sigma_ref(k / s) / s with s = E_K(Z) / E_K(ref).
struct Scaled {
  const photo::ElementTable* table;
  double scale;
};

Scaled nearest_table(int z) {
  if (const auto* t = photo::find_table(z)) return {t, 1.0};
  const photo::ElementTable* best = nullptr;
  for (const auto& t : photo::tables())
    if (!best || std::abs(t.z - z) < std::abs(best->z - z)) best = &t;
  return {best, photo::k_edge_kev(z) / photo::k_edge_kev(best->z)};
}

double scaled_sigma(const photo::ElementTable& t, double scale, double k_kev) {
  return photo::table_sigma(t, k_kev / scale) / scale;
}

/// Sauter-Gavrila K-shell angular distribution of a photoelectron of kinetic energy t:
/// dN/dcos ~ sin^2 / (1 - beta cos)^4 [1 + gamma(gamma-1)(gamma-2)/2 (1 - beta cos)].
/// Sampled in z = 1 - beta cos from g(z) ~ 1/z^2 and rejection (sin^2 z^2 ... <= beta^2 gamma^2).
double sample_sauter_gavrila(double t, Rng& rng) {
  if (t > 100 * MeV) return 1.0;
  const double gamma = 1.0 + t / electron_mass_c2;
  const double beta = std::sqrt(t * (t + 2.0 * electron_mass_c2)) / (gamma * electron_mass_c2);
  if (beta < 1e-6) return 2.0 * rng.uniform() - 1.0;
  const double b = 0.5 * gamma * (gamma - 1.0) * (gamma - 2.0);
  const double z1 = 1.0 - beta, z2 = 1.0 + beta;
  const double bound = beta * beta * gamma * gamma * std::max(1.0 + b * z1, 1.0 + b * z2);
  for (int tries = 0; tries < 1000; ++tries) {
    const double z = 1.0 / (1.0 / z1 - rng.uniform() * (1.0 / z1 - 1.0 / z2));
    const double c = (1.0 - z) / beta;
    const double f = (1.0 - c * c) / (z * z) * beta * beta * (1.0 + b * z);  // h(z) beta^2
    if (f >= bound * rng.uniform()) return std::clamp(c, -1.0, 1.0);
  }
  return 1.0;
}

}  // namespace

double photoelectric_xs_per_atom(int z, double k) {
  if (k <= 0 || z <= 0) return 0.0;
  const double k_kev = k / keV;
  if (const auto* t = photo::find_table(z)) return photo::table_sigma(*t, k_kev) * barn;
  // not tabulated: interpolate ln sigma linearly in Z between the scaled neighbours
  const photo::ElementTable *lo = nullptr, *hi = nullptr;
  for (const auto& t : photo::tables()) {
    if (t.z < z) lo = &t;
    if (t.z > z && !hi) hi = &t;
  }
  auto estimate = [&](const photo::ElementTable* t) {
    return scaled_sigma(*t, photo::k_edge_kev(z) / photo::k_edge_kev(t->z), k_kev);
  };
  double s;
  if (lo && hi) {
    const double w = double(z - lo->z) / (hi->z - lo->z);
    s = std::exp((1.0 - w) * std::log(estimate(lo)) + w * std::log(estimate(hi)));
  } else {
    s = estimate(lo ? lo : hi);
  }
  return s * barn;
}

PhotoelectricModel::PhotoelectricModel(const Material& material) {
  for (const auto& el : material.elements) {
    z_.push_back(el.z);
    n_.push_back(el.atoms_per_volume);
  }
}

double PhotoelectricModel::macro_xs(double k) const {
  double sum = 0;
  for (std::size_t i = 0; i < z_.size(); ++i) sum += n_[i] * photoelectric_xs_per_atom(z_[i], k);
  return sum;
}

PhotoelectricSample PhotoelectricModel::sample(double k, Rng& rng) const {
  // element, by the partial cross sections at k (computed twice past 16 elements: no allocation)
  std::size_t chosen = 0;
  const std::size_t n_el = z_.size();
  if (n_el > 1) {
    std::array<double, 16> cum{};
    double total = 0;
    for (std::size_t i = 0; i < n_el; ++i) {
      total += n_[i] * photoelectric_xs_per_atom(z_[i], k);
      if (i < cum.size()) cum[i] = total;
    }
    const double target = rng.uniform() * total;
    double run = 0;
    for (chosen = 0; chosen + 1 < n_el; ++chosen) {
      run = chosen < cum.size() ? cum[chosen] : run + n_[chosen] * photoelectric_xs_per_atom(z_[chosen], k);
      if (run >= target) break;
    }
  }
  // shell: walk the edges below k from the highest; the shell of an edge absorbs with
  // probability 1 - 1/r, r = sigma(above) / sigma(below) (edge jump ratio)
  const Scaled ref = nearest_table(z_[chosen]);
  const auto& nodes = ref.table->nodes;
  double binding = ref.table->outer_binding_kev * ref.scale * keV;
  for (std::size_t i = nodes.size() - 1; i >= 1; --i) {
    if (nodes[i].e_kev != nodes[i - 1].e_kev) continue;
    const double edge = nodes[i].e_kev * ref.scale * keV;
    if (edge > k) continue;
    if (rng.uniform() * nodes[i].sigma_barn >= nodes[i - 1].sigma_barn) {
      binding = edge;
      break;
    }
  }
  binding = std::min(binding, k);
  PhotoelectricSample s;
  s.local_deposit = binding;
  s.electron_energy = k - binding;
  s.electron_cos = s.electron_energy > 0 ? sample_sauter_gavrila(s.electron_energy, rng) : 1.0;
  return s;
}

}  // namespace calo::sim
