#pragma once
// ModelSpec: the declarative description of a 3DGAN (docs/model-spec.md): the generator as
// a layer list, the discriminator as a trunk layer list, its heads (real/fake, energy) and
// the ECAL-sum output. Specs are JSON; the built-in ones ("3dgan-16", "3dgan-v1") ship in
// data/models/. Parsing validates everything the builder relies on, including the shapes
// through every layer, so a spec that loads always builds.
//
// Shapes follow Keras (channels last): a volume is (x, y, layer, channels) — in nn terms
// (D, H, W, C) — and a flat activation is (features).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace calo::gan {

enum class LayerType {
  dense,
  reshape,
  conv3d,
  leaky_relu,
  relu,
  sigmoid,
  batch_normalization,
  up_sampling3d,
  zero_padding3d,
  dropout,
  average_pooling3d,
  flatten,
};

/// "Conv3D", "BatchNormalization", ... (the spelling of the spec's "type" field).
const char* type_name(LayerType type);

using Triple = std::array<std::int64_t, 3>;  ///< per dimension x, y, layer (nn: D, H, W)

/// One layer; only the fields of its type are meaningful (defaults are Keras').
struct LayerSpec {
  LayerType type = LayerType::dense;
  std::string name;  ///< unique within its network; parameter names derive from it

  // Dense
  std::int64_t units = 0;
  std::string activation = "linear";  ///< "linear" or "sigmoid"
  // Conv3D
  std::int64_t filters = 0;
  Triple kernel_size{0, 0, 0};
  bool same_padding = false;  ///< padding "same" (else "valid")
  // Dense, Conv3D
  bool use_bias = true;
  std::string kernel_initializer = "glorot_uniform";
  std::string bias_initializer = "zeros";
  // LeakyReLU
  double alpha = 0.3;
  // BatchNormalization
  double momentum = 0.99;
  double epsilon = 1e-3;
  // UpSampling3D
  Triple size{2, 2, 2};
  // ZeroPadding3D: zeros before / after each dimension
  Triple pad_before{1, 1, 1};
  Triple pad_after{1, 1, 1};
  // Dropout
  double rate = 0.0;
  // AveragePooling3D (strides default to pool_size)
  Triple pool_size{2, 2, 2};
  Triple strides{2, 2, 2};
  // Reshape: (x, y, layer, channels)
  std::array<std::int64_t, 4> target_shape{0, 0, 0, 0};
};

/// What a discriminator head predicts.
enum class HeadRole { real_fake, energy };
const char* role_name(HeadRole role);  ///< "real_fake", "energy"

/// A head: layers applied to the discriminator trunk's output; must end with 1 value.
struct HeadSpec {
  HeadRole role = HeadRole::real_fake;
  std::vector<LayerSpec> layers;
};

struct GeneratorSpec {
  std::vector<LayerSpec> layers;  ///< from z (latent_size) to the image (x, y, layer, 1)
};

struct DiscriminatorSpec {
  std::vector<LayerSpec> layers;  ///< the trunk, from the image (x, y, layer, 1)
  std::vector<HeadSpec> heads;    ///< one real_fake and one energy head
  bool ecal_sum = true;           ///< third output: sum of all input cells (no weights)
};

struct ModelSpec {
  std::string name;  ///< e.g. "3dgan-16"
  std::string description;
  std::int64_t latent_size = 200;
  Triple image_shape{25, 25, 25};  ///< x, y, layer
  GeneratorSpec generator;
  DiscriminatorSpec discriminator;
};

/// Names of the built-in specs ({"3dgan-16", "3dgan-v1"}); the first is the default.
std::vector<std::string> builtin_model_names();
inline constexpr const char* kDefaultModel = "3dgan-16";

/// A built-in spec by name, or a spec file when name_or_path ends in ".json" or names an
/// existing file. InputError naming the offending layer on any invalid spec.
ModelSpec load_model_spec(const std::string& name_or_path);
/// Where load_model_spec finds a built-in spec (data/models/<name>.json), or the path itself.
std::string model_spec_path(const std::string& name_or_path);

/// Parse and validate JSON text; `origin` (a file name) prefixes syntax errors.
ModelSpec parse_model_spec(const std::string& json_text, const std::string& origin = "model spec");
/// Canonical JSON text of a spec (every field written): parse_model_spec(to_json(s)) == s,
/// and two specs describe the same model iff their canonical texts are equal.
std::string model_spec_to_json(const ModelSpec& spec);

/// Re-runs the validation of parse_model_spec on a spec built in code.
void validate_model_spec(const ModelSpec& spec);

}  // namespace calo::gan
