#include "report/observable_plot.hh"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "report/text_format.hh"

namespace calo::report {

namespace {

using physics::ObservableResult;
using physics::Series;

constexpr const char* reference_colour = "#1f1f1f";
constexpr const char* candidate_colour = "#d1495b";
constexpr const char* half_colour = "#7fa7d9";
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// One point of a drawn curve: position, value, statistical error.
struct Point {
  double x = 0, y = 0, error = 0;
};

double value_at(const std::vector<double>& values, std::size_t i) {
  return i < values.size() ? values[i] : nan;
}

/// Bins (distributions) or positions (profiles) that a series has.
std::size_t point_count(const Series& s, bool is_profile) {
  if (is_profile) return std::min(s.x.size(), s.y.size());
  return s.x.empty() ? 0 : std::min(s.x.size() - 1, s.y.size());
}

/// Where a bin's marker goes: the middle, geometric on a log axis.
double bin_centre(double lo, double hi, bool log_x) {
  if (log_x && lo > 0 && hi > 0) return std::sqrt(lo * hi);
  return 0.5 * (lo + hi);
}

std::vector<Point> points_of(const Series& s, bool is_profile, bool log_x) {
  std::vector<Point> points;
  std::size_t n = point_count(s, is_profile);
  for (std::size_t i = 0; i < n; ++i) {
    double x = is_profile ? s.x[i] : bin_centre(s.x[i], s.x[i + 1], log_x);
    double error = value_at(s.error, i);
    points.push_back({x, s.y[i], std::isfinite(error) ? error : 0.0});
  }
  return points;
}

/// A value as gnuplot data, NaN (not drawn) where a log axis cannot show it.
std::string shown(double value, bool log_axis) { return data_number(log_axis && !(value > 0) ? nan : value); }

/// A step histogram: down to zero at both ends (on linear axes), flat across each bin.
void write_steps(std::ostream& out, const std::string& name, const Series& s, bool log_x, bool log_y) {
  out << "$" << name << " << EOD\n";
  std::size_t n = point_count(s, false);
  if (n > 0) {
    out << shown(s.x[0], log_x) << " " << shown(0.0, log_y) << "\n";
    for (std::size_t i = 0; i < n; ++i) out << shown(s.x[i], log_x) << " " << shown(s.y[i], log_y) << "\n";
    out << shown(s.x[n], log_x) << " " << shown(s.y[n - 1], log_y) << "\n";
    out << shown(s.x[n], log_x) << " " << shown(0.0, log_y) << "\n";
  }
  out << "EOD\n";
}

void write_points(std::ostream& out, const std::string& name, const std::vector<Point>& points, bool log_x,
                  bool log_y) {
  out << "$" << name << " << EOD\n";
  for (const Point& p : points)
    out << shown(p.x, log_x) << " " << shown(p.y, log_y) << " " << data_number(p.error) << "\n";
  out << "EOD\n";
}

/// Candidate / reference where both have the point, with errors added in quadrature, and the
/// reference's own relative error as a band around 1. Returns the largest |ratio - 1| + error.
double write_ratio(std::ostream& out, const std::vector<Point>& reference,
                   const std::vector<Point>& candidate, bool log_x) {
  double spread = 0;
  out << "$ratio << EOD\n";
  std::size_t n = std::min(reference.size(), candidate.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Point& r = reference[i];
    const Point& c = candidate[i];
    double ratio = nan, error = nan, band = nan;
    if (r.y != 0 && std::isfinite(r.y) && std::isfinite(c.y)) {
      ratio = c.y / r.y;
      band = std::abs(r.error / r.y);
      double rel_c = c.y != 0 ? c.error / c.y : 0;
      error = std::abs(ratio) * std::hypot(rel_c, band);
      if (std::isfinite(ratio) && std::isfinite(error))
        spread = std::max(spread, std::abs(ratio - 1) + error);
    }
    out << shown(r.x, log_x) << " " << data_number(ratio) << " " << data_number(error) << " "
        << data_number(1 - band) << " " << data_number(1 + band) << "\n";
  }
  out << "EOD\n";
  return spread;
}

/// The ratio panel's half-height around 1: the smallest round value that shows every point.
double ratio_half_range(double spread) {
  for (double d : {0.1, 0.2, 0.5, 1.0})
    if (spread <= d) return d;
  return 1.0;
}

/// The x range shared by both panels, from every series' positions (positive ones on log x).
std::pair<double, double> x_range(const ObservableResult& o) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const Series* s : {&o.reference, &o.candidate, &o.baseline_a, &o.baseline_b})
    for (double x : s->x)
      if (std::isfinite(x) && (!o.log_x || x > 0)) lo = std::min(lo, x), hi = std::max(hi, x);
  if (!(lo <= hi)) return {nan, nan};
  if (lo == hi) return o.log_x ? std::pair{lo / 2, hi * 2} : std::pair{lo - 1, hi + 1};
  if (o.is_profile) {  // half a step of room beyond the first and last position
    if (o.log_x) return {lo / 1.15, hi * 1.15};
    double pad = 0.02 * (hi - lo) + 0.5 * (hi - lo) / std::max<std::size_t>(1, o.reference.x.size());
    return {lo - pad, hi + pad};
  }
  return {lo, hi};
}

/// True when some point of some series can be drawn on the panel's axes: gnuplot stops on a
/// plot without any.
bool anything_to_draw(const ObservableResult& o, const std::vector<const std::vector<Point>*>& series) {
  for (const auto* points : series)
    for (const Point& p : *points)
      if (std::isfinite(p.x) && std::isfinite(p.y) && (!o.log_x || p.x > 0) && (!o.log_y || p.y > 0))
        return true;
  return false;
}

