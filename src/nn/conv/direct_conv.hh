#pragma once
// nn-internal: one oneDNN direct convolution (stride 1) with its passes, the building block
// of every Conv3D plan: ConvPlan runs one for the layer, PolyphaseConvPlan one per phase.
//
// It holds the forward primitive (with the activation fused as a post-op), the backward-data
// and backward-weights primitives hinted by it, and the reorders between the layouts the
// caller works in and those oneDNN chose (format_tag::any, oneDNN's convolution example).
// The weights come in plain [OC][IC][KD][KH][KW] and the weight gradient goes back plain.
// For some shapes (e.g. the generator's conv1: 8 input channels) oneDNN 2.6 has no JIT
// weight-gradient kernel for the blocked layouts the forward chose and falls back to a GEMM
// (x64:gemm, ~3x slower); its channels-last kernel handles them, so the block then runs the
// weight gradient channels-last (the reorders into that layout are cheap next to it).
// The fused activation's backward is not here: it acts on the layer's whole output
// (activation_backward.hh).
#include "nn/conv3d.hh"
#include "nn/dnnl_impl.hh"

namespace calo::nn {

class DirectConv {
 public:
  /// The convolution: dims of src (N, IC, D, H, W), weights (OC, IC, KD, KH, KW) and dst
  /// (N, OC, D', H', W'); zero padding per D, H, W.
  struct Shape {
    memory::dims src, weights, dst, pad_front, pad_back;
    bool bias = false;
    Activation activation = Activation::none;  ///< applied to the forward's output (post-op)
    float alpha = 0.f;                         ///< LeakyReLU slope
    bool shift = false;                        ///< + shift[oc] after the activation (post-op)
    bool bf16 = false;                         ///< bf16 src and weights (Mode::infer), f32 dst
  };
  /// How backward_weights writes the plain weight gradient: added to it (a layer's gradient
  /// in the store) or overwriting it (a polyphase kernel's, folded onto the layer's after).
  enum class WeightGradient { none, accumulate, overwrite };
  /// The backward passes to build (Mode::train only).
  struct Passes {
    bool data = false;
    WeightGradient weights = WeightGradient::none;
  };
  /// The layouts the caller works in, format_tag::any where oneDNN may choose: src and dst of
  /// every pass, and the layout backward_data writes (empty: src_desc()). With
  /// backward_as_forward the backward passes are built on the layouts the forward chose
  /// (so that their data gradients share them: the polyphase phases), else they choose their
  /// own and the block reorders (the weight gradient's fallback may still change them).
  struct Layouts {
    memory::desc src, dst, diff_src;
    bool backward_as_forward = false;
  };

  DirectConv() = default;
  DirectConv(ContextImpl& ctx, const Shape& shape, Mode mode, Passes passes, const Layouts& layouts);

  /// The forward's layouts: of the src it reads, the dst it writes (and the diff_dst the
  /// backward passes read).
  memory::desc src_desc() const { return fwd_pd_.src_desc(); }
  memory::desc dst_desc() const { return fwd_pd_.dst_desc(); }

  /// The weights, plain, for the next forward and backward_data: read now (reordered into
  /// the convolution's layout when that differs) and again by backward_data if its layout
  /// differs from the forward's, so they must stay valid until then.
  void set_weights(ContextImpl& ctx, float* plain);
  /// dst (dst_desc()) = activation(conv(src (src_desc()), weights) + bias) + shift.
  void forward(ContextImpl& ctx, const memory& src, const memory& dst, const float* bias,
               const float* shift = nullptr);
  /// Weight gradient (plain, added or overwritten: Passes) and bias gradient (+=; null
  /// without a bias) of the forward's src and diff_dst (d loss / d output before the
  /// activation, dst_desc()).
  void backward_weights(ContextImpl& ctx, const memory& src, const memory& diff_dst, float* diff_weights,
                        float* diff_bias);
  /// diff_src (Layouts::diff_src) = the data gradient of diff_dst (dst_desc()).
  void backward_data(ContextImpl& ctx, const memory& diff_dst, const memory& diff_src);

 private:
  void build_backward_data(ContextImpl& ctx, const Shape& s, const Layouts& l);
  /// src, dst: the layouts the weight gradient's descriptor asks for.
  void build_backward_weights(ContextImpl& ctx, const Shape& s, const memory::desc& src,
                              const memory::desc& dst, WeightGradient mode);

  bool bias_ = false;
  int shift_post_op_ = -1;  // index of the shift's binary post-op (-1: none)
  memory shift_user_;
  dnnl::convolution_forward::primitive_desc fwd_pd_;
  dnnl::convolution_forward fwd_;
  Reorder w_re_;  // plain weights -> the forward's layout
  memory w_user_, w_mem_, b_user_;
  // backward-data
  dnnl::convolution_backward_data::primitive_desc bd_pd_;
  dnnl::convolution_backward_data bd_;
  Reorder bd_ddst_re_, bd_w_re_, bd_dsrc_re_;
  memory bd_ddst_, bd_w_, bd_dsrc_;
  // backward-weights
  dnnl::convolution_backward_weights::primitive_desc bw_pd_;
  dnnl::convolution_backward_weights bw_;
  Reorder bw_src_re_, bw_ddst_re_, dw_re_;
  memory bw_src_, bw_ddst_, bw_dw_, bw_db_, dw_user_;
  bool dw_copy_ = false;  // overwrite with equal layouts: a copy, not a reorder
};

}  // namespace calo::nn
