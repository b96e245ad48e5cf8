#include "train/gan_step.hh"

#include <cmath>
#include <string>
#include <utility>

#include "core/error.hh"

namespace calo::train {

namespace {

/// Labels of value `label`, each flipped (1 - label) with probability p.
std::vector<float> flipped_labels(float label, std::int64_t batch, double p, Rng& rng) {
  std::vector<float> out(batch, label);
  for (float& y : out)
    if (rng.uniform() < p) y = 1.f - y;
  return out;
}

/// Keras trainable=False on the discriminator for a scope (undone on exceptions too).
class FrozenScope {
 public:
  explicit FrozenScope(gan::Discriminator& d) : d_(d) { d_.set_frozen(true); }
  ~FrozenScope() { d_.set_frozen(false); }
  FrozenScope(const FrozenScope&) = delete;
  FrozenScope& operator=(const FrozenScope&) = delete;

 private:
  gan::Discriminator& d_;
};

void assign_or_make(nn::Tensor& t, nn::Context& ctx, const nn::Dims& dims, std::span<const float> data) {
  if (t && t.dims() == dims)
    t.assign(data);
  else
    t = nn::Tensor::from_host(ctx, dims, data);
}

/// A timeline span from its creation to the next mark() or its end (nothing without a timeline).
class Phase {
 public:
  Phase(dist::Timeline* t, std::string name) : t_(t), name_(std::move(name)) {
    if (t_) begin_ = t_->now();
  }
  ~Phase() { mark(""); }
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;
  /// Ends the current span and starts one called next ("" : none).
  void mark(std::string next) {
    if (!t_) return;
    const auto now = t_->now();
    if (!name_.empty()) t_->add(name_, dist::Timeline::kCompute, begin_, now);
    name_ = std::move(next), begin_ = now;
  }

