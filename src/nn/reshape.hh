#pragma once
// Reshape and Flatten between flat (N, F, 1, 1, 1) and volume (N, C, D, H, W) tensors.
// Element order follows Keras (channels_last): the flat vector is [D][H][W][C]; with
// channels_last = false it is [C][D][H][W] (PyTorch view()). Both layers keep their output
// plain in that order; Reshape output is a zero-copy view of a plain flat input.
#include "nn/layer.hh"

namespace calo::nn {

/// Keras Reshape((D, H, W, C)) of a flat input: (N, C*D*H*W, 1,1,1) -> (N, C, D, H, W).
struct ReshapeSpec {
  Dims target;  ///< C, D, H, W used (n ignored)
  bool channels_last = true;
};

class Reshape : public Layer {
 public:
  Reshape(Context& ctx, std::string name, ReshapeSpec spec);
  std::string type() const override { return "Reshape"; }
  Dims output_dims(const Dims& in) const override;

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  ReshapeSpec spec_;
};

/// Keras Flatten: (N, C, D, H, W) -> (N, C*D*H*W, 1, 1, 1).
class Flatten : public Layer {
 public:
  Flatten(Context& ctx, std::string name, bool channels_last = true);
  std::string type() const override { return "Flatten"; }
  Dims output_dims(const Dims& in) const override;

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  bool channels_last_;
};

}  // namespace calo::nn
