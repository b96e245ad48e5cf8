#include "synthetic_result.hh"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace calo::report::test {

namespace {

using physics::ObservableResult;
using physics::Series;
using physics::Verdict;

/// A normalised histogram of a Gaussian (mean, sigma) over n bins on [lo, hi] (log-spaced when
/// log_x), with Poisson-like noise for `events` entries.
Series gaussian_histogram(double mean, double sigma, double lo, double hi, int n, bool log_x,
                          std::uint64_t events, std::mt19937& rng) {
  Series s;
  for (int i = 0; i <= n; ++i) {
    double t = double(i) / n;
    s.x.push_back(log_x ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t);
  }
  std::normal_distribution<double> noise(0, 1);
  for (int i = 0; i < n; ++i) {
    double centre = log_x ? std::log(s.x[i] * s.x[i + 1]) / 2 : 0.5 * (s.x[i] + s.x[i + 1]);
    double z = (centre - mean) / sigma;
    double expected = events * std::exp(-0.5 * z * z) / 2.5;
    double count = std::max(0.0, std::round(expected + std::sqrt(expected) * noise(rng)));
    s.y.push_back(count / events);
    s.error.push_back(std::sqrt(count) / events);
  }
  s.mean = log_x ? std::exp(mean) : mean;
  s.std = log_x ? s.mean * sigma : sigma;
  s.entries = events;
  return s;
}

/// A mean profile: a gamma-like longitudinal shape (or a peaked transverse one) over n
/// positions with relative noise.
Series profile(int n, double peak, double width, double scale, std::uint64_t events, std::mt19937& rng) {
  Series s;
  std::normal_distribution<double> noise(0, 1);
  for (int i = 0; i < n; ++i) {
    double z = (i - peak) / width;
    double value = scale * std::exp(-std::abs(z) * 1.5) + scale * 1e-4;
    double error = value * 0.6 / std::sqrt(double(events));
    s.x.push_back(i);
    s.y.push_back(value + error * noise(rng));
    s.error.push_back(error);
  }
  s.entries = events;
  return s;
}

struct Spec {
  const char* name;
  const char* title;
  const char* x_label;
  const char* y_label;
  bool log_x, log_y, is_profile;
  double mean, sigma, lo, hi;  // histograms: of the quantity; profiles: peak, width, scale, n
};

const Spec specs[] = {
    {"sampled_fraction", "Sampled fraction", "E_sum / E_p", "fraction of events", false, false, false, 0.021,
     0.0012, 0.015, 0.027},
    {"ecal_sum", "Total deposited energy", "E_sum [GeV]", "fraction of events", false, false, false, 2.1,
     0.12, 1.5, 2.7},
    {"hit_count", "Number of hits", "cells above 1e-6 GeV", "fraction of events", false, true, false, 900, 60,
     650, 1150},
    {"cell_energy", "Cell energy spectrum", "cell energy [GeV]", "fraction of cells", true, true, false,
     std::log(0.002), 1.6, 1e-6, 1.0},
    {"shower_depth", "Shower depth", "energy-weighted mean layer", "fraction of events", false, false, false,
     8.5, 0.7, 5, 12},
    {"width_x", "Lateral width x", "energy-weighted RMS in x [cells]", "fraction of events", false, false,
     false, 1.6, 0.15, 1, 2.2},
    {"first_layer_fraction", "Energy fraction in the first 3 layers", "E(layers 0-2) / E_sum",
     "fraction of events", false, true, false, 0.05, 0.02, 0, 0.14},
    {"longitudinal_profile", "Longitudinal profile", "layer", "mean energy per layer [GeV]", false, true,
     true, 7, 4, 0.3, 25},
    {"transverse_profile_x", "Transverse profile x", "x cell", "mean energy per cell column [GeV]", false,
     true, true, 12, 1.2, 1.0, 25},
    {"transverse_profile_y", "Transverse profile y", "y cell", "mean energy per cell row [GeV]", false, true,
     true, 12, 1.2, 1.0, 25},
};

ObservableResult make_observable(const Spec& spec, double energy, std::uint64_t events, int index,
                                 std::mt19937& rng) {
  ObservableResult o;
  o.name = spec.name;
  o.title = spec.title;
  o.x_label = spec.x_label;
  o.y_label = spec.y_label;
  o.log_x = spec.log_x;
  o.log_y = spec.log_y;
  o.is_profile = spec.is_profile;
  double shift = 0.02 * (index % 4);  // the candidate is a little off, more for some observables
  double e_scale = energy / 100.0;
  if (spec.is_profile) {
    int n = int(spec.hi);
    o.reference = profile(n, spec.mean, spec.sigma, spec.lo * e_scale, events, rng);
    o.candidate =
        profile(n, spec.mean * (1 + shift), spec.sigma * (1 - shift), spec.lo * e_scale, events, rng);
    o.baseline_a = profile(n, spec.mean, spec.sigma, spec.lo * e_scale, events / 2, rng);
    o.baseline_b = profile(n, spec.mean, spec.sigma, spec.lo * e_scale, events / 2, rng);
  } else {
    const int n = 40;
    double mean = spec.mean, sigma = spec.sigma, lo = spec.lo, hi = spec.hi;
    o.reference = gaussian_histogram(mean, sigma, lo, hi, n, spec.log_x, events, rng);
    o.candidate = gaussian_histogram(mean + shift * sigma * 10, sigma, lo, hi, n, spec.log_x, events, rng);
    o.baseline_a = gaussian_histogram(mean, sigma, lo, hi, n, spec.log_x, events / 2, rng);
    o.baseline_b = gaussian_histogram(mean, sigma, lo, hi, n, spec.log_x, events / 2, rng);
  }
  double badness = 0.03 * (index % 4);  // how far off the metrics say the candidate is
  double width = spec.is_profile ? 1.0 : (spec.log_x ? 0.003 : spec.sigma);  // W1 is in units of x
  o.metrics.relative_error_of_mean = badness * 0.5;
  o.metrics.mean_relative_error = 0.03 + badness;
  o.metrics.wasserstein1 = (0.01 + badness) * width;
  o.metrics.ks_statistic = 0.02 + badness;
  o.metrics.ks_p_value = std::max(1e-6, 0.9 - 12 * badness);
  o.baseline.relative_error_of_mean = 0.001;
  o.baseline.mean_relative_error = 0.03;
  o.baseline.wasserstein1 = 0.012 * width;
  o.baseline.ks_statistic = 0.02;
  o.baseline.ks_p_value = 0.7;
  o.metrics.chi2_ndf = 1 + 40 * badness;
  o.metrics.ndf = spec.is_profile ? 25 : 38;
  o.baseline.chi2_ndf = 1.1;
  o.baseline.ndf = o.metrics.ndf;
  o.expected = o.baseline;
  o.expected.chi2_ndf = 1;
  o.size_factor = 1.22;
  o.shape = index % 2 == 1;
  // As physics::judge does it, on the key metric alone: value / (size factor x baseline).
  o.decisive_metric = spec.is_profile ? "mean_relative_error" : "wasserstein1";
  o.ratio = spec.is_profile ? o.metrics.mean_relative_error / (o.size_factor * o.baseline.mean_relative_error)
                            : o.metrics.wasserstein1 / (o.size_factor * o.baseline.wasserstein1);
  o.verdict = o.ratio <= physics::kGreenRatio ? Verdict::green
              : o.ratio <= physics::kRedRatio ? Verdict::amber
                                              : Verdict::red;
  if (spec.is_profile) o.metrics.ks_p_value = o.baseline.ks_p_value = o.expected.ks_p_value = std::nan("");
  o.metrics.separation_power = spec.is_profile ? std::nan("") : 0.004 + 0.05 * badness;
  o.baseline.separation_power = spec.is_profile ? std::nan("") : 0.0041;
  o.expected.separation_power = std::nan("");
  return o;
}

/// ROC curve of a classifier whose score separates the classes by `power`: tpr = fpr^(1/power).
physics::RocCurve roc(double power) {
  physics::RocCurve c;
  for (int i = 0; i <= 50; ++i) {
    c.false_positive_rate.push_back(i / 50.0);
    c.true_positive_rate.push_back(std::pow(i / 50.0, 1 / power));
  }
  return c;
}

physics::ClassifierScores scores(double power, int epoch) {
  physics::ClassifierScores s;
  s.auc = power / (power + 1);  // the area under fpr^(1/power)
  s.auc_error = 0.006;
  s.jsd = 0.3 * (s.auc - 0.5);
  s.accuracy = s.auc - 0.05;
  s.best_epoch = epoch;
  s.roc = roc(power);
  return s;
}

void add_two_sample_tests(physics::ValidationResult& r, bool finished) {
  r.distances.computed = true;
  r.distances.features = 152;
  r.distances.fpd = {0.0213, 0.0011};
  r.distances.kpd = {0.00042, 0.00008};
  r.distances.baseline_fpd = {0.0021, 0.0007};
  r.distances.baseline_kpd = {-0.00001, 0.00005};
  r.distances.fpd_min = 4000, r.distances.fpd_max = 10000, r.distances.kpd_batch = 5000;
  r.distances.baseline_fpd_min = 2000, r.distances.baseline_fpd_max = 5000,
  r.distances.baseline_kpd_batch = 2500;
  physics::ClassifierResult& c = r.classifier;
  c.hidden = 64, c.layers = 2, c.epochs = 30, c.batch = 250, c.learning_rate = 2e-4, c.seed = 42;
  if (!finished) {
    c.status = "skipped";
    c.reason = "too few showers for the classifier split (30 reference, 30 candidate; ...)";
    return;
  }
  c.status = "done";
  c.reason.clear();
  c.train = 6000, c.test = 2000, c.evaluation = 2000;
  c.variants = {{"low_level", 15626, scores(1.6, 17), scores(1.02, 3)},
                {"high_level", 152, scores(1.3, 22), scores(0.98, 5)}};
}

}  // namespace

