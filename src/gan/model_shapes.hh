#pragma once
// Shape inference and parameter counts of a ModelSpec, by pure arithmetic (no oneDNN): the
// basis of spec validation and of `calo3dgan model --summary`. The builder checks that the
// nn layers agree with these shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "gan/model_spec.hh"

namespace calo::gan {

/// A Keras shape without the batch: (features) when flat, else (x, y, layer, channels).
struct Shape {
  bool flat = true;
  std::int64_t x = 1, y = 1, z = 1, c = 0;  ///< c = features when flat

  static Shape features(std::int64_t n) { return {true, 1, 1, 1, n}; }
  static Shape volume(std::int64_t x, std::int64_t y, std::int64_t z, std::int64_t c) {
    return {false, x, y, z, c};
  }
  std::int64_t elements() const { return x * y * z * c; }
  bool operator==(const Shape&) const = default;
};

/// "(None, 25, 25, 25, 1)", as Keras prints an output shape.
std::string keras_shape_text(const Shape& shape);
/// "25x25x25x1" / "3136", for messages.
std::string shape_text(const Shape& shape);

/// One row of a model summary.
struct LayerRow {
  std::string name, type;  ///< type: "Conv3D", ... ("InputLayer", "CellSum" for the extras)
  Shape output;
  std::int64_t trainable = 0, non_trainable = 0;
  std::string connected_to;  ///< discriminator rows only: the input's layer name
  std::string output_role;   ///< "real_fake", "energy", "ecal_sum" on a network output
};

struct NetworkSummary {
  std::string net;  ///< "generator" / "discriminator"
  std::vector<LayerRow> rows;
  std::int64_t trainable = 0, non_trainable = 0;
};

/// Output shape of one layer; InputError "<where> (<Type> '<name>'): problem (why)" when
/// the layer cannot take `in` (where = "generator layer 3").
Shape layer_output(const LayerSpec& layer, const Shape& in, const std::string& where);
/// Trainable and non-trainable parameters of one layer with input `in`.
std::int64_t trainable_parameters(const LayerSpec& layer, const Shape& in);
std::int64_t non_trainable_parameters(const LayerSpec& layer, const Shape& in);

/// Rows of every layer (with an input row), validating shapes on the way.
NetworkSummary summarise_generator(const ModelSpec& spec);
NetworkSummary summarise_discriminator(const ModelSpec& spec);

}  // namespace calo::gan
