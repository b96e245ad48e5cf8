#include "nn/up_sampling3d.hh"

#include "core/error.hh"
#include "nn/primitive_pair_plan.hh"

namespace calo::nn {

UpSampling3D::UpSampling3D(Context& ctx, std::string name, UpSampling3DSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  for (auto f : spec_.factors) CALO_VALIDATE(f >= 1, this->name() + ": factors must be positive integers");
}

Dims UpSampling3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  return {in.n, in.c, in.d * spec_.factors[0], in.h * spec_.factors[1], in.w * spec_.factors[2]};
}

std::unique_ptr<Plan> UpSampling3D::make_plan(const Tensor& in, Mode mode) {
  // oneDNN nearest resampling: src index = round((dst + 0.5) / f - 0.5), which for an
  // integer factor f is dst / f (the half-way case never occurs), i.e. Keras' repeat.
  const auto alg = dnnl::algorithm::resampling_nearest;
  auto& eng = context().impl().engine;
  return std::make_unique<PrimitivePairPlan<dnnl::resampling_forward, dnnl::resampling_backward>>(
      *this, in, mode, output_dims(in.dims()),
      [&](dnnl::prop_kind prop, const memory::desc& src, const memory::desc& dst) {
        return dnnl::resampling_forward::primitive_desc({prop, alg, src, dst}, scratch_attr(), eng);
      },
      [&](const memory::desc& src, const memory::desc& dst,
          const dnnl::resampling_forward::primitive_desc& hint) {
        return dnnl::resampling_backward::primitive_desc({alg, src, dst}, scratch_attr(), eng, hint);
      });
}

}  // namespace calo::nn
