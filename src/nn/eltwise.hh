#pragma once
// Element-wise activations (oneDNN eltwise), shape- and layout-preserving:
//   ReLU       y = max(x, 0)
//   LeakyReLU  y = x > 0 ? x : alpha x      (Keras default alpha 0.3)
//   Sigmoid    y = 1 / (1 + exp(-x))
// ReLU and LeakyReLU directly after a Conv3D are folded into it by Sequential.
#include "nn/layer.hh"

namespace calo::nn {

enum class EltwiseKind { relu, leaky_relu, sigmoid };

class Eltwise : public Layer {
 public:
  Eltwise(Context& ctx, std::string name, EltwiseKind kind, float alpha = 0.f);
  std::string type() const override;
  Dims output_dims(const Dims& in) const override { return in; }
  EltwiseKind kind() const { return kind_; }
  float alpha() const { return alpha_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;

 private:
  EltwiseKind kind_;
  float alpha_;
};

/// Keras-named conveniences.
class ReLU : public Eltwise {
 public:
  ReLU(Context& ctx, std::string name) : Eltwise(ctx, std::move(name), EltwiseKind::relu) {}
};
class LeakyReLU : public Eltwise {
 public:
  LeakyReLU(Context& ctx, std::string name, float alpha = 0.3f)
      : Eltwise(ctx, std::move(name), EltwiseKind::leaky_relu, alpha) {}
};
class Sigmoid : public Eltwise {
 public:
  Sigmoid(Context& ctx, std::string name) : Eltwise(ctx, std::move(name), EltwiseKind::sigmoid) {}
};

}  // namespace calo::nn
