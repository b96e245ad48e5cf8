#pragma once
// The classifier network and its training (docs/validation.md, "Classifier test"): Dense
// hidden layers with LeakyReLU (slope 0.01, PyTorch's default as in the CaloChallenge code),
// a Dense 1 output with a sigmoid, BCE loss, Adam; after every epoch the accuracy on the test
// split decides which epoch's weights are kept.
#include <cstdint>
#include <vector>

#include "classifier/classifier_options.hh"
#include "classifier/samples.hh"

namespace calo::classifier {

struct Trained {
  std::vector<double> test_scores, evaluation_scores;  ///< sigmoid outputs of the kept epoch
  int best_epoch = 0;                                  ///< from 1
  double best_test_accuracy = 0;
};

/// Trains on split.train with the inputs of `scaling`, keeps the epoch with the best test
/// accuracy (the first of equals; stops early at 100 %) and scores the test and evaluation
/// splits with it. Deterministic for the options' seed and thread count.
Trained train_classifier(const Split& split, const InputScaling& scaling, const ClassifierOptions& options,
                         std::uint64_t seed);

}  // namespace calo::classifier
