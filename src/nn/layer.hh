#pragma once
// The layer contract (every layer of calo::nn follows it):
//
//   declare(in, store)  shape inference: the output dims for input dims `in` (N ignored),
//                       InputError "<layer name>: problem (why)" on impossible shapes; and
//                       parameter registration in `store` under "<layer name>.<param>".
//                       Called once, before store.finalize().
//   initialise(rng)     fill the layer's parameters from its spec'd initialisers (after
//                       finalize()). State (BatchNorm moving stats) gets its fixed init.
//   forward(in, mode)   returns the output; its memory belongs to the layer and is
//                       overwritten by the next forward with the same input shape.
//                       Primitives and buffers are built ONCE per (input dims, input
//                       layout, mode) — a "plan" — and reused; build() makes one ahead.
//                       The output may be in a oneDNN blocked layout.
//   backward(diff_out)  after a Mode::train forward: diff_out has the dims of that
//                       forward's output (else std::logic_error naming the layer); a
//                       diff_out in another memory layout is reordered into the output's
//                       layout first (a copy: pass the output's layout to avoid it). Accumulates (+=) the
//                       parameter gradients into store.grads() (unless weight gradients are switched off) and
//                       returns diff_in with the dims and layout of the forward's input
//                       (nullptr when need_diff_in is false). The input tensor given to
//                       forward must not be modified before backward.
//
// Weights are read from the store's flat buffer at every forward (reordered into the
// primitive's blocked layout when that differs: a few microseconds), so an optimiser or an
// allreduce may change values()/grads() freely between steps.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hh"
#include "nn/context.hh"
#include "nn/dims.hh"
#include "nn/parameter_store.hh"
#include "nn/tensor.hh"

namespace calo::nn {

class Plan;  // primitives + buffers for one input shape (nn-internal: plan.hh)
class Layer;

/// That layer's parameter gradients are final, so a data-parallel trainer may start reducing
/// them while the layers before it still compute (dist/overlapped_allreduce.hh). Called by a
/// layer itself as soon as its weight gradients are done, before its data gradient, where it
/// computes them in that order (Conv3D, Dense: report_parameters_final), and by
/// Sequential::backward after each of its layers' backward. So it may come twice for one
/// layer and backward: a receiver ignores repeats.
using LayerDoneHook = std::function<void(const Layer&)>;

/// Sufficient factors of a Dense layer's parameter gradients (Xie et al., "Distributed
/// machine learning via sufficient factor broadcasting", arXiv 1511.08486): for a batch of n,
/// dW = dy^T x and db = sum over the batch of dy, so the n x in inputs and n x out output
/// gradients stand for the out x in gradient. Plain row-major, valid during the call.
struct GradientFactors {
  std::span<const float> x, dy;
  std::int64_t n = 0, in = 0, out = 0;
};
/// Offered by Dense::backward before it accumulates its parameter gradients: returns true when
/// it takes the factors, and the layer then leaves its gradients as they are (a data-parallel
/// trainer gathers the factors of every rank instead of reducing the gradient:
/// train/distributed_gradients.hh); false: the layer accumulates them as usual.
using GradientFactorSink = std::function<bool(const Layer&, const GradientFactors&)>;

/// What backward computes besides the layer's own chain rule.
struct BackwardOptions {
  bool need_diff_in = true;                     ///< false: skip the data gradient (first layer of a model)
  const LayerDoneHook* layer_done = nullptr;    ///< see LayerDoneHook (null: none)
  const GradientFactorSink* factors = nullptr;  ///< see GradientFactorSink (null: none)
};

/// Calls opt's LayerDoneHook for layer, if there is one.
inline void report_parameters_final(const BackwardOptions& opt, const Layer& layer) {
  if (opt.layer_done && *opt.layer_done) (*opt.layer_done)(layer);
}

class Layer {
 public:
  Layer(Context& ctx, std::string name);
  virtual ~Layer();
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const std::string& name() const { return name_; }
  /// Keras-like type name ("Conv3D", "BatchNormalization", ...).
  virtual std::string type() const = 0;

  /// Output dims for input dims (same N). InputError naming the layer on impossible shapes.
  virtual Dims output_dims(const Dims& in) const = 0;
  /// Shape inference + parameter registration (see the contract above); returns output dims.
  virtual Dims declare(const Dims& in, ParameterStore& store);
  /// Fill parameters from the initialisers of the layer's spec (no-op without parameters).
  /// std::logic_error naming the layer when a layer with parameters is not declared and
  /// its store not finalized yet (as for forward).
  void initialise(Rng& rng);
  /// True for layers that register parameters or state in declare() (Conv3D, Dense,
  /// BatchNorm): they need a finalized store before initialise() and forward().
  virtual bool has_parameters() const { return false; }

