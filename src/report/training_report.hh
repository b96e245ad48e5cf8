#pragma once
// The training report: a self-contained training.html beside a run's metrics log
// (docs/train.md), in the validation report's style: a summary, the discriminator and
// generator losses, the validation metrics and the throughput against samples seen, drawn
// from metrics.jsonl. `calo3dgan train` rewrites it at every checkpoint.
#include <string>

namespace calo::report {

/// The page for the metrics log at metrics_path (JSON lines of `calo3dgan train`); title names
/// the run. InputError when the log cannot be read; RuntimeError when gnuplot fails.
std::string render_training_report(const std::string& metrics_path, const std::string& title);

/// Renders and writes the page to out_path atomically.
void write_training_report(const std::string& metrics_path, const std::string& title,
                           const std::string& out_path);

}  // namespace calo::report
