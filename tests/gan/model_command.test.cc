// `calo3dgan model`: the Keras-style summary of both networks with their totals, the
// canonical spec, and bad specs refused with one line naming the layer; --export-generator
// keeps the generator of a training checkpoint bit for bit. Runs the binary.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/rng.hh"
#include "gan/checkpoint.hh"
#include "gan_test_support.hh"
#include "nn/optimizer.hh"

namespace calo::gan::test {
namespace {

CommandResult cli(const std::string& args) { return run_command(std::string(CALO_CLI) + " " + args); }

TEST(ModelCommandTest, SummaryShowsLayersAndTotals) {
  const CommandResult r = cli("model --summary 3dgan-16");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* fragment :
       {"Model: \"generator\"", "Model: \"discriminator\"", "conv2 (Conv3D)", "(None, 13, 14, 9, 16)",
        "245,776", "Trainable params: 1,042,368", "Non-trainable params: 160", "Total params: 1,042,528",
        "Trainable params: 174,770", "Non-trainable params: 96", "generation (Dense+sigmoid) -> real_fake",
        "auxiliary (Dense) -> energy", "ecal_sum (CellSum) -> ecal_sum"})
    EXPECT_TRUE(contains(r.output, fragment)) << fragment << "\n" << r.output;
  const CommandResult v1 = cli("model --summary 3dgan-v1");
  EXPECT_TRUE(contains(v1.output, "Trainable params: 872,808")) << v1.output;
  EXPECT_TRUE(contains(v1.output, "Trainable params: 73,402")) << v1.output;
}

TEST(ModelCommandTest, PrintSpecGivesALoadableFile) {
  ScratchDirectory dir;
  const CommandResult r = cli("model --print-spec 3dgan-v1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ofstream(dir.file("copy.json")) << r.output;
  const CommandResult s = cli("model --summary " + dir.file("copy.json"));
  EXPECT_EQ(s.exit_code, 0) << s.output;
  EXPECT_TRUE(contains(s.output, "Trainable params: 872,808")) << s.output;
}

TEST(ModelCommandTest, BadSpecsAreRefusedWithOneLine) {
  ScratchDirectory dir;
  std::ifstream in(std::string(CALO_TEST_SOURCE_DIR) + "/data/models/3dgan-16.json");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("\"type\": \"AveragePooling3D\""), 26, "\"type\": \"MaxPooling3D\"");
  std::ofstream(dir.file("bad.json")) << text;
  CommandResult r = cli("model --summary " + dir.file("bad.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, "discriminator layer 19 ('pool'): unknown layer type 'MaxPooling3D'"))
      << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  r = cli("model --summary 3dgan-42");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, "unknown model '3dgan-42'")) << r.output;
  r = cli("model --summary " + dir.file("absent.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, "does not exist")) << r.output;
}

bool same_bits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(ModelCommandTest, ExportGeneratorKeepsTheGeneratorAndDropsTheRest) {
  ScratchDirectory dir;
  nn::Context ctx(1);
  const ModelSpec spec = load_model_spec("3dgan-16");
  Generator g(ctx, spec);
  Discriminator d(ctx, spec);
  Rng rng(5, 0);
  g.initialise(rng), d.initialise(rng);
  // Moving statistics unlike their initial values, so a lost state would show.
  for (std::size_t i = 0; i < g.store().states().size(); ++i)
    for (float& x : g.store().state(i)) x = static_cast<float>(rng.uniform());
  nn::RMSprop opt_g(g.store()), opt_d(d.store());
  const TrainingPosition at{.epoch = 4,
                            .step = 9001,
                            .seed = 77,
                            .rng_state = {1, 2, 3},
                            .notes = {{"cell_scale", "100"}, {"energy_range_gev", "[10,500]"}}};
  const std::string full = dir.file("full.h5"), out = dir.file("generator.h5");
  save_checkpoint(full, spec, {&g, &d, &opt_g, &opt_d}, at);

  const CommandResult r = cli("model --export-generator " + full + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "step 9001, epoch 4")) << r.output;
  Generator back(ctx, spec);
  const TrainingPosition got = load_checkpoint(out, read_checkpoint_spec(out), {.generator = &back});
  EXPECT_TRUE(same_bits(back.store().values(), g.store().values()));
  ASSERT_EQ(back.store().states().size(), g.store().states().size());
  for (std::size_t i = 0; i < g.store().states().size(); ++i)
    EXPECT_TRUE(same_bits(back.store().state(i), g.store().state(i))) << "state " << i;
  EXPECT_EQ(got.step, at.step);
  EXPECT_EQ(got.epoch, at.epoch);
  EXPECT_EQ(got.seed, at.seed);
  EXPECT_EQ(got.notes, at.notes);
  EXPECT_TRUE(got.rng_state.empty()) << "the trainer's streams are dropped";
  Discriminator d2(ctx, spec);
  EXPECT_THROW(load_checkpoint(out, spec, {.discriminator = &d2}), InputError) << "no discriminator";
  EXPECT_LT(std::filesystem::file_size(out), std::filesystem::file_size(full) / 2);
}

TEST(ModelCommandTest, ExportGeneratorRefusesBadInputWithOneLine) {
  ScratchDirectory dir;
  const std::string out = dir.file("generator.h5");
  CommandResult r = cli("model --export-generator " + dir.file("absent.h5") + " --out " + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "absent.h5")) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));

  nn::Context ctx(1);
  const ModelSpec spec = load_model_spec("3dgan-16");
  Generator g(ctx, spec);
  Rng rng(1, 0);
  g.initialise(rng);
  save_checkpoint(dir.file("g.h5"), spec, {.generator = &g}, {});
  r = cli("model --export-generator " + dir.file("g.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "--export-generator needs --out")) << r.output;

  std::ofstream(out) << "keep me";
  r = cli("model --export-generator " + dir.file("g.h5") + " --out " + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  std::ifstream in(out);
  std::string kept((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(kept, "keep me") << "an existing file is replaced only with --overwrite";
  EXPECT_EQ(cli("model --export-generator " + dir.file("g.h5") + " --out " + out + " --overwrite").exit_code,
            0);
}

}  // namespace
}  // namespace calo::gan::test