 private:
  dist::Timeline* t_;
  std::string name_;
  dist::Timeline::Clock::time_point begin_;
};

}  // namespace

StepDraws draw_step(const StepConfig& config, std::int64_t batch, std::int64_t latent_size, Rng& rng) {
  StepDraws d;
  d.real_labels = flipped_labels(1.f, batch, config.label_flip_probability, rng);
  d.fake_labels = flipped_labels(0.f, batch, config.label_flip_probability, rng);
  d.fake_energy.resize(batch);
  for (float& e : d.fake_energy)
    e = static_cast<float>(config.fake_energy_min +
                           (config.fake_energy_max - config.fake_energy_min) * rng.uniform());
  d.latent.resize(1 + config.generator_updates);
  for (std::vector<float>& z : d.latent) {
    z.resize(batch * latent_size);
    for (std::int64_t i = 0; i < batch; ++i)
      for (std::int64_t k = 0; k < latent_size; ++k)
        z[i * latent_size + k] = d.fake_energy[i] * static_cast<float>(rng.normal());
  }
  return d;
}

GanStep::GanStep(nn::Context& ctx, gan::Generator& generator, gan::Discriminator& discriminator,
                 nn::Optimizer& generator_optimizer, nn::Optimizer& discriminator_optimizer,
                 StepConfig config)
    : ctx_(ctx),
      gen_(generator),
      disc_(discriminator),
      gen_opt_(generator_optimizer),
      disc_opt_(discriminator_optimizer),
      config_(std::move(config)),
      cells_(discriminator.input_dims(1).elements()) {
  validate(config_);
}

StepLosses GanStep::step(std::span<const float> real_images, std::span<const float> real_energy, Rng& rng) {
  const auto batch = static_cast<std::int64_t>(real_energy.size());
  return step(real_images, real_energy, draw_step(config_, batch, gen_.latent_size(), rng));
}

LossTerms GanStep::discriminator_update(const nn::Tensor* images, const LossTargets& targets) {
  disc_.store().zero_grads();
  LossTerms loss;
  if (sync_) sync_->begin(disc_.store());
  Phase phase(timeline_, "forward D");
  if (images) {  // null: an empty batch on this rank
    loss = discriminator_loss(disc_.forward(*images, nn::Mode::train), targets, config_.loss_weights, grads_);
    phase.mark("backward D");
    disc_.backward(grads_.view(), false, sync_ ? sync_->hook() : nullptr,
                   sync_ ? sync_->factor_sink() : nullptr);
  }
  phase.mark("");
  if (sync_) sync_->finish(disc_.store());
  phase.mark("optimizer D");
  disc_opt_.step();
  return loss;
}

const nn::Tensor& GanStep::latent_tensor(std::span<const float> z, std::int64_t batch) {
  assign_or_make(z_, ctx_, gen_.input_dims(batch), z);
  return z_;
}

StepLosses GanStep::step(std::span<const float> real_images, std::span<const float> real_energy,
                         const StepDraws& draws) {
  const auto batch = static_cast<std::int64_t>(real_energy.size());
  const auto b = static_cast<std::size_t>(batch);
  const auto latent = static_cast<std::size_t>(b * gen_.latent_size());
  CALO_VALIDATE((batch > 0 || sync_) && real_images.size() == b * static_cast<std::size_t>(cells_),
                "training step: " + std::to_string(real_images.size()) + " cells for " +
                    std::to_string(batch) + " energies (need " + std::to_string(cells_) +
                    " cells per shower and a batch >= 1)");
  bool draws_fit = draws.real_labels.size() == b && draws.fake_labels.size() == b &&
                   draws.fake_energy.size() == b &&
                   draws.latent.size() == static_cast<std::size_t>(1 + config_.generator_updates);
  for (const auto& z : draws.latent) draws_fit = draws_fit && z.size() == latent;
  CALO_VALIDATE(draws_fit, "training step: the draws do not match batch " + std::to_string(batch) +
                               ", latent " + std::to_string(gen_.latent_size()) + " and " +
                               std::to_string(config_.generator_updates) + " generator updates");
  StepLosses losses;

  // 1. D on the real batch; its ECAL-sum targets are the showers' own sums.
  std::vector<float> real_sum(b);
  for (std::size_t i = 0; i < b; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < static_cast<std::size_t>(cells_); ++k) s += real_images[i * cells_ + k];
    real_sum[i] = static_cast<float>(s);
  }
  if (batch > 0) assign_or_make(real_, ctx_, disc_.input_dims(batch), real_images);
  losses.d_real =
      discriminator_update(batch > 0 ? &real_ : nullptr, {draws.real_labels, real_energy, real_sum});

  // 2. D on a generated batch (generator in inference mode, as Keras' predict).
  std::vector<float> fake_sum(b);
  for (std::size_t i = 0; i < b; ++i)
    fake_sum[i] = static_cast<float>(config_.ecal_sum_fit.target(draws.fake_energy[i]) * config_.cell_scale);
  const nn::Tensor* generated =
      batch > 0 ? &gen_.forward(latent_tensor(draws.latent[0], batch), nn::Mode::infer) : nullptr;
  losses.d_fake = discriminator_update(generated, {draws.fake_labels, draws.fake_energy, fake_sum});

  // 3. Generator updates through the frozen D, labels 1.
  const std::vector<float> ones(b, 1.f);
  FrozenScope frozen(disc_);
  for (int k = 1; k <= config_.generator_updates; ++k) {
    gen_.store().zero_grads();
    if (sync_) sync_->begin(gen_.store());
    Phase phase(timeline_, "forward G");
    if (batch > 0) {
      const nn::Tensor& image = gen_.forward(latent_tensor(draws.latent[k], batch), nn::Mode::train);
      losses.generator.push_back(discriminator_loss(disc_.forward(image, nn::Mode::train),
                                                    {ones, draws.fake_energy, fake_sum}, config_.loss_weights,
                                                    grads_));
      phase.mark("backward G");
      const nn::Tensor* d_image = disc_.backward(grads_.view(), true);
      gen_.backward(*d_image, false, sync_ ? sync_->hook() : nullptr, sync_ ? sync_->factor_sink() : nullptr);
    } else {
      losses.generator.emplace_back();
    }
    phase.mark("");
    if (sync_) sync_->finish(gen_.store());
    phase.mark("optimizer G");
    gen_opt_.step();
  }
  return losses;
}

}  // namespace calo::train
