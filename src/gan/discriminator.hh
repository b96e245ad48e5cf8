#pragma once
// Discriminator: a trunk (nn::Sequential of the spec's discriminator layers), two heads on
// the trunk's output and the ECAL sum of the input image, with one ParameterStore.
//
//   image     (N, 1, X, Y, L)  [GeV] per cell
//   real_fake (N, 1, 1, 1, 1)  probability that the image is real
//   energy    (N, 1, 1, 1, 1)  primary energy [100 GeV]
//   ecal_sum  (N, 1, 1, 1, 1)  sum of all cells [GeV] (no weights; null without ecal_sum)
#include <cstdint>
#include <memory>
#include <vector>

#include "core/rng.hh"
#include "gan/model_spec.hh"
#include "nn/cell_sum.hh"
#include "nn/context.hh"
#include "nn/dropout.hh"
#include "nn/parameter_store.hh"
#include "nn/sequential.hh"

namespace calo::gan {

struct DiscriminatorOutputs {
  const nn::Tensor* real_fake = nullptr;
  const nn::Tensor* energy = nullptr;
  const nn::Tensor* ecal_sum = nullptr;
};

/// Gradients of the loss with respect to each output (same dims); nullptr means zero.
struct DiscriminatorGrads {
  const nn::Tensor* real_fake = nullptr;
  const nn::Tensor* energy = nullptr;
  const nn::Tensor* ecal_sum = nullptr;
};

class Discriminator {
 public:
  /// Builds, declares and finalises the network (parameters zero until initialise()).
  Discriminator(nn::Context& ctx, const ModelSpec& spec);

  nn::Dims input_dims(std::int64_t batch) const;
  void initialise(Rng& rng);

  /// Outputs stay valid until the next forward (they belong to the layers).
  DiscriminatorOutputs forward(const nn::Tensor& image, nn::Mode mode);
  /// After a Mode::train forward: accumulates the parameter gradients of the heads and the
  /// trunk (unless switched off) and returns d loss / d image when need_diff_image (in the
  /// image's memory layout, valid until the next backward), else nullptr. layer_done:
  /// nn::LayerDoneHook, called for the heads' layers and the trunk's; factors:
  /// nn::GradientFactorSink, offered by every Dense layer.
  const nn::Tensor* backward(const DiscriminatorGrads& grads, bool need_diff_image = false,
                             const nn::LayerDoneHook* layer_done = nullptr,
                             const nn::GradientFactorSink* factors = nullptr);

  /// Parameter-gradient accumulation on/off (all layers).
  void set_weight_grads(bool on);
  /// The frozen D of a generator update (Keras trainable=False, nn::Layer::set_frozen):
  /// weight gradients off, BatchNorm normalises with (and keeps) its moving statistics,
  /// Dropout stays active, backward still gives d loss / d image. false undoes it.
  void set_frozen(bool on);
  /// Restart every Dropout's mask stream from a seed derived from seed (e.g. per rank).
  void set_dropout_seed(std::uint64_t seed);

  /// Mask stream of one Dropout: its seed and the training forwards drawn so far.
  struct DropoutStream {
    std::uint64_t seed = 0, counter = 0;
    bool operator==(const DropoutStream&) const = default;
  };
  /// Every Dropout's stream, in layer order (checkpoints: restore with set_dropout_streams
  /// to draw the same masks as the run that saved them).
  std::vector<DropoutStream> dropout_streams() const;
  /// InputError unless there is one entry per Dropout.
  void set_dropout_streams(const std::vector<DropoutStream>& streams);

  nn::ParameterStore& store() { return store_; }
  const nn::ParameterStore& store() const { return store_; }
  nn::Sequential& trunk() { return trunk_; }

 private:
  Triple image_;
  nn::ParameterStore store_;
  nn::Sequential trunk_;
  std::unique_ptr<nn::Sequential> real_fake_, energy_;
  std::unique_ptr<nn::CellSum> ecal_sum_;
  std::vector<nn::Dropout*> dropouts_;
  nn::Tensor trunk_diff_, image_diff_;  // sums of two gradient paths
  nn::Tensor input_;                    // of the last forward (a shared handle)
};

}  // namespace calo::gan