  /// Make the plan for inputs like `example` in `mode` now (forward does it lazily).
  void build(const Tensor& example, Mode mode);
  virtual const Tensor& forward(const Tensor& in, Mode mode);
  /// Inference fusion (Sequential::forward runs it in Mode::infer for neighbouring layers):
  /// next.forward(forward(in)) in one pass, returning next's output, where this layer has a
  /// plan for it (Conv3D: a following single-output Conv3D, docs/nn.md); else nullptr and the
  /// two run as usual. The intermediate output is not kept.
  const Tensor* forward_through(Layer& next, const Tensor& in, Mode mode);
  virtual const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt = {});

  /// Switch parameter-gradient accumulation off (e.g. the frozen discriminator during a
  /// generator update: only diff_in is computed). Default on.
  virtual void set_weight_grads(bool on) { weight_grads_ = on; }
  bool weight_grads() const { return weight_grads_; }

  /// Keras `trainable = !on` (the frozen discriminator of a generator update): switches
  /// weight gradients off (back on with on = false) and puts the layer into its frozen
  /// behaviour: a BatchNorm's Mode::train forward normalises with the MOVING statistics
  /// and leaves them unchanged (backward is exact for that affine map). Dropout stays
  /// active and backward still computes diff_in. Sequential applies it to every layer.
  /// To get gamma/beta gradients of a frozen BatchNorm, call set_weight_grads(true) after.
  virtual void set_frozen(bool on) {
    frozen_ = on;
    set_weight_grads(!on);
  }
  bool frozen() const { return frozen_; }

  /// A promise of an inference graph: the parameters in the store do not change after the
  /// first forward, so plans may keep the weights they reordered into oneDNN's layouts (or
  /// folded into polyphase kernels) instead of reading the store again at every forward.
  /// Default off (training changes the weights between steps). Sequential applies it to
  /// every layer.
  virtual void set_constant_weights(bool on) { constant_weights_ = on; }
  bool constant_weights() const { return constant_weights_; }

  /// Folding (done by Sequential::declare, see docs/nn.md): a layer may absorb its
  /// neighbour (Conv3D absorbs a preceding ZeroPad3D and a following ReLU/LeakyReLU). The
  /// absorbed layer is then `folded`: an identity in forward and backward.
  virtual bool absorb_previous(Layer& /*prev*/) { return false; }
  virtual bool absorb_next(Layer& /*next*/) { return false; }
  bool folded() const { return folded_; }
  void set_folded(bool f) { folded_ = f; }

  Context& context() const { return *ctx_; }
  /// The store given to declare() (nullptr before).
  ParameterStore* store() const { return store_; }

 protected:
  /// Build the primitives and buffers for inputs like `in` in `mode` (called with the
  /// store checked, see has_parameters(), and the context's threads in effect).
  virtual std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) = 0;
  /// Whether make_fused_plan may give a plan with next (a cheap check of the layer types).
  virtual bool fuses_with(const Layer& /*next*/) const { return false; }
  /// The plan of forward_through for inputs like in, or nullptr where none applies.
  virtual std::unique_ptr<Plan> make_fused_plan(Layer& next, const Tensor& in, Mode mode);
  /// initialise() after its checks.
  virtual void initialise_parameters(Rng& /*rng*/) {}

  ParameterStore* store_ = nullptr;

 private:
  Plan& plan_for(const Tensor& in, Mode mode);
  /// The one check of API order for layers with parameters (std::logic_error: a caller's bug).
  void require_finalized_store(const char* call) const;

  Context* ctx_;
  std::string name_;
  bool weight_grads_ = true;
  bool frozen_ = false;
  bool constant_weights_ = false;
  bool folded_ = false;
  std::vector<std::unique_ptr<Plan>> plans_;  // one per (input dims, layout, mode)
  Plan* last_train_ = nullptr;                // plan of the last Mode::train forward
  // forward_through's plans (one that declines where none applies) and their next layers
  std::vector<std::unique_ptr<Plan>> fused_plans_;
  std::vector<const Layer*> fused_next_;
  Tensor last_out_;  // its output (a handle: dims and layout)
  Tensor diff_fix_;  // diff_out reordered to last_out_'s layout
};

}  // namespace calo::nn
