#pragma once
// The classifier two-sample test of `validate` (docs/validation.md, "Classifier test"), after
// the CaloChallenge 2022 evaluation: for each input variant a network is trained to tell the
// candidate showers from the reference showers; its output, calibrated by isotonic regression
// on the test split, gives on the evaluation split the AUC (0.5: indistinguishable) with its
// error, the ROC curve and the JSD. The same between reference half A (even positions) and
// half B (odd) is the baseline.
#include "classifier/classifier_options.hh"
#include "classifier/shower_sets.hh"
#include "physics/two_sample_result.hh"

namespace calo::classifier {

/// Runs the test; status "skipped" with the reason when a split would hold fewer than
/// kMinEvaluationShowers showers of a class in its evaluation part.
physics::ClassifierResult two_sample_test(const ShowerSets& sets, const ClassifierOptions& options);

}  // namespace calo::classifier
