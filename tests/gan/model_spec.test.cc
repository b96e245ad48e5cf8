// Model specs: the built-in variants' shapes and parameter counts against the architecture
// arithmetic of DESIGN.md section 7, the canonical JSON round trip, and refusal of bad specs
// (unknown layer, impossible shapes, negative sizes, missing fields) naming the layer.
#include "gan/model_spec.hh"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "gan/model_shapes.hh"
#include "gan_test_support.hh"

namespace calo::gan::test {
namespace {

using nlohmann::json;

/// Trainable parameters of the DESIGN.md section 7 generator with filters f2, f3 in the
/// middle convolutions, written out layer by layer (Keras counting: BatchNorm gamma and
/// beta trainable; conv4 without bias).
std::int64_t generator_count(std::int64_t f2, std::int64_t f3) {
  const std::int64_t dense = 200 * 3136 + 3136;
  const std::int64_t conv1 = 8 * 64 * 6 * 6 * 8 + 64, bn1 = 2 * 64;
  const std::int64_t conv2 = 64 * f2 * 6 * 5 * 8 + f2, bn2 = 2 * f2;
  const std::int64_t conv3 = f2 * f3 * 3 * 3 * 8 + f3;
  const std::int64_t conv4 = f3 * 1 * 2 * 2 * 2;
  return dense + conv1 + bn1 + conv2 + bn2 + conv3 + conv4;
}

/// The discriminator: conv1 32 5^3, three blocks of fb filters with BatchNorm, two Dense 1
/// heads on fb * 11^3 features.
std::int64_t discriminator_count(std::int64_t fb) {
  const std::int64_t conv1 = 1 * 32 * 125 + 32;
  const std::int64_t block2 = 32 * fb * 125 + fb + 2 * fb;
  const std::int64_t block34 = 2 * (fb * fb * 125 + fb + 2 * fb);
  const std::int64_t heads = 2 * (fb * 11 * 11 * 11 + 1);
  return conv1 + block2 + block34 + heads;
}

TEST(ModelSpecTest, BuiltinParameterCountsMatchTheArchitecture) {
  EXPECT_EQ(generator_count(16, 16), 1042368);  // DESIGN.md / issue 3 acceptance figures
  EXPECT_EQ(discriminator_count(16), 174770);
  const ModelSpec s16 = load_model_spec("3dgan-16");
  EXPECT_EQ(summarise_generator(s16).trainable, 1042368);
  EXPECT_EQ(summarise_discriminator(s16).trainable, 174770);
  EXPECT_EQ(summarise_generator(s16).non_trainable, 2 * (64 + 16));
  EXPECT_EQ(summarise_discriminator(s16).non_trainable, 2 * 3 * 16);
  const ModelSpec v1 = load_model_spec("3dgan-v1");
  EXPECT_EQ(summarise_generator(v1).trainable, generator_count(6, 6));
  EXPECT_EQ(summarise_discriminator(v1).trainable, discriminator_count(8));
  EXPECT_EQ(generator_count(6, 6), 872808);  // the PyTorch reference's figures (tests/reference)
  EXPECT_EQ(discriminator_count(8), 73402);
}

TEST(ModelSpecTest, DefaultIsTheFirstBuiltinAndFilesLoadByPath) {
  EXPECT_EQ(builtin_model_names().front(), kDefaultModel);
  const std::string path = std::string(CALO_TEST_SOURCE_DIR) + "/data/models/3dgan-v1.json";
  EXPECT_EQ(model_spec_to_json(load_model_spec(path)), model_spec_to_json(load_model_spec("3dgan-v1")));
  const std::string message = input_error_message([] { load_model_spec("3dgan-99"); });
  EXPECT_TRUE(contains(message, "unknown model '3dgan-99'")) << message;
  EXPECT_TRUE(contains(message, "3dgan-16, 3dgan-v1")) << message;
}

TEST(ModelSpecTest, ShapesFollowDesignSection7) {
  const ModelSpec s = load_model_spec("3dgan-16");
  auto output_of = [](const NetworkSummary& n, const std::string& name) {
    for (const auto& r : n.rows)
      if (r.name == name) return shape_text(r.output);
    return std::string("missing");
  };
  const NetworkSummary g = summarise_generator(s), d = summarise_discriminator(s);
  EXPECT_EQ(output_of(g, "reshape"), "7x7x8x8");
  EXPECT_EQ(output_of(g, "conv1"), "7x7x8x64");
  EXPECT_EQ(output_of(g, "conv2"), "13x14x9x16");
  EXPECT_EQ(output_of(g, "conv3"), "26x26x26x16");
  EXPECT_EQ(output_of(g, "relu4"), "25x25x25x1");
  EXPECT_EQ(output_of(d, "conv2"), "25x25x25x16");
  EXPECT_EQ(output_of(d, "conv3"), "25x25x25x16");
  EXPECT_EQ(output_of(d, "conv4"), "23x23x23x16");
  EXPECT_EQ(output_of(d, "pool"), "11x11x11x16");
  EXPECT_EQ(output_of(d, "flatten"), "21296");
  EXPECT_EQ(output_of(d, "generation"), "1");
  EXPECT_EQ(output_of(d, "auxiliary"), "1");
  EXPECT_EQ(output_of(d, "ecal_sum"), "1");
}

TEST(ModelSpecTest, CanonicalJsonRoundTrips) {
  for (const auto& name : builtin_model_names()) {
    const std::string text = model_spec_to_json(load_model_spec(name));
    EXPECT_EQ(model_spec_to_json(parse_model_spec(text)), text) << name;
  }
}

TEST(ModelSpecTest, DefaultNamesAndShortForms) {
  const std::string text = R"({"name": "tiny", "latent_size": 4, "image_shape": 4,
    "generator": {"layers": [{"type": "Dense", "units": 64}, {"type": "Reshape", "target_shape": [4, 4, 4, 1]}]},
    "discriminator": {"layers": [{"type": "ZeroPadding3D", "padding": [[0, 1], [1, 0], 2]}, {"type": "Flatten"}],
                      "heads": [{"output": "real_fake", "layers": [{"type": "Dense", "units": 1, "activation": "sigmoid"}]},
                                {"output": "energy", "layers": [{"type": "Dense", "units": 1}]}]}})";
  const std::string message = input_error_message([&] { parse_model_spec(text); });
  EXPECT_TRUE(contains(message, "\"padding\" must be n, [a, b, c] or [[a0, a1]")) << message;
  std::string fixed = text;
  fixed.replace(fixed.find("[[0, 1], [1, 0], 2]"), 19, "[[0, 1], [1, 0], [2, 2]]");
  const ModelSpec s = parse_model_spec(fixed);
  EXPECT_EQ(s.generator.layers[0].name, "dense_1");
  EXPECT_EQ(s.discriminator.layers[0].name, "zero_padding3d_1");
  EXPECT_EQ(s.discriminator.heads[1].layers[0].name, "dense_2");  // counted over the network
  EXPECT_EQ(shape_text(summarise_discriminator(s).rows[1].output), "5x5x8x1");
}

