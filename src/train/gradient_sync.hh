#pragma once
// GradientSync: what GanStep does with a network's gradients between its backward pass and
// the optimiser step when several ranks train together (docs/distributed.md): begin() before
// the backward, hook() passed to it (called as each layer's gradients become final, so the
// reduction can overlap the rest of the backward), finish() before the optimiser step, after
// which every rank holds the gradient of the loss averaged over all ranks' events.
// distributed_gradients.hh implements it over dist; without one GanStep runs as one process.
#include <cstdint>

#include "nn/layer.hh"
#include "nn/parameter_store.hh"

namespace calo::train {

class GradientSync {
 public:
  virtual ~GradientSync() = default;
  /// This step's batch on this rank and over all ranks (weights of the average).
  virtual void set_batches(std::int64_t local, std::int64_t global) = 0;
  /// A backward into store's gradients is about to run (they are zero).
  virtual void begin(nn::ParameterStore& store) = 0;
  /// The layer hook for that backward (nullptr: none).
  virtual const nn::LayerDoneHook* hook() = 0;
  /// Where that backward's Dense layers may hand their gradients as sufficient factors
  /// (nn::GradientFactorSink; nullptr: they accumulate them as usual).
  virtual const nn::GradientFactorSink* factor_sink() { return nullptr; }
  /// The backward is done: average store's gradients over the ranks.
  virtual void finish(nn::ParameterStore& store) = 0;
};

}  // namespace calo::train
