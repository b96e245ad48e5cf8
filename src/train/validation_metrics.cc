#include "train/validation_metrics.hh"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hh"
#include "gan/batch_norm_refresh.hh"
#include "train/batch_loader.hh"

namespace calo::train {

namespace {

/// Per energy bin: event count, sum of (ECAL sum / E), layer and x profiles (summed cells).
struct BinSums {
  std::int64_t n = 0;
  double ratio = 0;
  std::vector<double> layers, xs;
};

void add_shower(BinSums& b, std::span<const float> cells, const io::ShowerGrid& g, double energy) {
  if (b.layers.empty()) b.layers.assign(g.nz, 0.0), b.xs.assign(g.nx, 0.0);
  double sum = 0;
  for (std::size_t x = 0; x < g.nx; ++x)
    for (std::size_t y = 0; y < g.ny; ++y)
      for (std::size_t z = 0; z < g.nz; ++z) {
        const double c = cells[(x * g.ny + y) * g.nz + z];
        b.layers[z] += c, b.xs[x] += c, sum += c;
      }
  b.ratio += sum / energy;
  ++b.n;
}

/// Mean relative error of the normalised profiles over the entries of `data` above 1 %.
double profile_error(const std::vector<double>& gan, const std::vector<double>& data) {
  double gan_total = 0, data_total = 0;
  for (double v : gan) gan_total += v;
  for (double v : data) data_total += v;
  if (data_total <= 0) return 0;
  if (gan_total <= 0) return 1;  // an empty generated profile: 100 % off everywhere
  double error = 0;
  int used = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double d = data[i] / data_total;
    if (d <= 0.01) continue;
    error += std::abs(gan[i] / gan_total / d - 1), ++used;
  }
  return used ? error / used : 0;
}

/// Re-estimates the discriminator's BatchNorm statistics on real showers for the duration of a
/// validation and puts the training statistics and Dropout streams back afterwards.
class DiscriminatorStatistics {
 public:
  explicit DiscriminatorStatistics(gan::Discriminator& disc)
      : disc_(disc), states_(gan::snapshot_states(disc.store())), streams_(disc.dropout_streams()) {}
  ~DiscriminatorStatistics() {
    gan::restore_states(disc_.store(), states_);
    disc_.set_dropout_streams(streams_);
  }
  DiscriminatorStatistics(const DiscriminatorStatistics&) = delete;
  DiscriminatorStatistics& operator=(const DiscriminatorStatistics&) = delete;

  void refresh(nn::Context& ctx, const ShowerDataset& data, const std::vector<EventRef>& events,
               const ValidationInput& in) {
    BatchLoader loader(data, events, {.batch_size = in.refresh_batch_size, .cell_scale = in.cell_scale});
    std::vector<std::vector<float>> batches;
    for (int k = 0; k < in.refresh_batches; ++k) {
      auto batch = loader.next();
      if (!batch) break;
      batches.push_back(std::move(batch->images));
    }
    const std::int64_t cells = static_cast<std::int64_t>(data.grid().cells());
    gan::refresh_batch_norm_statistics(
        gan::batch_norm_layers(disc_.trunk()), batches.size(), [&](std::size_t k) {
          const auto b = static_cast<std::int64_t>(batches[k].size()) / cells;
          disc_.forward(nn::Tensor::from_host(ctx, disc_.input_dims(b), batches[k]), nn::Mode::train);
        });
  }

 private:
  gan::Discriminator& disc_;
  std::vector<std::vector<float>> states_;
  std::vector<gan::Discriminator::DropoutStream> streams_;
};

}  // namespace

