// Verdict: ratio = max over metrics of |metric| / max(size_factor |baseline|, expected, floor).
#include "physics/verdict.hh"

#include <algorithm>
#include <cmath>

namespace calo::physics {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::green:
      return "green";
    case Verdict::amber:
      return "amber";
    case Verdict::red:
      return "red";
  }
  return "red";
}

namespace {
/// Floor of the relative metrics (relative error of the mean, mean relative error, KS D).
constexpr double kRelativeFloor = 1e-4;

/// |x|, with NaN read as 0 (a baseline or expectation that does not exist adds no scale).
double magnitude(double x) { return std::isnan(x) ? 0.0 : std::abs(x); }
}  // namespace

void judge(ObservableResult& r, double w1_floor) {
  struct Check {
    const char* name;
    double value, baseline, expected, floor;
    bool size_corrected;
  };
  const Metrics &m = r.metrics, &b = r.baseline, &e = r.expected;
  const Check checks[] = {
      {"relative_error_of_mean", m.relative_error_of_mean, b.relative_error_of_mean, e.relative_error_of_mean,
       kRelativeFloor, true},
      {"mean_relative_error", m.mean_relative_error, b.mean_relative_error, e.mean_relative_error,
       kRelativeFloor, true},
      {"wasserstein1", m.wasserstein1, b.wasserstein1, e.wasserstein1, std::max(w1_floor, 1e-300), true},
      {"ks_statistic", m.ks_statistic, b.ks_statistic, e.ks_statistic, kRelativeFloor, true},
      // chi2/ndf is already in units of the errors: no size correction, at least 1.
      {"chi2_ndf", m.chi2_ndf, b.chi2_ndf, 1.0, 1.0, false},
  };
  r.ratio = 0;
  r.decisive_metric.clear();
  for (const Check& c : checks) {
    if (std::isnan(c.value)) continue;
    // Profiles carry their relative error of the sum for information only (no expectation).
    if (r.is_profile && std::string_view(c.name) == "relative_error_of_mean") continue;
    const double scale = std::max(
        {(c.size_corrected ? r.size_factor : 1.0) * magnitude(c.baseline), magnitude(c.expected), c.floor});
    const double ratio = std::abs(c.value) / scale;
    if (r.decisive_metric.empty() || ratio > r.ratio) {
      r.ratio = ratio;
      r.decisive_metric = c.name;
    }
  }
  r.verdict = r.ratio <= kGreenRatio ? Verdict::green : r.ratio <= kRedRatio ? Verdict::amber : Verdict::red;
}

}  // namespace calo::physics
