#include "nn/dense.hh"

#include <oneapi/dnnl/dnnl.h>

#include <stdexcept>

#include "core/error.hh"
#include "nn/plan.hh"
#include "nn/thread_scope.hh"

namespace calo::nn {

Dense::Dense(Context& ctx, std::string name, DenseSpec spec) : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.units > 0, this->name() + ": units must be positive");
}

Dims Dense::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.flat(),
                name() + ": input " + to_string(in) + " must be flat (N, F, 1, 1, 1); add a Flatten");
  CALO_VALIDATE(in_features_ == 0 || in.c == in_features_, name() + ": input has " + std::to_string(in.c) +
                                                               " features (declared with " +
                                                               std::to_string(in_features_) + ")");
  return {in.n, spec_.units, 1, 1, 1};
}

Dims Dense::declare(const Dims& in, ParameterStore& store) {
  const Dims out = Layer::declare(in, store);
  in_features_ = in.c;
  weight_ = store.add(name() + ".weight", {spec_.units, in.c});
  if (spec_.use_bias) bias_ = store.add(name() + ".bias", {spec_.units});
  return out;
}

void Dense::initialise_parameters(Rng& rng) {
  nn::initialise(spec_.kernel_init, store_->value(weight_), in_features_, spec_.units, rng);
  if (spec_.use_bias) nn::initialise(spec_.bias_init, store_->value(bias_), in_features_, spec_.units, rng);
}

class DensePlan : public Plan {
 public:
  DensePlan(Dense& dense, const Tensor& in, Mode mode);
  const Tensor& forward(const Tensor& in) override;
  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override;

 private:
  Dense& dense_;
  bool bias_;
  Reorder to_plain_;  // non-plain input -> plain
  memory src_, dst_, w_user_, w_mem_, b_user_;
  bool weights_ready_ = false;  // w_mem_ holds the store's weights (constant_weights())
  Reorder w_re_;
  dnnl::inner_product_forward::primitive_desc fwd_pd_;
  dnnl::inner_product_forward fwd_;
  Tensor saved_in_, out_, diff_in_;
  dnnl::inner_product_backward_data::primitive_desc bd_pd_;
  dnnl::inner_product_backward_data bd_;
  Reorder bd_w_re_, dsrc_re_;
  memory bd_w_, dsrc_, ddst_;
  dnnl::inner_product_backward_weights::primitive_desc bw_pd_;
  dnnl::inner_product_backward_weights bw_;
  Reorder dw_re_;
  memory dw_, db_, dw_user_;
};

DensePlan::DensePlan(Dense& dense, const Tensor& in, Mode mode)
    : Plan(dense, in, mode), dense_(dense), bias_(dense.spec().use_bias) {
  auto& eng = ctx_.engine;
  const std::int64_t n = in_dims_.n, fi = in_dims_.c, fo = dense.spec().units;
  const memory::desc src_md({n, fi}, dt::f32, tag::nc), dst_md({n, fo}, dt::f32, tag::nc);
  const memory::desc w_any({fo, fi}, dt::f32, tag::any), w_plain({fo, fi}, dt::f32, tag::oi);
  const memory::desc b_md({fo}, dt::f32, tag::x);
  const auto prop =
      mode == Mode::train ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  auto fd = bias_ ? dnnl::inner_product_forward::desc(prop, src_md, w_any, b_md, dst_md)
                  : dnnl::inner_product_forward::desc(prop, src_md, w_any, dst_md);
  fwd_pd_ = {fd, scratch_attr(), eng};
  fwd_ = dnnl::inner_product_forward(fwd_pd_);
  const bool plain_in = in_desc_ == plain_desc(in_dims_);
  if (!plain_in) {
    to_plain_ = Reorder(ctx_, in_desc_, plain_desc(in_dims_));
    src_ = memory(src_md, eng);
  } else {
    src_ = memory(src_md, eng, DNNL_MEMORY_NONE);
  }
  w_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
  if (fwd_pd_.weights_desc() != w_plain) {
    w_re_ = Reorder(ctx_, w_plain, fwd_pd_.weights_desc());
    w_mem_ = memory(fwd_pd_.weights_desc(), eng);
  }
  if (bias_) b_user_ = memory(b_md, eng, DNNL_MEMORY_NONE);
  const Dims od = dense.output_dims(in_dims_);
  out_ = make_tensor(dense.context(), od, plain_desc(od));
  dst_ = memory(dst_md, eng, out_.impl().mem.get_data_handle());
  if (mode != Mode::train) return;

  bd_pd_ = {{src_md, w_any, dst_md}, scratch_attr(), eng, fwd_pd_};
  bd_ = dnnl::inner_product_backward_data(bd_pd_);
  if (bd_pd_.weights_desc() != w_plain) {
    bd_w_re_ = Reorder(ctx_, w_plain, bd_pd_.weights_desc());
    bd_w_ = memory(bd_pd_.weights_desc(), eng);
  }
  diff_in_ = make_tensor(dense.context(), in_dims_, in_desc_);
  if (!plain_in) {
    dsrc_re_ = Reorder(ctx_, plain_desc(in_dims_), in_desc_);
    dsrc_ = memory(src_md, eng);
  } else {
    dsrc_ = memory(src_md, eng, diff_in_.impl().mem.get_data_handle());
  }
  ddst_ = memory(dst_md, eng, DNNL_MEMORY_NONE);
  auto wd = bias_ ? dnnl::inner_product_backward_weights::desc(src_md, w_any, b_md, dst_md)
                  : dnnl::inner_product_backward_weights::desc(src_md, w_any, dst_md);
  bw_pd_ = {wd, scratch_attr(), eng, fwd_pd_};
  bw_ = dnnl::inner_product_backward_weights(bw_pd_);
  dw_ = memory(bw_pd_.diff_weights_desc(), eng);
  dw_re_ = Reorder(ctx_, bw_pd_.diff_weights_desc(), w_plain, /*accumulate=*/true);
  dw_user_ = memory(w_plain, eng, DNNL_MEMORY_NONE);
  if (bias_) db_ = memory(b_md, eng);
}

