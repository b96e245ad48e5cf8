// The classifier test's statistics: AUC against pair counting, its Hanley-McNeil error against
// the Mann-Whitney variance at AUC 0.5, the ROC curve's end points and area, and the isotonic
// calibration against pool-adjacent-violators worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "classifier/isotonic.hh"
#include "classifier/roc.hh"
#include "core/rng.hh"

namespace calo::classifier {
namespace {

TEST(Auc, EqualsTheFractionOfOrderedPairsWithTiesCountingHalf) {
  Rng rng(5, 0);
  std::vector<double> scores;
  std::vector<float> labels;
  for (int i = 0; i < 300; ++i) {
    labels.push_back(float(i % 3 == 0));
    scores.push_back(std::round(10 * (rng.uniform() + 0.3 * labels.back())) / 10);  // many ties
  }
  double pairs = 0, wins = 0;
  for (std::size_t i = 0; i < scores.size(); ++i)
    for (std::size_t j = 0; j < scores.size(); ++j)
      if (labels[i] == 1 && labels[j] == 0) {
        pairs += 1;
        wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      }
  const physics::Estimate a = auc(scores, labels);
  EXPECT_NEAR(a.value, wins / pairs, 1e-12);
  EXPECT_GT(a.value, 0.6);
  // The ROC curve through every threshold encloses the same area (trapezoids take the ties).
  const physics::RocCurve roc = roc_curve(scores, labels, 100000);
  double area = 0;
  for (std::size_t k = 1; k < roc.false_positive_rate.size(); ++k)
    area += (roc.false_positive_rate[k] - roc.false_positive_rate[k - 1]) * 0.5 *
            (roc.true_positive_rate[k] + roc.true_positive_rate[k - 1]);
  EXPECT_NEAR(area, a.value, 1e-12);
  EXPECT_EQ(roc.false_positive_rate.back(), 1.0);
  EXPECT_EQ(roc.true_positive_rate.back(), 1.0);
  EXPECT_LE(roc_curve(scores, labels, 50).false_positive_rate.size(), 50u);
}

TEST(Auc, ErrorAtOneHalfIsTheMannWhitneyStandardDeviation) {
  // Interleaved scores of two classes of 40 and 60: AUC exactly 0.5.
  std::vector<double> scores;
  std::vector<float> labels;
  for (int i = 0; i < 100; ++i) {
    scores.push_back(i % 5);
    labels.push_back(float(i < 40));
  }
  const physics::Estimate a = auc(scores, labels);
  EXPECT_DOUBLE_EQ(a.value, 0.5);
  EXPECT_NEAR(a.error, std::sqrt((40.0 + 60.0 + 1.0) / (12.0 * 40.0 * 60.0)), 1e-12);
}

TEST(IsotonicCalibration, PoolsAdjacentViolatorsAndInterpolates) {
  // Labels 0 | 1 0 | 1 1 0 by score: PAV gives 0, (1+0)/2 twice, (1+1+0)/3 three times.
  const std::vector<double> scores{0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  const std::vector<float> labels{0, 1, 0, 1, 1, 0};
  const IsotonicCalibration c(scores, labels);
  EXPECT_DOUBLE_EQ(c(0.1), 1e-6);  // y_min
  EXPECT_NEAR(c(0.25), 0.5, 1e-12);
  EXPECT_NEAR(c(0.35), 0.5 + 0.5 * (2.0 / 3 - 0.5), 1e-12);
  EXPECT_NEAR(c(0.55), 2.0 / 3, 1e-12);
  EXPECT_NEAR(c(0.05), 1e-6, 1e-15);    // clipped to the fitted range
  EXPECT_NEAR(c(0.9), 2.0 / 3, 1e-12);  // clipped
  // Equal scores are pooled first: their mean label.
  const IsotonicCalibration tied(std::vector<double>{1, 1, 1, 2}, std::vector<float>{1, 0, 0, 1});
  EXPECT_NEAR(tied(1), 1.0 / 3, 1e-12);
  EXPECT_NEAR(tied(2), 1 - 1e-6, 1e-12);  // y_max
}

}  // namespace
}  // namespace calo::classifier
