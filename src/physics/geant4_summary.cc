// Summaries of shower sets in the development set's terms, and their comparison.
#include "physics/geant4_summary.hh"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.hh"
#include "physics/shower_features.hh"

namespace calo::physics {

namespace {
double rms_of(double sum, double sum2, std::size_t n) {
  if (n == 0) return 0;
  const double m = sum / double(n);
  return std::sqrt(std::max(0.0, sum2 / double(n) - m * m));
}
}  // namespace

ShowerSummary read_geant4_summary(const std::string& path, std::string* geometry, double* energy_gev) {
  std::ifstream in(path);
  CALO_VALIDATE(bool(in), "cannot read '" + path + "' (a ../shared/geant4-reference/*.json file?)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw InputError("'" + path + "' is not JSON (" + e.what() + ")");
  }
  ShowerSummary s;
  try {
    s.events = j.at("events").get<std::size_t>();
    s.window_mean = j.at("window_sum_over_E").at("mean");
    s.window_rel_rms = j.at("window_sum_over_E").at("rel_rms");
    s.si_total = j.at("si_total_over_E");
    s.absorber_total = j.at("absorber_total_over_E");
    s.all_total = j.at("all_total_over_E");
    s.long_profile = j.at("long_profile_mean").get<std::vector<double>>();
    s.x_profile = j.at("x_profile_mean").get<std::vector<double>>();
    s.shower_max_layer = j.at("shower_max_layer");
    s.hits_1e4 = j.at("hits_above_1e-4");
    s.hits_3e4 = j.at("hits_above_3e-4");
    s.x2_mean = j.at("x_second_moment_cells").at("mean");
    s.x2_rms = j.at("x_second_moment_cells").at("rms");
    s.z2_mean = j.at("z_second_moment_layers").at("mean");
    s.z2_rms = j.at("z_second_moment_layers").at("rms");
    if (geometry) *geometry = j.at("geometry");
    if (energy_gev) *energy_gev = j.at("energy_GeV");
  } catch (const nlohmann::json::exception& e) {
    throw InputError("'" + path + "' lacks a development-set field (" + e.what() + ")");
  }
  return s;
}

SummaryAccumulator::SummaryAccumulator(std::size_t nx, std::size_t ny, std::size_t layers)
    : nx_(nx), ny_(ny), nz_(layers), z_(layers, 0.0), x_(nx, 0.0) {}

void SummaryAccumulator::add(const float* cells, double primary_gev, double si_total_gev,
                             double absorber_total_gev, double all_total_gev) {
  // The same per-shower features as `validate` (shower_features.cc): hit counts, widths.
  ShowerFeatures& f = features_;
  const FeatureExtractor extractor(nx_, ny_, nz_);
  const double sum = extractor.extract(cells, primary_gev, f);
  const ProfileLayout& L = extractor.layout();
  for (std::size_t i = 0; i < nz_; ++i) z_[i] += f.profile[L.offset[kLongitudinal] + i];
  for (std::size_t i = 0; i < nx_; ++i) x_[i] += f.profile[L.offset[kTransverseX] + i];
  const double w = sum / primary_gev;
  ++n_;
  w_ += w;
  w2_ += w * w;
  si_ += si_total_gev / primary_gev;
  abs_ += absorber_total_gev / primary_gev;
  all_ += all_total_gev / primary_gev;
  h1_ += f.scalar[kHits1e4];
  h3_ += f.scalar[kHits3e4];
  x2_ += f.scalar[kMoment2X];
  x2sq_ += f.scalar[kMoment2X] * f.scalar[kMoment2X];
  z2_ += f.scalar[kMoment2Z];
  z2sq_ += f.scalar[kMoment2Z] * f.scalar[kMoment2Z];
}

ShowerSummary SummaryAccumulator::result() const {
  ShowerSummary s;
  s.events = n_;
  if (n_ == 0) return s;
  const double n = double(n_);
  s.window_mean = w_ / n;
  // Showers that leave nothing in the window (electrons of a few MeV) have no relative spread.
  s.window_rel_rms = s.window_mean > 0 ? rms_of(w_, w2_, n_) / s.window_mean : 0.0;
  s.si_total = si_ / n;
  s.all_total = all_ / n;
  s.absorber_total = abs_ / n;
  s.long_profile = z_;
  for (double& v : s.long_profile) v /= n;
  s.x_profile = x_;
  for (double& v : s.x_profile) v /= n;
  s.shower_max_layer =
      int(std::max_element(s.long_profile.begin(), s.long_profile.end()) - s.long_profile.begin());
  s.hits_1e4 = h1_ / n;
  s.hits_3e4 = h3_ / n;
  s.x2_mean = x2_ / n;
  s.x2_rms = rms_of(x2_, x2sq_, n_);
  s.z2_mean = z2_ / n;
  s.z2_rms = rms_of(z2_, z2sq_, n_);
  return s;
}

double profile_shape_error(const std::vector<double>& ours, const std::vector<double>& geant4,
                           double min_share) {
  CALO_VALIDATE(ours.size() == geant4.size(), "profiles of different lengths (" +
                                                  std::to_string(ours.size()) + " vs " +
                                                  std::to_string(geant4.size()) + ": another geometry?)");
  double so = 0, sg = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) so += ours[i], sg += geant4[i];
  if (!(so > 0 && sg > 0)) return NAN;
  double err = 0;
  int bins = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const double g = geant4[i] / sg;
    if (g <= min_share) continue;
    err += std::fabs((ours[i] / so) / g - 1.0);
    ++bins;
  }
  return bins > 0 ? err / bins : NAN;
}

