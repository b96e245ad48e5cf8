#include "infer/generation_run.hh"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hh"
#include "infer/folded_generator.hh"
#include "nn/context.hh"

namespace calo::infer {

namespace {

struct Batch {
  std::vector<float> energy, cells;
};

}  // namespace

double run_generation(const LoadedModel& model, const RunSettings& settings, const InputFn& inputs,
                      const OutputFn& output) {
  CALO_VALIDATE(settings.events > 0, "generate: the number of events must be positive");
  CALO_VALIDATE(settings.batch_size > 0, "generate: the batch size must be positive");
  RunSettings s = settings;
  s.batch_size = std::min(s.batch_size, s.events);  // no padding of a run smaller than a batch
  CALO_VALIDATE(s.streams > 0 && s.threads_per_stream > 0, "generate: streams and threads must be positive");
  const std::int64_t batches = (s.events + s.batch_size - 1) / s.batch_size;
  const int workers = static_cast<int>(std::min<std::int64_t>(s.streams, batches));
  // Batches a worker may run ahead of the writer: bounds the memory held.
  const std::int64_t window = 2 * workers;

  std::mutex mutex;
  std::condition_variable changed;
  std::int64_t next_batch = 0, written = 0;
  std::map<std::int64_t, Batch> done;
  std::exception_ptr error;

  const auto start = std::chrono::steady_clock::now();
  auto work = [&] {
    try {
      nn::Context ctx(s.threads_per_stream);
      FoldedGenerator gen(ctx, model, s.fold, s.precision);
      std::vector<float> z;
      for (;;) {
        std::int64_t b;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return error || next_batch >= batches || next_batch < written + window; });
          if (error || next_batch >= batches) return;
          b = next_batch++;
        }
        const std::int64_t first = b * s.batch_size, n = std::min(s.batch_size, s.events - first);
        Batch out;
        z.resize(static_cast<std::size_t>(n * gen.latent_size()));
        out.energy.resize(static_cast<std::size_t>(n));
        out.cells.resize(static_cast<std::size_t>(n * gen.cells()));
        inputs(first, n, z, out.energy);
        // Every batch at the full size, so a shower does not depend on where the run ends
        // (oneDNN may block a batch of 3 differently from one of 128): the last batch is
        // padded with copies of its first event (a batch is min(batch size, events)).
        if (n < s.batch_size) {
          const std::int64_t L = gen.latent_size();
          std::vector<float> zf(static_cast<std::size_t>(s.batch_size * L));
          std::copy(z.begin(), z.end(), zf.begin());
          for (std::int64_t i = n; i < s.batch_size; ++i) std::copy_n(z.begin(), L, zf.begin() + i * L);
          std::vector<float> cf(static_cast<std::size_t>(s.batch_size * gen.cells()));
          gen.run(zf, s.batch_size, cf);
          std::copy_n(cf.begin(), out.cells.size(), out.cells.begin());
        } else {
          gen.run(z, n, out.cells);
        }
        std::lock_guard lock(mutex);
        done.emplace(b, std::move(out));
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back(work);

  std::exception_ptr failure;
  try {
    for (std::int64_t b = 0; b < batches; ++b) {
      Batch batch;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return error || done.count(b); });
        if (error) break;
        batch = std::move(done.at(b));
        done.erase(b);
      }
      const std::int64_t first = b * s.batch_size;
      output(first, static_cast<std::int64_t>(batch.energy.size()), batch.energy, batch.cells);
      std::lock_guard lock(mutex);
      ++written;
      changed.notify_all();
    }
  } catch (...) {  // the writer failed: stop the workers before leaving
    failure = std::current_exception();
  }
  {
    std::lock_guard lock(mutex);
    if (failure && !error) error = failure;
    changed.notify_all();
  }
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace calo::infer