/// The 3dgan-16 spec as JSON, for editing.
json builtin_json() {
  std::ifstream in(std::string(CALO_TEST_SOURCE_DIR) + "/data/models/3dgan-16.json");
  return json::parse(in);
}

std::string refusal(const json& j) {
  return input_error_message([&] { parse_model_spec(j.dump(), "model spec test.json"); });
}

TEST(ModelSpecTest, RefusesUnknownLayerTypeNamingTheLayer) {
  json j = builtin_json();
  j["discriminator"]["layers"][2]["type"] = "SpatialDropout3D";
  const std::string m = refusal(j);
  EXPECT_TRUE(contains(m,
                       "model spec test.json: discriminator layer 3 ('dropout1'): unknown layer type "
                       "'SpatialDropout3D' (known: Dense, Reshape, Conv3D,"))
      << m;
}

TEST(ModelSpecTest, RefusesImpossibleShapesNamingTheLayer) {
  json j = builtin_json();
  j["discriminator"]["layers"][14]["kernel_size"] = {28, 5, 5};  // conv4 sees 27^3
  std::string m = refusal(j);
  EXPECT_TRUE(
      contains(m, "discriminator layer 15 (Conv3D 'conv4'): kernel 28x5x5 larger than input 27x27x27"))
      << m;

  j = builtin_json();
  j["generator"]["layers"][1]["target_shape"] = {7, 7, 8, 9};
  m = refusal(j);
  EXPECT_TRUE(contains(
      m, "generator layer 2 (Reshape 'reshape'): target_shape 7x7x8x9 holds 3528 values, the input 3136"))
      << m;

  j = builtin_json();
  j["generator"]["layers"][14]["kernel_size"] = {3, 2, 2};  // 24x25x25 output
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator output 24x25x25x1 differs from the image shape 25x25x25x1")) << m;

  j = builtin_json();
  j["discriminator"]["layers"].erase(19);  // no Flatten before the heads
  m = refusal(j);
  EXPECT_TRUE(
      contains(m, "discriminator head real_fake layer 1 (Dense 'generation'): input 11x11x11x16 is not flat"))
      << m;

  j = builtin_json();
  j["discriminator"]["heads"][1]["layers"][0]["units"] = 2;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "discriminator head energy ends with 2 values")) << m;
}

