// Series and metrics of the three kinds of observable: per-event distributions, mean
// profiles and the cell-energy spectrum.
#include "physics/compare_observable.hh"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "physics/baseline_splits.hh"
#include "physics/metrics.hh"
#include "physics/statistics.hh"
#include "physics/verdict.hh"

namespace calo::physics {

namespace {

constexpr int kHistogramBins = 50;   // distributions of non-integer values
constexpr int kMaxIntegerBins = 60;  // integer values: unit bins up to this many
constexpr double kW1RelativeFloor = 1e-4;

std::vector<double> sorted(const std::vector<double>& v) {
  std::vector<double> s = v;
  std::sort(s.begin(), s.end());
  return s;
}

double size_factor(double n_c, double n_r, double n_a, double n_b) {
  if (n_a <= 0 || n_b <= 0 || n_c <= 0 || n_r <= 0) return 1.0;
  return std::sqrt(1 / n_c + 1 / n_r) / std::sqrt(1 / n_a + 1 / n_b);
}

/// The baseline: the mean over the splits of each metric's magnitude (NaN where no split has it).
Metrics average(const std::vector<Metrics>& per_split) {
  Metrics m = not_applicable();
  double Metrics::*fields[] = {&Metrics::relative_error_of_mean,
                               &Metrics::mean_relative_error,
                               &Metrics::wasserstein1,
                               &Metrics::ks_statistic,
                               &Metrics::ks_p_value,
                               &Metrics::chi2_ndf,
                               &Metrics::separation_power,
                               &Metrics::core_mean_relative_error};
  for (auto field : fields) {
    double sum = 0;
    int n = 0;
    for (const Metrics& s : per_split)
      if (!std::isnan(s.*field)) sum += std::abs(s.*field), ++n;
    if (n > 0) m.*field = sum / n;
  }
  if (!per_split.empty()) m.ndf = per_split.front().ndf;
  return m;
}

/// Sorted values of one scalar of the reference events in half h of split k (the events are
/// numbered by their position in the bin, as when they were split).
std::vector<double> split_values(const SampleAccumulator& reference, int scalar, int k, int h) {
  std::vector<double> v;
  v.reserve(reference.events / 2 + 1);
  for (std::size_t i = 0; i < reference.values[scalar].size(); ++i)
    if (split_half(i, k) == h) v.push_back(reference.values[scalar][i]);
  std::sort(v.begin(), v.end());
  return v;
}

/// A split whose halves both hold 2 events or more (a pseudo-random split of a small bin may not).
bool balanced(const SplitHalves& halves) { return halves[0].events >= 2 && halves[1].events >= 2; }

double split_size_factor(const BinSamples& s) {
  return size_factor(double(s.candidate.events), double(s.reference.events), double(s.splits[0][0].events),
                     double(s.splits[0][1].events));
}

ObservableResult make_result(const ObservableSpec& spec) {
  ObservableResult r;
  r.name = spec.name;
  r.title = spec.title;
  r.x_label = spec.x_label;
  r.y_label = spec.y_label;
  r.log_x = spec.log_x;
  r.log_y = spec.log_y;
  r.is_profile = spec.is_profile;
  r.shape = spec.shape;
  return r;
}

/// Common histogram edges of reference and candidate: unit bins centred on the integers for
/// integer values with a small range, kHistogramBins equal bins otherwise.
std::vector<double> histogram_edges(const std::vector<double>& r, const std::vector<double>& c) {
  double lo = INFINITY, hi = -INFINITY;
  bool integers = true;
  for (const auto* v : {&r, &c}) {
    if (v->empty()) continue;
    lo = std::min(lo, v->front());
    hi = std::max(hi, v->back());
    for (double x : *v) integers = integers && x == std::floor(x);
  }
  if (!(lo <= hi)) return {0.0, 1.0};
  std::vector<double> edges;
  if (integers && hi - lo < kMaxIntegerBins) {
    for (double x = lo - 0.5; x <= hi + 0.5; x += 1) edges.push_back(x);
    return edges;
  }
  if (hi == lo) return {lo - 0.5, hi + 0.5};
  for (int k = 0; k <= kHistogramBins; ++k) edges.push_back(lo + (hi - lo) * k / kHistogramBins);
  return edges;
}

/// Fraction of events per bin (the last bin includes its upper edge), with sqrt(count) / n errors.
Series distribution_series(const std::vector<double>& values, const std::vector<double>& edges) {
  Series s;
  s.x = edges;
  const std::size_t bins = edges.size() - 1;
  std::vector<double> counts(bins, 0.0);
  for (double v : values) {
    auto it = std::upper_bound(edges.begin(), edges.end(), v);
    std::size_t k = std::size_t(std::max<std::ptrdiff_t>(0, it - edges.begin() - 1));
    if (k < bins)
      counts[k] += 1;
    else if (v == edges.back())
      counts[bins - 1] += 1;
  }
  const double n = std::max<double>(1.0, double(values.size()));
  s.y.resize(bins);
  s.error.resize(bins);
  for (std::size_t k = 0; k < bins; ++k) {
    s.y[k] = counts[k] / n;
    s.error[k] = std::sqrt(counts[k]) / n;
  }
  const MeanStd ms = mean_std(values);
  s.mean = ms.mean;
  s.std = ms.std;
  s.entries = values.size();
  return s;
}

Series profile_series(const std::vector<ProfilePoint>& points, const std::vector<double>& x,
                      std::uint64_t events) {
  Series s;
  s.x = x;
  for (const ProfilePoint& p : points) {
    s.y.push_back(p.mean);
    s.error.push_back(p.error);
    s.mean += p.mean;  // profiles: the sum over positions
  }
  s.entries = events;
  return s;
}

/// Positions of a profile: indices, or the sparsity thresholds [GeV].
std::vector<double> profile_positions(int profile, std::size_t length) {
  std::vector<double> x(length);
  for (std::size_t i = 0; i < length; ++i)
    x[i] = profile == kSparsity ? std::pow(10.0, kSpectrumLog10Lo + 0.5 * double(i)) : double(i);
  return x;
}

ObservableResult compare_scalar(const ObservableSpec& spec, const BinSamples& s) {
  ObservableResult r = make_result(spec);
  const auto ref = sorted(s.reference.values[spec.index]), cand = sorted(s.candidate.values[spec.index]);
  const auto edges = histogram_edges(ref, cand);
  r.reference = distribution_series(ref, edges);
  r.candidate = distribution_series(cand, edges);
  std::vector<Metrics> per_split;
  for (int k = 0; k < int(s.splits.size()); ++k) {
    const auto a = split_values(s.reference, spec.index, k, 0),
               b = split_values(s.reference, spec.index, k, 1);
    const Series ha = distribution_series(a, edges), hb = distribution_series(b, edges);
    if (k == 0) r.baseline_a = ha, r.baseline_b = hb;
    if (a.size() >= 2 && b.size() >= 2) {
      per_split.push_back(distribution_metrics(a, b));
      per_split.back().separation_power = separation_power(ha.y, hb.y);
    }
  }
  r.metrics = distribution_metrics(cand, ref);
  r.metrics.separation_power = separation_power(r.candidate.y, r.reference.y);
  r.baseline = average(per_split);
  r.expected = expected_distribution_metrics(ref, double(cand.size()), double(ref.size()));
  r.size_factor = split_size_factor(s);
  judge(r, kW1RelativeFloor * std::max(r.reference.std, std::abs(r.reference.mean)));
  return r;
}

ObservableResult compare_profile(const ObservableSpec& spec, const BinSamples& s,
                                 const ProfileLayout& layout) {
  ObservableResult r = make_result(spec);
  const std::size_t offset = layout.offset[spec.index], length = layout.length[spec.index];
  const auto ref = profile_means(s.reference, offset, length),
             cand = profile_means(s.candidate, offset, length);
  const auto x = profile_positions(spec.index, length);
  r.reference = profile_series(ref, x, s.reference.events);
  r.candidate = profile_series(cand, x, s.candidate.events);
  const auto use = populated(ref);
  std::vector<Metrics> per_split;
  for (const SplitHalves& halves : s.splits) {
    const auto a = profile_means(halves[0], offset, length), b = profile_means(halves[1], offset, length);
    if (per_split.empty())
      r.baseline_a = profile_series(a, x, halves[0].events),
      r.baseline_b = profile_series(b, x, halves[1].events);
    if (balanced(halves)) per_split.push_back(profile_metrics(a, b, ref, use));
  }
  r.metrics = profile_metrics(cand, ref, ref, use);
  r.baseline = average(per_split);
  const std::vector<double> r_over_c(length, double(s.reference.events) / double(s.candidate.events));
  r.expected = expected_profile_metrics(ref, r_over_c, use);
  r.size_factor = split_size_factor(s);
  judge(r, 0.0);
  return r;
}

/// The cell spectrum of one set: fraction of cells per bin with errors from the per-event
/// counts, and its cumulative fractions.
struct Spectrum {
  std::vector<ProfilePoint> fraction;
  std::vector<double> cdf;
  double mean_gev = 0, std_gev = 0, rel_error_of_mean = 0;
};

Spectrum spectrum_of(const SampleAccumulator& a, const ProfileLayout& layout) {
  Spectrum sp;
  const std::size_t offset = layout.offset[kSpectrum];
  const double cells = a.c;
  double cumulative = 0;
  for (int k = 0; k < kSpectrumBins; ++k) {
    const double count = a.sum[offset + k], count2 = a.sum2[offset + k];
    sp.fraction.push_back(cells > 0 ? ProfilePoint{count / cells, std::sqrt(count2) / cells}
                                    : ProfilePoint{});
    cumulative += cells > 0 ? count / cells : 0.0;
    sp.cdf.push_back(cumulative);
  }
  if (cells > 0) {
    const double mean = a.s / cells, n = double(a.events);
    sp.mean_gev = mean;
    sp.std_gev = std::sqrt(std::max(0.0, a.cell_e2 / cells - mean * mean));
    // Ratio estimator S/C over events: var = sum (S_e - R C_e)^2 / (sum C_e)^2 * n / (n - 1).
    const double d2 = std::max(0.0, a.ss - 2 * mean * a.sc + mean * mean * a.cc);
    if (n > 1 && mean > 0) sp.rel_error_of_mean = std::sqrt(d2 / (cells * cells) * n / (n - 1)) / mean;
  }
  return sp;
}

Series spectrum_series(const Spectrum& sp, const SampleAccumulator& a) {
  Series s;
  for (int k = 0; k <= kSpectrumBins; ++k)
    s.x.push_back(std::pow(10.0, kSpectrumLog10Lo + double(k) / kSpectrumBinsPerDecade));
  for (const ProfilePoint& p : sp.fraction) {
    s.y.push_back(p.mean);
    s.error.push_back(p.error);
  }
  s.mean = sp.mean_gev;
  s.std = sp.std_gev;
  s.entries = std::uint64_t(a.c);
  return s;
}

Metrics spectrum_metrics(const Spectrum& c, const Spectrum& r, const std::vector<ProfilePoint>& denominator,
                         const std::vector<bool>& use, double n_c, double n_r) {
  Metrics m = profile_metrics(c.fraction, r.fraction, denominator, use);
  m.relative_error_of_mean = r.mean_gev > 0 ? (c.mean_gev - r.mean_gev) / r.mean_gev : NAN;
  const double width = 1.0 / kSpectrumBinsPerDecade;  // [decades]
  m.wasserstein1 = binned_wasserstein1(c.cdf, r.cdf, width);
  m.ks_statistic = binned_ks(c.cdf, r.cdf);
  m.ks_p_value = ks_p_value(m.ks_statistic, n_c, n_r);  // events as the independent units
  std::vector<double> hc, hr;
  for (const ProfilePoint& p : c.fraction) hc.push_back(p.mean);
  for (const ProfilePoint& p : r.fraction) hr.push_back(p.mean);
  m.separation_power = separation_power(hc, hr);
  return m;
}

ObservableResult compare_spectrum(const ObservableSpec& spec, const BinSamples& s,
                                  const ProfileLayout& layout) {
  ObservableResult r = make_result(spec);
  const Spectrum ref = spectrum_of(s.reference, layout), cand = spectrum_of(s.candidate, layout);
  r.reference = spectrum_series(ref, s.reference);
  r.candidate = spectrum_series(cand, s.candidate);
  const double n_r = double(s.reference.events), n_c = double(s.candidate.events);
  const auto use = populated(ref.fraction);
  std::vector<Metrics> per_split;
  for (const SplitHalves& halves : s.splits) {
    const Spectrum a = spectrum_of(halves[0], layout), b = spectrum_of(halves[1], layout);
    if (per_split.empty())
      r.baseline_a = spectrum_series(a, halves[0]), r.baseline_b = spectrum_series(b, halves[1]);
    if (balanced(halves))
      per_split.push_back(
          spectrum_metrics(a, b, ref.fraction, use, double(halves[0].events), double(halves[1].events)));
  }
  r.metrics = spectrum_metrics(cand, ref, ref.fraction, use, n_c, n_r);
  r.baseline = average(per_split);
  const std::vector<double> r_over_c(kSpectrumBins, n_r / n_c);
  r.expected = expected_profile_metrics(ref.fraction, r_over_c, use);
  r.expected.relative_error_of_mean =
      std::sqrt(2.0 / std::numbers::pi) * ref.rel_error_of_mean * std::sqrt(1 + n_r / n_c);
  r.expected.wasserstein1 = binned_expected_wasserstein1(ref.cdf, 1.0 / kSpectrumBinsPerDecade, n_c, n_r);
  r.expected.ks_statistic = expected_ks(n_c, n_r);
  r.size_factor = split_size_factor(s);
  judge(r, kW1RelativeFloor);
  return r;
}

ProfilePoint mean_point(const std::vector<double>& values) {
  const MeanStd ms = mean_std(values);
  return {ms.mean, values.empty() ? 0.0 : ms.std / std::sqrt(double(values.size()))};
}

}  // namespace

ObservableResult compare_observable(const ObservableSpec& spec, const BinSamples& samples,
                                    const ProfileLayout& layout) {
  switch (spec.source) {
    case Source::scalar:
      return compare_scalar(spec, samples);
    case Source::profile:
      return compare_profile(spec, samples, layout);
    case Source::spectrum:
      return compare_spectrum(spec, samples, layout);
    case Source::fraction_vs_energy:
      break;
  }
  return make_result(spec);  // fraction_vs_energy needs every bin: compare_fraction_vs_energy
}

ObservableResult compare_fraction_vs_energy(const std::vector<double>& centres_gev,
                                            const std::vector<BinSamples>& bins, std::uint64_t min_events) {
  const ObservableSpec& spec = fraction_vs_energy_spec();
  ObservableResult r = make_result(spec);
  std::vector<const BinSamples*> used;
  std::vector<ProfilePoint> ref, cand;
  std::vector<double> x, r_over_c;
  double n_r = 0, n_c = 0, n_a = 0, n_b = 0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const BinSamples& s = bins[i];
    if (s.reference.events < min_events || s.candidate.events < min_events) continue;
    used.push_back(&s);
    x.push_back(centres_gev[i]);
    ref.push_back(mean_point(s.reference.values[kSampledFraction]));
    cand.push_back(mean_point(s.candidate.values[kSampledFraction]));
    r_over_c.push_back(double(s.reference.events) / double(s.candidate.events));
    n_r += double(s.reference.events), n_c += double(s.candidate.events);
    n_a += double(s.splits[0][0].events), n_b += double(s.splits[0][1].events);
  }
  r.reference = profile_series(ref, x, std::uint64_t(n_r));
  r.candidate = profile_series(cand, x, std::uint64_t(n_c));
  const auto use = populated(ref);
  std::vector<Metrics> per_split;
  for (int k = 0; k < kBaselineSplits; ++k) {
    std::vector<ProfilePoint> a, b;
    bool ok = true;
    for (const BinSamples* s : used) {
      ok = ok && balanced(s->splits[k]);
      a.push_back(mean_point(split_values(s->reference, kSampledFraction, k, 0)));
      b.push_back(mean_point(split_values(s->reference, kSampledFraction, k, 1)));
    }
    if (k == 0)
      r.baseline_a = profile_series(a, x, std::uint64_t(n_a)),
      r.baseline_b = profile_series(b, x, std::uint64_t(n_b));
    if (ok) per_split.push_back(profile_metrics(a, b, ref, use));
  }
  r.metrics = profile_metrics(cand, ref, ref, use);
  r.baseline = average(per_split);
  r.expected = expected_profile_metrics(ref, r_over_c, use);
  r.size_factor = size_factor(n_c, n_r, n_a, n_b);
  judge(r, 0.0);
  return r;
}

}  // namespace calo::physics
