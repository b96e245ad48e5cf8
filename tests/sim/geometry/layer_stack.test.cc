// The geometry file format: the shipped CLIC stack against DESIGN.md section 5, and every
// invalid input refused with a message naming the problem.
#include "sim/geometry/layer_stack.hh"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hh"
#include "core/units.hh"

namespace calo::sim {
namespace {

using namespace calo::units;

TEST(ClicGeometry, HasTwentyFiveReadoutLayersAndTheDesignDepth) {
  const LayerStack s = load_layer_stack(shipped_geometry_path(kDefaultGeometry));
  EXPECT_EQ(s.readout_layers, 25);
  EXPECT_DOUBLE_EQ(s.cell_size, 5.1 * mm);
  EXPECT_DOUBLE_EQ(s.half_width, 500 * mm);
  // 17 x (2.4 + 2.0) + 8 x (4.8 + 2.0) + 4.8 + 10 mm of slices
  EXPECT_NEAR(s.depth(), 17 * 4.4 + 8 * 6.8 + 14.8, 1e-9);
  ASSERT_EQ(s.slabs.size(), 25u * 7 + 2);
  EXPECT_EQ(s.slabs[3].readout_layer, 0);            // Si of layer 1
  EXPECT_EQ(s.slabs[7 * 24 + 3].readout_layer, 24);  // Si of layer 25
  for (std::size_t i = 1; i < s.slabs.size(); ++i) EXPECT_EQ(s.slabs[i].z_begin, s.slabs[i - 1].z_end);
}

TEST(ClicGeometry, DepthIsAboutTwentyOneRadiationLengths) {
  // DESIGN.md section 5: total depth of the stack about 21 X0.
  const LayerStack s = load_layer_stack(shipped_geometry_path(kDefaultGeometry));
  double x0s = 0;
  for (const Slab& slab : s.slabs)
    x0s += (slab.z_end - slab.z_begin) / s.materials[slab.material].radiation_length;
  EXPECT_GT(x0s, 20.0);
  EXPECT_LT(x0s, 24.0);
}

const char* kMinimal = R"({
  "cell_size_mm": 5, "transverse_size_mm": 100,
  "materials": [{"name": "W", "density_g_cm3": 19.3, "atom_counts": {"W": 1}},
                {"name": "Si", "density_g_cm3": 2.33, "mass_fractions": {"Si": 1.0}}],
  "layers": [{"repeat": 3, "slices": [{"material": "W", "thickness_mm": 3.5},
                                       {"material": "Si", "thickness_mm": 0.5, "sensitive": true}]}]
})";

TEST(LayerStackParser, ParsesAMinimalStack) {
  const LayerStack s = parse_layer_stack(kMinimal, "test");
  EXPECT_EQ(s.readout_layers, 3);
  EXPECT_EQ(s.slabs.size(), 6u);
  EXPECT_DOUBLE_EQ(s.depth(), 12.0 * mm);
}

/// Replaces the first occurrence of `from` in the minimal stack and expects an InputError
/// whose message contains `needle`.
void expect_refused(const std::string& from, const std::string& to, const std::string& needle) {
  std::string text = kMinimal;
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  try {
    parse_layer_stack(text, "test");
    FAIL() << "accepted: " << to;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "message must be one line";
  }
}

TEST(LayerStackParser, RefusesMissingMaterial) {
  expect_refused(R"("material": "Si")", R"("material": "Ge")", "unknown material 'Ge'");
}
TEST(LayerStackParser, RefusesZeroThickness) {
  expect_refused(R"("thickness_mm": 3.5)", R"("thickness_mm": 0)", "thickness_mm");
}
TEST(LayerStackParser, RefusesNegativeThickness) {
  expect_refused(R"("thickness_mm": 3.5)", R"("thickness_mm": -1)", "must be positive");
}
TEST(LayerStackParser, RefusesStackWithoutSensitiveSlice) {
  expect_refused(R"(, "sensitive": true)", "", "no sensitive slice");
}
TEST(LayerStackParser, RefusesFractionsNotSummingToOne) {
  expect_refused(R"({"Si": 1.0})", R"({"Si": 0.8})", "sum to 0.8");
}
TEST(LayerStackParser, RefusesUnknownElement) {
  expect_refused(R"({"W": 1})", R"({"Qq": 1})", "unknown element 'Qq'");
}
TEST(LayerStackParser, RefusesInvalidJson) {
  expect_refused(R"("layers")", R"("layers" oops)", "invalid JSON");
}
TEST(LayerStackParser, RefusesMissingCellSize) {
  expect_refused(R"("cell_size_mm": 5,)", "", "cell_size_mm");
}
TEST(LayerStackParser, RefusesDuplicateMaterial) {
  expect_refused(R"("name": "Si")", R"("name": "W")", "defined twice");
}
TEST(LayerStackParser, RefusesUnreadableFile) {
  EXPECT_THROW(load_layer_stack("/nonexistent/geometry.json"), InputError);
}

}  // namespace
}  // namespace calo::sim
