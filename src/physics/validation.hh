#pragma once
// Physics validation of a candidate shower set against a reference set (DESIGN.md section 1,
// `validate`): the 3DGAN observables per primary-energy bin, their distances, and a
// statistical baseline from two halves of the reference. The report module draws this; the
// CLI writes it to metrics.json (schema: docs/validation.md).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "physics/two_sample_result.hh"

namespace calo::physics {

/// A primary-energy bin [GeV]; "all" has lo = 0, hi = +infinity.
struct EnergyBin {
  std::string label;  ///< "100 GeV", "all"
  double lo_gev = 0, hi_gev = 0;
};

/// Default bins of the 3DGAN analysis: +-5 GeV around 50, 100, 200, 300, 400 GeV, plus "all".
std::vector<EnergyBin> default_energy_bins();
/// Parses "50,100,200" (centres, +-half_width) or "10:30,30:60" (ranges); adds "all".
std::vector<EnergyBin> parse_energy_bins(const std::string& text, double half_width_gev = 5.0);

/// One observable in one energy bin, for one shower set: either a histogram over events
/// (kind = distribution: bin edges + normalised counts + the raw per-event values' summary),
/// or a mean profile over an index (kind = profile: x = layer or cell index, y = mean, err).
struct Series {
  std::vector<double> x;      ///< bin edges (distribution: n+1) or profile positions (n)
  std::vector<double> y;      ///< normalised counts (distribution) or means (profile)
  std::vector<double> error;  ///< statistical error of y
  double mean = 0, std = 0;   ///< of the underlying per-event quantity (distributions; cell
                              ///< spectrum: of the cell energies); profiles: mean = sum of y, std 0
  std::uint64_t entries = 0;  ///< events (or cells) that went in
};

/// The distances between candidate and reference for one observable and bin. A metric that
/// does not apply to the observable's kind is NaN (null in metrics.json): distributions have
/// no mean_relative_error / chi2_ndf, profiles no wasserstein1 / ks_*; the cell-energy
/// spectrum has all of them (docs/validation.md, "Metrics").
struct Metrics {
  double relative_error_of_mean = 0;  ///< (mean_c - mean_r) / mean_r (profiles: of the sum over positions)
  double mean_relative_error = 0;     ///< mean over populated bins of |y_c - y_r| / y_r (profiles)
  double wasserstein1 = 0;            ///< W1 between the per-event distributions (in units of x)
  double ks_statistic = 0;            ///< two-sample Kolmogorov-Smirnov D
  double ks_p_value = 1;              ///< asymptotic p-value of D
  double chi2_ndf = 0;    ///< sum over populated bins of (y_c - y_r)^2 / (err_c^2 + err_r^2), / ndf
  std::uint64_t ndf = 0;  ///< populated bins that went into mean_relative_error and chi2_ndf
  /// CaloChallenge separation power of the normalised histograms h_c, h_r (distributions and
  /// the cell spectrum): 1/2 sum_k (h_c - h_r)^2 / (h_c + h_r), 0 = identical, 1 = disjoint.
  /// Reported beside each plot; not part of the verdict.
  double separation_power = 0;
  /// Profiles: mean over the positions holding more than 1 % of the reference's sum of
  /// |c_i / sum c - r_i / sum r| / (r_i / sum r): the normalised profiles' relative error where
  /// the energy is (issue 12's acceptance figure for the shipped model; the 3DGAN papers' view).
  /// Information only, not part of the verdict.
  double core_mean_relative_error = 0;
};

enum class Verdict { green, amber, red };
/// "green", "amber", "red".
const char* verdict_name(Verdict verdict);

struct ObservableResult {
  std::string name;     ///< stable key, e.g. "sampled_fraction", "longitudinal_profile"
  std::string title;    ///< "Sampled fraction", for people
  std::string x_label;  ///< axis label with unit, e.g. "E_sum / E_p", "layer"
  std::string y_label;
  bool log_x = false, log_y = false;
  bool is_profile = false;
  Series reference, candidate;
  Series baseline_a, baseline_b;  ///< the two halves of the reference
  Metrics metrics;                ///< candidate vs reference
  Metrics baseline;               ///< half A vs half B: what statistics alone give (mean magnitude
                                  ///< over the baseline splits, docs/validation.md "Baseline")
  Verdict verdict = Verdict::green;
  bool shape = false;           ///< category: true "shape" (blind to the energy scale), false "energy"
  Metrics expected;             ///< metrics expected for candidate vs reference from statistics alone
  double size_factor = 1;       ///< sqrt(1/n_c + 1/n_r) / sqrt(1/n_a + 1/n_b): baseline -> candidate sizes
  double ratio = 0;             ///< the largest metric / its statistical scale (the verdict's input)
  std::string decisive_metric;  ///< the metric that gave ratio, e.g. "wasserstein1"
};

struct BinResult {
  EnergyBin bin;
  std::uint64_t reference_events = 0, candidate_events = 0;
  bool empty = false;  ///< too few events in either set: reported, not compared
  std::vector<ObservableResult> observables;
};

struct ValidationResult {
  std::string reference_path, candidate_path;
  std::uint64_t reference_events = 0, candidate_events = 0;
  int nx = 0, ny = 0, nz = 0;
  std::vector<BinResult> bins;
  double score = 0;                      ///< overall score (docs/validation.md); NaN when no bin was compared
  double baseline_score = 0;             ///< the same score for half A vs half B
  Verdict verdict = Verdict::green;      ///< worst observable verdict; amber when no bin was compared
  std::uint64_t min_events_per_bin = 0;  ///< the option used
  PhysicsDistances distances;            ///< FPD and KPD over all showers (every energy)
  ClassifierResult classifier;           ///< filled by the classifier module (skipped otherwise)
};

/// Verdict thresholds on ObservableResult::ratio: green <= kGreenRatio < amber <= kRedRatio < red.
inline constexpr double kGreenRatio = 3.0;
inline constexpr double kRedRatio = 5.0;

struct ValidationOptions {
  std::vector<EnergyBin> bins = default_energy_bins();
  std::uint64_t max_events = 0;           ///< 0 = all
  std::uint64_t min_events_per_bin = 10;  ///< fewer: the bin is reported empty (at least 2)
  bool distances = true;                  ///< compute FPD and KPD
  std::uint64_t seed = 42;                ///< of the FPD/KPD batches
  /// Called for every shower read (set 0: reference, 1: candidate) after its checks, with its
  /// cells [nx][ny][nz] and primary energy [GeV]: lets a caller (the classifier test) collect
  /// the showers without reading the files again.
  std::function<void(int set, const io::ShowerGrid& grid, const float* cells, double primary_gev)> on_shower;
};

/// Reads both sets (streaming) and computes everything. InputError for unreadable files,
/// different grids, non-finite cells, missing datasets.
ValidationResult validate(const std::string& reference_path, const std::string& candidate_path,
                          const ValidationOptions& options = {});
/// The same with each set spread over several files, read in the given order as one set
/// (max_events counts over the set). The result's paths list them separated by ", ".
ValidationResult validate(const std::vector<std::string>& reference_paths,
                          const std::vector<std::string>& candidate_paths,
                          const ValidationOptions& options = {});

/// metrics.json text (schema: docs/validation.md, version field "calo3dgan.validation/4").
std::string to_json(const ValidationResult& result);

}  // namespace calo::physics
