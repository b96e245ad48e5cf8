#include "gan/batch_norm_refresh.hh"

#include <stdexcept>
#include <string>

#include "nn/batch_norm.hh"
#include "nn/tensor.hh"

namespace calo::gan {

namespace {

/// Puts the layers' momentum back however the refresh ends.
class MomentumRestorer {
 public:
  explicit MomentumRestorer(std::vector<nn::BatchNorm*> layers) : layers_(std::move(layers)) {
    for (const nn::BatchNorm* bn : layers_) saved_.push_back(bn->spec().momentum);
  }
  ~MomentumRestorer() {
    for (std::size_t i = 0; i < layers_.size(); ++i) layers_[i]->set_momentum(saved_[i]);
  }
  MomentumRestorer(const MomentumRestorer&) = delete;
  MomentumRestorer& operator=(const MomentumRestorer&) = delete;

 private:
  std::vector<nn::BatchNorm*> layers_;
  std::vector<float> saved_;
};

}  // namespace

std::vector<nn::BatchNorm*> batch_norm_layers(nn::Sequential& net) {
  std::vector<nn::BatchNorm*> out;
  for (std::size_t i = 0; i < net.size(); ++i)
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(&net.layer(i))) out.push_back(bn);
  return out;
}

void refresh_batch_norm_statistics(const std::vector<nn::BatchNorm*>& layers, std::size_t batches,
                                   const std::function<void(std::size_t)>& forward) {
  if (layers.empty() || batches == 0) return;
  MomentumRestorer restore(layers);
  for (std::size_t k = 0; k < batches; ++k) {
    // moving = k/(k+1) moving + 1/(k+1) batch: after batch k the mean of batches 0..k.
    for (nn::BatchNorm* bn : layers) bn->set_momentum(static_cast<float>(k) / static_cast<float>(k + 1));
    forward(k);
  }
}

void refresh_batch_norm_statistics(Generator& gen, nn::Context& ctx,
                                   const std::vector<std::vector<float>>& latent_batches) {
  const auto latent = static_cast<std::size_t>(gen.latent_size());
  if (latent_batches.empty()) throw std::logic_error("refresh_batch_norm_statistics: no latent batches");
  for (const auto& z : latent_batches)
    if (z.empty() || z.size() % latent != 0)
      throw std::logic_error("refresh_batch_norm_statistics: a batch of " + std::to_string(z.size()) +
                             " values is not whole latent vectors of " + std::to_string(latent));
  nn::Tensor z;
  refresh_batch_norm_statistics(batch_norm_layers(gen.network()), latent_batches.size(), [&](std::size_t k) {
    const nn::Dims dims = gen.input_dims(static_cast<std::int64_t>(latent_batches[k].size() / latent));
    if (z && z.dims() == dims)
      z.assign(latent_batches[k]);
    else
      z = nn::Tensor::from_host(ctx, dims, latent_batches[k]);
    gen.forward(z, nn::Mode::train);
  });
}

std::vector<std::vector<float>> draw_latent_batches(const Generator& gen, int batches,
                                                    std::int64_t batch_size, double energy_min,
                                                    double energy_max, Rng& rng) {
  std::vector<std::vector<float>> out(static_cast<std::size_t>(batches));
  const auto latent = gen.latent_size();
  for (auto& z : out) {
    z.resize(static_cast<std::size_t>(batch_size * latent));
    for (std::int64_t i = 0; i < batch_size; ++i) {
      const double energy = energy_min + (energy_max - energy_min) * rng.uniform();
      for (std::int64_t k = 0; k < latent; ++k)
        z[static_cast<std::size_t>(i * latent + k)] = static_cast<float>(energy * rng.normal());
    }
  }
  return out;
}

std::vector<std::vector<float>> snapshot_states(nn::ParameterStore& store) {
  std::vector<std::vector<float>> out;
  for (std::size_t i = 0; i < store.states().size(); ++i) {
    const auto s = store.state(i);
    out.emplace_back(s.begin(), s.end());
  }
  return out;
}

void restore_states(nn::ParameterStore& store, const std::vector<std::vector<float>>& states) {
  if (states.size() != store.states().size())
    throw std::logic_error("restore_states: " + std::to_string(states.size()) + " states for a store of " +
                           std::to_string(store.states().size()));
  for (std::size_t i = 0; i < states.size(); ++i) {
    const auto s = store.state(i);
    if (s.size() != states[i].size()) throw std::logic_error("restore_states: state sizes differ");
    std::copy(states[i].begin(), states[i].end(), s.begin());
  }
}

}  // namespace calo::gan
