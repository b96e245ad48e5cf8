#pragma once
// Optimisers over a ParameterStore's flat buffers: step() applies one update from
// store.grads() to store.values() in a single sweep. Per-parameter state (RMSprop's
// accumulator, Adam's moments) is kept flat alongside and exported/imported by parameter
// NAME for checkpoints ("gen.conv1.weight/rms", ...), never by address.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nn/parameter_store.hh"

namespace calo::nn {

class Optimizer {
 public:
  explicit Optimizer(ParameterStore& store);
  virtual ~Optimizer() = default;

  /// Keras-like type name ("RMSprop", "Adam"): what a checkpoint records, so that the state
  /// is restored only into the same kind of optimiser.
  virtual std::string type() const = 0;
  /// One update with the current gradients.
  virtual void step() = 0;
  float learning_rate() const { return lr_; }
  void set_learning_rate(float lr) { lr_ = lr; }  ///< warm-up / scaling by workers
  /// Completed steps (Adam's t), an exact 64-bit count.
  std::int64_t iterations() const { return iterations_; }
  /// Restore the step count (checkpoints; InputError when negative).
  void set_iterations(std::int64_t n);

  /// Slot state by name: "<parameter name>/<slot>" -> values (same size as the
  /// parameter). The step count is NOT part of it (a float would be inexact above 2^24):
  /// save iterations() and restore it with set_iterations().
  std::map<std::string, std::vector<float>> state() const;
  /// Restore the slots from state(); InputError on a missing entry or a size mismatch.
  /// Other keys (e.g. an "iterations" entry of older callers) are ignored; the step count
  /// is left as it is.
  void load_state(const std::map<std::string, std::vector<float>>& state);

 protected:
  /// Slot name and flat buffer ([store.size()]) for each kind of state.
  void add_slot(std::string slot);
  std::vector<float>& slot(std::size_t i) { return slots_[i].second; }

  ParameterStore& store_;
  float lr_ = 1e-3f;
  std::int64_t iterations_ = 0;

 private:
  std::vector<std::pair<std::string, std::vector<float>>> slots_;
};

/// RMSprop, Keras semantics (Hinton, lecture 6e): v = rho v + (1 - rho) g^2;
/// w -= lr g / (sqrt(v) + eps). Defaults lr 1e-3, rho 0.9, eps 1e-7. Slot "rms".
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(ParameterStore& store, float lr = 1e-3f, float rho = 0.9f, float epsilon = 1e-7f);
  std::string type() const override { return "RMSprop"; }
  void step() override;

 private:
  float rho_, eps_;
};

/// Adam, Keras semantics (Kingma & Ba 2015, section 2 "efficient" form): t += 1;
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps).
/// Defaults lr 1e-3, b1 0.9, b2 0.999, eps 1e-7. Slots "m", "v".
class Adam : public Optimizer {
 public:
  explicit Adam(ParameterStore& store, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
                float epsilon = 1e-7f);
  std::string type() const override { return "Adam"; }
  void step() override;

 private:
  float b1_, b2_, eps_;
};

}  // namespace calo::nn
