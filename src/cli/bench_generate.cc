// calo3dgan bench generate: ms/shower of the inference graph (src/infer) for batch x threads
// x streams x precision, beside the PyTorch reference with the same weights (bench/reference/
// timing.py --checkpoint) and the machine's sgemm rate, all measured in this run; then the
// seed's table: Monte Carlo (`calo3dgan simulate`) vs GAN (`calo3dgan generate`) time per
// shower at the same energies, and generate's peak resident memory. docs/generate.md.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "cli/bench_support.hh"
#include "cli/commands.hh"
#include "cli/generate_options.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "core/rng.hh"
#include "gan/checkpoint.hh"
#include "gan/generator.hh"
#include "infer/folded_generator.hh"
#include "infer/latent.hh"
#include "infer/loaded_model.hh"
#include "nn/sgemm_rate.hh"

namespace calo::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct GenBenchOptions {
  std::string checkpoint;  // empty: the shipped model, else initialised weights
  std::string batches = "1,8,32,128,512";
  std::string threads = "1,2";
  std::string streams = "1,2";
  std::string precision = "f32,bf16,int8";
  double min_time = 1.0;
  bool reference = true;
  std::string mc_energies = "10,50,100";
  int mc_events = 2;
  bool mc = true;
};

std::vector<long long> parse_list(const std::string& text, const char* option) {
  std::vector<long long> v;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    long long x = 0;
    try {
      x = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CALO_VALIDATE(used == item.size() && x > 0,
                  std::string("invalid ") + option + " '" + text + "' (a comma list of positive integers)");
    v.push_back(x);
  }
  CALO_VALIDATE(!v.empty(), std::string("invalid ") + option + " (empty)");
  return v;
}

/// Showers per second of `streams` workers with `threads` threads each at batch size b, each
/// worker with its own context and graph; timed after every worker's warm-up call.
double ms_per_shower(const infer::LoadedModel& m, infer::Precision precision, std::int64_t b, int streams,
                     int threads, double min_time) {
  const std::int64_t L = m.spec.latent_size;
  std::vector<float> z(static_cast<std::size_t>(b * L));
  for (std::int64_t i = 0; i < b; ++i)
    infer::draw_latent(1, i, 10.0 + i % 490, {z.data() + i * L, std::size_t(L)});
  std::barrier sync(streams);
  std::vector<long long> calls(streams, 0);
  std::vector<double> warm(streams, 0);
  Clock::time_point start, stop;
  std::vector<std::thread> workers;
  for (int w = 0; w < streams; ++w)
    workers.emplace_back([&, w] {
      nn::Context ctx(threads);
      infer::FoldedGenerator gen(ctx, m, true, precision);
      std::vector<float> out(static_cast<std::size_t>(b * gen.cells()));
      gen.run(z, b, out);  // plans
      const auto t0 = Clock::now();
      gen.run(z, b, out);
      warm[w] = std::chrono::duration<double>(Clock::now() - t0).count();
      sync.arrive_and_wait();
      if (w == 0) start = Clock::now();
      const long long reps = std::max<long long>(3, static_cast<long long>(std::ceil(min_time / warm[w])));
      for (long long r = 0; r < reps; ++r) gen.run(z, b, out);
      calls[w] = reps;
      sync.arrive_and_wait();
      if (w == 0) stop = Clock::now();
    });
  for (auto& t : workers) t.join();
  long long showers = 0;
  for (long long c : calls) showers += c * b;
  return 1e3 * std::chrono::duration<double>(stop - start).count() / static_cast<double>(showers);
}

struct ChildRun {
  int exit_code = -1;
  std::string output;
};

