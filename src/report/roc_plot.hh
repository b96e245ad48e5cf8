#pragma once
// The gnuplot commands of the ROC plot of the classifier two-sample test: for each input
// variant the candidate-vs-reference curve (solid) and the reference-halves curve (dashed),
// with the diagonal of a classifier that cannot tell the sets apart.
#include <string>

#include "physics/two_sample_result.hh"

namespace calo::report {

/// Commands for GnuplotBatch::add (the result's status must be "done").
std::string roc_plot_commands(const physics::ClassifierResult& classifier);

}  // namespace calo::report
