#include "infer/folded_generator.hh"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hh"
#include "gan/layer_factory.hh"
#include "nn/conv3d.hh"
#include "nn/cpu_features.hh"
#include "nn/dropout.hh"

namespace calo::infer {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

bool is_positively_homogeneous(const gan::LayerSpec& l) {  // f(a z) = a f(z) for a >= 0
  return l.type == gan::LayerType::relu || (l.type == gan::LayerType::leaky_relu && l.alpha >= 0);
}

/// One BatchNorm to fold: y = a x + b per channel.
struct BatchNormFold {
  std::size_t conv = kNone;  // the Conv3D before it
  std::size_t act = kNone;   // the activation between them (kNone: none)
  std::size_t bn = kNone;
  std::size_t next = kNone;  // the Conv3D after it through up-samplings and paddings only
  std::vector<double> a, b;
};

const std::vector<float>& tensor(const LoadedModel& m, const std::string& name) {
  const auto it = m.tensors.find(name);
  if (it == m.tensors.end()) throw std::logic_error("infer: the loaded model lacks " + name);
  return it->second;
}

std::string store_name(const gan::LayerSpec& l, const char* suffix) { return "generator/" + l.name + suffix; }

std::vector<BatchNormFold> plan_folds(const LoadedModel& m) {
  const auto& layers = m.spec.generator.layers;
  std::vector<BatchNormFold> folds;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].type != gan::LayerType::batch_normalization) continue;
    BatchNormFold f;
    f.bn = i;
    std::size_t j = i;
    if (j > 0 && is_positively_homogeneous(layers[j - 1])) f.act = --j;
    if (j == 0 || layers[j - 1].type != gan::LayerType::conv3d) continue;
    f.conv = j - 1;
    std::size_t k = i + 1;
    while (k < layers.size() && (layers[k].type == gan::LayerType::up_sampling3d ||
                                 layers[k].type == gan::LayerType::zero_padding3d))
      ++k;
    if (k < layers.size() && layers[k].type == gan::LayerType::conv3d) f.next = k;
    const auto& gamma = tensor(m, store_name(layers[i], ".gamma"));
    const auto& beta = tensor(m, store_name(layers[i], ".beta"));
    const auto& mean = tensor(m, store_name(layers[i], ".moving_mean"));
    const auto& var = tensor(m, store_name(layers[i], ".moving_variance"));
    bool negative = false;
    for (std::size_t c = 0; c < gamma.size(); ++c) {
      const double a =
          gamma[c] / std::sqrt(static_cast<double>(var[c]) + static_cast<double>(layers[i].epsilon));
      f.a.push_back(a);
      f.b.push_back(beta[c] - a * mean[c]);
      negative |= a < 0;
    }
    if (negative && f.act != kNone && f.next == kNone) continue;  // no exact place for the scale
    folds.push_back(std::move(f));
  }
  return folds;
}

}  // namespace

