#include "nn/dropout.hh"

#include <algorithm>
#include <cmath>

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

Dropout::Dropout(Context& ctx, std::string name, DropoutSpec spec)
    : Layer(ctx, std::move(name)), spec_(spec) {
  CALO_VALIDATE(spec_.rate >= 0.f && spec_.rate < 1.f, this->name() + ": rate must be in [0, 1)");
}

class DropoutPlan : public Plan {
 public:
  static constexpr std::int64_t chunk = 4096;  // elements per random stream

  DropoutPlan(Dropout& drop, const Tensor& in, Mode mode) : Plan(drop, in, mode), drop_(drop) {
    if (mode != Mode::train) return;
    size_ = static_cast<std::int64_t>(in_desc_.get_size() / sizeof(float));
    mask_.resize(size_);
    out_ = make_tensor(drop.context(), in_dims_, in_desc_);
    diff_in_ = make_tensor(drop.context(), in_dims_, in_desc_);
  }

  /// Works on the physical buffer (any layout): padding elements of blocked layouts are 0
  /// and stay 0.
  const Tensor& forward(const Tensor& in) override {
    if (mode_ == Mode::infer) return in;
    const float rate = drop_.spec_.rate;
    const float keep_scale = 1.f / (1.f - rate);
    const std::uint64_t call = drop_.calls_++, seed = drop_.spec_.seed;
    const float* x = in.impl().data();
    float* y = out_.impl().data();
    float* m = mask_.data();
    const std::int64_t n = size_, chunks = (n + chunk - 1) / chunk;
    // Drop where rng.uniform() < rate, decided on the integer behind it: uniform() is
    // (k + 0.5) 2^-53 with k = next_u64() >> 11, so that is k < ceil(rate 2^53 - 0.5)
    // (rate 2^53 and the subtraction are exact in double): the same masks, without the
    // conversions.
    const auto threshold = static_cast<std::uint64_t>(std::ceil(static_cast<double>(rate) * 0x1.0p53 - 0.5));
#pragma omp parallel for schedule(static)
    for (std::int64_t c = 0; c < chunks; ++c) {
      Rng rng(seed, (call << 24) + static_cast<std::uint64_t>(c));
      const std::int64_t end = std::min(n, (c + 1) * chunk);
      for (std::int64_t i = c * chunk; i < end; ++i) {
        m[i] = (rng.next_u64() >> 11) < threshold ? 0.f : keep_scale;
        y[i] = x[i] * m[i];
      }
    }
    return out_;
  }

  const Tensor* backward(const Tensor& diff_out, const BackwardOptions& opt) override {
    if (!opt.need_diff_in) return nullptr;
    const float* dy = diff_out.impl().data();
    float* dx = diff_in_.impl().data();
    const float* m = mask_.data();
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < size_; ++i) dx[i] = dy[i] * m[i];
    return &diff_in_;
  }

 private:
  Dropout& drop_;
  std::int64_t size_ = 0;
  std::vector<float> mask_;
  Tensor out_, diff_in_;
};

std::unique_ptr<Plan> Dropout::make_plan(const Tensor& in, Mode mode) {
  return std::make_unique<DropoutPlan>(*this, in, mode);
}

}  // namespace calo::nn
