#include "classifier/network.hh"

#include <algorithm>

#include "core/rng.hh"
#include "nn/nn.hh"
#include "nn/thread_scope.hh"

namespace calo::classifier {

namespace {

constexpr std::size_t kPredictBatch = 1000;

/// The sigmoid outputs for the samples, in their order.
std::vector<double> predict(nn::Sequential& net, nn::Context& ctx, const InputScaling& scaling,
                            std::span<const Sample> samples) {
  std::vector<double> scores;
  std::vector<float> buffer, out;
  for (std::size_t first = 0; first < samples.size(); first += kPredictBatch) {
    const std::size_t n = std::min(kPredictBatch, samples.size() - first);
    buffer.resize(n * scaling.width());
    scaling.fill(samples.subspan(first, n), buffer.data());
    const nn::Tensor in =
        nn::Tensor::from_host(ctx, {.n = std::int64_t(n), .c = std::int64_t(scaling.width())}, buffer);
    const nn::Tensor& y = net.forward(in, nn::Mode::infer);
    out.resize(n);
    y.to_host(out);
    scores.insert(scores.end(), out.begin(), out.end());
  }
  return scores;
}

/// Fraction right at threshold 0.5 (numpy.round: 0.5 counts as 0).
double accuracy(const std::vector<double>& scores, std::span<const Sample> samples) {
  double right = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) right += (scores[i] > 0.5) == (samples[i].label > 0.5f);
  return scores.empty() ? 0.0 : right / double(scores.size());
}

}  // namespace

Trained train_classifier(const Split& split, const InputScaling& scaling, const ClassifierOptions& o,
                         std::uint64_t seed) {
  // The optimiser's loops run with the calling thread's OpenMP count (an Optimizer has no
  // Context): the whole training runs with the context's count, or waiting OpenMP threads of
  // Adam::step would spin through every small step (measured: 98 % of the time).
  const nn::ThreadScope threads(o.threads);
  nn::Context ctx(o.threads);
  nn::Sequential net(ctx, "classifier");
  for (int l = 0; l < o.layers; ++l) {
    net.emplace<nn::Dense>("classifier.dense" + std::to_string(l), nn::DenseSpec{.units = o.hidden});
    net.emplace<nn::LeakyReLU>("classifier.leaky" + std::to_string(l), 0.01f);
  }
  net.emplace<nn::Dense>("classifier.output", nn::DenseSpec{.units = 1});
  net.emplace<nn::Sigmoid>("classifier.sigmoid");
  nn::ParameterStore store;
  net.declare({.n = 1, .c = std::int64_t(scaling.width())}, store);
  store.finalize();
  Rng init(seed, 0);
  net.initialise(init);
  nn::Adam adam(store, float(o.learning_rate));

  // At least kMinStepsPerEpoch Adam steps an epoch: small sets get smaller batches.
  const std::size_t batch_size = std::min<std::size_t>(
      std::size_t(o.batch), std::max<std::size_t>(8, split.train.size() / kMinStepsPerEpoch));
  std::vector<Sample> order = split.train;
  std::vector<float> buffer, labels, p, diff;
  Trained best;
  best.best_test_accuracy = -1;
  std::vector<float> best_weights;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    Rng shuffle(seed, std::uint64_t(epoch));
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[std::size_t(shuffle.next_u64() % i)]);
    for (std::size_t first = 0; first < order.size(); first += batch_size) {
      const std::size_t n = std::min(batch_size, order.size() - first);
      const std::span<const Sample> batch(order.data() + first, n);
      buffer.resize(n * scaling.width());
      scaling.fill(batch, buffer.data());
      labels.resize(n);
      for (std::size_t i = 0; i < n; ++i) labels[i] = batch[i].label;
      const nn::Tensor in =
          nn::Tensor::from_host(ctx, {.n = std::int64_t(n), .c = std::int64_t(scaling.width())}, buffer);
      const nn::Tensor& y = net.forward(in, nn::Mode::train);
      p.resize(n);
      diff.resize(n);
      y.to_host(p);
      nn::binary_cross_entropy(p, labels, diff);
      store.zero_grads();
      net.backward(nn::Tensor::from_host(ctx, y.dims(), diff), nn::BackwardOptions{.need_diff_in = false});
      adam.step();
    }
    const double test_accuracy = accuracy(predict(net, ctx, scaling, split.test), split.test);
    if (test_accuracy > best.best_test_accuracy) {
      best.best_test_accuracy = test_accuracy;
      best.best_epoch = epoch;
      best_weights.assign(store.values().begin(), store.values().end());
    }
    if (test_accuracy == 1.0) break;
  }
  std::copy(best_weights.begin(), best_weights.end(), store.values().begin());
  best.test_scores = predict(net, ctx, scaling, split.test);
  best.evaluation_scores = predict(net, ctx, scaling, split.evaluation);
  return best;
}

}  // namespace calo::classifier
