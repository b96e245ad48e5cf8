#pragma once
// Conv3D (Keras Conv3D, stride 1, oneDNN direct convolution with blocked layouts chosen by
// oneDNN through format_tag::any):
//   in (N, IC, D, H, W) -> out (N, OC, D', H', W'),
//   D' = D + pad_front + pad_back - KD + 1 (likewise H, W), where
//   'valid': no padding; 'same' (Keras/TensorFlow): total K-1, front (K-1)/2, back the rest
//   (the larger half at the back, e.g. K=6: 2 + 3). extra_front/extra_back add explicit zero
//   padding (a folded ZeroPad3D).
// A folded UpSampling3D (`upsample` factors, applied to the input BEFORE the padding) makes
// D = fD * D_in etc.; it runs as a polyphase set of small convolutions on the original
// input (conv/conv3d_polyphase.cc), exact, with ~1/(fD fH fW) of the multiply-adds.
// An activation (ReLU or LeakyReLU) may be fused as a oneDNN post-op: exact in backward
// because the derivative is recovered from the saved output (y > 0 <=> x > 0 for alpha >= 0).
// A per-channel shift after the activation (channel_shift, Mode::infer only) is how an
// inference graph folds a following BatchNorm (src/infer/folded_generator.hh): a oneDNN
// binary-add post-op, so the folded BatchNorm costs no pass over memory.
// Parameters: "<name>.weight" [OC][IC][KD][KH][KW], "<name>.bias" [OC] (if use_bias),
// "<name>.shift" [OC] (if channel_shift).
#include <array>
#include <span>

#include "nn/initializers.hh"
#include "nn/layer.hh"

namespace calo::nn {

enum class Padding { valid, same };
/// Activations that can be fused into Conv3D.
enum class Activation { none, relu, leaky_relu };

/// How Conv3DSpec::int8 maps input values to bytes: x ~ scale (q - zero_point).
struct Int8Quantisation {
  /// Input value per step; 0 (the default): each sample's own, over [min(lo, 0), max(hi, 0)]
  /// of its input in 255 steps (dynamic quantisation: a generator's activations scale with the
  /// shower's energy, so one static range would leave low-energy showers a few steps).
  float scale = 0;
  int zero_point = 0;  ///< with a scale: the byte of input value 0 (0..255), also the padding's
};

struct Conv3DSpec {
  std::int64_t filters = 0;              ///< OC
  std::array<std::int64_t, 3> kernel{};  ///< KD, KH, KW
  Padding padding = Padding::valid;
  bool use_bias = true;
  Init kernel_init = Init::glorot_uniform;
  Init bias_init = Init::zeros;
  Activation activation = Activation::none;
  float alpha = 0.3f;                                ///< LeakyReLU slope
  std::array<std::int64_t, 3> extra_front{0, 0, 0};  ///< explicit zero padding D, H, W
  std::array<std::int64_t, 3> extra_back{0, 0, 0};
  std::array<std::int64_t, 3> upsample{1, 1, 1};  ///< nearest upsampling before padding
  /// out = activation(conv + bias) + shift[oc]; inference only (a Mode::train plan is a
  /// logic_error: no backward exists for it).
  bool channel_shift = false;
  /// Inference only: bf16 input and weights, f32 accumulation, bias, post-ops and output
  /// (oneDNN's avx512_core_bf16 kernels; the input is converted by the plan's reorder).
  bool bf16 = false;
  /// Inference only, where nn's phase kernels run the layer (conv/phase_convolution.hh; else
  /// this is ignored and bf16 / f32 applies): the input quantised to unsigned bytes as
  /// int8_input says, weights to signed bytes with one scale per output channel (per phase),
  /// int32 accumulation (AVX-512 VNNI), f32 epilogue and output.
  bool int8 = false;
  Int8Quantisation int8_input{};
};

class Conv3D : public Layer {
 public:
  Conv3D(Context& ctx, std::string name, Conv3DSpec spec);
  std::string type() const override { return "Conv3D"; }
  Dims output_dims(const Dims& in) const override;
  Dims declare(const Dims& in, ParameterStore& store) override;
  bool has_parameters() const override { return true; }
  /// A ZeroPad3D, or an UpSampling3D directly before the (absorbed) padding.
  bool absorb_previous(Layer& prev) override;
  bool absorb_next(Layer& next) override;  ///< a ReLU / LeakyReLU (if none fused yet)
  const Conv3DSpec& spec() const { return spec_; }

  /// Multiply-adds x 2 that forward executes for an input of dims `in` (all N samples):
  /// with a folded upsampling those of the polyphase convolutions, not of the layers as written.
  double forward_flops(const Dims& in) const;

  /// Total front/back padding per dimension D, H, W for an input of dims `in`.
  std::array<std::int64_t, 3> pad_front(const Dims& in) const;
  std::array<std::int64_t, 3> pad_back(const Dims& in) const;

  /// The parameters and their gradients in the store (after declare() and finalize()), as
  /// every plan reads and accumulates them: weight plain [OC][IC][KD][KH][KW], bias [OC]
  /// (empty without a bias).
  std::span<float> weight() const;
  std::span<float> bias() const;
  /// The channel shift [OC] (empty without channel_shift).
  std::span<float> shift() const;
  std::span<float> weight_grad() const;
  std::span<float> bias_grad() const;

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;
  /// A following Conv3D with one output channel (conv/conv3d_fused_pair.hh).
  bool fuses_with(const Layer& next) const override;
  std::unique_ptr<Plan> make_fused_plan(Layer& next, const Tensor& in, Mode mode) override;
  void initialise_parameters(Rng& rng) override;

 private:
  Conv3DSpec spec_;
  std::int64_t in_channels_ = 0;
  std::size_t weight_ = 0, bias_ = 0, shift_ = 0;
};

}  // namespace calo::nn
