#include "classifier/roc.hh"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace calo::classifier {

namespace {

std::vector<std::size_t> by_score_descending(std::span<const double> scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

physics::Estimate auc(std::span<const double> scores, std::span<const float> labels) {
  // Ascending ranks with ties averaged: AUC = (R1 - n1 (n1 + 1) / 2) / (n1 n0).
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, n1 = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = 0.5 * double(i + 1 + j);  // mean of ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] > 0.5) rank_sum += rank, n1 += 1;
    i = j;
  }
  const double n0 = double(scores.size()) - n1;
  physics::Estimate e;
  if (n1 == 0 || n0 == 0) return e;
  const double a = (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0);
  const double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
  e.value = a;
  e.error =
      std::sqrt(std::max(0.0, (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0)));
  return e;
}

physics::RocCurve roc_curve(std::span<const double> scores, std::span<const float> labels,
                            std::size_t max_points) {
  double n1 = 0;
  for (float l : labels) n1 += l > 0.5f;
  const double n0 = double(labels.size()) - n1;
  physics::RocCurve all;
  all.false_positive_rate.push_back(0);
  all.true_positive_rate.push_back(0);
  if (n1 == 0 || n0 == 0) return all;
  const auto order = by_score_descending(scores);
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    (labels[order[i]] > 0.5f ? tp : fp) += 1;
    if (i + 1 < order.size() && scores[order[i + 1]] == scores[order[i]])
      continue;  // one point per threshold
    all.false_positive_rate.push_back(fp / n0);
    all.true_positive_rate.push_back(tp / n1);
  }
  if (all.false_positive_rate.size() <= max_points) return all;
  physics::RocCurve thin;
  const std::size_t n = all.false_positive_rate.size();
  for (std::size_t k = 0; k < max_points; ++k) {
    const std::size_t i = k * (n - 1) / (max_points - 1);
    thin.false_positive_rate.push_back(all.false_positive_rate[i]);
    thin.true_positive_rate.push_back(all.true_positive_rate[i]);
  }
  return thin;
}

}  // namespace calo::classifier
