#pragma once
// Turning LayerSpecs into nn layers. nn layer names are "<network>/<layer name>", so nn
// parameters are "generator/conv1.weight" etc. (see gan/tensor_names.hh for the names
// checkpoints use).
#include <memory>
#include <string>
#include <vector>

#include "gan/model_spec.hh"
#include "nn/dropout.hh"
#include "nn/sequential.hh"

namespace calo::gan {

/// Appends the nn layers of spec to seq (a Dense with a sigmoid activation becomes Dense +
/// Sigmoid); every Dropout made is also appended to dropouts.
void append_layers(nn::Sequential& seq, const std::vector<LayerSpec>& layers, const std::string& network,
                   std::vector<nn::Dropout*>& dropouts);

/// Seed of dropout layer `index` derived from a model-wide seed (splitmix64 mixing).
std::uint64_t dropout_seed(std::uint64_t seed, std::size_t index);

}  // namespace calo::gan
