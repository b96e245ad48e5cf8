#include "nn/average_pool3d.hh"

#include "core/error.hh"
#include "nn/primitive_pair_plan.hh"

namespace calo::nn {

AveragePool3D::AveragePool3D(Context& ctx, std::string name, AveragePool3DSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  for (int i = 0; i < 3; ++i) {
    CALO_VALIDATE(spec_.pool[i] >= 1, this->name() + ": pool sizes must be positive");
    CALO_VALIDATE(spec_.strides[i] >= 0, this->name() + ": strides must not be negative");
    if (spec_.strides[i] == 0) spec_.strides[i] = spec_.pool[i];
  }
}

Dims AveragePool3D::output_dims(const Dims& in) const {
  CALO_VALIDATE(in.c > 0 && in.d > 0 && in.h > 0 && in.w > 0,
                name() + ": invalid input dims " + to_string(in));
  const std::int64_t sizes[3] = {in.d, in.h, in.w};
  std::int64_t out[3];
  for (int i = 0; i < 3; ++i) {
    CALO_VALIDATE(sizes[i] >= spec_.pool[i], name() + ": pool " + std::to_string(spec_.pool[i]) +
                                                 " larger than the input " + std::to_string(sizes[i]) +
                                                 " in dimension " + "DHW"[i]);
    out[i] = (sizes[i] - spec_.pool[i]) / spec_.strides[i] + 1;
  }
  return {in.n, in.c, out[0], out[1], out[2]};
}

std::unique_ptr<Plan> AveragePool3D::make_plan(const Tensor& in, Mode mode) {
  const memory::dims k = {spec_.pool[0], spec_.pool[1], spec_.pool[2]};
  const memory::dims st = {spec_.strides[0], spec_.strides[1], spec_.strides[2]}, zero = {0, 0, 0};
  const auto alg = dnnl::algorithm::pooling_avg_exclude_padding;
  auto& eng = context().impl().engine;
  return std::make_unique<PrimitivePairPlan<dnnl::pooling_forward, dnnl::pooling_backward>>(
      *this, in, mode, output_dims(in.dims()),
      [&](dnnl::prop_kind prop, const memory::desc& src, const memory::desc& dst) {
        return dnnl::pooling_forward::primitive_desc({prop, alg, src, dst, st, k, zero, zero}, scratch_attr(),
                                                     eng);
      },
      [&](const memory::desc& src, const memory::desc& dst,
          const dnnl::pooling_forward::primitive_desc& hint) {
        return dnnl::pooling_backward::primitive_desc({alg, src, dst, st, k, zero, zero}, scratch_attr(), eng,
                                                      hint);
      });
}

}  // namespace calo::nn
