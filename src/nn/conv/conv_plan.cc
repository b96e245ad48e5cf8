#include "nn/conv/conv_plan.hh"

#include <stdexcept>

namespace calo::nn {

namespace {

DirectConv::Passes passes_for(ConvPlan::Gradients g) {
  using WG = DirectConv::WeightGradient;
  switch (g) {
    case ConvPlan::Gradients::all:
      return {.data = true, .weights = WG::accumulate};
    case ConvPlan::Gradients::weights_only:
      return {.data = false, .weights = WG::accumulate};
    case ConvPlan::Gradients::none:
      break;
  }
  return {};
}

}  // namespace

ConvPlan::ConvPlan(Conv3D& conv, const Tensor& in, Mode mode, Gradients gradients)
    : Plan(conv, in, mode), conv_(conv), gradients_(gradients) {
  const auto& s = conv.spec();
  const Dims od = conv.output_dims(in_dims_);
  const auto pf = conv.pad_front(in_dims_), pb = conv.pad_back(in_dims_);
  const DirectConv::Shape shape{
      .src = to_dnnl(in_dims_),
      .weights = {s.filters, in_dims_.c, s.kernel[0], s.kernel[1], s.kernel[2]},
      .dst = to_dnnl(od),
      .pad_front = {pf[0], pf[1], pf[2]},
      .pad_back = {pb[0], pb[1], pb[2]},
      .bias = s.use_bias,
      .activation = s.activation,
      .alpha = s.alpha,
      .shift = s.channel_shift,
      .bf16 = s.bf16,
  };
  const DirectConv::Layouts layouts{.src = memory::desc(shape.src, s.bf16 ? dt::bf16 : dt::f32, tag::any),
                                    .dst = memory::desc(shape.dst, dt::f32, tag::any),
                                    .diff_src = in_desc_};
  conv_block_ = DirectConv(ctx_, shape, mode, passes_for(gradients), layouts);
  if (conv_block_.src_desc() != in_desc_) {
    src_re_ = Reorder(ctx_, in_desc_, conv_block_.src_desc());
    src_mem_ = memory(conv_block_.src_desc(), ctx_.engine);
  }
  out_ = make_tensor(conv.context(), od, conv_block_.dst_desc());
  if (mode != Mode::train) return;
  act_bwd_ = ActivationBackward(ctx_, conv_block_.dst_desc(), s.activation, s.alpha);
  if (gradients == Gradients::all) diff_in_ = make_tensor(conv.context(), in_dims_, in_desc_);
}

const Tensor& ConvPlan::forward(const Tensor& in) {
  memory src = in.impl().mem;
  if (src_re_) {
    src_re_(ctx_, src, src_mem_);
    src = src_mem_;
  }
  if (!(weights_ready_ && conv_.constant_weights())) conv_block_.set_weights(ctx_, conv_.weight().data());
  weights_ready_ = true;
  conv_block_.forward(ctx_, src, out_.impl().mem, conv_.bias().data(), conv_.shift().data());
  if (mode_ == Mode::train) saved_in_ = in;
  return out_;
}

memory ConvPlan::activation_backward(const Tensor& diff_out) {
  diff_pre_activation_ = act_bwd_(ctx_, out_.impl().mem, diff_out.impl().mem);
  return diff_pre_activation_;
}

const Tensor* ConvPlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  if (gradients_ == Gradients::none)
    throw std::logic_error(conv_.name() + ": ConvPlan built without gradients");
  const memory dd = activation_backward(diff_out);
  if (conv_.weight_grads()) {
    const memory src = src_re_ ? src_mem_ : saved_in_.impl().mem;
    conv_block_.backward_weights(ctx_, src, dd, conv_.weight_grad().data(), conv_.bias_grad().data());
  }
  if (!opt.need_diff_in) return nullptr;
  report_parameters_final(opt, conv_);
  if (gradients_ != Gradients::all)
    throw std::logic_error(conv_.name() + ": ConvPlan built without the data gradient");
  conv_block_.backward_data(ctx_, dd, diff_in_.impl().mem);
  return &diff_in_;
}

}  // namespace calo::nn
