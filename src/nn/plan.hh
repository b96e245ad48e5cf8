#pragma once
// nn-internal: a Plan is what a layer builds once per (input dims, input layout, mode): its
// primitives, their descriptors and its own output / diff_in buffers. The loop only
// executes plans (oneDNN's cnn_training_f32 example: build net_fwd/net_bwd once).
#include "nn/dnnl_impl.hh"
#include "nn/layer.hh"

namespace calo::nn {

class Plan {
 public:
  Plan(Layer& layer, const Tensor& in, Mode mode)
      : layer_(layer),
        ctx_(layer.context().impl()),
        in_desc_(desc_of(in)),
        in_dims_(in.dims()),
        mode_(mode) {}
  virtual ~Plan() = default;

  /// Run forward on in (dims/layout as at build); returns the plan's output tensor.
  virtual const Tensor& forward(const Tensor& in) = 0;
  /// Backward after forward (train mode); see the contract in layer.hh.
  virtual const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) = 0;

  bool matches(const Tensor& in, Mode mode) const {
    return mode == mode_ && in.dims() == in_dims_ && desc_of(in) == in_desc_;
  }

 protected:
  Layer& layer_;
  ContextImpl& ctx_;
  memory::desc in_desc_;
  Dims in_dims_;
  Mode mode_;
};

}  // namespace calo::nn
