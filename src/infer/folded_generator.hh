#pragma once
// The inference graph of a generator: the training graph's forward in Mode::infer with
//  - every BatchNormalization that follows a Conv3D (directly or through a ReLU/LeakyReLU)
//    folded: y = a x + b per channel, a = gamma / sqrt(moving_variance + eps),
//    b = beta - a moving_mean. Where a >= 0 (or no activation lies between) the scale goes
//    into the convolution's weights and bias, since LeakyReLU(a z) = a LeakyReLU(z) for
//    a >= 0; where a < 0 it goes into the input channel of the next convolution (through
//    its up-sampling and zero padding: the padding stays zero after scaling), with the
//    shift then b / a. The shift itself is added after the activation as a oneDNN post-op
//    (Conv3DSpec::channel_shift) and so before the next zero padding: folding it into the
//    next convolution's bias instead would add it at the padded borders too, which the
//    training graph does not. A BatchNorm that fits neither form stays a layer;
//  - activations fused into the convolutions and the up-samplings run polyphase (nn's
//    Sequential folding, docs/nn.md);
//  - one input tensor and one plan per batch size, built on first use, so a repeated call
//    allocates no buffers.
// Equal to the plain forward up to float rounding (tests/infer: <= 1e-5 relative).
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "infer/loaded_model.hh"
#include "nn/context.hh"
#include "nn/parameter_store.hh"
#include "nn/sequential.hh"

namespace calo::infer {

/// Arithmetic of the convolutions: f32; bf16 inputs and weights with f32 accumulation; int8:
/// the up-sampling convolutions on nn's int8 kernels (each shower's input quantised to bytes
/// over its own range, s8 weights per output channel, int32 sums: nn/conv3d.hh; where those
/// kernels do not apply the layer stays as below) and the other convolutions in bf16 where
/// the CPU has AVX-512 BF16, else f32. The dense layer stays f32 (~0.3 % of the FLOPs).
enum class Precision { f32, bf16, int8 };

class FoldedGenerator {
 public:
  /// fold = false keeps every BatchNorm as a layer (the plain graph, for comparisons).
  FoldedGenerator(nn::Context& ctx, const LoadedModel& model, bool fold = true,
                  Precision precision = Precision::f32);

  std::int64_t latent_size() const { return latent_size_; }
  /// Cells per shower (x * y * layer).
  std::int64_t cells() const { return cells_; }
  /// How many BatchNorm layers were folded away.
  int folded_batchnorms() const { return folded_; }

  /// out [n][cells] (plain [x][y][layer]) = generator(z [n][latent_size]).
  void run(std::span<const float> z, std::int64_t n, std::span<float> out);

  /// Runs z through the graph layer by layer and shows the input of every up-sampling
  /// convolution to observe(layer name, values) (int8 calibration).
  void observe_upsampling_inputs(
      std::span<const float> z, std::int64_t n,
      const std::function<void(const std::string&, std::span<const float>)>& observe);

 private:
  nn::Context& ctx_;
  std::int64_t latent_size_, cells_;
  int folded_ = 0;
  nn::ParameterStore store_;
  nn::Sequential net_;
  std::map<std::int64_t, nn::Tensor> inputs_;  // per batch size
};

}  // namespace calo::infer
