// calo3dgan bench scaling: the data-parallel picture of this machine and its projection to a
// cluster (docs/distributed.md, "Scaling model"). Measures the training step's compute time,
// the allreduce time of the gradients a step exchanges and, under mpirun, the step with the
// exchange overlapped and the share of the allreduce hidden behind backward; then projects time
// per epoch and efficiency for 1 to --max-nodes nodes from the ring-allreduce cost model.
//
//   calo3dgan bench scaling --threads 2                          # 1 rank x 2 threads
//   mpirun -n 2 --bind-to core calo3dgan bench scaling --threads 1   # 2 ranks x 1 thread
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "cli/bench_support.hh"
#include "cli/commands.hh"
#include "cli/nn_options.hh"
#include "core/data_path.hh"
#include "core/error.hh"
#include "dist/communication_share.hh"
#include "dist/fusion_buckets.hh"
#include "dist/mpi_communicator.hh"
#include "dist/ring_allreduce_model.hh"
#include "gan/model_spec.hh"
#include "nn/context.hh"
#include "nn/optimizer.hh"
#include "train/distributed_gradients.hh"
#include "train/gan_step.hh"

namespace calo::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct ScalingBenchOptions {
  std::string model = gan::kDefaultModel;
  std::int64_t batch_size = 8;
  int threads = 1;
  int steps = 5;
  double fusion_mib = static_cast<double>(train::kDefaultFusionBytes) / (1 << 20);
  // The projected cluster: the seed's (DESIGN.md section 1: 2-socket Xeon nodes, 4 workers
  // per node, 180k showers per epoch, 100 Gb/s interconnect).
  double bandwidth_gbps = 100, latency_us = 2;
  int workers_per_node = 4, cores_per_node = 56, max_nodes = 256;
  double node_speedup = 0;  // 0: cores_per_node / workers_per_node / threads (linear in cores)
  double hidden = -1;       // < 0: measured (under mpirun), else 0
  std::int64_t events = 180000;
  std::string dense_factors = "auto";
};

/// Seconds per call of fn, the mean of `steps` calls after one warm-up, the same on every rank
/// (the slowest rank's: a data-parallel step waits for it).
double seconds_per_call(dist::Communicator& comm, int steps, const std::function<void()>& fn) {
  fn();
  const auto t0 = Clock::now();
  for (int i = 0; i < steps; ++i) fn();
  double s[1] = {std::chrono::duration<double>(Clock::now() - t0).count() / steps};
  // max over ranks via the sum of each rank's value placed in its own slot
  std::vector<double> all(comm.size(), 0.0);
  all[comm.rank()] = s[0];
  comm.allreduce_sum(all);
  return *std::ranges::max_element(all);
}

std::size_t bucket_count(const nn::ParameterStore& store, std::size_t threshold) {
  std::vector<std::size_t> offsets, sizes;
  for (const nn::ParameterInfo& p : store.parameters()) offsets.push_back(p.offset), sizes.push_back(p.size);
  return dist::fusion_buckets(offsets, sizes, threshold).size();
}

