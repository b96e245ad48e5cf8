#pragma once
// The gnuplot commands that draw one observable in one energy bin: reference vs candidate
// (and, lightly, the two reference halves) in a main panel, candidate / reference in a ratio
// panel below it sharing the x axis.
#include <string>

#include "physics/validation.hh"

namespace calo::report {

/// Commands for GnuplotBatch::add: data blocks and one two-panel multiplot. Distributions are
/// step histograms over the bin edges; profiles are lines with error bars. Axes are
/// logarithmic where the observable asks for it; non-positive values are left out there.
std::string observable_plot_commands(const physics::ObservableResult& observable);

}  // namespace calo::report
