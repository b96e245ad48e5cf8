// calo3dgan validate: physics comparison of two shower sets, metrics.json and an HTML report.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.hh"
#include "core/error.hh"
#include "physics/validation.hh"
#include "report/html_report.hh"

namespace calo::cli {

namespace {

struct ValidateOptions {
  std::string reference, candidate, out = "validation";
  std::string bins;
  double bin_half_width = 5.0;
  long long max_events = 0;
  long long min_events = 10;
  bool quiet = false;
};

/// Writes text to path through a temporary file in the same folder, renamed when complete.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw InputError("cannot write '" + tmp.string() + "' (is the output folder writable?)");
    out << text;
    if (!out.flush()) throw RuntimeError("writing '" + tmp.string() + "' failed (disk full?)");
  }
  std::filesystem::rename(tmp, path);
}

void run_validate(const ValidateOptions& o) {
  CALO_VALIDATE(o.max_events >= 0, "invalid --max-events (must be >= 0; 0 = all)");
  CALO_VALIDATE(o.min_events >= 1, "invalid --min-events (must be >= 1)");
  CALO_VALIDATE(o.bin_half_width > 0, "invalid --bin-width (must be positive GeV)");
  physics::ValidationOptions options;
  if (!o.bins.empty()) options.bins = physics::parse_energy_bins(o.bins, o.bin_half_width);
  options.max_events = static_cast<std::uint64_t>(o.max_events);
  options.min_events_per_bin = static_cast<std::uint64_t>(o.min_events);

  const std::filesystem::path dir(o.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  CALO_VALIDATE(std::filesystem::is_directory(dir),
                "cannot create output folder '" + o.out + "' (" + ec.message() + ")");
  CALO_VALIDATE(access(dir.c_str(), W_OK) == 0, "output folder '" + o.out + "' is not writable");

  const auto start = std::chrono::steady_clock::now();
  const physics::ValidationResult result = physics::validate(o.reference, o.candidate, options);
  write_atomically(dir / "metrics.json", physics::to_json(result));
  report::write_html_report(result, dir.string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.quiet)
    std::printf(
        "validated %llu candidate against %llu reference showers in %.1f s: score %.4g "
        "(reference halves: %.4g), %s\nreport: %s\n",
        (unsigned long long)result.candidate_events, (unsigned long long)result.reference_events, seconds,
        result.score, result.baseline_score,
        result.verdict == physics::Verdict::green   ? "green"
        : result.verdict == physics::Verdict::amber ? "amber"
                                                    : "red",
        (dir / "index.html").c_str());
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto opts = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Compare a candidate shower set with a reference set: metrics.json and an HTML report");
  cmd->add_option("--reference", opts->reference, "Reference shower file (e.g. Monte Carlo)")->required();
  cmd->add_option("--candidate", opts->candidate, "Candidate shower file (e.g. GAN)")->required();
  cmd->add_option("--out", opts->out, "Output folder for index.html and metrics.json")->capture_default_str();
  cmd->add_option("--bins", opts->bins,
                  "Energy bins in GeV: centres 50,100,200 (+-bin-width) or ranges 10:30,30:60; "
                  "default 50,100,200,300,400; 'all' is always added");
  cmd->add_option("--bin-width", opts->bin_half_width, "Half width of bins given by centre [GeV]")
      ->capture_default_str();
  cmd->add_option("--max-events", opts->max_events, "Read at most this many events of each file (0 = all)")
      ->capture_default_str();
  cmd->add_option("--min-events", opts->min_events,
                  "Bins with fewer events in either file are reported empty")
      ->capture_default_str();
  cmd->add_flag("--quiet", opts->quiet, "Print nothing on success");
  cmd->callback([opts] { run_validate(*opts); });
}

}  // namespace calo::cli
