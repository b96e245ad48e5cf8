#include "report/roc_plot.hh"

#include <sstream>

#include "report/text_format.hh"

namespace calo::report {

namespace {

void write_curve(std::ostream& out, char kind, std::size_t variant, const physics::RocCurve& roc) {
  out << "$" << kind << variant << " << EOD\n";
  for (std::size_t i = 0; i < roc.false_positive_rate.size() && i < roc.true_positive_rate.size(); ++i)
    out << data_number(roc.false_positive_rate[i]) << " " << data_number(roc.true_positive_rate[i]) << "\n";
  out << "EOD\n";
}

}  // namespace

std::string roc_plot_commands(const physics::ClassifierResult& c) {
  static const char* colours[] = {"#d1495b", "#2e6fba"};
  std::ostringstream out, plots;
  plots << "x with lines lc rgb '#999999' dt 3 lw 1 title 'AUC 0.5'";
  for (std::size_t v = 0; v < c.variants.size(); ++v) {
    const physics::ClassifierVariant& variant = c.variants[v];
    const char* label = variant.name == "low_level" ? "low level" : "high level";
    write_curve(out, 'c', v, variant.candidate.roc);
    write_curve(out, 'b', v, variant.baseline.roc);
    const char* colour = colours[v % 2];
    std::ostringstream title_c, title_b;
    title_c << label << ": candidate vs reference, AUC " << format_number(variant.candidate.auc, 3);
    title_b << label << ": reference halves, AUC " << format_number(variant.baseline.auc, 3);
    plots << ", $c" << v << " using 1:2 with lines lw 2 lc rgb '" << colour << "' title "
          << gnuplot_quote(title_c.str()) << ", $b" << v << " using 1:2 with lines lw 1.2 dt 2 lc rgb '"
          << colour << "' title " << gnuplot_quote(title_b.str());
  }
  out << "set border 31 lw 1 lc rgb '#333333'\nset tics out nomirror scale 0.6\n"
      << "set grid xtics ytics lw 0.5 lc rgb '#e4e4e4'\nset size ratio -1\n"
      << "set xrange [0:1]\nset yrange [0:1]\nset format x '%g'\nset format y '%g'\n"
      << "set xlabel 'false-positive rate (reference called candidate)' noenhanced\n"
      << "set ylabel 'true-positive rate (candidate called candidate)' noenhanced\n"
      << "set key bottom right noenhanced font ',10' samplen 2\n"
      << "plot " << plots.str() << "\n";
  return out.str();
}

}  // namespace calo::report
