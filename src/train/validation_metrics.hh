#pragma once
// The cheap physics metrics of the original 3DGAN's training scripts (GANutils-style), on the
// held-out showers: the generator makes one shower per validation event at that event's
// energy and the two sets are compared in equal-width energy bins:
//   sampled_fraction_error: mean over bins of |<sum/E>_GAN / <sum/E>_data - 1|;
//   longitudinal_error, transverse_error: mean over bins of the mean relative error of the
//     normalised layer (resp. x) profiles over the entries holding > 1 % of the energy;
// plus the discriminator's losses on the real held-out showers (labels 1, no update) and its
// energy regression error, with its BatchNorm statistics re-estimated on real held-out showers
// for the purpose. score() is what "best generator so far" is chosen by.
#include <cstdint>
#include <span>

#include "core/rng.hh"
#include "gan/discriminator.hh"
#include "gan/generator.hh"
#include "nn/context.hh"
#include "train/gan_loss.hh"
#include "train/shower_dataset.hh"

namespace calo::train {

struct ValidationMetrics {
  std::int64_t events = 0;
  LossTerms d_real;  ///< discriminator losses on real held-out showers (mean over batches)
  double sampled_fraction_error = 0;
  /// Mean over bins of <sum/E>_GAN / <sum/E>_data: the error's sign and size (0 for empty showers).
  double sampled_fraction_ratio = 0;
  double longitudinal_error = 0;
  double transverse_error = 0;
  /// Lower is better: the sum of the three physics errors.
  double score() const { return sampled_fraction_error + longitudinal_error + transverse_error; }
};

struct ValidationInput {
  std::int64_t max_events = 2000;  ///< the first this many validation events
  std::int64_t batch_size = 64;
  int energy_bins = 5;
  std::uint64_t seed = 1;  ///< latent vectors: Rng(seed, kValidationStream), the same each time
  LossWeights loss_weights;
  float cell_scale = 1;  ///< the networks' cell unit (TrainerOptions::cell_scale)
  /// The discriminator's BatchNorm statistics are re-estimated, for the validation only, on the
  /// first refresh_batches batches of refresh_batch_size held-out showers (0: its training
  /// statistics are used as they are).
  int refresh_batches = 16;
  std::int64_t refresh_batch_size = 8;
};

/// The random stream of the validation latents (apart from the training streams).
inline constexpr std::uint64_t kValidationStream = 0x76616c6964ULL;

/// Metrics on data.validation(); the networks run in inference mode and are left unchanged
/// (the discriminator's statistics and Dropout streams are put back after the refresh).
ValidationMetrics validate_generator(nn::Context& ctx, gan::Generator& gen, gan::Discriminator& disc,
                                     const ShowerDataset& data, const ValidationInput& input);

}  // namespace calo::train
