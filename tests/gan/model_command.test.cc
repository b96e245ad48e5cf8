// `calo3dgan model`: the Keras-style summary of both networks with their totals, the
// canonical spec, and bad specs refused with one line naming the layer. Runs the binary.
#include <gtest/gtest.h>

#include <fstream>

#include "gan_test_support.hh"

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

}  // namespace
}  // namespace calo::gan::test
