#include "nn/conv/direct_conv.hh"

#include <cstring>
#include <stdexcept>
#include <string>

namespace calo::nn {

namespace {

const auto kDirect = dnnl::algorithm::convolution_direct;

bool is_any(const memory::desc& md) { return md.data.format_kind == dnnl_format_kind_any; }

}  // namespace

DirectConv::DirectConv(ContextImpl& ctx, const Shape& s, Mode mode, Passes passes, const Layouts& l)
    : bias_(s.bias) {
  auto& eng = ctx.engine;
  const memory::dims strides = {1, 1, 1};
  if (s.bf16 && mode == Mode::train) throw std::logic_error("nn: bf16 convolutions are inference only");
  const memory::desc w_any(s.weights, s.bf16 ? dt::bf16 : dt::f32, tag::any),
      w_plain(s.weights, dt::f32, tag::oidhw);
  const memory::desc b_md({s.weights[0]}, dt::f32, tag::x);
  const auto prop =
      mode == Mode::train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  dnnl::primitive_attr attr = scratch_attr();
  dnnl::post_ops ops;
  if (s.activation != Activation::none)  // ReLU is LeakyReLU with slope 0
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, s.alpha, 0.f);
  const memory::desc shift_md({1, s.weights[0], 1, 1, 1}, dt::f32, tag::abcde);
  if (s.shift) {
    if (mode == Mode::train) throw std::logic_error("nn: a convolution's channel shift is inference only");
    shift_post_op_ = ops.len();
    ops.append_binary(dnnl::algorithm::binary_add, shift_md);
  }
  if (ops.len() > 0) attr.set_post_ops(ops);
  auto fd = bias_ ? dnnl::convolution_forward::desc(prop, kDirect, l.src, w_any, b_md, l.dst, strides,
                                                    s.pad_front, s.pad_back)
                  : dnnl::convolution_forward::desc(prop, kDirect, l.src, w_any, l.dst, strides, s.pad_front,
                                                    s.pad_back);
  fwd_pd_ = {fd, attr, eng};
  fwd_ = dnnl::convolution_forward(fwd_pd_);
  w_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
  if (fwd_pd_.weights_desc() != w_plain) {
    w_re_ = Reorder(ctx, w_plain, fwd_pd_.weights_desc());
    w_mem_ = memory(fwd_pd_.weights_desc(), eng);
  }
  if (bias_) b_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
  if (s.shift) shift_user_ = memory(shift_md, eng, DNNL_MEMORY_NONE);
  if (mode != Mode::train) return;
  Layouts bwd = l;
  if (l.backward_as_forward) bwd.src = src_desc(), bwd.dst = dst_desc();
  if (passes.data) build_backward_data(ctx, s, bwd);
  if (passes.weights != WeightGradient::none)
    build_backward_weights(ctx, s, bwd.src, bwd.dst, passes.weights);
}

void DirectConv::build_backward_data(ContextImpl& ctx, const Shape& s, const Layouts& l) {
  auto& eng = ctx.engine;
  const memory::desc w_any(s.weights, dt::f32, tag::any), w_plain(s.weights, dt::f32, tag::oidhw);
  bd_pd_ = {{kDirect, l.src, w_any, l.dst, {1, 1, 1}, s.pad_front, s.pad_back}, scratch_attr(), eng, fwd_pd_};
  bd_ = dnnl::convolution_backward_data(bd_pd_);
  if (bd_pd_.diff_dst_desc() != dst_desc()) {
    bd_ddst_re_ = Reorder(ctx, dst_desc(), bd_pd_.diff_dst_desc());
    bd_ddst_ = memory(bd_pd_.diff_dst_desc(), eng);
  }
  if (bd_pd_.weights_desc() != w_plain && bd_pd_.weights_desc() != fwd_pd_.weights_desc()) {
    bd_w_re_ = Reorder(ctx, w_plain, bd_pd_.weights_desc());
    bd_w_ = memory(bd_pd_.weights_desc(), eng);
  }
  const memory::desc want = is_any(l.diff_src) || l.diff_src == memory::desc() ? src_desc() : l.diff_src;
  if (bd_pd_.diff_src_desc() != want) {
    bd_dsrc_re_ = Reorder(ctx, bd_pd_.diff_src_desc(), want);
    bd_dsrc_ = memory(bd_pd_.diff_src_desc(), eng);
  }
}

