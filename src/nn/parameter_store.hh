#pragma once
// ParameterStore: every trainable parameter of a model in ONE flat contiguous float buffer
// (values) with its gradient in a second one of the same layout (grads), so that a
// distributed trainer can allreduce grads() in place and an optimiser can sweep values()
// in one loop. Non-trainable state (BatchNorm moving mean/variance) lives in a separate
// named list (never allreduced, saved in checkpoints).
//
// Life cycle: layers add() their entries while the model is declared (Sequential::declare),
// then finalize() allocates both buffers (zero-filled); after that the buffers never move,
// so the spans below stay valid for the store's lifetime.
//
// Entries are named by the caller ("gen.conv1.weight", "gen.bn1.gamma", ...) and keep
// their order of registration. Each entry is stored plain (row-major) in its layer's
// documented shape, e.g. Conv3D weight [OC][IC][KD][KH][KW], Dense weight [OUT][IN].
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace calo::nn {

/// One named entry: where it lies in the flat buffers and its shape.
struct ParameterInfo {
  std::string name;
  std::vector<std::int64_t> shape;
  std::size_t offset = 0;  ///< [floats] into values()/grads() (or into the state buffer)
  std::size_t size = 0;    ///< [floats] product of shape
};

class ParameterStore {
 public:
  /// Register a trainable parameter; returns its index. InputError on a duplicate name,
  /// an empty or non-positive shape, or after finalize().
  std::size_t add(const std::string& name, std::vector<std::int64_t> shape);
  /// Register non-trainable state with every element set to init; returns its index.
  std::size_t add_state(const std::string& name, std::vector<std::int64_t> shape, float init);
  /// Allocate the flat buffers (values and grads zeroed, state set to its init value).
  void finalize();
  bool finalized() const { return finalized_; }

  /// All trainable values / gradients: [size()] floats each, entries back to back.
  std::span<float> values() { return values_; }
  std::span<const float> values() const { return values_; }
  std::span<float> grads() { return grads_; }
  std::span<const float> grads() const { return grads_; }
  std::size_t size() const { return values_.size(); }
  void zero_grads();

  /// Entry i's slice of values() / grads().
  std::span<float> value(std::size_t i);
  std::span<float> grad(std::size_t i);
  const std::vector<ParameterInfo>& parameters() const { return params_; }
  /// Index of the trainable parameter called name, if any.
  std::optional<std::size_t> find(const std::string& name) const;

  /// Non-trainable state entry i / all of them.
  std::span<float> state(std::size_t i);
  const std::vector<ParameterInfo>& states() const { return states_; }
  std::optional<std::size_t> find_state(const std::string& name) const;

 private:
  void check_new(const std::string& name, const std::vector<std::int64_t>& shape) const;

  bool finalized_ = false;
  std::vector<ParameterInfo> params_, states_;
  std::vector<float> state_init_;  // [states_.size()]
  std::vector<float> values_, grads_, state_;
};

}  // namespace calo::nn
