#pragma once
// The showers one classifier sees: references to rows of the collected sets with their label
// (0: reference or reference half A; 1: candidate or half B), split into train / test /
// evaluation, and the input scaling fitted on the train split.
#include <cstdint>
#include <span>
#include <vector>

#include "classifier/shower_sets.hh"

namespace calo::classifier {

struct Sample {
  const ShowerRows* set = nullptr;
  std::size_t row = 0;
  float label = 0;
};

struct Split {
  std::vector<Sample> train, test, evaluation;
};

/// Each class's rows (its own order randomised by seed) cut at 60 % and 80 % (CaloChallenge's
/// ttv_split); both classes get as many showers as the smaller one has.
Split split_samples(const std::vector<Sample>& class0, const std::vector<Sample>& class1, std::uint64_t seed);

/// Which inputs: the cells (low level) or the high-level features.
enum class Inputs { low_level, high_level };

/// The network's input rows. Low level: log10(E_inc / GeV) as it is, then the cells / E_inc
/// divided by the train split's mean E_sum / E_inc (so they sum to about 1, as in the
/// CaloChallenge data sets whose sampling fraction is near 1); high level: each feature
/// standardised with the train split's mean and standard deviation.
class InputScaling {
 public:
  InputScaling(Inputs inputs, std::span<const Sample> train);
  std::size_t width() const { return width_; }
  /// Writes the inputs of the samples, [samples][width()].
  void fill(std::span<const Sample> samples, float* out) const;

 private:
  Inputs inputs_;
  std::size_t width_ = 0;
  std::vector<float> offset_, scale_;
};

}  // namespace calo::classifier
