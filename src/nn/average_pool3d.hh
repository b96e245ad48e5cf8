#pragma once
// AveragePool3D (Keras AveragePooling3D, 'valid', strides = pool size by default; oneDNN
// pooling): (N, C, D, H, W) -> (N, C, (D-PD)/SD+1, ...). Keeps the input's layout.
#include <array>

#include "nn/layer.hh"

namespace calo::nn {

struct AveragePool3DSpec {
  std::array<std::int64_t, 3> pool{2, 2, 2};     ///< PD, PH, PW
  std::array<std::int64_t, 3> strides{0, 0, 0};  ///< 0: = pool
};

class AveragePool3D : public Layer {
 public:
  AveragePool3D(Context& ctx, std::string name, AveragePool3DSpec spec);
  std::string type() const override { return "AveragePooling3D"; }
  Dims output_dims(const Dims& in) const override;
  const AveragePool3DSpec& spec() const { return spec_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  AveragePool3DSpec spec_;
};

}  // namespace calo::nn
