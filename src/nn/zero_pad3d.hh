#pragma once
// ZeroPad3D (Keras ZeroPadding3D, possibly asymmetric): (N, C, D, H, W) ->
// (N, C, D+f0+b0, H+f1+b1, W+f2+b2). Keeps the input's layout. Usually folded into the
// following Conv3D by Sequential (then an identity).
#include <array>

#include "nn/layer.hh"

namespace calo::nn {

struct ZeroPad3DSpec {
  std::array<std::int64_t, 3> front{0, 0, 0};  ///< D, H, W
  std::array<std::int64_t, 3> back{0, 0, 0};
  /// Keras ZeroPadding3D(padding=(a, b, c)): a on both sides of D, etc.
  static ZeroPad3DSpec symmetric(std::int64_t d, std::int64_t h, std::int64_t w) {
    return {{d, h, w}, {d, h, w}};
  }
};

class ZeroPad3D : public Layer {
 public:
  ZeroPad3D(Context& ctx, std::string name, ZeroPad3DSpec spec);
  std::string type() const override { return "ZeroPadding3D"; }
  Dims output_dims(const Dims& in) const override;
  const ZeroPad3DSpec& spec() const { return spec_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  ZeroPad3DSpec spec_;
};

}  // namespace calo::nn