FoldedGenerator::FoldedGenerator(nn::Context& ctx, const LoadedModel& model, bool fold, Precision precision)
    : ctx_(ctx),
      latent_size_(model.spec.latent_size),
      cells_(model.spec.image_shape[0] * model.spec.image_shape[1] * model.spec.image_shape[2]),
      net_(ctx, "generator") {
  const auto& layers = model.spec.generator.layers;
  const std::vector<BatchNormFold> folds = fold ? plan_folds(model) : std::vector<BatchNormFold>{};
  std::set<std::size_t> skipped;
  std::vector<const BatchNormFold*> fold_of_conv(layers.size(), nullptr);
  for (const BatchNormFold& f : folds) {
    fold_of_conv[f.conv] = &f;
    skipped.insert(f.bn);
    if (f.act != kNone) skipped.insert(f.act);
  }
  const bool int8 = precision == Precision::int8;
  const bool bf16 = precision == Precision::bf16 || (int8 && nn::bf16_convolutions_supported());
  // int8 everywhere but in the convolution that feeds the last one: its rounding reaches the
  // cells through two activations alone, and the final ReLU turns noise near zero into a bias
  // of the sampled fraction (measured with it in int8: -0.2 to -0.5 %, at the gate's 0.5 %;
  // without, as bf16: within 0.05 %; docs/generate.md).
  std::size_t last_conv = kNone, before_last = kNone;
  for (std::size_t k = 0; k < layers.size(); ++k)
    if (layers[k].type == gan::LayerType::conv3d) before_last = last_conv, last_conv = k;
  std::vector<nn::Dropout*> dropouts;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    if (skipped.count(k)) continue;
    const gan::LayerSpec& l = layers[k];
    if (l.type == gan::LayerType::conv3d) {
      nn::Conv3DSpec cs{.filters = l.filters,
                        .kernel = l.kernel_size,
                        .padding = l.same_padding ? nn::Padding::same : nn::Padding::valid,
                        .use_bias = l.use_bias,
                        .bf16 = bf16,
                        .int8 = int8 && k != before_last};
      const BatchNormFold* f = fold_of_conv[k];
      cs.channel_shift = f != nullptr;
      if (f && f->act != kNone) {
        const gan::LayerSpec& act = layers[f->act];
        cs.activation = act.type == gan::LayerType::relu ? nn::Activation::relu : nn::Activation::leaky_relu;
        cs.alpha = act.type == gan::LayerType::relu ? 0.f : static_cast<float>(act.alpha);
      }
      net_.emplace<nn::Conv3D>("generator/" + l.name, cs);
      continue;
    }
    gan::append_layers(net_, {l}, "generator", dropouts);
  }
  net_.set_constant_weights(true);  // the store is filled below, before any forward
  const nn::Dims out = net_.declare({.n = 1, .c = latent_size_}, store_);
  store_.finalize();
  if (out.elements() != cells_)
    throw std::logic_error("infer: the folded generator's output " + nn::to_string(out) +
                           " is not the spec's image");

  // Every tensor as trained, then the folds' scales and shifts on top.
  for (std::size_t i = 0; i < store_.parameters().size(); ++i) {
    const std::string& name = store_.parameters()[i].name;
    if (name.ends_with(".shift")) continue;
    const auto& v = tensor(model, name);
    std::copy(v.begin(), v.end(), store_.value(i).begin());
  }
  for (std::size_t i = 0; i < store_.states().size(); ++i) {
    const auto& v = tensor(model, store_.states()[i].name);
    std::copy(v.begin(), v.end(), store_.state(i).begin());
  }
  const auto value = [&](const std::string& name) {
    const auto i = store_.find(name);
    if (!i) throw std::logic_error("infer: no " + name + " in the folded graph");
    return store_.value(*i);
  };
  for (const BatchNormFold& f : folds) {
    const gan::LayerSpec& conv = layers[f.conv];
    const auto w = value(store_name(conv, ".weight"));
    const auto bias = conv.use_bias ? value(store_name(conv, ".bias")) : std::span<float>();
    const auto shift = value(store_name(conv, ".shift"));
    const std::size_t channels = f.a.size(), per = w.size() / channels;
    for (std::size_t o = 0; o < channels; ++o) {
      const double a = f.a[o];
      if (f.act == kNone || a >= 0) {
        for (std::size_t t = 0; t < per; ++t) w[o * per + t] = static_cast<float>(a * w[o * per + t]);
        if (!bias.empty()) bias[o] = static_cast<float>(a * bias[o]);
        shift[o] = static_cast<float>(f.b[o]);
      } else {  // the scale moves to the next convolution's input channel o
        shift[o] = static_cast<float>(f.b[o] / a);
        const auto wn = value(store_name(layers[f.next], ".weight"));
        const std::size_t out_n = static_cast<std::size_t>(layers[f.next].filters);
        const std::size_t taps = wn.size() / out_n / channels;
        for (std::size_t on = 0; on < out_n; ++on)
          for (std::size_t t = 0; t < taps; ++t) {
            float& x = wn[(on * channels + o) * taps + t];
            x = static_cast<float>(a * x);
          }
      }
    }
    ++folded_;
  }
}

void FoldedGenerator::run(std::span<const float> z, std::int64_t n, std::span<float> out) {
  CALO_VALIDATE(n > 0, "generator: batch of " + std::to_string(n) + " showers");
  CALO_VALIDATE(static_cast<std::int64_t>(z.size()) == n * latent_size_,
                "generator: " + std::to_string(z.size()) + " latent values for " + std::to_string(n) +
                    " showers of " + std::to_string(latent_size_));
  CALO_VALIDATE(static_cast<std::int64_t>(out.size()) == n * cells_,
                "generator: output of " + std::to_string(out.size()) + " floats for " + std::to_string(n) +
                    " showers of " + std::to_string(cells_) + " cells");
  auto it = inputs_.find(n);
  if (it == inputs_.end())
    it = inputs_.emplace(n, nn::Tensor::zeros(ctx_, {.n = n, .c = latent_size_})).first;
  it->second.assign(z);
  net_.forward(it->second, nn::Mode::infer).to_host(out);
}

}  // namespace calo::infer
