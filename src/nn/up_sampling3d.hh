#pragma once
// UpSampling3D (Keras, nearest neighbour, integer factor per dimension; oneDNN resampling):
// (N, C, D, H, W) -> (N, C, fD*D, fH*H, fW*W), out[..][z][y][x] = in[..][z/fD][y/fH][x/fW].
// Backward sums each f-block of diff_out. Keeps the input's layout.
#include <array>

#include "nn/layer.hh"

namespace calo::nn {

struct UpSampling3DSpec {
  std::array<std::int64_t, 3> factors{2, 2, 2};  ///< D, H, W
};

class UpSampling3D : public Layer {
 public:
  UpSampling3D(Context& ctx, std::string name, UpSampling3DSpec spec);
  std::string type() const override { return "UpSampling3D"; }
  Dims output_dims(const Dims& in) const override;
  const UpSampling3DSpec& spec() const { return spec_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  UpSampling3DSpec spec_;
};

}  // namespace calo::nn
