#include "nn/losses.hh"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hh"

namespace calo::nn {

namespace {

constexpr double kEps = 1e-7;  // Keras backend epsilon()

void check(const char* loss, std::span<const float> p, std::span<const float> y, std::span<float> diff) {
  CALO_VALIDATE(!p.empty() && p.size() == y.size() && (diff.empty() || diff.size() == p.size()),
                std::string(loss) + ": predictions (" + std::to_string(p.size()) + "), targets (" +
                    std::to_string(y.size()) + ") and gradient (" + std::to_string(diff.size()) +
                    ") sizes differ or are empty");
}

double sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

}  // namespace

float binary_cross_entropy(std::span<const float> p, std::span<const float> y, std::span<float> diff) {
  check("binary_cross_entropy", p, y, diff);
  const double m = static_cast<double>(p.size());
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const bool clipped = p[i] < kEps || p[i] > 1 - kEps;
    const double pc = std::clamp(static_cast<double>(p[i]), kEps, 1 - kEps);
    sum -= y[i] * std::log(pc) + (1 - y[i]) * std::log(1 - pc);
    if (!diff.empty()) diff[i] = clipped ? 0.f : static_cast<float>((-y[i] / pc + (1 - y[i]) / (1 - pc)) / m);
  }
  return static_cast<float>(sum / m);
}

float mean_absolute_percentage_error(std::span<const float> p, std::span<const float> y,
                                     std::span<float> diff) {
  check("mean_absolute_percentage_error", p, y, diff);
  const double m = static_cast<double>(p.size());
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double den = std::max(std::abs(static_cast<double>(y[i])), kEps);
    const double r = static_cast<double>(p[i]) - y[i];
    sum += std::abs(r) / den;
    if (!diff.empty()) diff[i] = static_cast<float>(100.0 * sign(r) / den / m);
  }
  return static_cast<float>(100.0 * sum / m);
}

float mean_absolute_error(std::span<const float> p, std::span<const float> y, std::span<float> diff) {
  check("mean_absolute_error", p, y, diff);
  const double m = static_cast<double>(p.size());
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double r = static_cast<double>(p[i]) - y[i];
    sum += std::abs(r);
    if (!diff.empty()) diff[i] = static_cast<float>(sign(r) / m);
  }
  return static_cast<float>(sum / m);
}

}  // namespace calo::nn
