#include "classifier/two_sample_test.hh"

#include <cmath>
#include <numbers>

#include "classifier/isotonic.hh"
#include "classifier/network.hh"
#include "classifier/roc.hh"

namespace calo::classifier {

namespace {

/// Showers of a class with n rows that reach the evaluation split (the 20 % after 80 %).
std::size_t evaluation_size(std::size_t n) { return n - std::size_t(0.8 * double(n)); }

std::vector<Sample> rows_of(const ShowerRows& set, float label, std::size_t first = 0, std::size_t step = 1) {
  std::vector<Sample> v;
  for (std::size_t r = first; r < set.rows(); r += step) v.push_back({&set, r, label});
  return v;
}

std::vector<float> labels_of(const std::vector<Sample>& samples) {
  std::vector<float> labels;
  for (const Sample& s : samples) labels.push_back(s.label);
  return labels;
}

physics::ClassifierScores run(const std::vector<Sample>& class0, const std::vector<Sample>& class1,
                              Inputs inputs, const ClassifierOptions& o, std::uint64_t seed) {
  const Split split = split_samples(class0, class1, seed);
  const InputScaling scaling(inputs, split.train);
  const Trained trained = train_classifier(split, scaling, o, seed);
  const IsotonicCalibration calibrate(trained.test_scores, labels_of(split.test));
  const std::vector<float> labels = labels_of(split.evaluation);
  std::vector<double> p;
  for (double s : trained.evaluation_scores) p.push_back(calibrate(s));

  physics::ClassifierScores r;
  const physics::Estimate a = auc(p, labels);
  r.auc = a.value;
  r.auc_error = a.error;
  r.roc = roc_curve(p, labels);
  r.best_epoch = trained.best_epoch;
  double bce = 0, right = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    bce -= labels[i] > 0.5f ? std::log(p[i]) : std::log(1 - p[i]);
    right += (p[i] > 0.5) == (labels[i] > 0.5f);
  }
  bce /= double(p.size());
  r.jsd = (std::numbers::ln2 - bce) / std::numbers::ln2;
  r.accuracy = right / double(p.size());
  return r;
}

}  // namespace

physics::ClassifierResult two_sample_test(const ShowerSets& sets, const ClassifierOptions& o) {
  physics::ClassifierResult result;
  result.hidden = o.hidden, result.layers = o.layers, result.epochs = o.epochs, result.batch = o.batch;
  result.learning_rate = o.learning_rate, result.seed = o.seed;
  const std::size_t n_r = sets.reference().rows(), n_c = sets.candidate().rows();
  const std::size_t n = std::min(n_r, n_c);
  if (evaluation_size(n) < kMinEvaluationShowers || evaluation_size(n_r / 2) < kMinEvaluationShowers) {
    std::size_t need = kMinEvaluationShowers;
    while (evaluation_size(need) < kMinEvaluationShowers) ++need;
    result.reason = "too few showers for the classifier split (" + std::to_string(n_r) + " reference, " +
                    std::to_string(n_c) + " candidate; the evaluation split, 20 % of each set, must hold " +
                    std::to_string(kMinEvaluationShowers) + ": at least " + std::to_string(need) +
                    " candidate and " + std::to_string(2 * need) +
                    " reference showers, whose halves are the baseline)";
    return result;
  }
  result.status = "done";
  result.reason.clear();
  result.train = std::size_t(0.6 * double(n));
  result.test = std::size_t(0.8 * double(n)) - result.train;
  result.evaluation = evaluation_size(n);

  const auto reference = rows_of(sets.reference(), 0.f), candidate = rows_of(sets.candidate(), 1.f);
  const auto half_a = rows_of(sets.reference(), 0.f, 0, 2), half_b = rows_of(sets.reference(), 1.f, 1, 2);
  for (Inputs inputs : {Inputs::low_level, Inputs::high_level}) {
    if ((inputs == Inputs::low_level && !o.low_level) || (inputs == Inputs::high_level && !o.high_level))
      continue;
    physics::ClassifierVariant v;
    v.name = inputs == Inputs::low_level ? "low_level" : "high_level";
    v.inputs = inputs == Inputs::low_level ? sets.reference().low_width : sets.reference().high_width;
    v.candidate = run(reference, candidate, inputs, o, o.seed);
    v.baseline = run(half_a, half_b, inputs, o, o.seed + 1);
    result.variants.push_back(std::move(v));
  }
  return result;
}

}  // namespace calo::classifier
