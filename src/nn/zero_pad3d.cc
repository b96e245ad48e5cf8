#include "nn/zero_pad3d.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

ZeroPad3D::ZeroPad3D(Context& ctx, std::string name, ZeroPad3DSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  for (int i = 0; i < 3; ++i)
    CALO_VALIDATE(spec_.front[i] >= 0 && spec_.back[i] >= 0, this->name() + ": padding must not be negative");
}

Dims ZeroPad3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  const auto& f = spec_.front;
  const auto& b = spec_.back;
  return {in.n, in.c, in.d + f[0] + b[0], in.h + f[1] + b[1], in.w + f[2] + b[2]};
}

namespace {

/// The input is copied (reordered) into a sub-memory of the output; the border is zeroed
/// once when the output is made and never written again. Backward copies the interior of
/// diff_out back.
class ZeroPadPlan : public Plan {
 public:
  ZeroPadPlan(ZeroPad3D& pad, const Tensor& in, Mode mode) : Plan(pad, in, mode) {
    auto& eng = ctx_.engine;
    const Dims od = pad.output_dims(in_dims_);
    const memory::desc out_md = same_layout(in_desc_, od);
    const auto& f = pad.spec().front;
    const memory::desc sub = out_md.submemory_desc(to_dnnl(in_dims_), {0, 0, f[0], f[1], f[2]});
    out_ = make_tensor(pad.context(), od, out_md);
    interior_ = memory(sub, eng, out_.impl().mem.get_data_handle());
    fwd_ = Reorder(ctx_, in_desc_, sub);
    if (mode != Mode::train) return;
    diff_interior_ = memory(sub, eng, DNNL_MEMORY_NONE);
    bwd_ = Reorder(ctx_, sub, in_desc_);
    diff_in_ = make_tensor(pad.context(), in_dims_, in_desc_);
  }

  const Tensor& forward(const Tensor& in) override {
    fwd_(ctx_, in.impl().mem, interior_);
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    diff_interior_.set_data_handle(diff_out.impl().mem.get_data_handle());
    bwd_(ctx_, diff_interior_, diff_in_.impl().mem);
    return &diff_in_;
  }

 private:
  Reorder fwd_, bwd_;
  memory interior_, diff_interior_;
  Tensor out_, diff_in_;
};

}  // namespace

std::unique_ptr<Plan> ZeroPad3D::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<ZeroPadPlan>(*this, in, mode);
}

}  // namespace calo::nn
