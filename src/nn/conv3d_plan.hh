#pragma once
// nn-internal: the direct oneDNN plan of a Conv3D (conv3d.cc), shared with the plans that
// change only one of its passes (conv3d_thin_input.cc: the data gradient).
#include "nn/conv3d.hh"
#include "nn/plan.hh"

namespace calo::nn {

class ConvPlan : public Plan {
 public:
  /// With gradients = false a train-mode plan builds only the forward and the fused
  /// activation's backward (activation_backward), for a plan that computes the data and
  /// weight gradients its own way (the FFT plan); backward() is then a logic_error.
  ConvPlan(Conv3D& conv, const Tensor& in, Mode mode, bool gradients = true);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

  /// The layout of the output (and of the diffs backward takes).
  memory::desc dst_desc() const { return fwd_pd_.dst_desc(); }
  /// After backward: d loss / d pre-activation in dst_desc() (diff_out itself without a
  /// fused activation). A plan that computes diff_in its own way (the thin-input plan) runs
  /// backward with need_diff_in = false and takes it from here.
  const memory& diff_pre_activation() const { return diff_pre_activation_; }

  /// The fused activation's backward alone: d loss / d pre-activation (diff_out itself
  /// without an activation), also what diff_pre_activation() returns afterwards. For a plan
  /// that computes the data and weight gradients its own way (the FFT plan).
  memory activation_backward(const Tensor& diff_out);

  /// For a plan that computes the forward its own way (the FFT plan): the output buffer it
  /// fills (dst_desc(), activation applied), which activation_backward reads.
  Tensor& output() { return out_; }

 private:
  Conv3D& conv_;
  bool bias_;
  bool act_;
  bool gradients_;
  dnnl::convolution_forward::primitive_desc fwd_pd_;
  dnnl::convolution_forward fwd_;
  Reorder src_re_, w_re_;  // input layout -> conv src; plain weights -> conv weights
  memory src_mem_, w_user_, w_mem_, b_user_;
  Tensor saved_in_, out_;
  // backward (train mode only)
  dnnl::eltwise_backward::primitive_desc elt_pd_;
  dnnl::eltwise_backward elt_;
  memory diff_pre_;  // d loss / d pre-activation, dst layout
  dnnl::convolution_backward_data::primitive_desc bd_pd_;
  dnnl::convolution_backward_data bd_;
  Reorder bd_ddst_re_, bd_w_re_, bd_dsrc_re_;
  memory bd_ddst_, bd_w_, bd_dsrc_;
  Tensor diff_in_;
  dnnl::convolution_backward_weights::primitive_desc bw_pd_;
  dnnl::convolution_backward_weights bw_;
  Reorder bw_src_re_, bw_ddst_re_, dw_re_;
  memory bw_src_, bw_ddst_, bw_dw_, bw_db_, dw_user_;
  memory diff_pre_activation_;
};

}  // namespace calo::nn
