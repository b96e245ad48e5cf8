#pragma once
// Sequential: a chain of layers run one after the other; itself a Layer, so chains nest.
// Each layer keeps its own output (the intermediate activations backward needs).
//
//   Sequential gen(ctx, "gen");
//   gen.emplace<Dense>("gen.dense", DenseSpec{.units = 3136});
//   ...
//   ParameterStore store;
//   Dims out = gen.declare({.n = 1, .c = 200}, store);  // folding + shapes + parameters
//   store.finalize();
//   gen.initialise(rng);
//   const Tensor& y = gen.forward(z, Mode::train);
//   gen.backward(dy);                                    // grads in store.grads()
#include <memory>
#include <utility>
#include <vector>

#include "nn/layer.hh"

namespace calo::nn {

class Sequential : public Layer {
 public:
  Sequential(Context& ctx, std::string name);

  std::string type() const override { return "Sequential"; }

  /// Append a layer (before declare()); returns it.
  Layer& add(std::unique_ptr<Layer> layer);
  /// Construct a layer in place: emplace<Conv3D>("d.conv1", spec) == add(make_unique<
  /// Conv3D>(context(), "d.conv1", spec)).
  template <class L, class... Args>
  L& emplace(Args&&... args) {
    auto layer = std::make_unique<L>(context(), std::forward<Args>(args)...);
    L& ref = *layer;
    add(std::move(layer));
    return ref;
  }

  /// Fold layers into their neighbours (unless disabled), then declare every layer in turn.
  Dims declare(const Dims& in, ParameterStore& store) override;
  Dims output_dims(const Dims& in) const override;
  const Tensor& forward(const Tensor& in, Mode mode) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt = {}) override;
  void set_weight_grads(bool on) override;
  void set_constant_weights(bool on) override;
  /// Every layer frozen (Keras trainable=False, see Layer::set_frozen): weight gradients
  /// off, BatchNorm on its moving statistics, Dropout still active.
  void set_frozen(bool on) override;

  /// Folding of ZeroPad3D/activations into Conv3D and, in Mode::infer, fused pairs of
  /// neighbouring layers (Layer::forward_through) (default on; call before declare()).
  void set_folding(bool on) { folding_ = on; }

  std::size_t size() const { return layers_.size(); }
  Layer& layer(std::size_t i) { return *layers_.at(i); }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;
  void initialise_parameters(Rng& rng) override;  ///< every layer's initialise()

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
  bool folding_ = true;
  bool declared_ = false;
};

}  // namespace calo::nn
