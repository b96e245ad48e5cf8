// Score = mean over the compared energy bins (the "all" bin only when no other was compared) of
//   MRE(longitudinal_profile) + MRE(x_profile) + MRE(y_profile)
//   + mean of |relative error of the mean| of the six moments + |relative error of the mean
//   sampled fraction|.
#include "physics/score.hh"

#include <cmath>
#include <string_view>

namespace calo::physics {

namespace {

double term(double x) { return std::isnan(x) ? 0.0 : std::abs(x); }

/// The score terms of one bin, from the candidate metrics or the baseline.
double bin_score(const BinResult& bin, bool baseline) {
  double profiles = 0, moments = 0, fraction = 0;
  for (const ObservableResult& o : bin.observables) {
    const Metrics& m = baseline ? o.baseline : o.metrics;
    const std::string_view name = o.name;
    if (name == "longitudinal_profile" || name == "x_profile" || name == "y_profile")
      profiles += term(m.mean_relative_error);
    else if (name.starts_with("moment"))
      moments += term(m.relative_error_of_mean) / 6.0;
    else if (name == "sampled_fraction")
      fraction = term(m.relative_error_of_mean);
  }
  return profiles + moments + fraction;
}

bool is_all(const EnergyBin& bin) { return bin.lo_gev <= 0 && std::isinf(bin.hi_gev); }

}  // namespace

void score_and_verdict(ValidationResult& result) {
  Verdict worst = Verdict::green;
  bool any = false;
  for (const BinResult& bin : result.bins) {
    if (bin.empty) continue;
    any = true;
    for (const ObservableResult& o : bin.observables) worst = std::max(worst, o.verdict);
  }
  result.verdict = any ? worst : Verdict::amber;

  for (bool use_all : {false, true}) {
    double score = 0, baseline = 0;
    int n = 0;
    for (const BinResult& bin : result.bins) {
      if (bin.empty || is_all(bin.bin) != use_all) continue;
      score += bin_score(bin, false);
      baseline += bin_score(bin, true);
      ++n;
    }
    if (n > 0) {
      result.score = score / n;
      result.baseline_score = baseline / n;
      return;
    }
  }
  result.score = result.baseline_score = NAN;
}

}  // namespace calo::physics
