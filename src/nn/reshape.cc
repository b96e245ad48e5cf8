#include "nn/reshape.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

static tag order_tag(bool channels_last) { return channels_last ? tag::ndhwc : tag::ncdhw; }

Reshape::Reshape(Context& ctx, std::string name, ReshapeSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  const Dims& t = spec_.target;
  CALO_VALIDATE(t.c > 0 && t.d > 0 && t.h > 0 && t.w > 0, this->name() + ": target sizes must be positive");
}

Dims Reshape::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.flat() && in.c == spec_.target.per_sample(),
                name() + ": cannot reshape " + to_string(in) +
                    " to C*D*H*W = " + std::to_string(spec_.target.per_sample()) + " (input must be flat)");
  Dims out = spec_.target;
  out.n = in.n;
  return out;
}

Flatten::Flatten(Context& ctx, std::string name, bool channels_last)
    : Layer(ctx, std::move(name)), channels_last_(channels_last) {}

Dims Flatten::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  return {in.n, in.per_sample(), 1, 1, 1};
}

namespace {

/// Both directions are one reorder between a layout-typed view of the flat buffer
/// (ndhwc for Keras order) and the volume tensor; Reshape of a plain input is a view.
class ReshapePlan : public Plan {
 public:
  /// flat_to_volume: Reshape; else Flatten. order: ndhwc or ncdhw.
  ReshapePlan(Layer& layer, const Tensor& in, Mode mode, bool flat_to_volume, tag order)
      : Plan(layer, in, mode), to_volume_(flat_to_volume) {
    auto& eng = ctx_.engine;
    const Dims od = layer.output_dims(in_dims_);
    const Dims vol = to_volume_ ? od : in_dims_, flat = to_volume_ ? in_dims_ : od;
    const memory::desc vol_view(to_dnnl(vol), dt::f32, order);  // the flat buffer as volume
    if (to_volume_) {
      view_ = in_desc_ == plain_desc(in_dims_);
      if (view_) {
        out_ = view_tensor(layer.context(), od, vol_view, DNNL_MEMORY_NONE);
        if (mode == Mode::train)
          diff_in_ = view_tensor(layer.context(), in_dims_, in_desc_, DNNL_MEMORY_NONE);
      } else {
        out_ = make_tensor(layer.context(), od, vol_view);
        fwd_ = Reorder(ctx_, in_desc_, plain_desc(in_dims_));
        if (mode == Mode::train) {
          diff_in_ = make_tensor(layer.context(), in_dims_, in_desc_);
          bwd_ = Reorder(ctx_, plain_desc(in_dims_), in_desc_);
        }
      }
    } else {
      out_ = make_tensor(layer.context(), od, plain_desc(flat));
      view_mem_ = memory(vol_view, eng, out_.impl().mem.get_data_handle());
      fwd_ = Reorder(ctx_, in_desc_, vol_view);
      if (mode == Mode::train) {
        diff_in_ = make_tensor(layer.context(), in_dims_, in_desc_);
        diff_view_ = memory(vol_view, eng, DNNL_MEMORY_NONE);
        bwd_ = Reorder(ctx_, vol_view, in_desc_);
      }
    }
  }

  const Tensor& forward(const Tensor& in) override {
    if (to_volume_) {
      if (view_) {
        out_.impl().mem.set_data_handle(in.impl().mem.get_data_handle());
      } else {
        memory flat(plain_desc(in_dims_), ctx_.engine, out_.impl().mem.get_data_handle());
        fwd_(ctx_, in.impl().mem, flat);
      }
    } else {
      fwd_(ctx_, in.impl().mem, view_mem_);
    }
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    void* h = diff_out.impl().mem.get_data_handle();
    if (to_volume_) {
      if (view_) {
        diff_in_.impl().mem.set_data_handle(h);
      } else {
        bwd_(ctx_, memory(plain_desc(in_dims_), ctx_.engine, h), diff_in_.impl().mem);
      }
    } else {
      diff_view_.set_data_handle(h);
      bwd_(ctx_, diff_view_, diff_in_.impl().mem);
    }
    return &diff_in_;
  }

 private:
  bool to_volume_;
  bool view_ = false;
  Reorder fwd_, bwd_;
  memory view_mem_, diff_view_;
  Tensor out_, diff_in_;
};

}  // namespace

std::unique_ptr<Plan> Reshape::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<ReshapePlan>(*this, in, mode, true, order_tag(spec_.channels_last));
}

std::unique_ptr<Plan> Flatten::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<ReshapePlan>(*this, in, mode, false, order_tag(channels_last_));
}

}  // namespace calo::nn
