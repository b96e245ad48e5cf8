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
              {"ndf", m.ndf},
              {"separation_power", number(m.separation_power)},
              {"core_mean_relative_error", number(m.core_mean_relative_error)}};
}

Json estimate_json(const Estimate& e) { return Json{{"value", number(e.value)}, {"error", number(e.error)}}; }

Json fpd_json(const Estimate& e, double sets_error) {
  Json j = estimate_json(e);
  j["sets_error"] = number(sets_error);
  return j;
}

Json distances_json(const PhysicsDistances& d) {
  return Json{{"computed", d.computed},
              {"skipped_reason", d.computed ? Json(nullptr) : Json(d.skipped_reason)},
              {"features", d.features},
              {"fpd", fpd_json(d.fpd, d.fpd_sets_error)},
              {"kpd", estimate_json(d.kpd)},
              {"baseline_fpd", fpd_json(d.baseline_fpd, d.baseline_fpd_sets_error)},
              {"baseline_kpd", estimate_json(d.baseline_kpd)},
              {"sizes",
               {{"fpd_min", d.fpd_min},
                {"fpd_max", d.fpd_max},
                {"kpd_batch", d.kpd_batch},
                {"baseline_fpd_min", d.baseline_fpd_min},
                {"baseline_fpd_max", d.baseline_fpd_max},
                {"baseline_kpd_batch", d.baseline_kpd_batch}}}};
}

Json scores_json(const ClassifierScores& s) {
  return Json{{"auc", number(s.auc)},
              {"auc_error", number(s.auc_error)},
              {"jsd", number(s.jsd)},
              {"accuracy", number(s.accuracy)},
              {"best_epoch", s.best_epoch},
              {"roc",
               {{"false_positive_rate", numbers(s.roc.false_positive_rate)},
                {"true_positive_rate", numbers(s.roc.true_positive_rate)}}}};
}

Json classifier_json(const ClassifierResult& c) {
  Json variants = Json::object();
  for (const ClassifierVariant& v : c.variants)
    variants[v.name] = Json{
        {"inputs", v.inputs}, {"candidate", scores_json(v.candidate)}, {"baseline", scores_json(v.baseline)}};
  return Json{{"status", c.status},
              {"reason", c.reason.empty() ? Json(nullptr) : Json(c.reason)},
              {"split", {{"train", c.train}, {"test", c.test}, {"evaluation", c.evaluation}}},
              {"network",
               {{"hidden", c.hidden},
                {"layers", c.layers},
                {"epochs", c.epochs},
                {"batch", c.batch},
                {"learning_rate", c.learning_rate}}},
              {"seed", c.seed},
              {"variants", std::move(variants)}};
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
  const Json doc{{"version", "calo3dgan.validation/4"},
                 {"reference", {{"path", r.reference_path}, {"events", r.reference_events}}},
                 {"candidate", {{"path", r.candidate_path}, {"events", r.candidate_events}}},
                 {"grid", {{"nx", r.nx}, {"ny", r.ny}, {"nz", r.nz}}},
                 {"min_events_per_bin", r.min_events_per_bin},
                 {"verdict_rule", {{"green_max_ratio", kGreenRatio}, {"red_min_ratio", kRedRatio}}},
                 {"score", number(r.score)},
                 {"baseline_score", number(r.baseline_score)},
                 {"verdict", verdict_name(r.verdict)},
                 {"distances", distances_json(r.distances)},
                 {"classifier", classifier_json(r.classifier)},
                 {"bins", std::move(bins)}};
  return doc.dump(1) + "\n";
}

}  // namespace calo::physics
