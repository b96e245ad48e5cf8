#pragma once
// DistributedGradients: GanStep's GradientSync over a dist::Communicator: one
// dist::OverlappedAllreduce per network (its ParameterStore's flat gradient buffer in fusion
// buckets), fed by the backward hook, which marks a layer's parameter entries final as the
// layer finishes (entries are named "<layer name>.<parameter>", nn/layer.hh).
//
//   DistributedGradients sync(comm, 4 << 20, &timeline, true, batch_per_rank);
//   step.set_gradient_sync(&sync);
//   sync.set_batches(local_batch, global_batch);  // every step, before step()
//
// Dense layers whose gradient is larger than the batch's sufficient factors (the generator's
// first layer: 630,336 floats against 8 x (200 + 3,136) per rank) exchange the factors
// instead (nn::GradientFactors): each rank's inputs and weighted output gradients, gathered
// from every rank in one allgather in the bucket's turn, from which every rank computes the
// same averaged gradient in finish(). That layer's gradient is final only at the very end of
// the generator's backward, so its exchange cannot overlap anything: fewer bytes is what
// shortens the wait (docs/distributed.md, "What the overlap can hide").
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dist/communicator.hh"
#include "dist/overlapped_allreduce.hh"
#include "dist/timeline.hh"
#include "train/gradient_sync.hh"

namespace calo::train {

/// Horovod's fusion threshold is 64 MiB; ours is far smaller so that the 3dgan-16 networks'
/// 0.7 MB (D) and 4.2 MB (G) of gradients split into buckets that overlap the backward pass
/// (measured on 2 ranks here: 35 % of the allreduce hidden with 1 MiB, 66 % with 256 KiB).
inline constexpr std::size_t kDefaultFusionBytes = std::size_t{1} << 18;

/// Which Dense layers exchange sufficient factors instead of their gradient (never with one
/// rank): automatic where the gathered factors are fewer floats than the gradient, ranks x
/// max_local_batch x (in + out) < in x out (also the compute: gathered factors cost ranks x
/// the local batch's weight-gradient work); always (every Dense layer whose backward offers
/// them, for tests); never.
enum class DenseFactors { automatic, always, never };

/// "auto", "always", "never" (InputError naming the option otherwise).
DenseFactors parse_dense_factors(const std::string& text);
std::string to_string(DenseFactors f);

class DistributedGradients final : public GradientSync {
 public:
  /// comm (and timeline, may be null) must outlive this. max_local_batch: the largest batch a
  /// rank has in a step (the factors' buffers are that size on every rank; 0: no factors).
  DistributedGradients(dist::Communicator& comm, std::size_t fusion_bytes, dist::Timeline* timeline = nullptr,
                       bool overlap = true, std::int64_t max_local_batch = 0,
                       DenseFactors factors = DenseFactors::automatic);

  void set_batches(std::int64_t local, std::int64_t global) override;
  void begin(nn::ParameterStore& store) override;
  const nn::LayerDoneHook* hook() override { return overlap_ ? &hook_ : nullptr; }
  const nn::GradientFactorSink* factor_sink() override { return &sink_; }
  void finish(nn::ParameterStore& store) override;

  /// Over both networks since creation: seconds in allreduce calls, seconds waited for them
  /// after backward, and buckets per network.
  double reduce_seconds() const;
  double wait_seconds() const;
  std::size_t buckets(const nn::ParameterStore& store) const;
  /// Record every round's times from now on (dist::OverlappedAllreduce::record_rounds), and
  /// the rounds recorded, over the networks in the order of their first parameter's name (the
  /// same order on every rank).
  void record_rounds(bool on);
  std::vector<dist::OverlappedAllreduce::RoundTimes> rounds() const;
  /// Names of store's layers that exchange sufficient factors (after its first begin()).
  std::vector<std::string> factor_layers(const nn::ParameterStore& store) const;
  /// Floats one round of store's exchange sends per rank into the collectives (after its first
  /// begin()): its buckets' sizes, the factor layers' gathered factors in their place.
  std::size_t exchanged_floats(const nn::ParameterStore& store) const;

 private:
  // A Dense layer exchanging sufficient factors: this rank's [x block | dy block] of
  // max_local_batch rows each (rows past the batch zero), and every rank's, gathered.
  struct FactorLayer {
    std::size_t weight = 0, bias = 0;  // entries (bias == weight: none)
    std::int64_t in = 0, out = 0;
    std::vector<float> mine, all;
    bool given = false;  // the layer's backward handed its factors this round
  };
  struct Network {
    std::unique_ptr<dist::OverlappedAllreduce> reduce;
    std::unordered_map<std::string, std::vector<std::size_t>> entries_of_layer;
    std::map<std::string, FactorLayer> factors;
    std::size_t exchanged_floats = 0;
  };
  Network& network(nn::ParameterStore& store);
  bool take_factors(const nn::Layer& layer, const nn::GradientFactors& f);

  dist::Communicator& comm_;
  std::size_t fusion_bytes_;
  dist::Timeline* timeline_;
  bool overlap_;
  bool record_ = false;
  std::int64_t max_local_ = 0;
  DenseFactors factor_rule_;
  std::int64_t local_ = 1, global_ = 1;
  std::map<const nn::ParameterStore*, Network> networks_;
  Network* current_ = nullptr;
  nn::LayerDoneHook hook_;
  nn::GradientFactorSink sink_;
};

}  // namespace calo::train