std::vector<ComparisonRow> compare_summaries(const ShowerSummary& o, const ShowerSummary& g) {
  auto ratio = [](const std::string& name, double a, double b, double tol) {
    return ComparisonRow{name, a, b, b != 0 ? a / b - 1.0 : NAN, tol};
  };
  // Tolerances: issue 10's acceptance (window sum and totals 3 %, its rms 15 %, x width 5 %,
  // profile shapes 5 % on average over bins holding > 2 % of the energy); 0 = reported only.
  std::vector<ComparisonRow> rows;
  rows.push_back(ratio("window sum / E", o.window_mean, g.window_mean, 0.03));
  rows.push_back(ratio("  its relative rms", o.window_rel_rms, g.window_rel_rms, 0.15));
  rows.push_back(ratio("all Si / E", o.si_total, g.si_total, 0.03));
  rows.push_back(ratio("all absorber / E", o.absorber_total, g.absorber_total, 0.03));
  rows.push_back(ratio("other passive / E", o.all_total - o.si_total - o.absorber_total,
                       g.all_total - g.si_total - g.absorber_total, 0));
  rows.push_back(ratio("all material / E", o.all_total, g.all_total, 0.03));
  rows.push_back(ratio("x width (2nd moment) [cells]", o.x2_mean, g.x2_mean, 0.05));
  rows.push_back(ratio("  its rms [cells]", o.x2_rms, g.x2_rms, 0));
  rows.push_back(ratio("z width (2nd moment) [layers]", o.z2_mean, g.z2_mean, 0));
  rows.push_back(ratio("  its rms [layers]", o.z2_rms, g.z2_rms, 0));
  rows.push_back(ratio("hits > 1e-4 GeV", o.hits_1e4, g.hits_1e4, 0));
  rows.push_back(ratio("hits > 3e-4 GeV", o.hits_3e4, g.hits_3e4, 0));
  rows.push_back(ComparisonRow{"shower max [layer]", double(o.shower_max_layer), double(g.shower_max_layer),
                               double(o.shower_max_layer - g.shower_max_layer), 0});
  auto central = [](const std::vector<double>& p) {
    double s = 0;
    for (double v : p) s += v;
    return s > 0 ? p[p.size() / 2] / s : 0.0;
  };
  rows.push_back(ratio("central x column share", central(o.x_profile), central(g.x_profile), 0));
  rows.push_back(ComparisonRow{"longitudinal shape error", NAN, NAN,
                               profile_shape_error(o.long_profile, g.long_profile), 0.05});
  rows.push_back(
      ComparisonRow{"x profile shape error", NAN, NAN, profile_shape_error(o.x_profile, g.x_profile), 0.05});
  return rows;
}

}  // namespace calo::physics
