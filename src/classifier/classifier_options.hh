#pragma once
// Settings of the classifier two-sample test (docs/validation.md, "Classifier test"). The
// network follows the CaloChallenge evaluation (two hidden LeakyReLU layers, Adam lr 2e-4,
// BCE); its width, epochs and batch are smaller by default so that 2 x 10,000 showers take
// about a minute on 2 cores.
#include <cstddef>
#include <cstdint>

namespace calo::classifier {

struct ClassifierOptions {
  int hidden = 64;              ///< units per hidden layer
  int layers = 2;               ///< hidden layers
  int epochs = 30;              ///< the epoch with the best test accuracy is kept
  int batch = 250;              ///< showers per Adam step
  double learning_rate = 2e-4;  ///< Adam
  std::uint64_t seed = 42;      ///< split, shuffling and initial weights
  /// nn context threads (0: the OpenMP default). One by default: the network's steps are
  /// small, and OpenMP threads that wait for each other cost more than they gain wherever the
  /// cores are shared (measured on the busy 2-core development machine, 1,000 vs 1,000 showers:
  /// 8 s with 1 thread, 70 s with 2); a fixed count also keeps the numbers the same from one machine to the
  /// next.
  int threads = 1;
  bool low_level = true, high_level = true;  ///< the input variants to run
};

/// Fractions of each set in the train / test / evaluation splits (CaloChallenge's ttv_split).
inline constexpr double kTrainFraction = 0.6, kTestFraction = 0.2;
/// Batches shrink (to 8 showers at least) so that an epoch makes at least this many Adam steps:
/// a few hundred training showers would otherwise give the optimiser a handful of steps.
inline constexpr std::size_t kMinStepsPerEpoch = 20;
/// The fewest showers of a class that the evaluation split may hold: below it the test is
/// skipped (the reference needs twice as many: its halves are the baseline).
inline constexpr std::uint64_t kMinEvaluationShowers = 10;

}  // namespace calo::classifier