void run_bench_scaling(const ScalingBenchOptions& o) {
  CALO_VALIDATE(
      o.batch_size >= 1 && o.threads >= 1 && o.steps >= 1 && o.workers_per_node >= 1 &&
          o.cores_per_node >= 1 && o.max_nodes >= 1 && o.events >= 1,
      "--batch-size, --threads, --steps, --workers-per-node, --cores-per-node, --max-nodes and --events "
      "must be >= 1");
  CALO_VALIDATE(o.bandwidth_gbps > 0 && o.latency_us >= 0 && o.fusion_mib >= 0 && o.hidden <= 1,
                "--bandwidth-gbps must be > 0, --latency-us and --fusion-threshold >= 0, --hidden <= 1");
  const train::DenseFactors factors = train::parse_dense_factors(o.dense_factors);
  std::unique_ptr<dist::Communicator> comm;
  if (dist::launched_by_mpi())
    comm = std::make_unique<dist::MpiCommunicator>();
  else
    comm = std::make_unique<dist::SerialCommunicator>();
  const int ranks = comm->size();
  const bool leader = comm->rank() == 0;

  const gan::ModelSpec spec = gan::load_model_spec(o.model);
  nn::ContextOptions context_options = nn_options_from_environment();
  context_options.threads = o.threads;
  nn::Context ctx(context_options);
  gan::Generator gen(ctx, spec);
  gan::Discriminator disc(ctx, spec);
  Rng rng(12345, static_cast<std::uint64_t>(comm->rank()));
  gen.initialise(rng);
  disc.initialise(rng);
  nn::RMSprop opt_g(gen.store()), opt_d(disc.store());
  train::GanStep step(ctx, gen, disc, opt_g, opt_d);
  const std::vector<float> images =
      synthetic_cells(static_cast<std::size_t>(o.batch_size * step.cells_per_image()), rng);
  std::vector<float> energies(o.batch_size);
  for (float& e : energies) e = static_cast<float>(0.1 + 4.9 * rng.uniform());
  const auto threshold = static_cast<std::size_t>(o.fusion_mib * (1 << 20));
  const int g_updates = step.config().generator_updates;
  // Per step: 2 D updates and g_updates G updates, each an allreduce of its network's gradients.
  const double d_bytes = 4.0 * static_cast<double>(disc.store().size());
  const double g_bytes = 4.0 * static_cast<double>(gen.store().size());
  const double step_bytes = 2 * d_bytes + g_updates * g_bytes;
  const double step_calls = 2.0 * static_cast<double>(bucket_count(disc.store(), threshold)) +
                            g_updates * static_cast<double>(bucket_count(gen.store(), threshold));

  if (leader) {
    std::printf("calo3dgan %s  bench scaling: model %s, batch %lld per rank, %d rank%s x %d thread%s\n\n",
                version(), spec.name.c_str(), static_cast<long long>(o.batch_size), ranks,
                ranks == 1 ? "" : "s", o.threads, o.threads == 1 ? "" : "s");
    std::fflush(stdout);
  }
  // 1. Compute alone: the step without any exchange (every rank at once, as in training).
  const double compute_s = seconds_per_call(*comm, o.steps, [&] { step.step(images, energies, rng); });
  // 2. The gradients' allreduces alone, as a step makes them (2 D, g_updates G).
  double allreduce_s = 0, step_s = compute_s, exchanged_bytes = step_bytes;
  dist::CommunicationShare share, share_plain;
  std::vector<std::string> factor_layers;
  if (ranks > 1) {
    allreduce_s = seconds_per_call(*comm, o.steps, [&] {
      comm->allreduce_sum(disc.store().grads());
      comm->allreduce_sum(disc.store().grads());
      for (int k = 0; k < g_updates; ++k) comm->allreduce_sum(gen.store().grads());
    });
    // 3. The data-parallel step: allreduces in buckets overlapping backward, with the Dense
    // layers' exchange as chosen; then with every gradient allreduced if that differs.
    const auto overlapped = [&](train::DenseFactors rule, double* step_seconds) {
      train::DistributedGradients sync(*comm, threshold, nullptr, true, o.batch_size, rule);
      step.set_gradient_sync(&sync);
      sync.set_batches(o.batch_size, ranks * o.batch_size);
      step.step(images, energies, rng);  // the plans and buffers made before anything is recorded
      sync.record_rounds(true);
      *step_seconds = seconds_per_call(*comm, o.steps, [&] { step.step(images, energies, rng); });
      step.set_gradient_sync(nullptr);
      // Every rank's rounds on every rank, each in its own slot of a sum.
      const std::vector<dist::OverlappedAllreduce::RoundTimes> mine = sync.rounds();
      const std::vector<double> flat = dist::flatten(mine);
      std::vector<double> all(flat.size() * ranks, 0.0);
      std::ranges::copy(flat, all.begin() + static_cast<std::ptrdiff_t>(flat.size() * comm->rank()));
      comm->allreduce_sum(all);
      std::vector<std::vector<dist::OverlappedAllreduce::RoundTimes>> per_rank;
      for (int r = 0; r < ranks; ++r)
        per_rank.push_back(dist::unflatten({all.begin() + static_cast<std::ptrdiff_t>(flat.size() * r),
                                            all.begin() + static_cast<std::ptrdiff_t>(flat.size() * (r + 1))},
                                           mine));
      const dist::CommunicationShare share = dist::communication_share(per_rank);
      if (rule == factors) {
        factor_layers = sync.factor_layers(gen.store());
        for (const auto& name : sync.factor_layers(disc.store())) factor_layers.push_back(name);
        exchanged_bytes = 4.0 * static_cast<double>(2 * sync.exchanged_floats(disc.store()) +
                                                    g_updates * sync.exchanged_floats(gen.store()));
      }
      return share;
    };
    share = share_plain = overlapped(factors, &step_s);
    if (!factor_layers.empty()) {
      double plain_step_s = 0;
      share_plain = overlapped(train::DenseFactors::never, &plain_step_s);
    }
  }
  if (!leader) return;

  std::printf("| measured on this machine | value |\n|---|---:|\n");
  std::printf("| parameters G / D | %zu / %zu |\n", gen.store().size(), disc.store().size());
  std::printf("| gradient bytes allreduced per step (2 D + %d G updates) | %.2f MB |\n", g_updates,
              step_bytes / 1e6);
  std::printf("| allreduce calls per step (fusion threshold %.2f MiB) | %.0f |\n", o.fusion_mib, step_calls);
  std::printf("| compute per step, no exchange [s] | %.4f |\n", compute_s);
  if (ranks > 1) {
    std::printf("| allreduce of a step's gradients alone, %d ranks [s] | %.4f |\n", ranks, allreduce_s);
    std::string which = "none";
    if (!factor_layers.empty()) {
      which.clear();
      for (const auto& name : factor_layers) which += (which.empty() ? "" : ", ") + name;
    }
    std::printf("| Dense layers exchanging sufficient factors (--dense-factors %s) | %s |\n",
                o.dense_factors.c_str(), which.c_str());
    std::printf("| bytes exchanged per step, per rank's contribution | %.2f MB |\n", exchanged_bytes / 1e6);
    std::printf("| data-parallel step, overlapped [s] | %.4f |\n", step_s);
    // Per step and rank (the timed steps and the warm-up before them: steps + 1).
    const double per_step = 1e3 / (o.steps + 1);
    std::printf("| collectives, once every rank has started them [ms/step] | %.3f |\n",
                per_step * share.communication);
    std::printf("| of which exposed: waited after every rank's backward [ms/step] | %.3f |\n",
                per_step * share.exposed);
    std::printf("| waited for slower ranks to finish backward [ms/step] | %.3f |\n",
                per_step * share.imbalance);
    std::printf("| share of the exchange hidden behind backward (of the collectives' time) | %.1f %% |\n",
                100 * share.hidden());
    std::printf("| 1 - exposed / the allreduce of a step's gradients alone | %.1f %% |\n",
                100 * (1 - per_step * share.exposed / (1e3 * allreduce_s)));
    // A typical step: the median round's exposure times the rounds per step.
    const double typical = share.median_exposed_per_round() *
                           static_cast<double>(share.exposed_per_round.size()) / (o.steps + 1);
    std::printf("| the same for a typical step (median round) | %.1f %% |\n",
                100 * (1 - typical / allreduce_s));
    std::printf("| exposed: median round, largest round [ms] | %.3f, %.3f |\n",
                1e3 * share.median_exposed_per_round(),
                1e3 * (share.exposed_per_round.empty() ? 0 : std::ranges::max(share.exposed_per_round)));
    if (!factor_layers.empty())
      std::printf("| the same with every gradient allreduced (the projection's) | %.1f %% |\n",
                  100 * share_plain.hidden());
  }
  std::printf("| throughput, all ranks [samples/s] | %.2f |\n\n", ranks * o.batch_size / step_s);

  // The projection (docs/distributed.md states each assumption).
  const double speedup = o.node_speedup > 0 ? o.node_speedup
                                            : static_cast<double>(o.cores_per_node) / o.workers_per_node /
                                                  static_cast<double>(o.threads);
  const double worker_compute = compute_s / speedup;
  const double local = ranks > 1 ? allreduce_s : 0;  // intra-node reduction: as measured here
  // Beyond a few dozen ranks every gradient is allreduced (the factors grow with the ranks):
  // the projection takes the share hidden that way, and the allreduce volume of every gradient.
  const double h = o.hidden >= 0 ? o.hidden : share_plain.hidden();
  const double backward = 2.0 / 3.0 * worker_compute;  // backward ~ 2x forward's FLOPs
  const dist::Network net{.bandwidth_bytes_per_s = o.bandwidth_gbps * 1e9 / 8,
                          .latency_s = o.latency_us * 1e-6};
  const auto step_time = [&](int nodes) {
    const double wire =
        dist::ring_allreduce_seconds(step_bytes, nodes, {net.bandwidth_bytes_per_s, 0}) +
        step_calls * dist::ring_allreduce_seconds(0, nodes, {net.bandwidth_bytes_per_s, net.latency_s});
    const double exposed = std::max(wire * (1 - h), wire - backward);
    return std::tuple{worker_compute + local + exposed, wire, exposed};
  };
  std::printf(
      "Projection: %d workers per node of %d cores (per-worker compute %.4f s = measured / %.2f), %g Gb/s, "
      "%g us, "
      "%.0f %% of the allreduce hidden, %lld showers per epoch, batch %lld per worker\n\n",
      o.workers_per_node, o.cores_per_node, worker_compute, speedup, o.bandwidth_gbps, o.latency_us, 100 * h,
      static_cast<long long>(o.events), static_cast<long long>(o.batch_size));
  std::printf(
      "| nodes | workers | global batch | steps/epoch | allreduce on the wire [ms] | exposed [ms] | step [s] "
      "| "
      "epoch [min] | efficiency |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  const double one_node = std::get<0>(step_time(1));
  for (int nodes = 1; nodes <= o.max_nodes; nodes *= 2) {
    const auto [t, wire, exposed] = step_time(nodes);
    const std::int64_t workers = static_cast<std::int64_t>(nodes) * o.workers_per_node;
    const std::int64_t steps = (o.events + workers * o.batch_size - 1) / (workers * o.batch_size);
    std::printf("| %d | %lld | %lld | %lld | %.3f | %.3f | %.4f | %.2f | %.1f %% |\n", nodes,
                static_cast<long long>(workers), static_cast<long long>(workers * o.batch_size),
                static_cast<long long>(steps), 1e3 * wire, 1e3 * exposed, t, steps * t / 60,
                100 * one_node / t);
    if (nodes * 2 > o.max_nodes && nodes != o.max_nodes) nodes = o.max_nodes / 2;  // end on max_nodes
  }
}

}  // namespace

