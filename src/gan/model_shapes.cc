#include "gan/model_shapes.hh"

#include <algorithm>
#include <string>

#include "core/error.hh"
#include "io/number_text.hh"
#include "nn/initializers.hh"

namespace calo::gan {

std::string keras_shape_text(const Shape& s) {
  if (s.flat) return "(None, " + std::to_string(s.c) + ")";
  return "(None, " + std::to_string(s.x) + ", " + std::to_string(s.y) + ", " + std::to_string(s.z) + ", " +
         std::to_string(s.c) + ")";
}

std::string shape_text(const Shape& s) {
  if (s.flat) return std::to_string(s.c);
  return std::to_string(s.x) + "x" + std::to_string(s.y) + "x" + std::to_string(s.z) + "x" +
         std::to_string(s.c);
}

namespace {

std::string triple_text(const Triple& t) {
  return std::to_string(t[0]) + "x" + std::to_string(t[1]) + "x" + std::to_string(t[2]);
}

Triple spatial(const Shape& s) { return {s.x, s.y, s.z}; }

/// Throws "<where> (<Type> '<name>'): <problem>".
[[noreturn]] void refuse(const LayerSpec& layer, const std::string& where, const std::string& problem) {
  throw InputError(where + " (" + type_name(layer.type) + " '" + layer.name + "'): " + problem);
}

void require_positive(const LayerSpec& l, const std::string& where, const char* field, const Triple& t) {
  for (auto v : t)
    if (v < 1)
      refuse(l, where,
             std::string(field) + " " + triple_text(t) + " has size " + std::to_string(v) +
                 " (every size must be >= 1)");
}

void require_volume(const LayerSpec& l, const std::string& where, const Shape& in) {
  if (in.flat)
    refuse(l, where,
           "input " + shape_text(in) + " is flat (" + type_name(l.type) +
               " needs a volume x,y,layer,channels) put a Reshape before it");
}

void check_initializer(const LayerSpec& l, const std::string& where, const std::string& field,
                       const std::string& value) {
  try {
    nn::parse_init(value);
  } catch (const InputError& e) {
    refuse(l, where, field + ": " + e.what());
  }
}

/// Value checks that do not depend on the input shape.
void check_arguments(const LayerSpec& l, const std::string& where) {
  switch (l.type) {
    case LayerType::dense:
      if (l.units < 1) refuse(l, where, "units " + std::to_string(l.units) + " (must be >= 1)");
      if (l.activation != "linear" && l.activation != "sigmoid")
        refuse(l, where, "activation '" + l.activation + "' (must be linear or sigmoid)");
      check_initializer(l, where, "kernel_initializer", l.kernel_initializer);
      check_initializer(l, where, "bias_initializer", l.bias_initializer);
      break;
    case LayerType::conv3d:
      if (l.filters < 1) refuse(l, where, "filters " + std::to_string(l.filters) + " (must be >= 1)");
      require_positive(l, where, "kernel_size", l.kernel_size);
      check_initializer(l, where, "kernel_initializer", l.kernel_initializer);
      check_initializer(l, where, "bias_initializer", l.bias_initializer);
      break;
    case LayerType::reshape:
      for (auto v : l.target_shape)
        if (v < 1)
          refuse(l, where, "target_shape has size " + std::to_string(v) + " (every size must be >= 1)");
      break;
    case LayerType::leaky_relu:
      if (!(l.alpha >= 0.0)) refuse(l, where, "alpha " + io::number_text(l.alpha) + " (must be >= 0)");
      break;
    case LayerType::batch_normalization:
      if (!(l.momentum >= 0.0 && l.momentum <= 1.0))
        refuse(l, where, "momentum " + io::number_text(l.momentum) + " (must be in [0, 1])");
      if (!(l.epsilon > 0.0)) refuse(l, where, "epsilon " + io::number_text(l.epsilon) + " (must be > 0)");
      break;
    case LayerType::up_sampling3d:
      require_positive(l, where, "size", l.size);
      break;
    case LayerType::zero_padding3d:
      for (std::size_t i = 0; i < 3; ++i)
        if (l.pad_before[i] < 0 || l.pad_after[i] < 0)
          refuse(l, where,
                 "padding " + std::to_string(std::min(l.pad_before[i], l.pad_after[i])) +
                     " is negative (padding must be >= 0)");
      break;
    case LayerType::dropout:
      if (!(l.rate >= 0.0 && l.rate < 1.0))
        refuse(l, where, "rate " + io::number_text(l.rate) + " (must be in [0, 1))");
      break;
    case LayerType::average_pooling3d:
      require_positive(l, where, "pool_size", l.pool_size);
      require_positive(l, where, "strides", l.strides);
      break;
    case LayerType::relu:
    case LayerType::sigmoid:
    case LayerType::flatten:
      break;
  }
}

}  // namespace

Shape layer_output(const LayerSpec& l, const Shape& in, const std::string& where) {
  check_arguments(l, where);
  switch (l.type) {
    case LayerType::dense:
      if (!in.flat)
        refuse(l, where,
               "input " + shape_text(in) + " is not flat (Dense takes features) put a Flatten before it");
      return Shape::features(l.units);
    case LayerType::reshape: {
      if (!in.flat) refuse(l, where, "input " + shape_text(in) + " is not flat (Reshape takes features)");
      const auto& t = l.target_shape;
      Shape out = Shape::volume(t[0], t[1], t[2], t[3]);
      if (out.elements() != in.c)
        refuse(l, where,
               "target_shape " + shape_text(out) + " holds " + std::to_string(out.elements()) +
                   " values, the input " + std::to_string(in.c));
      return out;
    }
    case LayerType::conv3d: {
      require_volume(l, where, in);
      if (l.same_padding) return Shape::volume(in.x, in.y, in.z, l.filters);
      Triple s = spatial(in);
      for (std::size_t i = 0; i < 3; ++i)
        if (l.kernel_size[i] > s[i])
          refuse(l, where,
                 "kernel " + triple_text(l.kernel_size) + " larger than input " + triple_text(s) +
                     " (padding 'valid') pad the input or use padding 'same'");
      return Shape::volume(in.x - l.kernel_size[0] + 1, in.y - l.kernel_size[1] + 1,
                           in.z - l.kernel_size[2] + 1, l.filters);
    }
    case LayerType::up_sampling3d:
      require_volume(l, where, in);
      return Shape::volume(in.x * l.size[0], in.y * l.size[1], in.z * l.size[2], in.c);
    case LayerType::zero_padding3d:
      require_volume(l, where, in);
      return Shape::volume(in.x + l.pad_before[0] + l.pad_after[0], in.y + l.pad_before[1] + l.pad_after[1],
                           in.z + l.pad_before[2] + l.pad_after[2], in.c);
    case LayerType::average_pooling3d: {
      require_volume(l, where, in);
      Triple s = spatial(in), out{};
      for (std::size_t i = 0; i < 3; ++i) {
        if (l.pool_size[i] > s[i])
          refuse(l, where, "pool_size " + triple_text(l.pool_size) + " larger than input " + triple_text(s));
        out[i] = (s[i] - l.pool_size[i]) / l.strides[i] + 1;
      }
      return Shape::volume(out[0], out[1], out[2], in.c);
    }
    case LayerType::flatten:
      return Shape::features(in.elements());
    case LayerType::leaky_relu:
    case LayerType::relu:
    case LayerType::sigmoid:
    case LayerType::batch_normalization:
    case LayerType::dropout:
      return in;
  }
  return in;
}

std::int64_t trainable_parameters(const LayerSpec& l, const Shape& in) {
  switch (l.type) {
    case LayerType::dense:
      return in.c * l.units + (l.use_bias ? l.units : 0);
    case LayerType::conv3d:
      return in.c * l.filters * l.kernel_size[0] * l.kernel_size[1] * l.kernel_size[2] +
             (l.use_bias ? l.filters : 0);
    case LayerType::batch_normalization:
      return 2 * in.c;  // gamma, beta
    default:
      return 0;
  }
}

std::int64_t non_trainable_parameters(const LayerSpec& l, const Shape& in) {
  return l.type == LayerType::batch_normalization ? 2 * in.c : 0;  // moving mean, variance
}

namespace {

/// Appends the rows of `layers` from input shape `in`; returns the output shape.
Shape add_rows(NetworkSummary& s, const std::vector<LayerSpec>& layers, Shape in, const std::string& where,
               std::string previous, bool connect) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& l = layers[i];
    Shape out = layer_output(l, in, where + " layer " + std::to_string(i + 1));
    LayerRow row{l.name,
                 type_name(l.type),
                 out,
                 trainable_parameters(l, in),
                 non_trainable_parameters(l, in),
                 connect ? previous : std::string(),
                 {}};
    if (l.type == LayerType::dense && l.activation == "sigmoid") row.type = "Dense+sigmoid";
    s.trainable += row.trainable;
    s.non_trainable += row.non_trainable;
    s.rows.push_back(row);
    previous = l.name;
    in = out;
  }
  return in;
}

}  // namespace

