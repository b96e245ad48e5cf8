#include "classifier/isotonic.hh"

#include <algorithm>
#include <numeric>

namespace calo::classifier {

IsotonicCalibration::IsotonicCalibration(std::span<const double> scores, std::span<const float> labels) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  // Unique scores with mean label and weight.
  std::vector<double> value, weight;
  for (std::size_t i : order) {
    if (!x_.empty() && scores[i] == x_.back()) {
      value.back() += labels[i];
      weight.back() += 1;
    } else {
      x_.push_back(scores[i]);
      value.push_back(labels[i]);
      weight.push_back(1);
    }
  }
  for (std::size_t i = 0; i < value.size(); ++i) value[i] /= weight[i];
  // Pool adjacent violators: blocks of (mean, weight, length).
  std::vector<double> mean, w;
  std::vector<std::size_t> length;
  for (std::size_t i = 0; i < value.size(); ++i) {
    mean.push_back(value[i]);
    w.push_back(weight[i]);
    length.push_back(1);
    while (mean.size() > 1 && mean[mean.size() - 2] > mean.back()) {
      const std::size_t k = mean.size() - 1;
      mean[k - 1] = (mean[k - 1] * w[k - 1] + mean[k] * w[k]) / (w[k - 1] + w[k]);
      w[k - 1] += w[k];
      length[k - 1] += length[k];
      mean.pop_back(), w.pop_back(), length.pop_back();
    }
  }
  for (std::size_t b = 0; b < mean.size(); ++b)
    for (std::size_t k = 0; k < length[b]; ++k) y_.push_back(std::clamp(mean[b], 1e-6, 1 - 1e-6));
}

double IsotonicCalibration::operator()(double score) const {
  if (x_.empty()) return 0.5;
  if (score <= x_.front()) return y_.front();
  if (score >= x_.back()) return y_.back();
  const std::size_t hi = std::size_t(std::upper_bound(x_.begin(), x_.end(), score) - x_.begin());
  const std::size_t lo = hi - 1;
  return y_[lo] + (score - x_[lo]) / (x_[hi] - x_[lo]) * (y_[hi] - y_[lo]);
}

}  // namespace calo::classifier
