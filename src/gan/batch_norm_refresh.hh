#pragma once
// Re-estimating a generator's BatchNorm moving statistics for its current weights.
//
// Why: training moves the weights quickly (RMSprop takes steps of about the learning rate
// whatever the gradient's size), and the moving averages (momentum 0.99: the last ~100
// training forwards) describe weights the generator no longer has. Early in a run the
// inference-mode generator, the one users and `validate` get, then differs completely from the
// training-mode one (it gave all-zero showers after 300 steps where the training-mode output had
// the data's ECAL sums; PyTorch's reference recipe does the same). The cure, standard since
// stochastic weight averaging (PyTorch's swa_utils.update_bn): run training-mode forwards over
// many latent batches and set the moving statistics to the average of their batch statistics.
// The trainer does it on a snapshot for validation and for the exported generator (best.h5), and
// restores the training statistics afterwards, so the recipe itself is unchanged.
//
//   refresh_batch_norm_statistics(gen, ctx, draw_latent_batches(gen, 8, 64, 0.1, 5, rng));
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rng.hh"
#include "gan/generator.hh"
#include "nn/batch_norm.hh"
#include "nn/context.hh"

namespace calo::gan {

/// Sets every BatchNorm's moving mean and variance of gen to the averages, over the given latent
/// batches, of the batch mean and unbiased batch variance each meets in a training-mode forward
/// (cumulative average: momentum 0 for the first batch, then 1/2, 2/3, ...; the layers' own
/// momentum is restored afterwards). Each batch holds whole latent vectors (size a multiple of
/// latent_size, at least one). Parameters and gradients are untouched.
void refresh_batch_norm_statistics(Generator& gen, nn::Context& ctx,
                                   const std::vector<std::vector<float>>& latent_batches);

/// The general form: sets the moving statistics of `layers` to the averages of the batch
/// statistics they meet in `batches` training-mode forwards, forward(k) running the k-th (any
/// network: the discriminator's on real showers, for instance). Momentum restored afterwards.
void refresh_batch_norm_statistics(const std::vector<nn::BatchNorm*>& layers, std::size_t batches,
                                   const std::function<void(std::size_t)>& forward);

/// Every BatchNorm layer of a network, in order.
std::vector<nn::BatchNorm*> batch_norm_layers(nn::Sequential& net);

/// `batches` latent batches of `batch_size` vectors energy x N(0,1)^latent_size, energy uniform in
/// [energy_min, energy_max] [100 GeV]: the generator's input distribution in training.
std::vector<std::vector<float>> draw_latent_batches(const Generator& gen, int batches,
                                                    std::int64_t batch_size, double energy_min,
                                                    double energy_max, Rng& rng);

/// Every moving statistic of a store, to put back after a refresh (restore_states).
std::vector<std::vector<float>> snapshot_states(nn::ParameterStore& store);
void restore_states(nn::ParameterStore& store, const std::vector<std::vector<float>>& states);

}  // namespace calo::gan
