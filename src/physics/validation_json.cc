// metrics.json (docs/validation.md, "metrics.json"; docs/metrics.schema.json). NaN and
// infinite numbers are written as null.
#include <cmath>
#include <nlohmann/json.hpp>

#include "physics/validation.hh"

namespace calo::physics {

namespace {

using Json = nlohmann::ordered_json;

/// A number, or null when it is not finite (JSON has no NaN or infinity).
Json number(double x) { return std::isfinite(x) ? Json(x) : Json(nullptr); }

Json numbers(const std::vector<double>& v) {
  Json a = Json::array();
  for (double x : v) a.push_back(number(x));
  return a;
}

Json metrics_json(const Metrics& m) {
  return Json{{"relative_error_of_mean", number(m.relative_error_of_mean)},
              {"mean_relative_error", number(m.mean_relative_error)},
              {"wasserstein1", number(m.wasserstein1)},
              {"ks_statistic", number(m.ks_statistic)},
              {"ks_p_value", number(m.ks_p_value)},
              {"chi2_ndf", number(m.chi2_ndf)},
              {"ndf", m.ndf}};
}

Json series_json(const Series& s) {
  return Json{{"x", numbers(s.x)},      {"y", numbers(s.y)},    {"error", numbers(s.error)},
              {"mean", number(s.mean)}, {"std", number(s.std)}, {"entries", s.entries}};
}

Json observable_json(const ObservableResult& o) {
  return Json{{"title", o.title},
              {"category", o.shape ? "shape" : "energy"},
              {"kind", o.is_profile ? "profile" : "distribution"},
              {"x_label", o.x_label},
              {"y_label", o.y_label},
              {"log_x", o.log_x},
              {"log_y", o.log_y},
              {"metrics", metrics_json(o.metrics)},
              {"baseline", metrics_json(o.baseline)},
              {"expected", metrics_json(o.expected)},
              {"size_factor", number(o.size_factor)},
              {"ratio", number(o.ratio)},
              {"decisive_metric", o.decisive_metric.empty() ? Json(nullptr) : Json(o.decisive_metric)},
              {"verdict", verdict_name(o.verdict)},
              {"series",
               {{"reference", series_json(o.reference)},
                {"candidate", series_json(o.candidate)},
                {"baseline_a", series_json(o.baseline_a)},
                {"baseline_b", series_json(o.baseline_b)}}}};
}

Json bin_json(const BinResult& b) {
  Json observables = Json::object();
  for (const ObservableResult& o : b.observables) observables[o.name] = observable_json(o);
  return Json{{"label", b.bin.label},
              {"lo_gev", number(b.bin.lo_gev)},
              {"hi_gev", number(b.bin.hi_gev)},
              {"reference_events", b.reference_events},
              {"candidate_events", b.candidate_events},
              {"empty", b.empty},
              {"observables", std::move(observables)}};
}

}  // namespace

std::string to_json(const ValidationResult& r) {
  Json bins = Json::array();
  for (const BinResult& b : r.bins) bins.push_back(bin_json(b));
  const Json doc{{"version", "calo3dgan.validation/1"},
                 {"reference", {{"path", r.reference_path}, {"events", r.reference_events}}},
                 {"candidate", {{"path", r.candidate_path}, {"events", r.candidate_events}}},
                 {"grid", {{"nx", r.nx}, {"ny", r.ny}, {"nz", r.nz}}},
                 {"min_events_per_bin", r.min_events_per_bin},
                 {"verdict_rule", {{"green_max_ratio", kGreenRatio}, {"red_min_ratio", kRedRatio}}},
                 {"score", number(r.score)},
                 {"baseline_score", number(r.baseline_score)},
                 {"verdict", verdict_name(r.verdict)},
                 {"bins", std::move(bins)}};
  return doc.dump(1) + "\n";
}

}  // namespace calo::physics