physics::ValidationResult synthetic_result(const SyntheticOptions& options) {
  std::mt19937 rng(12345);
  physics::ValidationResult r;
  r.reference_path = options.awkward_text ? "/data/ref <2024> & \"Geant4\".h5" : "/data/geant4-electrons.h5";
  r.candidate_path =
      options.awkward_text ? "/data/gan's <script>alert(1)</script>.h5" : "/data/gan-epoch30.h5";
  r.nx = r.ny = r.nz = 25;
  const double energies[] = {50, 100, 200, 300, 400, 500};
  for (int b = 0; b < options.bins; ++b) {
    physics::BinResult bin;
    double e = energies[b % 6];
    bin.bin = {std::to_string(int(e)) + " GeV", e - 5, e + 5};
    bin.reference_events = bin.candidate_events = 2000;
    int index = b;
    for (const Spec& spec : specs) bin.observables.push_back(make_observable(spec, e, 2000, index++, rng));
    r.bins.push_back(bin);
  }
  physics::BinResult empty;
  empty.bin = {"450 GeV", 445, 455};
  empty.reference_events = 4;
  empty.candidate_events = 0;
  empty.empty = true;
  r.bins.push_back(empty);
  physics::BinResult all;
  all.bin = {"all", 0, std::numeric_limits<double>::infinity()};
  all.reference_events = all.candidate_events = 2000 * options.bins;
  int index = 1;
  for (const Spec& spec : specs)
    all.observables.push_back(make_observable(spec, 100, 2000 * options.bins, index++, rng));
  r.bins.push_back(all);
  if (options.awkward_text) {
    ObservableResult& o = r.bins[0].observables[0];
    o.title = "Odd <b>title</b> & 'quotes' \"double\" \\ back`slash";
    o.x_label = "x_{label} with 'quote' \\n and {braces} ^ @ & ~";
    o.y_label = "line\nbreak 'y' <label>";
    o.name = "odd name/with spaces";
  }
  for (const auto& bin : r.bins) {
    if (bin.empty) continue;
    r.reference_events += bin.bin.label == "all" ? 0 : bin.reference_events;
    r.candidate_events += bin.bin.label == "all" ? 0 : bin.candidate_events;
  }
  r.score = 0.084;
  r.baseline_score = 0.031;
  r.verdict = Verdict::amber;
  add_two_sample_tests(r, options.classifier);
  return r;
}

std::size_t plot_count(const physics::ValidationResult& result) {
  std::size_t n = 0;
  for (const auto& bin : result.bins)
    if (!bin.empty) n += bin.observables.size();
  return n + (result.classifier.status == "done" && !result.classifier.variants.empty() ? 1 : 0);
}

}  // namespace calo::report::test
