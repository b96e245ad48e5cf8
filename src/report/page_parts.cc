#include "report/page_parts.hh"

#include "report/text_format.hh"

namespace calo::report {

const char* page_css() {
  return R"css(
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;
--green:#1a7f37;--green-bg:#dafbe1;--amber:#9a6700;--amber-bg:#fff1c2;--red:#cf222e;--red-bg:#ffe2e0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",Helvetica,Arial,sans-serif;
color:var(--ink);background:#fff}
main{max-width:1480px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:40px 0 4px;padding-top:12px;border-top:1px solid var(--line)}
h2 small,.muted{color:var(--muted);font-weight:normal;font-size:14px}
code,.path{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:13px;word-break:break-all}
.overview{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px;margin:18px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:var(--soft)}
.card h3{margin:0 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.card .big{font-size:24px;font-weight:600}
table{border-collapse:collapse}
table.summary{margin:12px 0;font-size:14px;min-width:60%}
table.summary th,table.summary td{border:1px solid var(--line);padding:5px 10px;text-align:center;white-space:nowrap}
table.summary th{background:var(--soft);font-weight:600}
table.summary th small{display:block;font-weight:normal;color:var(--muted);font-size:12px}
table.summary th.obs{text-align:left}
table.summary td a{color:inherit;text-decoration:none;font-weight:600}
table.summary td .base{color:var(--muted);font-size:12px;margin-left:4px}
.green{background:var(--green-bg)}.amber{background:var(--amber-bg)}.red{background:var(--red-bg)}
td.none{color:var(--muted);background:#fafafa}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;
vertical-align:middle}
.badge.green{background:var(--green)}.badge.amber{background:var(--amber)}.badge.red{background:var(--red)}
.rule{font-size:14px;color:var(--muted);max-width:1000px}
.notes{font-size:14px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:18px;margin-top:14px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fff;
border-top-width:4px}
figure.green{border-top-color:var(--green);background:#fff}
figure.amber{border-top-color:var(--amber);background:#fff}
figure.red{border-top-color:var(--red);background:#fff}
figure img{display:block;width:100%;height:auto}
figcaption{font-weight:600;margin-bottom:4px}
table.metrics{width:100%;font-size:12.5px;margin-top:6px}
table.metrics th,table.metrics td{padding:2px 6px;border-bottom:1px solid #eef0f2;text-align:right}
table.metrics th:first-child,table.metrics td:first-child{text-align:left}
table.metrics th{color:var(--muted);font-weight:600}
table.metrics tr.decisive td{font-weight:700}
table.summary td small{display:block;color:var(--muted);font-size:11px;font-weight:normal}
.small{font-size:12.5px}
.tag{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;font-size:11.5px;
font-weight:normal;color:var(--muted);vertical-align:middle}
footer{margin-top:40px;color:var(--muted);font-size:13px}
.tests{display:grid;grid-template-columns:minmax(420px,1fr) minmax(380px,600px);gap:18px;align-items:start}
table.tests{font-size:14px;margin:8px 0}
table.tests th,table.tests td{border:1px solid var(--line);padding:5px 10px;text-align:right;white-space:nowrap}
table.tests th{background:var(--soft);font-weight:600}
table.tests th:first-child,table.tests td:first-child{text-align:left}
.sp{font-weight:normal;color:var(--muted);font-size:12.5px;margin-left:6px}
)css";
}

const char* verdict_rule_html() {
  static const std::string text =
      "Each metric of <b>candidate vs reference</b> is divided by its statistical scale: the larger of the "
      "same metric between two halves of the reference (the <b>baseline</b>, corrected for the sample "
      "sizes), "
      "the value statistics alone would give, and a small floor. The largest of these ratios decides the "
      "verdict: <span class=\"badge green\">green</span> ratio &le; " +
      format_number(physics::kGreenRatio) + " &lt; <span class=\"badge amber\">amber</span> &le; " +
      format_number(physics::kRedRatio) +
      " &lt; <span class=\"badge red\">red</span>. A cell shows the deciding metric for candidate vs "
      "reference, the baseline value in brackets, and the ratio; click it for the plots.";
  return text.c_str();
}

const char* verdict_class(physics::Verdict verdict) {
  switch (verdict) {
    case physics::Verdict::green:
      return "green";
    case physics::Verdict::amber:
      return "amber";
    case physics::Verdict::red:
      return "red";
  }
  return "red";
}

const std::vector<MetricInfo>& metric_infos() {
  using M = physics::Metrics;
  static const std::vector<MetricInfo> infos = {
      {"relative_error_of_mean", "REM", "relative error of the mean", &M::relative_error_of_mean},
      {"mean_relative_error", "MRE", "mean relative error", &M::mean_relative_error},
      {"wasserstein1", "W1", "Wasserstein-1 distance", &M::wasserstein1},
      {"ks_statistic", "KS D", "Kolmogorov-Smirnov D", &M::ks_statistic},
      {"ks_p_value", "KS p", "KS p-value", &M::ks_p_value},
      {"chi2_ndf", "χ²/ndf", "χ²/ndf", &M::chi2_ndf},
      {"separation_power", "SP", "separation power", &M::separation_power},
      {"core_mean_relative_error", "MRE>1%",
       "mean relative error of the normalised profile where it holds > 1 %", &M::core_mean_relative_error},
  };
  return infos;
}

const MetricInfo& key_metric(const physics::ObservableResult& o) {
  const auto& infos = metric_infos();
  std::string key = o.decisive_metric;
  if (key.empty()) key = o.is_profile ? "mean_relative_error" : "wasserstein1";
  for (const MetricInfo& info : infos)
    if (key == info.key) return info;
  return infos[2];
}

}  // namespace calo::report
