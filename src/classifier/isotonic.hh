#pragma once
// Isotonic regression (pool adjacent violators) as scikit-learn's IsotonicRegression with
// out_of_bounds = "clip", y_min = 1e-6, y_max = 1 - 1e-6, which the CaloChallenge evaluation
// uses to calibrate its classifier's output on the test split.
#include <span>
#include <vector>

namespace calo::classifier {

class IsotonicCalibration {
 public:
  /// Fits the non-decreasing map x -> P(label = 1) to (score, label) pairs. Equal scores are
  /// pooled first (their mean label, weighted by their count).
  IsotonicCalibration(std::span<const double> scores, std::span<const float> labels);

  /// The calibrated probability: linear interpolation between the fitted points, the score
  /// clipped to the fitted range, the result to [1e-6, 1 - 1e-6].
  double operator()(double score) const;

 private:
  std::vector<double> x_, y_;
};

}  // namespace calo::classifier