ValidationMetrics validate_generator(nn::Context& ctx, gan::Generator& gen, gan::Discriminator& disc,
                                     const ShowerDataset& data, const ValidationInput& in) {
  CALO_VALIDATE(in.energy_bins > 0 && in.batch_size > 0 && in.max_events > 0, "invalid validation settings");
  ValidationMetrics m;
  std::vector<EventRef> events(
      data.validation().begin(),
      data.validation().begin() + std::min<std::size_t>(data.validation().size(), in.max_events));
  if (events.empty()) return m;
  // The discriminator's moving statistics average the real and generated batches of training,
  // which it never meets in one batch, so in inference mode its view of real showers is off
  // (energy MAPE 20-150 % from one validation to the next where the training-mode one on real
  // batches was steady): they are re-estimated on real held-out showers for the validation,
  // as the generator's are (gan/batch_norm_refresh.hh), and put back afterwards.
  DiscriminatorStatistics statistics(disc);
  if (in.refresh_batches > 0) statistics.refresh(ctx, data, events, in);
  double e_lo = INFINITY, e_hi = -INFINITY;
  for (const EventRef& e : events)
    e_lo = std::min<double>(e_lo, data.energy_gev(e)), e_hi = std::max<double>(e_hi, data.energy_gev(e));
  const auto bin_of = [&](double e) {
    if (e_hi <= e_lo) return 0;
    return std::min(in.energy_bins - 1, static_cast<int>((e - e_lo) / (e_hi - e_lo) * in.energy_bins));
  };
  std::vector<BinSums> real(in.energy_bins), fake(in.energy_bins);
  const io::ShowerGrid& grid = data.grid();
  const std::size_t cells = grid.cells();

  Rng rng(in.seed, kValidationStream);
  LossGradients grads;
  BatchLoader loader(data, events, {.batch_size = in.batch_size, .cell_scale = in.cell_scale});
  std::int64_t batches = 0;
  while (auto batch = loader.next()) {
    const auto b = static_cast<std::int64_t>(batch->events.size());
    // The discriminator on the real showers.
    const nn::Tensor x = nn::Tensor::from_host(ctx, disc.input_dims(b), batch->images);
    const gan::DiscriminatorOutputs out = disc.forward(x, nn::Mode::infer);
    const std::vector<float> ones(b, 1.f), sums(batch->ecal_sums.begin(), batch->ecal_sums.end());
    const LossTerms l = discriminator_loss(out, {ones, batch->energies, sums}, in.loss_weights, grads);
    m.d_real.real_fake += l.real_fake, m.d_real.energy += l.energy, m.d_real.ecal_sum += l.ecal_sum,
        m.d_real.total += l.total;
    ++batches;
    // The generator at the same energies: z = E x N(0, 1) (gan::Generator's input).
    std::vector<float> z(b * gen.latent_size());
    for (std::int64_t i = 0; i < b; ++i)
      for (std::int64_t k = 0; k < gen.latent_size(); ++k)
        z[i * gen.latent_size() + k] = batch->energies[i] * static_cast<float>(rng.normal());
    const std::vector<float> generated =
        gen.forward(nn::Tensor::from_host(ctx, gen.input_dims(b), z), nn::Mode::infer).to_host();
    for (std::int64_t i = 0; i < b; ++i) {
      const double energy_gev = data.energy_gev(batch->events[i]);
      const int bin = bin_of(energy_gev);
      add_shower(real[bin], std::span(batch->images).subspan(i * cells, cells), grid, energy_gev);
      add_shower(fake[bin], std::span(generated).subspan(i * cells, cells), grid, energy_gev);
    }
    m.events += b;
  }
  m.d_real.real_fake /= batches, m.d_real.energy /= batches, m.d_real.ecal_sum /= batches,
      m.d_real.total /= batches;
  int used = 0;
  for (int k = 0; k < in.energy_bins; ++k) {
    if (real[k].n == 0) continue;
    const double data_ratio = real[k].ratio / real[k].n, gan_ratio = fake[k].ratio / fake[k].n;
    m.sampled_fraction_error += data_ratio > 0 ? std::abs(gan_ratio / data_ratio - 1) : 0;
    m.sampled_fraction_ratio += data_ratio > 0 ? gan_ratio / data_ratio : 1;
    m.longitudinal_error += profile_error(fake[k].layers, real[k].layers);
    m.transverse_error += profile_error(fake[k].xs, real[k].xs);
    ++used;
  }
  m.sampled_fraction_ratio /= used;
  m.sampled_fraction_error /= used, m.longitudinal_error /= used, m.transverse_error /= used;
  return m;
}

}  // namespace calo::train
