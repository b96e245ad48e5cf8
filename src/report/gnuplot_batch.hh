#pragma once
// Draws many plots with one gnuplot process: each plot is a script fragment (data blocks and
// plot commands); render() runs them all with the svg terminal and returns one SVG per plot.
#include <string>
#include <vector>

namespace calo::report {

class GnuplotBatch {
 public:
  /// Width and height of every plot [SVG px].
  GnuplotBatch(int width = 600, int height = 450);

  /// Queues a plot; `commands` must draw exactly one page (a multiplot counts as one).
  /// Returns the plot's index in render()'s result.
  std::size_t add(std::string commands);

  std::size_t size() const { return plots_.size(); }

  /// Runs gnuplot once over every queued plot and returns their SVG documents in order.
  /// RuntimeError (one line) when gnuplot is missing (names the Debian package gnuplot-nox),
  /// fails, or draws nothing for a plot.
  std::vector<std::string> render() const;

 private:
  int width_, height_;
  std::vector<std::string> plots_;
};

/// Full path of the gnuplot executable found on PATH, or "" when there is none.
std::string find_gnuplot();

}  // namespace calo::report
