#include "nn/cell_sum.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

CellSum::CellSum(Context& ctx, std::string name) : Layer(ctx, std::move(name)) {}

Dims CellSum::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  return {in.n, 1, 1, 1, 1};
}

namespace {

/// Sums in double per sample on a plain view of the input (reordered when not plain).
class CellSumPlan : public Plan {
 public:
  CellSumPlan(CellSum& layer, const Tensor& in, Mode mode) : Plan(layer, in, mode) {
    plain_ = in_desc_ == plain_desc(in_dims_);
    if (!plain_) {
      plain_mem_ = memory(plain_desc(in_dims_), ctx_.engine);
      to_plain_ = Reorder(ctx_, in_desc_, plain_desc(in_dims_));
      from_plain_ = Reorder(ctx_, plain_desc(in_dims_), in_desc_);
    }
    const Dims od = layer.output_dims(in_dims_);
    out_ = make_tensor(layer.context(), od, plain_desc(od));
    if (mode == Mode::train) diff_in_ = make_tensor(layer.context(), in_dims_, in_desc_);
  }

  const Tensor& forward(const Tensor& in) override {
    const float* x = in.impl().data();
    if (!plain_) {
      to_plain_(ctx_, in.impl().mem, plain_mem_);
      x = static_cast<const float*>(plain_mem_.get_data_handle());
    }
    const std::int64_t per = in_dims_.per_sample();
    float* y = out_.impl().data();
    for (std::int64_t n = 0; n < in_dims_.n; ++n) {
      double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static)
      for (std::int64_t i = 0; i < per; ++i) s += x[n * per + i];
      y[n] = static_cast<float>(s);
    }
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    const float* dy = diff_out.impl().data();
    float* dx = plain_ ? diff_in_.impl().data() : static_cast<float*>(plain_mem_.get_data_handle());
    const std::int64_t per = in_dims_.per_sample();
    for (std::int64_t n = 0; n < in_dims_.n; ++n) std::fill_n(dx + n * per, per, dy[n]);
    if (!plain_) from_plain_(ctx_, plain_mem_, diff_in_.impl().mem);
    return &diff_in_;
  }

 private:
  bool plain_;
  memory plain_mem_;
  Reorder to_plain_, from_plain_;
  Tensor out_, diff_in_;
};

}  // namespace

std::unique_ptr<Plan> CellSum::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<CellSumPlan>(*this, in, mode);
}

}  // namespace calo::nn
