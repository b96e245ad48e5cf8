#pragma once
// Generator: the spec's generator layers as one nn::Sequential with its own ParameterStore
// (its own optimiser and allreduce buffer).
//
//   z     (N, latent_size, 1, 1, 1)  plain: energy [100 GeV] x N(0,1)^latent_size
//   image (N, 1, X, Y, L)            [GeV] per cell, [x][y][layer] (may be oneDNN-blocked:
//                                    image.to_host() gives plain NCDHW)
#include <cstdint>

#include "core/rng.hh"
#include "gan/model_spec.hh"
#include "nn/context.hh"
#include "nn/parameter_store.hh"
#include "nn/sequential.hh"

namespace calo::gan {

class Generator {
 public:
  /// Builds, declares and finalises the network (parameters zero until initialise()).
  Generator(nn::Context& ctx, const ModelSpec& spec);

  std::int64_t latent_size() const { return latent_size_; }
  /// (batch, latent_size, 1, 1, 1) / (batch, 1, X, Y, L).
  nn::Dims input_dims(std::int64_t batch) const;
  nn::Dims output_dims(std::int64_t batch) const;

  /// Fill every parameter from the spec's initialisers (BatchNorm state to 0 / 1).
  void initialise(Rng& rng) { net_.initialise(rng); }

  const nn::Tensor& forward(const nn::Tensor& z, nn::Mode mode) { return net_.forward(z, mode); }
  /// After a Mode::train forward: accumulates parameter gradients (unless switched off) and
  /// returns d loss / d z when need_diff_z (else nullptr). layer_done: nn::LayerDoneHook;
  /// factors: nn::GradientFactorSink (for the Dense layer).
  const nn::Tensor* backward(const nn::Tensor& diff_image, bool need_diff_z = false,
                             const nn::LayerDoneHook* layer_done = nullptr,
                             const nn::GradientFactorSink* factors = nullptr) {
    return net_.backward(diff_image,
                         {.need_diff_in = need_diff_z, .layer_done = layer_done, .factors = factors});
  }
  void set_weight_grads(bool on) { net_.set_weight_grads(on); }

  nn::ParameterStore& store() { return store_; }
  const nn::ParameterStore& store() const { return store_; }
  nn::Sequential& network() { return net_; }

 private:
  std::int64_t latent_size_;
  Triple image_;
  nn::ParameterStore store_;
  nn::Sequential net_;
};

}  // namespace calo::gan
