#include "gan/layer_factory.hh"

#include "nn/average_pool3d.hh"
#include "nn/batch_norm.hh"
#include "nn/conv3d.hh"
#include "nn/dense.hh"
#include "nn/eltwise.hh"
#include "nn/initializers.hh"
#include "nn/reshape.hh"
#include "nn/up_sampling3d.hh"
#include "nn/zero_pad3d.hh"

namespace calo::gan {

void append_layers(nn::Sequential& seq, const std::vector<LayerSpec>& layers, const std::string& network,
                   std::vector<nn::Dropout*>& dropouts) {
  for (const LayerSpec& l : layers) {
    const std::string name = network + "/" + l.name;
    switch (l.type) {
      case LayerType::dense:
        seq.emplace<nn::Dense>(name, nn::DenseSpec{.units = l.units,
                                                   .use_bias = l.use_bias,
                                                   .kernel_init = nn::parse_init(l.kernel_initializer),
                                                   .bias_init = nn::parse_init(l.bias_initializer)});
        if (l.activation == "sigmoid") seq.emplace<nn::Sigmoid>(name + "_sigmoid");
        break;
      case LayerType::reshape: {
        const auto& t = l.target_shape;  // x, y, layer, channels
        seq.emplace<nn::Reshape>(
            name, nn::ReshapeSpec{.target = {.n = 1, .c = t[3], .d = t[0], .h = t[1], .w = t[2]},
                                  .channels_last = true});
        break;
      }
      case LayerType::conv3d:
        seq.emplace<nn::Conv3D>(
            name, nn::Conv3DSpec{.filters = l.filters,
                                 .kernel = l.kernel_size,
                                 .padding = l.same_padding ? nn::Padding::same : nn::Padding::valid,
                                 .use_bias = l.use_bias,
                                 .kernel_init = nn::parse_init(l.kernel_initializer),
                                 .bias_init = nn::parse_init(l.bias_initializer)});
        break;
      case LayerType::leaky_relu:
        seq.emplace<nn::LeakyReLU>(name, static_cast<float>(l.alpha));
        break;
      case LayerType::relu:
        seq.emplace<nn::ReLU>(name);
        break;
      case LayerType::sigmoid:
        seq.emplace<nn::Sigmoid>(name);
        break;
      case LayerType::batch_normalization:
        seq.emplace<nn::BatchNorm>(name, nn::BatchNormSpec{.momentum = static_cast<float>(l.momentum),
                                                           .epsilon = static_cast<float>(l.epsilon)});
        break;
      case LayerType::up_sampling3d:
        seq.emplace<nn::UpSampling3D>(name, nn::UpSampling3DSpec{.factors = l.size});
        break;
      case LayerType::zero_padding3d:
        seq.emplace<nn::ZeroPad3D>(name, nn::ZeroPad3DSpec{.front = l.pad_before, .back = l.pad_after});
        break;
      case LayerType::dropout: {
        auto& d = seq.emplace<nn::Dropout>(name, nn::DropoutSpec{.rate = static_cast<float>(l.rate),
                                                                 .seed = dropout_seed(0, dropouts.size())});
        dropouts.push_back(&d);
        break;
      }
      case LayerType::average_pooling3d:
        seq.emplace<nn::AveragePool3D>(name,
                                       nn::AveragePool3DSpec{.pool = l.pool_size, .strides = l.strides});
        break;
      case LayerType::flatten:
        seq.emplace<nn::Flatten>(name, true);
        break;
    }
  }
}

std::uint64_t dropout_seed(std::uint64_t seed, std::size_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace calo::gan
