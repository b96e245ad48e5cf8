#pragma once
// GanStep: one training step of the 3DGAN recipe (DESIGN.md section 7) on a batch of B real
// showers, in this order:
//   1. D on the real batch: labels 1 (each flipped with p), energy targets the showers'
//      energies, ECAL-sum targets the sums of their cells; one D update.
//   2. D on a generated batch: energies E_i ~ U(fake_energy_min, fake_energy_max), latent
//      z_i = E_i x N(0,1)^latent (gan::Generator's input), the generator in inference mode
//      (Keras predict); labels 0 (each flipped with p), ECAL-sum targets fit.target(E_i);
//      one D update.
//   3. generator_updates times: the generator in training mode on a fresh z (same E_i)
//      through the frozen D (Keras trainable=False: no D weight gradients, BatchNorm on
//      its moving statistics, which stay as they are; Dropout active), labels 1 (never
//      flipped), the same energy and ECAL-sum targets; one G update.
// The random draws of a step come from StepDraws, drawn from the caller's Rng in a fixed
// order (draw_step) or given (tests, replay). Shapes come from the networks, so any model
// spec's image size works.
//
//   GanStep step(ctx, gen, disc, opt_g, opt_d, config);
//   StepLosses l = step.step(images, energies, rng);  // images (B, X, Y, L) [GeV], energies [100 GeV]
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hh"
#include "dist/timeline.hh"
#include "gan/discriminator.hh"
#include "gan/generator.hh"
#include "nn/context.hh"
#include "nn/optimizer.hh"
#include "nn/tensor.hh"
#include "train/gan_loss.hh"
#include "train/gradient_sync.hh"
#include "train/step_config.hh"

namespace calo::train {

/// Everything random in one step.
struct StepDraws {
  std::vector<float> real_labels;  ///< (B) D-real labels after flipping (1, or 0 flipped)
  std::vector<float> fake_labels;  ///< (B) D-fake labels after flipping (0, or 1 flipped)
  std::vector<float> fake_energy;  ///< (B) energies of the generated showers [100 GeV]
  /// 1 + generator_updates latent batches (B x latent_size each, row-major): [0] for the
  /// generated batch of the D step, [k] for generator update k; z_i = fake_energy[i] x N(0,1).
  std::vector<std::vector<float>> latent;
};

/// The draws of one step from rng, in this order: real-label flips, fake-label flips,
/// energies, then each latent batch (so a run replays exactly from a saved Rng).
StepDraws draw_step(const StepConfig& config, std::int64_t batch, std::int64_t latent_size, Rng& rng);

/// Losses of one step, for logging.
struct StepLosses {
  LossTerms d_real, d_fake;
  std::vector<LossTerms> generator;  ///< one per generator update
};

class GanStep {
 public:
  /// Keeps references: the networks and optimisers must outlive the step. InputError on an
  /// invalid config.
  GanStep(nn::Context& ctx, gan::Generator& generator, gan::Discriminator& discriminator,
          nn::Optimizer& generator_optimizer, nn::Optimizer& discriminator_optimizer, StepConfig config = {});

  /// One step on real_images (B x cells_per_image(), plain [x][y][layer] per shower [GeV])
  /// with their energies (B, [100 GeV]); draws from rng (draw_step).
  StepLosses step(std::span<const float> real_images, std::span<const float> real_energy, Rng& rng);
  /// The same with given draws (sizes as draw_step's; InputError otherwise).
  StepLosses step(std::span<const float> real_images, std::span<const float> real_energy,
                  const StepDraws& draws);

  /// Data-parallel training: gradients go through sync (kept; null: one process) between
  /// each backward and its optimiser step. With a sync a rank may have an empty batch (the
  /// last step of an epoch whose events ran out on this rank): it computes nothing, adds zero
  /// gradients with weight 0 and applies the averaged update like the others.
  void set_gradient_sync(GradientSync* sync) { sync_ = sync; }
  /// Records forward, backward and optimiser spans of each update there (null: none).
  void set_timeline(dist::Timeline* timeline) { timeline_ = timeline; }

  const StepConfig& config() const { return config_; }
  /// Cells of one shower image, X * Y * L of the model spec.
  std::int64_t cells_per_image() const { return cells_; }

 private:
  LossTerms discriminator_update(const nn::Tensor* images, const LossTargets& targets);
  const nn::Tensor& latent_tensor(std::span<const float> z, std::int64_t batch);

  nn::Context& ctx_;
  gan::Generator& gen_;
  gan::Discriminator& disc_;
  nn::Optimizer& gen_opt_;
  nn::Optimizer& disc_opt_;
  StepConfig config_;
  std::int64_t cells_;
  nn::Tensor real_, z_;  // reused from step to step
  LossGradients grads_;
  GradientSync* sync_ = nullptr;
  dist::Timeline* timeline_ = nullptr;
};

}  // namespace calo::train