NetworkSummary summarise_generator(const ModelSpec& spec) {
  NetworkSummary s{"generator", {}, 0, 0};
  Shape in = Shape::features(spec.latent_size);
  s.rows.push_back({"z", "InputLayer", in, 0, 0, {}, {}});
  add_rows(s, spec.generator.layers, in, "generator", "z", false);
  return s;
}

NetworkSummary summarise_discriminator(const ModelSpec& spec) {
  NetworkSummary s{"discriminator", {}, 0, 0};
  const auto& im = spec.image_shape;
  Shape in = Shape::volume(im[0], im[1], im[2], 1);
  s.rows.push_back({"image", "InputLayer", in, 0, 0, {}, {}});
  Shape trunk = add_rows(s, spec.discriminator.layers, in, "discriminator", "image", true);
  const std::string trunk_end =
      spec.discriminator.layers.empty() ? "image" : spec.discriminator.layers.back().name;
  for (const HeadSpec& head : spec.discriminator.heads) {
    add_rows(s, head.layers, trunk, std::string("discriminator head ") + role_name(head.role), trunk_end,
             true);
    if (!head.layers.empty()) s.rows.back().output_role = role_name(head.role);
  }
  if (spec.discriminator.ecal_sum)
    s.rows.push_back({"ecal_sum", "CellSum", Shape::features(1), 0, 0, "image", "ecal_sum"});
  return s;
}

}  // namespace calo::gan