TEST(ModelSpecTest, RefusesNegativeAndZeroSizesNamingTheLayer) {
  json j = builtin_json();
  j["discriminator"]["layers"][4]["filters"] = -16;
  std::string m = refusal(j);
  EXPECT_TRUE(contains(m, "discriminator layer 5 (Conv3D 'conv2'): filters -16 (must be >= 1)")) << m;

  j = builtin_json();
  j["generator"]["layers"][2]["kernel_size"] = {6, -6, 8};
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 3 (Conv3D 'conv1'): kernel_size 6x-6x8 has size -6")) << m;

  j = builtin_json();
  j["generator"]["layers"][6]["padding"] = {2, -2, 0};
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 7 (ZeroPadding3D 'pad2'): padding -2 is negative")) << m;

  j = builtin_json();
  j["generator"]["layers"][0]["units"] = 0;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 1 (Dense 'dense'): units 0 (must be >= 1)")) << m;

  j = builtin_json();
  j["generator"]["layers"][5]["size"] = 0;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 6 (UpSampling3D 'upsample1'): size 0x0x0 has size 0")) << m;

  j = builtin_json();
  j["discriminator"]["layers"][2]["rate"] = 1.5;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "discriminator layer 3 (Dropout 'dropout1'): rate 1.5 (must be in [0, 1))")) << m;

  j = builtin_json();
  j["latent_size"] = -200;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "latent_size -200 (must be >= 1)")) << m;
}

TEST(ModelSpecTest, RefusesMissingUnknownAndMistypedFields) {
  json j = builtin_json();
  j["generator"]["layers"][7].erase("filters");
  std::string m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 8 (Conv3D 'conv2'): missing field \"filters\"")) << m;

  j = builtin_json();
  j["generator"]["layers"][7]["filter"] = 16;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 8 (Conv3D 'conv2'): unknown field \"filter\" (allowed:")) << m;

  j = builtin_json();
  j["generator"]["layers"][7]["filters"] = 16.5;
  m = refusal(j);
  EXPECT_TRUE(contains(m, "\"filters\" must be an integer (got 16.5)")) << m;

  j = builtin_json();
  j["generator"]["layers"][2]["kernel_initializer"] = "he_normal_typo";
  m = refusal(j);
  EXPECT_TRUE(contains(m, "generator layer 3 (Conv3D 'conv1'): kernel_initializer: unknown initialiser"))
      << m;

  j = builtin_json();
  j["discriminator"]["layers"][4]["name"] = "conv1";
  m = refusal(j);
  EXPECT_TRUE(contains(m, "discriminator layer name 'conv1' is used twice")) << m;

  j = builtin_json();
  j["discriminator"]["heads"].erase(1);
  m = refusal(j);
  EXPECT_TRUE(contains(m, "1 real_fake and 0 energy (exactly one of each is needed)")) << m;

  j = builtin_json();
  j.erase("generator");
  m = refusal(j);
  EXPECT_TRUE(contains(m, "missing field \"generator\"")) << m;

  m = input_error_message([] { parse_model_spec("{\"name\": ", "model spec cut.json"); });
  EXPECT_TRUE(contains(m, "model spec cut.json: invalid JSON")) << m;
}

}  // namespace
}  // namespace calo::gan::test
