// render_html_report: the page, top to bottom (docs/report.md).
#include <cmath>
#include <sstream>
#include <vector>

#include "core/data_path.hh"
#include "report/gnuplot_batch.hh"
#include "report/html_report.hh"
#include "report/observable_plot.hh"
#include "report/page_parts.hh"
#include "report/roc_plot.hh"
#include "report/text_format.hh"

namespace calo::report {

namespace {

using physics::BinResult;
using physics::ObservableResult;
using physics::ValidationResult;

std::string figure_id(std::size_t bin, const ObservableResult& o) {
  std::string id = "b";
  id += std::to_string(bin);
  id += '-';
  return id + id_fragment(o.name);
}

std::string bin_range(const physics::EnergyBin& bin) {
  if (!std::isfinite(bin.hi_gev)) return "all energies";
  return format_number(bin.lo_gev, 4) + "–" + format_number(bin.hi_gev, 4) + " GeV";
}

/// Observables in order of first appearance over the compared bins: the summary table's rows.
std::vector<const ObservableResult*> table_rows(const ValidationResult& r) {
  std::vector<const ObservableResult*> rows;
  for (const BinResult& bin : r.bins) {
    if (bin.empty) continue;
    for (const ObservableResult& o : bin.observables) {
      bool known = false;
      for (const ObservableResult* row : rows) known = known || row->name == o.name;
      if (!known) rows.push_back(&o);
    }
  }
  return rows;
}

const ObservableResult* find_observable(const BinResult& bin, const std::string& name) {
  for (const ObservableResult& o : bin.observables)
    if (o.name == name) return &o;
  return nullptr;
}

void write_head(std::ostream& out, const ValidationResult& r) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
         "style-src 'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Shower validation: " << html_escape(r.candidate_path) << " vs "
      << html_escape(r.reference_path) << "</title>\n<style>" << page_css() << "</style>\n</head>\n";
}

void write_overview(std::ostream& out, const ValidationResult& r) {
  const char* verdict = verdict_class(r.verdict);
  out << "<h1>Shower validation report</h1>\n"
      << "<div class=\"muted\">calo3dgan validate: a candidate shower set compared with a reference set, "
      << "per primary-energy bin</div>\n<div class=\"overview\">\n"
      << "<div class=\"card\"><h3>Reference</h3><div class=\"path\">" << html_escape(r.reference_path)
      << "</div><div>" << r.reference_events << " events</div></div>\n"
      << "<div class=\"card\"><h3>Candidate</h3><div class=\"path\">" << html_escape(r.candidate_path)
      << "</div><div>" << r.candidate_events << " events</div></div>\n"
      << "<div class=\"card\"><h3>Overall score</h3><div><span class=\"big\">" << format_number(r.score)
      << "</span> <span class=\"badge " << verdict << "\">" << verdict << "</span></div>"
      << "<div class=\"muted\">baseline (reference half A vs half B): " << format_number(r.baseline_score)
      << "</div></div>\n"
      << "<div class=\"card\"><h3>Grid</h3><div class=\"big\">" << r.nx << " × " << r.ny << " × " << r.nz
      << "</div><div class=\"muted\">cells x × y × layers</div></div>\n</div>\n";
}

/// "0.512 ± 0.031", or "—" when not computed.
std::string with_error(double value, double error, double factor = 1, int digits = 3) {
  if (!std::isfinite(value)) return "—";
  std::string text = format_number(value * factor, digits);
  if (std::isfinite(error)) text += " ± " + format_number(error * factor, 2);
  return text;
}

/// FPD with both errors: "0.38 ± 0.11 (fit) ± 0.32 (sets)".
std::string fpd_with_errors(const physics::Estimate& fpd, double sets_error) {
  std::string text = with_error(fpd.value, fpd.error, 1e3);
  if (!std::isfinite(fpd.value) || !std::isfinite(sets_error)) return text;
  if (std::isfinite(fpd.error)) text += " (fit)";
  return text + " ± " + format_number(sets_error * 1e3, 2) + " (sets)";
}

/// The headline of the two-sample tests: classifier AUCs and JSDs, FPD and KPD, each beside the
/// same for the two reference halves; the ROC curves beside the table.
void write_two_sample_tests(std::ostream& out, const ValidationResult& r, const std::string* roc_svg) {
  const physics::ClassifierResult& c = r.classifier;
  const physics::PhysicsDistances& d = r.distances;
  out << "<h2 id=\"two-sample\">Two-sample tests <small>all energies together</small></h2>\n"
      << "<p class=\"rule\">A classifier trained to tell candidate from reference showers: its AUC on "
         "held-out "
         "showers is 0.5 when it cannot (CaloChallenge 2022). FPD and KPD: Fréchet and kernel physics "
         "distances "
         "of the high-level features (0 for one parent). Beside each, the same between two halves of the "
         "reference: the noise floor.</p>\n<div class=\"tests\"><div>\n"
      << "<table class=\"tests\"><tr><th>test</th><th>candidate vs reference</th><th>reference A vs "
         "B</th></tr>\n";
  if (c.status == "done") {
    for (const physics::ClassifierVariant& v : c.variants) {
      const std::string label = v.name == "low_level" ? "low level (cells)" : "high level (features)";
      out << "<tr><td>AUC, " << label << "</td><td>" << with_error(v.candidate.auc, v.candidate.auc_error)
          << "</td><td>" << with_error(v.baseline.auc, v.baseline.auc_error) << "</td></tr>\n"
          << "<tr><td>JSD, " << label << "</td><td>" << with_error(v.candidate.jsd, NAN) << "</td><td>"
          << with_error(v.baseline.jsd, NAN) << "</td></tr>\n";
    }
  }
  if (d.computed)
    out << "<tr><td>FPD × 10³</td><td>" << fpd_with_errors(d.fpd, d.fpd_sets_error) << "</td><td>"
        << fpd_with_errors(d.baseline_fpd, d.baseline_fpd_sets_error) << "</td></tr>\n"
        << "<tr><td>KPD × 10³</td><td>" << with_error(d.kpd.value, d.kpd.error, 1e3) << "</td><td>"
        << with_error(d.baseline_kpd.value, d.baseline_kpd.error, 1e3) << "</td></tr>\n";
  out << "</table>\n<div class=\"muted small\">";
  if (c.status == "done")
    out << "Classifier: " << c.layers << " hidden layers of " << c.hidden << ", " << c.epochs
        << " epochs, batch " << c.batch << ", Adam lr " << format_number(c.learning_rate, 2) << ", seed "
        << c.seed << "; per set " << c.train << " train / " << c.test << " test / " << c.evaluation
        << " evaluation showers; output calibrated by isotonic regression on the test split.<br>";
  else
    out << "<b>Classifier test skipped</b>: " << html_escape(c.reason) << ".<br>";
  if (d.computed)
    out << "FPD/KPD on " << d.features << " features; FPD batches of " << d.fpd_min << "–" << d.fpd_max
        << " showers (halves " << d.baseline_fpd_min << "–" << d.baseline_fpd_max << "), KPD batches of "
        << d.kpd_batch << " (halves " << d.baseline_kpd_batch
        << "). FPD's errors: jetnet's (the 1/n fit's) and the sets' own fluctuation (jackknife over 10 "
           "groups of showers), which the fit's leaves out; judge FPD against both combined.";
  else
    out << "<b>FPD/KPD skipped</b>: " << html_escape(d.skipped_reason) << ".";
  out << "</div></div>\n";
  if (roc_svg)
    out << "<figure><figcaption>ROC curves</figcaption><img width=\"600\" height=\"450\" alt=\"ROC curves of "
           "the "
           "classifier test\" src=\"data:image/svg+xml;base64,"
        << base64_encode(*roc_svg) << "\"></figure>\n";
  out << "</div>\n";
}

void write_summary(std::ostream& out, const ValidationResult& r) {
  out << "<h2 id=\"summary\">Summary</h2>\n<p class=\"rule\">" << verdict_rule_html() << "</p>\n";
  auto rows = table_rows(r);
  if (rows.empty()) {
    out << "<p class=\"notes\">No energy bin had enough events in both sets: nothing was compared.</p>\n";
  } else {
    out << "<table class=\"summary\">\n<tr><th class=\"obs\">observable</th>";
    for (const BinResult& bin : r.bins)
      out << "<th>" << html_escape(bin.bin.label) << "<small>" << bin.reference_events << " / "
          << bin.candidate_events << " events</small></th>";
    out << "</tr>\n";
    for (const ObservableResult* row : rows) {
      out << "<tr><th class=\"obs\">" << html_escape(row->title) << "<small>"
          << (row->is_profile ? "profile" : "distribution") << "</small></th>";
      for (std::size_t b = 0; b < r.bins.size(); ++b) {
        const ObservableResult* o = r.bins[b].empty ? nullptr : find_observable(r.bins[b], row->name);
        if (!o) {
          out << "<td class=\"none\">" << (r.bins[b].empty ? "too few events" : "—") << "</td>";
          continue;
        }
        const MetricInfo& key = key_metric(*o);
        out << "<td class=\"" << verdict_class(o->verdict) << "\" title=\"" << verdict_class(o->verdict)
            << ": " << key.long_name << "\"><a href=\"#" << figure_id(b, *o) << "\">"
            << format_number(o->metrics.*key.field) << "</a><span class=\"base\">("
            << format_number(o->baseline.*key.field) << ")</span><small>" << key.short_name;
        if (!o->decisive_metric.empty()) out << " · ratio " << format_number(o->ratio, 2);
        out << "</small></td>";
      }
      out << "</tr>\n";
    }
    out << "</table>\n";
  }
  bool any_empty = false;
  for (const BinResult& bin : r.bins) any_empty = any_empty || bin.empty;
  if (!any_empty) return;
  out << "<div class=\"notes\"><b>Bins not compared</b> (too few events in one of the sets):<ul>\n";
  for (const BinResult& bin : r.bins)
    if (bin.empty)
      out << "<li>" << html_escape(bin.bin.label) << " (" << bin_range(bin.bin)
          << "): " << bin.reference_events << " reference, " << bin.candidate_events
          << " candidate events</li>\n";
  out << "</ul></div>\n";
}

void write_metrics_table(std::ostream& out, const ObservableResult& o) {
  const bool judged = !o.decisive_metric.empty();
  out << "<table class=\"metrics\"><tr><th>metric</th><th>cand. vs ref.</th>"
      << (judged ? "<th>expected</th>" : "") << "<th>ref. A vs B</th></tr>";
  const MetricInfo& key = key_metric(o);
  for (const MetricInfo& info : metric_infos()) {
    double value = o.metrics.*info.field;
    if (std::isnan(value)) continue;  // not defined for this kind of observable
    if (info.field == &physics::Metrics::chi2_ndf && !judged && value == 0) continue;
    int digits = info.field == &physics::Metrics::ks_p_value ? 2 : 3;
    bool decisive = judged && &info == &key;
    out << "<tr" << (decisive ? " class=\"decisive\"" : "") << "><td>" << info.long_name;
    if (info.field == &physics::Metrics::chi2_ndf && o.metrics.ndf > 0)
      out << " (ndf " << o.metrics.ndf << ")";
    out << "</td><td>" << format_number(value, digits) << "</td>";
    if (judged) out << "<td>" << format_number(o.expected.*info.field, digits) << "</td>";
    out << "<td>" << format_number(o.baseline.*info.field, digits) << "</td></tr>";
  }
  out << "</table><div class=\"muted small\">";
  if (judged)
    out << "verdict ratio " << format_number(o.ratio, 3) << " (" << key.long_name << "; green &le; "
        << format_number(physics::kGreenRatio) << ", red &gt; " << format_number(physics::kRedRatio) << ")";
  if (!o.is_profile)
    out << (judged ? "<br>" : "") << "mean ± std: reference " << format_number(o.reference.mean, 4) << " ± "
        << format_number(o.reference.std, 3) << ", candidate " << format_number(o.candidate.mean, 4) << " ± "
        << format_number(o.candidate.std, 3);
  out << "</div>";
}

void write_bin_section(std::ostream& out, std::size_t b, const BinResult& bin,
                       const std::vector<std::string>& svgs, std::size_t& next_plot) {
  out << "<section id=\"bin-" << b << "\">\n<h2>" << html_escape(bin.bin.label) << " <small>"
      << bin_range(bin.bin) << " · " << bin.reference_events << " reference / " << bin.candidate_events
      << " candidate events</small></h2>\n<div class=\"grid\">\n";
  for (const ObservableResult& o : bin.observables) {
    const char* verdict = verdict_class(o.verdict);
    out << "<figure class=\"" << verdict << "\" id=\"" << figure_id(b, o) << "\">\n<figcaption>"
        << html_escape(o.title) << " <span class=\"badge " << verdict << "\">" << verdict << "</span>"
        << (o.decisive_metric.empty() ? ""
            : o.shape                 ? " <span class=\"tag\">shape</span>"
                                      : " <span class=\"tag\">energy</span>");
    if (std::isfinite(o.metrics.separation_power))
      out << "<span class=\"sp\" title=\"separation power of the histograms (reference halves)\">SP "
          << format_number(o.metrics.separation_power, 3) << " ("
          << format_number(o.baseline.separation_power, 3) << ")</span>";
    out << "</figcaption>\n"
        << "<img width=\"600\" height=\"450\" alt=\"" << html_escape(o.title + ", " + bin.bin.label)
        << ": reference vs candidate\" src=\"data:image/svg+xml;base64,"
        << base64_encode(svgs.at(next_plot++)) << "\">\n";
    write_metrics_table(out, o);
    out << "\n</figure>\n";
  }
  out << "</div>\n</section>\n";
}

}  // namespace

std::string render_html_report(const ValidationResult& result) {
  GnuplotBatch plots;
  const bool roc = result.classifier.status == "done" && !result.classifier.variants.empty();
  if (roc) plots.add(roc_plot_commands(result.classifier));
  for (const BinResult& bin : result.bins)
    if (!bin.empty)
      for (const ObservableResult& o : bin.observables) plots.add(observable_plot_commands(o));
  std::vector<std::string> svgs = plots.render();

  std::ostringstream out;
  write_head(out, result);
  out << "<body>\n<main>\n";
  write_overview(out, result);
  write_two_sample_tests(out, result, roc ? &svgs.front() : nullptr);
  write_summary(out, result);
  std::size_t next_plot = roc ? 1 : 0;
  for (std::size_t b = 0; b < result.bins.size(); ++b)
    if (!result.bins[b].empty) write_bin_section(out, b, result.bins[b], svgs, next_plot);
  out << "<footer>Written by calo3dgan " << version()
      << ". Plots: reference (black) and candidate (red), the two reference halves dashed; the lower panel "
         "is candidate / reference with the reference's statistical uncertainty as a grey band.</footer>\n"
      << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace calo::report
