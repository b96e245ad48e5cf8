#pragma once
// Pieces of the report page that do not depend on the plots: the style sheet, the verdict
// rule, the metric that stands for an observable in the summary table.
#include <string>
#include <vector>

#include "physics/validation.hh"

namespace calo::report {

/// The page's whole style sheet (inlined in a <style> element).
const char* page_css();

/// The verdict rule as stated on the page (HTML).
const char* verdict_rule_html();

/// "green", "amber", "red": CSS class and label of a verdict.
const char* verdict_class(physics::Verdict verdict);

/// One metric of Metrics, as the page names it.
struct MetricInfo {
  const char* key;         ///< the field name, as in ObservableResult::decisive_metric: "wasserstein1"
  const char* short_name;  ///< "W1"
  const char* long_name;   ///< "Wasserstein-1 distance"
  double physics::Metrics::*field;
};

/// Every metric of Metrics, in the order the page lists them.
const std::vector<MetricInfo>& metric_infos();

/// The metric that stands for an observable in the summary table: the one that decided its
/// verdict, else (no decisive_metric) W1 for distributions and the mean relative error for
/// profiles.
const MetricInfo& key_metric(const physics::ObservableResult& observable);

}  // namespace calo::report
