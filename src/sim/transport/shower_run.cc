#include "sim/transport/shower_run.hh"

#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.hh"

namespace calo::sim {

namespace {
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
}  // namespace

ReadoutGrid readout_for(const LayerStack& stack, int window) {
  CALO_VALIDATE(window > 0 && window % 2 == 1,
                "invalid window " + std::to_string(window) + " (must be an odd cell count, e.g. 25 or 51)");
  return ReadoutGrid{window, window, stack.readout_layers, stack.cell_size};
}

RunStats run_showers(const ShowerPhysics& physics, const RunRequest& req, const BatchSink& sink,
                     const ProgressHook& progress) {
  CALO_VALIDATE(req.threads >= 1, "invalid thread count (must be >= 1)");
  const ReadoutGrid grid = readout_for(physics.stack(), req.window);
  const std::size_t cells = grid.cells();
  const int threads =
      static_cast<int>(std::min<std::uint64_t>(req.threads, std::max<std::uint64_t>(1, req.events)));

  std::vector<ShowerTransport> workers;
  std::vector<EventScore> scores(threads);
  for (int i = 0; i < threads; ++i) workers.emplace_back(physics, grid);

  RunStats stats;
  stats.events = req.events;
  std::mutex stats_mutex;
  const auto wall_start = std::chrono::steady_clock::now();
  ShowerBatch batch;
  for (std::uint64_t first = 0; first < req.events; first += req.batch_events) {
    const std::uint64_t count = std::min(req.batch_events, req.events - first);
    batch.first_event = first;
    batch.count = count;
    batch.ecal.assign(count * cells, 0.0f);
    batch.energy_gev.assign(count, 0.0f);
    batch.deposit.assign(count, 0.0);
    batch.escaped.assign(count, 0.0);
    batch.balance.assign(count, 0.0);
    batch.steps.assign(count, 0);

    std::atomic<std::uint64_t> next{0};
    std::exception_ptr failure;
    auto work = [&](int w) {
      const double cpu0 = thread_cpu_seconds();
      try {
        for (std::uint64_t i; (i = next.fetch_add(1)) < count;) {
          const std::uint64_t event = first + i;
          Rng rng(req.seed, event);
          const double energy = req.energies.energy_of(event, rng);
          EventScore& score = scores[w];
          workers[w].simulate(req.particle, energy, rng, score);
          float* out = batch.ecal.data() + i * cells;
          for (std::size_t c = 0; c < cells; ++c) out[c] = static_cast<float>(score.cells[c] / units::GeV);
          batch.energy_gev[i] = static_cast<float>(energy / units::GeV);
          batch.deposit[i] = score.total_deposit();
          batch.escaped[i] = score.escaped;
          batch.balance[i] = score.rest_mass_balance;
          batch.steps[i] = score.steps;
        }
      } catch (...) {
        std::lock_guard lock(stats_mutex);
        failure = std::current_exception();
      }
      std::lock_guard lock(stats_mutex);
      stats.cpu_seconds += thread_cpu_seconds() - cpu0;
    };
    std::vector<std::thread> pool;
    for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
    work(0);
    for (auto& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
    for (long s : batch.steps) stats.steps += s;
    sink(batch);
    if (progress) progress(first + count, req.events);
  }
  stats.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return stats;
}

}  // namespace calo::sim