void add_bench_scaling_command(CLI::App& bench) {
  auto o = std::make_shared<ScalingBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "scaling",
      "Data-parallel step, allreduce and overlap here (under mpirun); projected epoch time on N nodes");
  cmd->add_option("--model", o->model, "Model spec name or JSON file")->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size, "Showers per rank and step")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads per rank")->capture_default_str();
  cmd->add_option("--steps", o->steps, "Timed steps per figure (after one warm-up)")->capture_default_str();
  cmd->add_option("--fusion-threshold", o->fusion_mib, "Allreduce bucket size at least [MiB]")
      ->capture_default_str();
  cmd->add_option("--bandwidth-gbps", o->bandwidth_gbps, "Projected network bandwidth per node [Gb/s]")
      ->capture_default_str();
  cmd->add_option("--latency-us", o->latency_us, "Projected network latency per message [us]")
      ->capture_default_str();
  cmd->add_option("--workers-per-node", o->workers_per_node, "Projected ranks per node")
      ->capture_default_str();
  cmd->add_option("--cores-per-node", o->cores_per_node, "Projected cores per node")->capture_default_str();
  cmd->add_option("--node-speedup", o->node_speedup,
                  "A projected worker's compute speed over this run's (0: cores per worker / --threads)")
      ->capture_default_str();
  cmd->add_option("--hidden", o->hidden, "Share of the allreduce hidden behind backward (< 0: measured)")
      ->capture_default_str();
  cmd->add_option("--events", o->events, "Showers per epoch")->capture_default_str();
  cmd->add_option("--dense-factors", o->dense_factors,
                  "Dense layers exchange sufficient factors instead of their gradient: auto, always, never")
      ->capture_default_str();
  cmd->add_option("--max-nodes", o->max_nodes, "Largest projected node count")->capture_default_str();
  cmd->callback([o] { run_bench_scaling(*o); });
}

}  // namespace calo::cli