/// Runs this binary with args, its output to a file; returns its exit code and output.
ChildRun run_self(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> all = {"/proc/self/exe"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  ChildRun r;
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  if (posix_spawn(&pid, exe, &fa, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

/// The number before `unit` in text (e.g. "0.532 s/shower"), NaN when absent.
double figure_before(const std::string& text, const std::string& unit) {
  const auto at = text.find(" " + unit);
  if (at == std::string::npos) return NAN;
  auto begin = text.rfind(' ', at - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  try {
    return std::stod(text.substr(begin, at - begin));
  } catch (const std::exception&) {
    return NAN;
  }
}

void run_bench_generate(const GenBenchOptions& o) {
  std::vector<infer::Precision> precisions;
  {
    std::stringstream in(o.precision);
    std::string item;
    while (std::getline(in, item, ',')) {
      const infer::Precision p = resolve_precision(item);
      if (std::find(precisions.begin(), precisions.end(), p) == precisions.end()) precisions.push_back(p);
    }
    CALO_VALIDATE(!precisions.empty(), "invalid --precision (empty)");
  }
  const auto batches = parse_list(o.batches, "--batches");
  const auto thread_counts = parse_list(o.threads, "--threads");
  const auto stream_counts = parse_list(o.streams, "--streams");
  CALO_VALIDATE(o.min_time > 0, "invalid --min-time (must be positive)");

  // The weights: the given checkpoint, the shipped model, or initialised ones (the speed is
  // the same: only the values differ).
  const ScratchFolder folder("calo3dgan-bench-generate");
  const std::filesystem::path& scratch = folder.path();
  std::string checkpoint = o.checkpoint.empty() ? shipped_model_path() : o.checkpoint;
  std::string weights_note = checkpoint;
  if (o.checkpoint.empty() && !std::filesystem::exists(checkpoint)) {
    checkpoint = (scratch / "initialised.h5").string();
    const gan::ModelSpec spec = gan::load_model_spec(gan::kDefaultModel);
    nn::Context ctx(1);
    gan::Generator gen(ctx, spec);
    Rng rng(1, 0);
    gen.initialise(rng);
    gan::save_checkpoint(checkpoint, spec, {.generator = &gen}, gan::TrainingPosition{});
    weights_note = "initialised weights (no trained model at " + shipped_model_path() + ")";
  }
  const infer::LoadedModel model = infer::load_generator(checkpoint);

  double flops = 0;
  {
    nn::Context ctx(1);
    gan::Generator gen(ctx, model.spec);
    flops = executed_conv_flops(gen.network(), gen.input_dims(1));
  }
  std::map<long long, double> sgemm;
  for (long long t : thread_counts) sgemm[t] = nn::sgemm_gflops(nn::Context(static_cast<int>(t)));

  std::printf("calo3dgan %s  bench generate: model %s, %s, precisions %s; %.0f MFLOP executed per shower\n",
              version(), model.spec.name.c_str(), weights_note.c_str(), o.precision.c_str(), flops / 1e6);
  for (const auto& [t, g] : sgemm)
    std::printf("oneDNN sgemm 2048^3, %lld thread%s: %.1f GFLOP/s\n", t, t == 1 ? "" : "s", g);
  std::printf("\n");
  std::fflush(stdout);

  // PyTorch with the same weights, per total thread count.
  std::map<std::pair<long long, long long>, double> torch;  // (threads, batch) -> ms/shower
  std::string torch_version;
  if (o.reference)
    for (long long t : thread_counts)
      for (const auto& j :
           run_reference_timing("--variant " + model.spec.name + " --only generator --threads " +
                                std::to_string(t) + " --gen-batches " + o.batches + " --min-time " +
                                std::to_string(o.min_time) + " --checkpoint " + checkpoint)) {
        torch_version = j.value("torch", "");
        torch[{t, j["batch"].get<long long>()}] = j["ms_per_shower"];
      }

  std::printf(
      "| precision | threads | streams | batch | calo3dgan ms/shower | PyTorch %s ms/shower | speed-up | "
      "GFLOP/s | %% of sgemm |\n",
      torch_version.empty() ? "(not run)" : torch_version.c_str());
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const infer::Precision precision : precisions)
    for (long long t : thread_counts)
      for (long long s : stream_counts) {
        if (s > t) continue;  // a stream has at least one thread
        for (long long b : batches) {
          const double ms =
              ms_per_shower(model, precision, b, static_cast<int>(s), static_cast<int>(t / s), o.min_time);
          const double gflops = flops / (ms / 1e3) / 1e9;
          const auto it = torch.find({t, b});
          char theirs[32] = "-", speedup[32] = "-";
          if (it != torch.end()) {
            std::snprintf(theirs, sizeof theirs, "%.3f", it->second);
            std::snprintf(speedup, sizeof speedup, "%.2fx", it->second / ms);
          }
          std::printf("| %s | %lld | %lld | %lld | %.3f | %s | %s | %.0f | %.0f |\n",
                      precision_name(precision), t, s, b, ms, theirs, speedup, gflops,
                      100 * gflops / sgemm[t]);
          std::fflush(stdout);
        }
      }
  std::printf(
      "\nms/shower: wall time of the generator calls (latent vectors in memory, no file) over the showers, "
      "all "
      "streams together; PyTorch: bench/reference/timing.py, eval + no_grad, same weights, same total "
      "threads, "
      "one stream.\n");

  if (!o.mc) return;
  // The seed's table: Monte Carlo vs GAN per shower, each command as a user runs it.
  const long long gan_threads = *std::max_element(thread_counts.begin(), thread_counts.end());
  std::printf(
      "\n| energy [GeV] | Monte Carlo s/shower (simulate, 1 thread) | GAN ms/shower (generate, batch 128, "
      "%lld threads, file written) | speed-up |\n|---:|---:|---:|---:|\n",
      gan_threads);
  double rss = 0;
  for (long long e : parse_list(o.mc_energies, "--mc-energies")) {
    const std::string out = (scratch / "showers.h5").string();
    const ChildRun mc = run_self({"simulate", "--energy", std::to_string(e), "--events",
                                  std::to_string(o.mc_events), "--threads", "1", "--out", out, "--overwrite"},
                                 (scratch / "log").string());
    const double mc_s = figure_before(mc.output, "s/shower");
    const ChildRun gan = run_self(
        {"generate", "--checkpoint", checkpoint, "--energy", std::to_string(e), "--events", "1024",
         "--batch-size", "128", "--threads", std::to_string(gan_threads), "--out", out, "--overwrite"},
        (scratch / "log").string());
    const double gan_ms = figure_before(gan.output, "ms/shower");
    rss = std::max(rss, figure_before(gan.output, "MiB)"));  // generate's own VmHWM
    std::printf("| %lld | %.4f | %.3f | %.0fx |\n", e, mc_s, gan_ms, mc_s * 1e3 / gan_ms);
    std::fflush(stdout);
  }
  std::printf(
      "\nPeak resident memory of generate at batch 128 (1024 showers, HDF5 file written): %.0f MiB.\n", rss);
}

}  // namespace

void add_bench_generate_command(CLI::App& bench) {
  auto opts = std::make_shared<GenBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "generate", "GAN generation speed vs PyTorch and sgemm; Monte Carlo vs GAN per shower");
  cmd->add_option("--checkpoint", opts->checkpoint,
                  "Generator weights (default: the shipped model, else initialised weights)");
  cmd->add_option("--batches", opts->batches, "Batch sizes")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Total thread counts")->capture_default_str();
  cmd->add_option("--streams", opts->streams, "Stream counts (each stream threads/streams threads)")
      ->capture_default_str();
  cmd->add_option("--precision", opts->precision, "Precisions: f32,bf16,int8")->capture_default_str();
  cmd->add_option("--min-time", opts->min_time, "Seconds per figure at least")->capture_default_str();
  cmd->add_flag("!--no-reference", opts->reference, "Skip the PyTorch reference");
  cmd->add_option("--mc-energies", opts->mc_energies, "Energies [GeV] of the Monte Carlo vs GAN table")
      ->capture_default_str();
  cmd->add_option("--mc-events", opts->mc_events, "Monte Carlo showers per energy")->capture_default_str();
  cmd->add_flag("!--no-mc", opts->mc, "Skip the Monte Carlo vs GAN table");
  cmd->callback([opts] { run_bench_generate(*opts); });
}

}  // namespace calo::cli