/// A figure that says there is nothing to draw, with the axis labels still in place.
std::string empty_plot_commands(const ObservableResult& o) {
  return "set xrange [0:1]\nset yrange [0:1]\nunset tics\nset border 15 lc rgb '#999999'\n"
         "set xlabel " +
         gnuplot_quote(o.x_label) + " noenhanced\nset ylabel " + gnuplot_quote(o.y_label) +
         " noenhanced\nset label 1 'no data to draw' at graph 0.5, graph 0.5 center tc rgb '#666666'\n"
         "plot NaN notitle\n";
}

}  // namespace

std::string observable_plot_commands(const ObservableResult& o) {
  std::ostringstream out;
  const bool profile = o.is_profile;
  auto reference = points_of(o.reference, profile, o.log_x);
  auto candidate = points_of(o.candidate, profile, o.log_x);
  auto half_a = points_of(o.baseline_a, profile, o.log_x);
  auto half_b = points_of(o.baseline_b, profile, o.log_x);
  if (!anything_to_draw(o, {&reference, &candidate, &half_a, &half_b})) return empty_plot_commands(o);
  if (profile) {
    write_points(out, "ref", reference, o.log_x, o.log_y);
    write_points(out, "cand", candidate, o.log_x, o.log_y);
    write_points(out, "ha", half_a, o.log_x, o.log_y);
    write_points(out, "hb", half_b, o.log_x, o.log_y);
  } else {
    write_steps(out, "ref", o.reference, o.log_x, o.log_y);
    write_steps(out, "cand", o.candidate, o.log_x, o.log_y);
    write_steps(out, "ha", o.baseline_a, o.log_x, o.log_y);
    write_steps(out, "hb", o.baseline_b, o.log_x, o.log_y);
  }
  double half_range = ratio_half_range(write_ratio(out, reference, candidate, o.log_x));

  auto [x_lo, x_hi] = x_range(o);
  std::string xrange = "[*:*]";
  if (std::isfinite(x_lo))
    xrange.assign(1, '[').append(data_number(x_lo)).append(":").append(data_number(x_hi)).append("]");
  const std::string log_format = "'10^{%L}'";

  // Shared look: light grid, ticks outside, the two panels aligned on the same margins.
  out << "set border 31 lw 1 lc rgb '#333333'\n"
      << "set tics out nomirror scale 0.6\nset mxtics\nset mytics\n"
      << "set grid xtics ytics lw 0.5 lc rgb '#e4e4e4'\n"
      << "set lmargin at screen 0.14\nset rmargin at screen 0.97\n"
      << "set xrange " << xrange << "\n"
      << "set multiplot\n";
  if (o.log_x) out << "set logscale x 10\n";

  // Main panel.
  out << "set tmargin at screen 0.91\nset bmargin at screen 0.37\n"
      << "set format x ''\nunset xlabel\n"
      << "set ylabel " << gnuplot_quote(o.y_label) << " noenhanced offset 1,0\n"
      << "set key at screen 0.555, screen 0.995 center top horizontal reverse Left maxrows 1 samplen 2 width "
         "-2 "
         "font ',11.5'\n";
  if (o.log_y)
    out << "set logscale y 10\nset format y " << log_format << "\nset yrange [*:*]\n";
  else
    out << "set format y '%g'\n" << (profile ? "set yrange [*:*]\n" : "set yrange [0:*]\n");
  // The curves (halves first, underneath), then the legend in reading order via keyentry.
  const std::string half_style = "lc rgb '" + std::string(half_colour) + "' dt 2 lw 1";
  const std::string reference_style = "lw 1.8 lc rgb '" + std::string(reference_colour) + "'";
  const std::string candidate_style = "lw 1.8 lc rgb '" + std::string(candidate_colour) + "'";
  const std::string marks = profile ? " pt 7 ps 0.45" : "";
  const std::string curve = profile ? "1:2:3 with yerrorlines" : "1:2 with steps";
  const std::string key = profile ? "keyentry with linespoints" : "keyentry with lines";
  out << "plot $ha using 1:2 with " << (profile ? "lines " : "steps ") << half_style << " notitle, "
      << "$hb using 1:2 with " << (profile ? "lines " : "steps ") << half_style << " notitle, "
      << "$ref using " << curve << marks << " " << reference_style << " notitle, "
      << "$cand using " << curve << marks << " " << candidate_style << " notitle, " << key << marks << " "
      << reference_style << " title 'reference', " << key << marks << " " << candidate_style
      << " title 'candidate', "
      << "keyentry with lines " << half_style << " title 'reference halves'\n";

  // Ratio panel.
  out << "set tmargin at screen 0.37\nset bmargin at screen 0.135\n"
      << "unset logscale y\nunset key\nunset mytics\n"
      << "set format x " << (o.log_x ? log_format : std::string("'%g'")) << "\n"
      << "set xlabel " << gnuplot_quote(o.x_label) << " noenhanced offset 0,0.3\n"
      << "set ylabel 'cand. / ref.' offset 1,0\n"
      << "set yrange [" << data_number(1 - half_range) << ":" << data_number(1 + half_range) << "]\n"
      << "set ytics " << data_number(1 - half_range / 2) << ", " << data_number(half_range / 2) << ", "
      << data_number(1 + half_range / 2) << "\nset format y '%g'\n"
      << "plot $ratio using 1:4:5 with filledcurves fs transparent solid 0.25 noborder lc rgb '#9e9e9e', "
      << "1 with lines lc rgb '#555555' dt 2 lw 1, "
      << "$ratio using 1:2:3 with yerrorbars pt 7 ps 0.35 lw 1 lc rgb '" << candidate_colour << "'\n"
      << "unset multiplot\n";
  return out.str();
}

}  // namespace calo::report
