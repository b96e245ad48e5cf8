// calo3dgan validate: physics comparison of two shower sets, metrics.json and an HTML report.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "classifier/shower_sets.hh"
#include "classifier/two_sample_test.hh"
#include "cli/commands.hh"
#include "core/error.hh"
#include "io/file_patterns.hh"
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
  bool no_classifier = false, no_distances = false;
  long long seed = 42;
  classifier::ClassifierOptions classifier;
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
  CALO_VALIDATE(o.seed >= 0, "invalid --seed (must be >= 0)");
  const classifier::ClassifierOptions& c = o.classifier;
  CALO_VALIDATE(c.hidden >= 1, "invalid --classifier-hidden " + std::to_string(c.hidden) + " (must be >= 1)");
  CALO_VALIDATE(c.layers >= 1, "invalid --classifier-layers " + std::to_string(c.layers) + " (must be >= 1)");
  CALO_VALIDATE(c.epochs >= 1, "invalid --classifier-epochs " + std::to_string(c.epochs) + " (must be >= 1)");
  CALO_VALIDATE(c.batch >= 1, "invalid --classifier-batch " + std::to_string(c.batch) + " (must be >= 1)");
  CALO_VALIDATE(c.threads >= 0,
                "invalid --classifier-threads " + std::to_string(c.threads) + " (must be >= 0)");
  CALO_VALIDATE(c.learning_rate > 0 && std::isfinite(c.learning_rate),
                "invalid --classifier-lr (must be a positive number)");
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

  options.seed = static_cast<std::uint64_t>(o.seed);
  options.distances = !o.no_distances;
  classifier::ShowerSets showers;
  if (!o.no_classifier)
    options.on_shower = [&](int set, const io::ShowerGrid& grid, const float* cells, double energy) {
      showers.add(set, grid, cells, energy);
    };

  const auto start = std::chrono::steady_clock::now();
  // Each set: a file or a quoted glob of files, read as one set in sorted order.
  physics::ValidationResult result =
      physics::validate(io::expand_file_patterns({o.reference}, "--reference"),
                        io::expand_file_patterns({o.candidate}, "--candidate"), options);
  if (!o.no_classifier) {
    classifier::ClassifierOptions co = o.classifier;
    co.seed = options.seed;
    result.classifier = classifier::two_sample_test(showers, co);
  }
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
  if (o.quiet) return;
  const physics::PhysicsDistances& d = result.distances;
  if (d.computed)
    std::printf(
        "FPD %.4g +- %.2g (fit) +- %.2g (sets) (reference halves %.4g), KPD %.4g +- %.2g (halves %.4g)\n",
        d.fpd.value, d.fpd.error, d.fpd_sets_error, d.baseline_fpd.value, d.kpd.value, d.kpd.error,
        d.baseline_kpd.value);
  else
    std::printf("FPD/KPD skipped: %s\n", d.skipped_reason.c_str());
  if (result.classifier.status != "done") {
    std::printf("classifier test skipped: %s\n", result.classifier.reason.c_str());
    return;
  }
  for (const physics::ClassifierVariant& v : result.classifier.variants)
    std::printf("classifier AUC (%s): %.3f +- %.3f (reference halves %.3f), JSD %.3g\n", v.name.c_str(),
                v.candidate.auc, v.candidate.auc_error, v.baseline.auc, v.candidate.jsd);
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto opts = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Compare a candidate shower set with a reference set: metrics.json and an HTML report");
  cmd->add_option("--reference", opts->reference,
                  "Reference shower file (e.g. Monte Carlo), or a quoted glob of files read as one set")
      ->required();
  cmd->add_option("--candidate", opts->candidate,
                  "Candidate shower file (e.g. GAN), or a quoted glob of files")
      ->required();
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
  cmd->add_option("--seed", opts->seed, "Seed of the FPD/KPD batches and of the classifier test")
      ->capture_default_str();
  cmd->add_flag("--no-classifier", opts->no_classifier, "Skip the classifier two-sample test");
  cmd->add_flag("--no-distances", opts->no_distances, "Skip FPD and KPD");
  cmd->add_option("--classifier-hidden", opts->classifier.hidden, "Classifier: units per hidden layer")
      ->capture_default_str();
  cmd->add_option("--classifier-layers", opts->classifier.layers, "Classifier: hidden layers")
      ->capture_default_str();
  cmd->add_option("--classifier-epochs", opts->classifier.epochs,
                  "Classifier: training epochs (the one with the best test accuracy is kept)")
      ->capture_default_str();
  cmd->add_option("--classifier-batch", opts->classifier.batch, "Classifier: showers per Adam step")
      ->capture_default_str();
  cmd->add_option("--classifier-lr", opts->classifier.learning_rate, "Classifier: Adam learning rate")
      ->capture_default_str();
  cmd->add_option("--classifier-threads", opts->classifier.threads,
                  "Classifier: OpenMP threads of its network (0 = OMP_NUM_THREADS or all cores)")
      ->capture_default_str();
  cmd->add_flag("--quiet", opts->quiet, "Print nothing on success");
  cmd->callback([opts] { run_validate(*opts); });
}

}  // namespace calo::cli
