#include "nn/conv/conv3d_phase_infer.hh"

#include <cstdint>
#include <stdexcept>

#include "nn/conv/phase_convolution.hh"
#include "nn/plan.hh"

namespace calo::nn {

namespace {

class PhaseInferPlan : public Plan {
 public:
  PhaseInferPlan(Conv3D& conv, const Tensor& in, const BlockedLayout& in_layout)
      : Plan(conv, in, Mode::infer), conv_(conv), phases_(conv, in_dims_, in_layout) {
    const Dims od = phases_.out_dims();
    out_ = make_tensor(conv.context(), od, memory::desc(to_dnnl(od), dt::f32, tag::ndhwc));
    // Every output position starts a 64-byte line (blocks of 16 filters) when the buffer does,
    // as oneDNN allocates it: then the kernels write whole lines with streaming stores.
    stream_ = reinterpret_cast<std::uintptr_t>(out_.impl().data()) % 64 == 0;
  }

  const Tensor& forward(const Tensor& in) override {
    phases_.update_weights();
    phases_.pack_input(in);
    const Dims od = phases_.out_dims();
    const std::int64_t per_sample = phases_.blocks_per_sample(), tasks = in_dims_.n * per_sample;
    const std::int64_t sample_floats = od.d * od.h * od.w * od.c;
    float* y = out_.impl().data();
#pragma omp parallel for schedule(static)
    for (std::int64_t t = 0; t < tasks; ++t) {
      const std::int64_t n = t / per_sample;
      phases_.run_block(n, t % per_sample, y + n * sample_floats, stream_);
    }
    return out_;
  }

  const Tensor* backward(const Tensor&, const BackwardOptions&) override {
    throw std::logic_error(conv_.name() + ": the phase-kernel plan is inference only");
  }

 private:
  Conv3D& conv_;
  PhaseConvolution phases_;
  Tensor out_;  // ndhwc
  bool stream_ = false;
};

}  // namespace

bool phase_infer_selected(const Conv3D& conv, const Tensor& in, Mode mode) {
  return mode == Mode::infer && conv.context().impl().options.conv.phase != AlgorithmSwitch::off &&
         PhaseConvolution::applies(conv, in);
}

std::unique_ptr<Plan> make_phase_infer_plan(Conv3D& conv, const Tensor& in, Mode mode) {
  if (!phase_infer_selected(conv, in, mode)) return nullptr;
  return std::make_unique<PhaseInferPlan>(conv, in, *BlockedLayout::of(desc_of(in)));
}

}  // namespace calo::nn
