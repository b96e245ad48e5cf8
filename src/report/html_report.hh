#pragma once
// The HTML validation report: one self-contained page (inline CSS, plots embedded as SVG data
// URIs, no external resources) that shows a physics::ValidationResult. What the page holds:
// docs/report.md.
#include <string>

#include "physics/validation.hh"

namespace calo::report {

/// Writes out_dir/index.html (creating out_dir if needed), replacing an existing one. The page
/// is written under a temporary name in out_dir and renamed when complete, so index.html is
/// either the old page or the whole new one. Plots are drawn with gnuplot: RuntimeError when
/// it is not installed (package gnuplot-nox) or fails; InputError when out_dir cannot be
/// created.
void write_html_report(const physics::ValidationResult& result, const std::string& out_dir);

/// The page text itself (what write_html_report writes), for callers that store it elsewhere.
std::string render_html_report(const physics::ValidationResult& result);

}  // namespace calo::report