const Tensor& DensePlan::forward(const Tensor& in) {
  ParameterStore& store = *dense_.store();
  if (to_plain_) {
    memory plain(plain_desc(in_dims_), ctx_.engine, src_.get_data_handle());
    to_plain_(ctx_, in.impl().mem, plain);
  } else {
    src_.set_data_handle(in.impl().mem.get_data_handle());
  }
  w_user_.set_data_handle(store.value(dense_.weight_).data());
  memory w = w_re_ ? w_mem_ : w_user_;
  if (w_re_ && !(weights_ready_ && dense_.constant_weights())) w_re_(ctx_, w_user_, w_mem_);
  weights_ready_ = true;
  Args args{{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst_}};
  if (bias_) {
    b_user_.set_data_handle(store.value(dense_.bias_).data());
    args[DNNL_ARG_BIAS] = b_user_;
  }
  ctx_.execute(fwd_, fwd_pd_, std::move(args));
  if (mode_ == Mode::train) saved_in_ = in;
  return out_;
}

const Tensor* DensePlan::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  ParameterStore& store = *dense_.store();
  ddst_.set_data_handle(diff_out.impl().mem.get_data_handle());  // plain (N, OUT)
  if (!to_plain_) src_.set_data_handle(saved_in_.impl().mem.get_data_handle());
  const std::int64_t n = in_dims_.n, fi = in_dims_.c, fo = dense_.spec().units;
  const bool taken =
      dense_.weight_grads() && opt.factors && *opt.factors &&
      (*opt.factors)(
          dense_,
          {.x = {static_cast<const float*>(src_.get_data_handle()), static_cast<std::size_t>(n * fi)},
           .dy = {static_cast<const float*>(ddst_.get_data_handle()), static_cast<std::size_t>(n * fo)},
           .n = n,
           .in = fi,
           .out = fo});
  if (dense_.weight_grads() && !taken) {
    Args args{{DNNL_ARG_SRC, src_}, {DNNL_ARG_DIFF_DST, ddst_}, {DNNL_ARG_DIFF_WEIGHTS, dw_}};
    if (bias_) args[DNNL_ARG_DIFF_BIAS] = db_;
    ctx_.execute(bw_, bw_pd_, std::move(args));
    dw_user_.set_data_handle(store.grad(dense_.weight_).data());
    dw_re_(ctx_, dw_, dw_user_);
    if (bias_) {
      auto g = store.grad(dense_.bias_);
      const float* db = static_cast<const float*>(db_.get_data_handle());
      for (std::size_t i = 0; i < g.size(); ++i) g[i] += db[i];
    }
  }
  if (!opt.need_diff_in) return nullptr;
  report_parameters_final(opt, dense_);
  memory w = w_user_;
  if (bd_w_re_) {
    if (bd_pd_.weights_desc() == fwd_pd_.weights_desc()) {
      w = w_mem_;
    } else {
      bd_w_re_(ctx_, w_user_, bd_w_);
      w = bd_w_;
    }
  }
  ctx_.execute(bd_, bd_pd_, {{DNNL_ARG_DIFF_DST, ddst_}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, dsrc_}});
  if (dsrc_re_) {
    memory plain(plain_desc(in_dims_), ctx_.engine, dsrc_.get_data_handle());
    dsrc_re_(ctx_, plain, diff_in_.impl().mem);
  }
  return &diff_in_;
}

std::unique_ptr<Plan> Dense::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<DensePlan>(*this, in, mode);
}

void accumulate_dense_gradients(const GradientFactors& f, float scale, std::span<float> dw,
                                std::span<float> db) {
  const auto n = static_cast<std::size_t>(f.n), out = static_cast<std::size_t>(f.out);
  CALO_ASSERT(f.x.size() == n * static_cast<std::size_t>(f.in) && f.dy.size() == n * out &&
              dw.size() == out * static_cast<std::size_t>(f.in) && (db.empty() || db.size() == out));
  if (n == 0) return;
  // dw (out x in, row-major) += scale dy^T x on one thread: one fixed order of the sums, so
  // every rank of a data-parallel run gets the same bits whatever its thread count.
  const ThreadScope one(1);
  if (dnnl_sgemm('T', 'N', f.out, f.in, f.n, scale, f.dy.data(), f.out, f.x.data(), f.in, 1.f, dw.data(),
                 f.in) != dnnl_success)
    throw std::runtime_error("oneDNN's sgemm failed for a Dense layer's gradient from factors");
  for (std::size_t k = 0; k < n && !db.empty(); ++k)
    for (std::size_t o = 0; o < out; ++o) db[o] += scale * f.dy[k * out + o];
}

}  // namespace calo::nn
