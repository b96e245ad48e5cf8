#pragma once
// nn-internal: the direct plan of a Conv3D, one oneDNN direct convolution (direct_conv.hh)
// over the layer's input and output, plus the fused activation's backward. Also the part of
// the plans that change only some passes: the thin-input plan (its own data gradient) and
// the FFT plan (its own forward, data and weight gradients) use its activation backward.
#include "nn/conv/activation_backward.hh"
#include "nn/conv/direct_conv.hh"
#include "nn/conv3d.hh"
#include "nn/plan.hh"

namespace calo::nn {

class ConvPlan : public Plan {
 public:
  /// The gradients backward computes in train mode (Mode::infer builds none).
  enum class Gradients {
    all,           ///< data and weights
    weights_only,  ///< backward needs need_diff_in = false (the thin-input plan's own data gradient)
    none,          ///< only activation_backward (the FFT plan); backward() is a logic_error
  };

  ConvPlan(Conv3D& conv, const Tensor& in, Mode mode, Gradients gradients = Gradients::all);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

  /// The layout of the output (and of the diffs backward takes).
  memory::desc dst_desc() const { return conv_block_.dst_desc(); }
  /// After backward: d loss / d pre-activation in dst_desc() (diff_out itself without a
  /// fused activation).
  const memory& diff_pre_activation() const { return diff_pre_activation_; }

  /// The fused activation's backward alone: d loss / d pre-activation (diff_out itself
  /// without an activation), also what diff_pre_activation() returns afterwards.
  memory activation_backward(const Tensor& diff_out);

  /// For a plan that computes the forward its own way (the FFT plan): the output buffer it
  /// fills (dst_desc(), activation applied), which activation_backward reads.
  Tensor& output() { return out_; }

 private:
  Conv3D& conv_;
  Gradients gradients_;
  DirectConv conv_block_;
  Reorder src_re_;              // input layout -> the convolution's src layout
  bool weights_ready_ = false;  // the block holds the store's weights (constant_weights())
  memory src_mem_;
  Tensor saved_in_, out_;
  ActivationBackward act_bwd_;
  Tensor diff_in_;
  memory diff_pre_activation_;
};

}  // namespace calo::nn
