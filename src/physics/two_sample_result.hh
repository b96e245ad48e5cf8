#pragma once
// What validate reports beside the per-observable comparisons (docs/validation.md, "Physics
// distances" and "Classifier test"): the Fréchet and kernel physics distances (FPD, KPD) of
// the high-level feature vectors, and the classifier two-sample test. Each comes with the
// same quantity between two halves of the reference (the noise floor). Plain data: the
// classifier itself is trained by the classifier module, which fills ClassifierResult.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace calo::physics {

/// A value with its statistical uncertainty (NaN when not computed).
struct Estimate {
  double value = NAN, error = NAN;
};

/// FPD and KPD (Kansal et al. 2023, as the jetnet library defines them) on the high-level
/// features (high_level_features.hh), candidate vs reference and reference half A vs half B.
struct PhysicsDistances {
  bool computed = false;
  std::string skipped_reason;           ///< why not computed (too few showers), else empty
  std::size_t features = 0;             ///< length of the feature vector
  Estimate fpd, kpd;                    ///< candidate vs reference
  Estimate baseline_fpd, baseline_kpd;  ///< reference half A (even positions) vs half B (odd)
  /// FPD's error from the fluctuation of the sets themselves (physics_distance.hh,
  /// frechet_sets_error: jackknife over 10 groups of showers), which the fit's error above
  /// leaves out; compatibility with zero is judged against both combined in quadrature.
  double fpd_sets_error = NAN, baseline_fpd_sets_error = NAN;
  /// The sample sizes used (docs/validation.md): FPD batches from fpd_min to fpd_max showers,
  /// KPD batches of kpd_batch showers; the baseline's are those of the halves.
  std::size_t fpd_min = 0, fpd_max = 0, kpd_batch = 0;
  std::size_t baseline_fpd_min = 0, baseline_fpd_max = 0, baseline_kpd_batch = 0;
};

/// A ROC curve: false-positive rate (reference showers called candidate) against
/// true-positive rate, from (0, 0) to (1, 1).
struct RocCurve {
  std::vector<double> false_positive_rate, true_positive_rate;
};

/// One trained classifier's scores on its evaluation split.
struct ClassifierScores {
  double auc = NAN, auc_error = NAN;  ///< calibrated AUC and its statistical error (Hanley-McNeil)
  double jsd = NAN;                   ///< (ln 2 - BCE of the calibrated output) / ln 2
  double accuracy = NAN;              ///< of the calibrated output at 0.5
  int best_epoch = 0;                 ///< the epoch kept (best test accuracy), from 1
  RocCurve roc;
};

/// The classifier test on one kind of input.
struct ClassifierVariant {
  std::string name;  ///< "low_level" (cells) or "high_level" (features)
  std::size_t inputs = 0;
  ClassifierScores candidate;  ///< candidate vs reference
  ClassifierScores baseline;   ///< reference half A vs half B
};

struct ClassifierResult {
  /// "done", "skipped" (reason says why: too few showers for the split, or not requested).
  std::string status = "skipped";
  std::string reason = "not requested";
  /// Showers per set in the train / test / evaluation splits (candidate vs reference).
  std::uint64_t train = 0, test = 0, evaluation = 0;
  /// The settings used.
  int hidden = 0, layers = 0, epochs = 0, batch = 0;
  double learning_rate = 0;
  std::uint64_t seed = 0;
  std::vector<ClassifierVariant> variants;
};

}  // namespace calo::physics
