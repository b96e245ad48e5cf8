#include "classifier/samples.hh"

#include <algorithm>
#include <cmath>

#include "core/rng.hh"

namespace calo::classifier {

namespace {

void shuffle(std::vector<Sample>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[std::size_t(rng.next_u64() % i)]);
}

}  // namespace

Split split_samples(const std::vector<Sample>& class0, const std::vector<Sample>& class1,
                    std::uint64_t seed) {
  const std::size_t n = std::min(class0.size(), class1.size());
  Split s;
  int stream = 0;
  for (const auto* c : {&class0, &class1}) {
    std::vector<Sample> v = *c;
    Rng rng(seed, std::uint64_t(1000 + stream++));
    shuffle(v, rng);
    const std::size_t train = std::size_t(0.6 * double(n)), test = std::size_t(0.8 * double(n));
    s.train.insert(s.train.end(), v.begin(), v.begin() + std::ptrdiff_t(train));
    s.test.insert(s.test.end(), v.begin() + std::ptrdiff_t(train), v.begin() + std::ptrdiff_t(test));
    s.evaluation.insert(s.evaluation.end(), v.begin() + std::ptrdiff_t(test), v.begin() + std::ptrdiff_t(n));
  }
  return s;
}

InputScaling::InputScaling(Inputs inputs, std::span<const Sample> train) : inputs_(inputs) {
  const ShowerRows& first = *train.front().set;
  width_ = inputs == Inputs::low_level ? first.low_width : first.high_width;
  offset_.assign(width_, 0.f);
  scale_.assign(width_, 1.f);
  if (inputs == Inputs::low_level) {
    double fraction = 0;
    for (const Sample& s : train) fraction += s.set->sampled_fraction[s.row];
    fraction /= double(train.size());
    for (std::size_t i = 1; i < width_; ++i) scale_[i] = fraction > 0 ? float(1.0 / fraction) : 1.f;
    return;
  }
  std::vector<double> sum(width_, 0.0), sum2(width_, 0.0);
  for (const Sample& s : train) {
    const float* row = s.set->high.data() + s.row * width_;
    for (std::size_t i = 0; i < width_; ++i) sum[i] += row[i], sum2[i] += double(row[i]) * row[i];
  }
  const double n = double(train.size());
  for (std::size_t i = 0; i < width_; ++i) {
    const double mean = sum[i] / n, var = std::max(0.0, sum2[i] / n - mean * mean);
    offset_[i] = float(mean);
    scale_[i] = var > 0 ? float(1.0 / std::sqrt(var)) : 1.f;
  }
}

void InputScaling::fill(std::span<const Sample> samples, float* out) const {
  for (const Sample& s : samples) {
    const float* row =
        inputs_ == Inputs::low_level ? s.set->low[s.row].data() : s.set->high.data() + s.row * width_;
    for (std::size_t i = 0; i < width_; ++i) out[i] = (row[i] - offset_[i]) * scale_[i];
    out += width_;
  }
}

}  // namespace calo::classifier
