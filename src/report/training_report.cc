#include "report/training_report.hh"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/error.hh"
#include "io/output_path.hh"
#include "report/gnuplot_batch.hh"
#include "report/page_parts.hh"
#include "report/text_format.hh"

namespace calo::report {

namespace {

/// One curve: its title and (samples seen, value) points.
struct Curve {
  explicit Curve(std::string t) : title(std::move(t)) {}
  std::string title;
  std::vector<std::pair<double, double>> points;
};

/// A gnuplot page of curves against samples seen.
std::string plot_commands(const std::string& title, const std::string& y_label,
                          const std::vector<Curve>& curves, bool log_y, bool markers = false) {
  std::ostringstream g;
  for (std::size_t i = 0; i < curves.size(); ++i) {
    g << "$c" << i << " << EOD\n";
    for (const auto& [x, y] : curves[i].points) g << data_number(x) << ' ' << data_number(y) << '\n';
    g << "EOD\n";
  }
  g << "set title " << gnuplot_quote(title) << "\nset xlabel 'samples seen'\nset ylabel "
    << gnuplot_quote(y_label) << "\nset key top right\nset grid\n"
    << (log_y ? "set logscale y\n" : "unset logscale y\n");
  std::ostringstream plot;
  bool any = false;
  for (std::size_t i = 0; i < curves.size(); ++i) {
    // A log axis shows positive values only (a real shower's ECAL-sum error is exactly 0).
    const bool drawable =
        std::ranges::any_of(curves[i].points, [&](const auto& p) { return !log_y || p.second > 0; });
    if (!drawable) continue;
    plot << (any ? ", " : "") << "$c" << i << " using 1:" << (log_y ? "($2 > 0 ? $2 : NaN)" : "2")
         << (markers ? " with linespoints pt 7 ps 0.6" : " with lines") << " lw 1.5 title "
         << gnuplot_quote(curves[i].title);
    any = true;
  }
  if (any) {
    g << "plot " << plot.str() << "\n";
  } else {  // an empty frame that says so, rather than no page
    g << "unset logscale y\nset label 'no data yet' at graph 0.5, 0.5 center\nplot [0:1] [0:1] -1 notitle\n"
      << "unset label\n";
  }
  return g.str();
}

}  // namespace

std::string render_training_report(const std::string& metrics_path, const std::string& title) {
  std::ifstream in(metrics_path);
  if (!in) throw InputError("cannot read training metrics " + metrics_path);
  Curve d_real{"D real"}, d_fake{"D fake"}, g{"G"}, bce_real{"D real BCE"}, bce_fake{"D fake BCE"},
      bce_g{"G BCE"}, e_real{"D real energy"}, e_fake{"D fake energy"}, ecal_fake{"D fake ECAL sum"},
      rate{"samples/s"}, sf{"sampled fraction"}, longi{"longitudinal profile"}, trans{"x profile"},
      score{"score (sum)"};
  nlohmann::json last_step, best;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    const std::string kind = j.value("kind", "");
    if (kind == "step") {
      const double x = j.value("samples", 0.0);
      d_real.points.emplace_back(x, j["d_real"].value("total", 0.0));
      d_fake.points.emplace_back(x, j["d_fake"].value("total", 0.0));
      g.points.emplace_back(x, j["g"].value("total", 0.0));
      bce_real.points.emplace_back(x, j["d_real"].value("bce", 0.0));
      bce_fake.points.emplace_back(x, j["d_fake"].value("bce", 0.0));
      bce_g.points.emplace_back(x, j["g"].value("bce", 0.0));
      e_real.points.emplace_back(x, j["d_real"].value("energy_mape", 0.0));
      e_fake.points.emplace_back(x, j["d_fake"].value("energy_mape", 0.0));
      ecal_fake.points.emplace_back(x, j["d_fake"].value("ecal_mape", 0.0));
      rate.points.emplace_back(x, j.value("samples_per_s", 0.0));
      last_step = j;
    } else if (kind == "validation") {
      // Validation lines carry the step; samples follow from the last step line's batch.
      const double per_step = last_step.is_null() || last_step.value("step", 0) == 0
                                  ? 0.0
                                  : last_step.value("samples", 0.0) / last_step.value("step", 1);
      const double x = j.value("step", 0) * per_step;
      sf.points.emplace_back(x, 100 * j.value("sampled_fraction_error", 0.0));
      longi.points.emplace_back(x, 100 * j.value("longitudinal_error", 0.0));
      trans.points.emplace_back(x, 100 * j.value("transverse_error", 0.0));
      score.points.emplace_back(x, 100 * j.value("score", 0.0));
      if (best.is_null() || j.value("score", 1e300) < best.value("score", 1e300)) best = j;
    }
  }

  GnuplotBatch plots(640, 400);
  plots.add(plot_commands("Weighted losses", "loss (6 BCE + 0.2 MAPE E + 0.1 MAPE sum)", {d_real, d_fake, g},
                          true));
  plots.add(plot_commands("Real / fake (BCE)", "binary cross-entropy", {bce_real, bce_fake, bce_g}, false));
  plots.add(plot_commands("Energy and ECAL-sum regression", "MAPE [%]", {e_real, e_fake, ecal_fake}, true));
  plots.add(plot_commands("Validation physics (held-out showers)", "relative error [%]",
                          {sf, longi, trans, score}, false, /*markers=*/true));
  plots.add(plot_commands("Throughput", "samples / s", {rate}, false));
  const std::vector<std::string> svgs = plots.render();

  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
          "style-src 'unsafe-inline'\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<title>Training: " << html_escape(title) << "</title>\n<style>" << page_css()
       << "</style>\n</head>\n"
       << "<body>\n<h1>Training report</h1>\n<div class=\"muted\">calo3dgan train: " << html_escape(title)
       << " (metrics.jsonl, rewritten at every checkpoint)</div>\n<div class=\"overview\">\n";
  if (!last_step.is_null())
    page << "<div class=\"card\"><h3>Progress</h3><div class=\"big\">" << last_step.value("step", 0)
         << " steps</div><div>" << format_number(last_step.value("samples", 0.0), 6) << " samples, epoch "
         << format_number(last_step.value("epoch", 0.0)) << "</div><div>"
         << format_number(last_step.value("samples_per_s", 0.0)) << " samples/s</div></div>\n";
  if (!best.is_null())
    page << "<div class=\"card\"><h3>Best validation</h3><div class=\"big\">"
         << format_number(100 * best.value("score", 0.0)) << " %</div><div>at step " << best.value("step", 0)
         << ": sampled fraction " << format_number(100 * best.value("sampled_fraction_error", 0.0))
         << " %, longitudinal " << format_number(100 * best.value("longitudinal_error", 0.0)) << " %, x "
         << format_number(100 * best.value("transverse_error", 0.0)) << " % off</div></div>\n";
  page << "</div>\n";
  for (const std::string& svg : svgs)
    page << "<div class=\"plot\"><img alt=\"plot\" src=\"data:image/svg+xml;base64," << base64_encode(svg)
         << "\"></div>\n";
  page << "</body>\n</html>\n";
  return page.str();
}

void write_training_report(const std::string& metrics_path, const std::string& title,
                           const std::string& out_path) {
  io::write_file_atomically(out_path, render_training_report(metrics_path, title));
}

}  // namespace calo::report
