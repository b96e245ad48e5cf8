#pragma once
// Multi-stream generation: events are cut into batches [b B, (b+1) B) (the last one
// padded to B, see generation_run.cc), fixed by the event count and the batch size alone; `streams` workers,
// each with its own nn::Context of `threads_per_stream` threads and its own inference graph, take the next
// batch in turn; the calling thread receives the batches in event order (so a writer needs no locking). Since
// a batch's inputs depend only on its events (latent.hh) and every batch has the same size whichever worker
// runs it, the output does not depend on the number of streams (tests/infer and tests/cli check it, for
// threads too).
#include <cstdint>
#include <functional>
#include <span>

#include "infer/folded_generator.hh"
#include "infer/loaded_model.hh"

namespace calo::infer {

struct RunSettings {
  std::int64_t events = 0;
  std::int64_t batch_size = 128;
  int streams = 1;
  int threads_per_stream = 1;
  bool fold = true;  ///< the folded inference graph (false: the plain one)
  Precision precision = Precision::f32;
};

/// Fills z [n][latent] and energy_gev [n] for events [first, first + n); called by the
/// workers concurrently: must depend on its arguments only.
using InputFn =
    std::function<void(std::int64_t first, std::int64_t n, std::span<float> z, std::span<float> energy_gev)>;
/// Receives events [first, first + n) on the calling thread, in order: energies [n] and
/// cells [n][cells].
using OutputFn = std::function<void(std::int64_t first, std::int64_t n, std::span<const float> energy_gev,
                                    std::span<const float> cells)>;

/// Runs the generation; returns the wall seconds from the workers' start (graph building
/// included) to the last batch delivered. A worker's exception stops the run and is
/// rethrown here.
double run_generation(const LoadedModel& model, const RunSettings& settings, const InputFn& inputs,
                      const OutputFn& output);

}  // namespace calo::infer
