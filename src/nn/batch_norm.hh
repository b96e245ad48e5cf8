#pragma once
// BatchNorm (Keras BatchNormalization over the channel axis; oneDNN batch normalization):
//   train:  y = gamma (x - mean_B) / sqrt(var_B + eps) + beta with the batch statistics
//           over N, D, H, W (biased variance); then
//           moving_mean     = momentum moving_mean     + (1 - momentum) mean_B
//           moving_variance = momentum moving_variance + (1 - momentum) var_B * m/(m-1)
//           (m = N*D*H*W; the unbiased variance, as PyTorch and Keras 2.x do);
//   infer:  the same with the moving statistics.
//   frozen (set_frozen(true), Keras trainable=False; Layer::set_frozen): a Mode::train
//           forward normalises like infer, with the moving statistics, and does not update
//           them; backward is exact for that affine map, diff_x = diff_y gamma /
//           sqrt(moving_variance + eps) (gamma/beta gradients only with weight grads on,
//           which set_frozen(true) switches off).
// Train mode with batch statistics runs nn's kernels (batch_norm_backward.hh): batch
// mean/variance and the backward's per-channel sums (dy, dy * x_hat) accumulated in
// double, deterministic for any thread count; infer and frozen use oneDNN (docs/nn.md).
// Defaults: momentum 0.99, eps 1e-3. Keeps the input's layout.
// Parameters: "<name>.gamma" [C] (init 1), "<name>.beta" [C] (init 0); state
// "<name>.moving_mean" [C] (0), "<name>.moving_variance" [C] (1).
#include "nn/layer.hh"

namespace calo::nn {

struct BatchNormSpec {
  float momentum = 0.99f;
  float epsilon = 1e-3f;
};

class BatchNorm : public Layer {
 public:
  BatchNorm(Context& ctx, std::string name, BatchNormSpec spec = {});
  std::string type() const override { return "BatchNormalization"; }
  Dims output_dims(const Dims& in) const override;
  Dims declare(const Dims& in, ParameterStore& store) override;
  bool has_parameters() const override { return true; }
  const BatchNormSpec& spec() const { return spec_; }
  /// Changes the moving-average momentum used by the next training forwards (in [0, 1];
  /// std::logic_error otherwise): re-estimating the statistics as a cumulative average
  /// (gan/batch_norm_refresh.hh) steps it through 0, 1/2, 2/3, ...
  void set_momentum(float momentum);

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;
  void initialise_parameters(Rng& rng) override;

 private:
  friend class BatchNormPlan;
  BatchNormSpec spec_;
  std::int64_t channels_ = 0;
  std::size_t gamma_ = 0, beta_ = 0, mean_ = 0, var_ = 0;
};

}  // namespace calo::nn
