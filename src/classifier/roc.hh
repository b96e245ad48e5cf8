#pragma once
// Area under the ROC curve with its statistical error, and the curve itself.
#include <span>

#include "physics/two_sample_result.hh"

namespace calo::classifier {

/// AUC = P(score of a label-1 entry > score of a label-0 entry) + P(equal) / 2 (the
/// Mann-Whitney statistic, as scikit-learn's roc_auc_score); error from Hanley & McNeil
/// (Radiology 143 (1982) 29): sqrt((A(1-A) + (n1-1)(Q1-A^2) + (n0-1)(Q2-A^2)) / (n1 n0)),
/// Q1 = A/(2-A), Q2 = 2A^2/(1+A).
physics::Estimate auc(std::span<const double> scores, std::span<const float> labels);

/// The ROC curve through every distinct threshold, thinned to at most max_points points.
physics::RocCurve roc_curve(std::span<const double> scores, std::span<const float> labels,
                            std::size_t max_points = 200);

}  // namespace calo::classifier
