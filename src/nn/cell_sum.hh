#pragma once
// CellSum: the sum of all input cells per sample, no weights (the 3DGAN discriminator's
// ECAL-sum output): (N, C, D, H, W) -> (N, 1, 1, 1, 1), y[n] = sum_{c,d,h,w} x[n][c][d][h][w].
// Backward broadcasts diff_out[n] to every cell. Output plain.
#include "nn/layer.hh"

namespace calo::nn {

class CellSum : public Layer {
 public:
  CellSum(Context& ctx, std::string name);
  std::string type() const override { return "CellSum"; }
  Dims output_dims(const Dims& in) const override;

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;
};

}  // namespace calo::nn
