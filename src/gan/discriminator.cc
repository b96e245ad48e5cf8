#include "gan/discriminator.hh"

#include <stdexcept>
#include <string>

#include "core/error.hh"
#include "gan/layer_factory.hh"

namespace calo::gan {

namespace {

/// dst = a (+ b when given) in the memory layout of `like` (the layer contract: a diff has
/// the layout of the tensor it is the gradient of), reusing dst while its dims fit.
void sum_into(nn::Tensor& dst, const nn::Tensor& like, const nn::Tensor& a, const nn::Tensor* b) {
  if (!dst || dst.dims() != like.dims() || dst.plain() != like.plain()) dst = nn::Tensor::zeros_like(like);
  dst.copy_from(a);  // oneDNN reorders: no host round trip
  if (b) dst.add_from(*b);
}

}  // namespace

Discriminator::Discriminator(nn::Context& ctx, const ModelSpec& spec)
    : image_(spec.image_shape), trunk_(ctx, "discriminator") {
  validate_model_spec(spec);
  append_layers(trunk_, spec.discriminator.layers, "discriminator", dropouts_);
  const nn::Dims features = trunk_.declare(input_dims(1), store_);
  for (const HeadSpec& head : spec.discriminator.heads) {
    auto seq =
        std::make_unique<nn::Sequential>(ctx, std::string("discriminator/head_") + role_name(head.role));
    append_layers(*seq, head.layers, "discriminator", dropouts_);
    const nn::Dims out = seq->declare(features, store_);
    if (out != nn::Dims{.n = 1, .c = 1})
      throw std::logic_error("discriminator: head output " + nn::to_string(out) + " is not one value");
    (head.role == HeadRole::real_fake ? real_fake_ : energy_) = std::move(seq);
  }
  if (spec.discriminator.ecal_sum) {
    ecal_sum_ = std::make_unique<nn::CellSum>(ctx, "discriminator/ecal_sum");
    ecal_sum_->declare(input_dims(1), store_);
  }
  store_.finalize();
  set_dropout_seed(0);
}

nn::Dims Discriminator::input_dims(std::int64_t batch) const {
  return {.n = batch, .c = 1, .d = image_[0], .h = image_[1], .w = image_[2]};
}

void Discriminator::initialise(Rng& rng) {
  trunk_.initialise(rng);
  real_fake_->initialise(rng);
  energy_->initialise(rng);
}

DiscriminatorOutputs Discriminator::forward(const nn::Tensor& image, nn::Mode mode) {
  input_ = image;
  const nn::Tensor& features = trunk_.forward(image, mode);
  DiscriminatorOutputs out;
  out.real_fake = &real_fake_->forward(features, mode);
  out.energy = &energy_->forward(features, mode);
  if (ecal_sum_) out.ecal_sum = &ecal_sum_->forward(image, mode);
  return out;
}

const nn::Tensor* Discriminator::backward(const DiscriminatorGrads& grads, bool need_diff_image,
                                          const nn::LayerDoneHook* layer_done,
                                          const nn::GradientFactorSink* factors) {
  const nn::BackwardOptions head{.need_diff_in = true, .layer_done = layer_done, .factors = factors};
  const nn::Tensor* a = grads.real_fake ? real_fake_->backward(*grads.real_fake, head) : nullptr;
  const nn::Tensor* b = grads.energy ? energy_->backward(*grads.energy, head) : nullptr;
  const nn::Tensor* trunk_in = nullptr;
  if (a || b) {
    const nn::Tensor* diff = a ? a : b;
    if (a && b) {
      sum_into(trunk_diff_, *a, *a, b);
      diff = &trunk_diff_;
    }
    trunk_in = trunk_.backward(
        *diff, {.need_diff_in = need_diff_image, .layer_done = layer_done, .factors = factors});
  }
  if (!need_diff_image) return nullptr;
  const nn::Tensor* cells = (grads.ecal_sum && ecal_sum_) ? ecal_sum_->backward(*grads.ecal_sum) : nullptr;
  if (trunk_in) {
    sum_into(image_diff_, input_, *trunk_in, cells);
  } else {
    image_diff_ = nn::Tensor::zeros_like(input_);
    if (cells) nn::accumulate(image_diff_, *cells);
  }
  return &image_diff_;
}

void Discriminator::set_weight_grads(bool on) {
  trunk_.set_weight_grads(on);
  real_fake_->set_weight_grads(on);
  energy_->set_weight_grads(on);
}

void Discriminator::set_frozen(bool on) {
  trunk_.set_frozen(on);
  real_fake_->set_frozen(on);
  energy_->set_frozen(on);
}

std::vector<Discriminator::DropoutStream> Discriminator::dropout_streams() const {
  std::vector<DropoutStream> out;
  for (const nn::Dropout* d : dropouts_) out.push_back({d->seed(), d->counter()});
  return out;
}

void Discriminator::set_dropout_streams(const std::vector<DropoutStream>& streams) {
  CALO_VALIDATE(streams.size() == dropouts_.size(),
                "discriminator: " + std::to_string(streams.size()) + " dropout streams for " +
                    std::to_string(dropouts_.size()) + " Dropout layers (another model?)");
  for (std::size_t i = 0; i < streams.size(); ++i)
    dropouts_[i]->set_seed(streams[i].seed, streams[i].counter);
}

void Discriminator::set_dropout_seed(std::uint64_t seed) {
  for (std::size_t i = 0; i < dropouts_.size(); ++i) dropouts_[i]->set_seed(dropout_seed(seed, i));
}

}  // namespace calo::gan