void DirectConv::build_backward_weights(ContextImpl& ctx, const Shape& s, const memory::desc& src_md,
                                        const memory::desc& dst_md, WeightGradient mode) {
  auto& eng = ctx.engine;
  const memory::dims strides = {1, 1, 1};
  const memory::desc w_any(s.weights, dt::f32, tag::any), w_plain(s.weights, dt::f32, tag::oidhw);
  const memory::desc b_md({s.weights[0]}, dt::f32, tag::x);
  const auto desc = [&](const memory::desc& src, const memory::desc& dst) {
    return bias_ ? dnnl::convolution_backward_weights::desc(kDirect, src, w_any, b_md, dst, strides,
                                                            s.pad_front, s.pad_back)
                 : dnnl::convolution_backward_weights::desc(kDirect, src, w_any, dst, strides, s.pad_front,
                                                            s.pad_back);
  };
  bw_pd_ = {desc(src_md, dst_md), scratch_attr(), eng, fwd_pd_};
  // Away from oneDNN's GEMM weight-gradient kernel where its channels-last JIT one exists
  // (see the header).
  if (std::string(bw_pd_.impl_info_str()).find("gemm") != std::string::npos) {
    const memory::desc src_nl(s.src, dt::f32, tag::ndhwc), dst_nl(s.dst, dt::f32, tag::ndhwc);
    dnnl::convolution_backward_weights::primitive_desc alt(desc(src_nl, dst_nl), scratch_attr(), eng,
                                                           fwd_pd_);
    if (std::string(alt.impl_info_str()).find("jit") != std::string::npos) bw_pd_ = alt;
  }
  bw_ = dnnl::convolution_backward_weights(bw_pd_);
  if (bw_pd_.src_desc() != src_desc()) {
    bw_src_re_ = Reorder(ctx, src_desc(), bw_pd_.src_desc());
    bw_src_ = memory(bw_pd_.src_desc(), eng);
  }
  if (bw_pd_.diff_dst_desc() != dst_desc()) {
    bw_ddst_re_ = Reorder(ctx, dst_desc(), bw_pd_.diff_dst_desc());
    bw_ddst_ = memory(bw_pd_.diff_dst_desc(), eng);
  }
  bw_dw_ = memory(bw_pd_.diff_weights_desc(), eng);
  // Accumulating: one reorder adds into the plain gradient. Overwriting in the same layout:
  // a copy (oneDNN's reorder between equal layouts is its slow generic one).
  dw_copy_ = mode == WeightGradient::overwrite && bw_pd_.diff_weights_desc() == w_plain;
  if (!dw_copy_)
    dw_re_ =
        Reorder(ctx, bw_pd_.diff_weights_desc(), w_plain, /*accumulate=*/mode == WeightGradient::accumulate);
  dw_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
  if (bias_) bw_db_ = memory(b_md, eng);
}

void DirectConv::set_weights(ContextImpl& ctx, float* plain) {
  w_user_.set_data_handle(plain);
  if (w_re_) w_re_(ctx, w_user_, w_mem_);
}

void DirectConv::forward(ContextImpl& ctx, const memory& src, const memory& dst, const float* bias,
                         const float* shift) {
  Args args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w_re_ ? w_mem_ : w_user_}, {DNNL_ARG_DST, dst}};
  if (bias_) {
    b_user_.set_data_handle(const_cast<float*>(bias));  // read only: the primitive's input
    args[DNNL_ARG_BIAS] = b_user_;
  }
  if (shift_post_op_ >= 0) {
    if (!shift) throw std::logic_error("nn: a convolution with a channel shift run without one");
    shift_user_.set_data_handle(const_cast<float*>(shift));  // read only
    args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(shift_post_op_) | DNNL_ARG_SRC_1] = shift_user_;
  }
  ctx.execute(fwd_, fwd_pd_, std::move(args));
}

void DirectConv::backward_weights(ContextImpl& ctx, const memory& src, const memory& diff_dst,
                                  float* diff_weights, float* diff_bias) {
  memory s = src;
  if (bw_src_re_) {
    bw_src_re_(ctx, src, bw_src_);
    s = bw_src_;
  }
  memory dd = diff_dst;
  if (bw_ddst_re_) {
    bw_ddst_re_(ctx, diff_dst, bw_ddst_);
    dd = bw_ddst_;
  }
  Args args{{DNNL_ARG_SRC, s}, {DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_DIFF_WEIGHTS, bw_dw_}};
  if (bias_) args[DNNL_ARG_DIFF_BIAS] = bw_db_;
  ctx.execute(bw_, bw_pd_, std::move(args));
  if (dw_copy_) {
    std::memcpy(diff_weights, bw_dw_.get_data_handle(), bw_dw_.get_desc().get_size());
  } else {
    dw_user_.set_data_handle(diff_weights);
    dw_re_(ctx, bw_dw_, dw_user_);
  }
  if (bias_) {
    const float* db = static_cast<const float*>(bw_db_.get_data_handle());
    const std::size_t n = bw_db_.get_desc().get_size() / sizeof(float);
    for (std::size_t i = 0; i < n; ++i) diff_bias[i] += db[i];
  }
}

void DirectConv::backward_data(ContextImpl& ctx, const memory& diff_dst, const memory& diff_src) {
  memory dd = diff_dst;
  if (bd_ddst_re_) {
    bd_ddst_re_(ctx, diff_dst, bd_ddst_);
    dd = bd_ddst_;
  }
  memory w = w_user_;  // still the weights the forward used
  if (bd_w_re_) {
    bd_w_re_(ctx, w_user_, bd_w_);
    w = bd_w_;
  } else if (bd_pd_.weights_desc() == fwd_pd_.weights_desc() && w_re_) {
    w = w_mem_;  // the forward's reordered weights
  }
  const memory dsrc = bd_dsrc_re_ ? bd_dsrc_ : diff_src;
  ctx.execute(bd_, bd_pd_, {{DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dsrc}});
  if (bd_dsrc_re_) bd_dsrc_re_(ctx, bd_dsrc_, diff_src);
}

}  // namespace calo::nn
