// inspect_file against numpy (inspect_reference.py) and exact arithmetic; its refusals; the
// text and JSON forms of the summary.
#include "io/inspect.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "test_support.hh"

namespace calo::io::test {
namespace {

class InspectFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    files_ = std::make_unique<ScratchDirectory>();
    CommandResult made = run_python_script("make_variant_files.py", {files_->path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() { files_.reset(); }
  static std::string file(const std::string& name) { return files_->file(name); }

  /// Checks every figure of summary against numpy's on the same file.
  static void expect_matches_numpy(const InspectSummary& summary) {
    CommandResult reference = run_python_script("inspect_reference.py", {summary.path});
    ASSERT_EQ(reference.exit_code, 0) << reference.output;
    auto numpy = nlohmann::json::parse(reference.output);
    auto near = [](double value, double expected) {
      return std::abs(value - expected) <= 1e-9 * std::abs(expected) + 1e-15;
    };
    EXPECT_EQ(summary.events, numpy["events"].get<std::size_t>());
    EXPECT_PRED2(near, summary.energy_min_gev, numpy["energy_min_gev"].get<double>());
    EXPECT_PRED2(near, summary.energy_max_gev, numpy["energy_max_gev"].get<double>());
    EXPECT_PRED2(near, summary.energy_mean_gev, numpy["energy_mean_gev"].get<double>());
    EXPECT_PRED2(near, summary.sampled_fraction_mean, numpy["sampled_fraction_mean"].get<double>());
    EXPECT_PRED2(near, summary.sampled_fraction_std, numpy["sampled_fraction_std"].get<double>());
    EXPECT_PRED2(near, summary.mean_cells_above_zero, numpy["mean_cells_above_zero"].get<double>());
    auto profile = numpy["mean_layer_energy_gev"].get<std::vector<double>>();
    ASSERT_EQ(summary.mean_layer_energy_gev.size(), profile.size());
    for (std::size_t z = 0; z < profile.size(); ++z)
      EXPECT_PRED2(near, summary.mean_layer_energy_gev[z], profile[z]) << "layer " << z;
  }

  static std::unique_ptr<ScratchDirectory> files_;
};
std::unique_ptr<ScratchDirectory> InspectFileTest::files_;

TEST_F(InspectFileTest, FiguresOfWideFloat64FileMatchNumpy) {
  InspectSummary summary = inspect_file(file("inspect_sample.h5"));
  EXPECT_EQ(summary.stored_grid, (ShowerGrid{51, 51, 25}));
  EXPECT_EQ(summary.grid, (ShowerGrid{25, 25, 25}));
  EXPECT_GT(summary.sampled_fraction_std, 0);
  expect_matches_numpy(summary);
}

TEST_F(InspectFileTest, FiguresOfWrittenFileMatchExactArithmetic) {
  // Event i: every cell of layer z holds (z + 1) * 2^-10 * (i + 1) GeV; energy 100 (i + 1) GeV.
  const ShowerGrid grid{4, 4, 5};
  const std::size_t events = 3;
  std::vector<float> ecal, energy, pdg(events, kPdgElectron);
  for (std::size_t i = 0; i < events; ++i) {
    for (std::size_t cell = 0; cell < grid.cells(); ++cell)
      ecal.push_back(static_cast<float>((cell % grid.nz + 1) * (i + 1)) / 1024.0f);
    energy.push_back(100.0f * static_cast<float>(i + 1));
  }
  ecal[0] = 0;  // event 0 loses 1/1024 GeV and one cell above zero
  ScratchDirectory dir;
  ShowerWriter writer(dir.file("exact.h5"), {.grid = grid});
  writer.append(ecal.data(), energy.data(), pdg.data(), events);
  writer.set_attribute("particle", "e-");
  writer.commit();

  InspectSummary s = inspect_file(dir.file("exact.h5"));
  EXPECT_EQ(s.events, events);
  EXPECT_EQ(s.energy_min_gev, 100);
  EXPECT_EQ(s.energy_max_gev, 300);
  EXPECT_EQ(s.energy_mean_gev, 200);
  // Event deposit: 16 columns * (1+2+3+4+5) / 1024 * (i + 1) = 240/1024 (i + 1) GeV.
  const double f0 = (240.0 - 1) / 1024 / 100, f12 = 240.0 / 1024 / 100;
  const double mean = (f0 + 2 * f12) / 3;
  EXPECT_NEAR(s.sampled_fraction_mean, mean, 1e-15);
  EXPECT_NEAR(s.sampled_fraction_std,
              std::sqrt(((f0 - mean) * (f0 - mean) + 2 * (f12 - mean) * (f12 - mean)) / 3), 1e-15);
  EXPECT_NEAR(s.mean_cells_above_zero, (3 * 80 - 1) / 3.0, 1e-12);
  // Layer z, summed over the 16 columns, averaged over (i + 1) = 1, 2, 3: 16 (z + 1) 2 / 1024.
  std::vector<double> profile;
  for (int z = 0; z < 5; ++z) profile.push_back(32.0 * (z + 1) / 1024);
  profile[0] -= 1.0 / 1024 / 3;
  ASSERT_EQ(s.mean_layer_energy_gev.size(), 5u);
  for (std::size_t z = 0; z < 5; ++z) EXPECT_NEAR(s.mean_layer_energy_gev[z], profile[z], 1e-15);
  EXPECT_EQ(s.attributes, (AttributeList{{"particle", "e-"}}));
  expect_matches_numpy(s);
}

TEST_F(InspectFileTest, NonFiniteCellsAreInputErrorNamingFirstEventAndTotals) {
  std::string message = input_error_message([&] { inspect_file(file("nonfinite_cells.h5")); });
  EXPECT_TRUE(
      contains(message, "file " + file("nonfinite_cells.h5") + ": event 2 has non-finite cell values"))
      << message;
  EXPECT_TRUE(contains(message, "NaN or inf in 3 cells of 2 events")) << message;
}

TEST_F(InspectFileTest, NonPositiveEnergyIsInputError) {
  std::string message = input_error_message([&] { inspect_file(file("zero_energy.h5")); });
  EXPECT_TRUE(contains(message, "event 1 has primary energy 0 GeV (a positive energy is needed)")) << message;
}

TEST_F(InspectFileTest, BadFilesAreInputErrors) {
  EXPECT_TRUE(
      contains(input_error_message([&] { inspect_file(file("not_hdf5.h5")); }), "is not an HDF5 file"));
  EXPECT_TRUE(contains(input_error_message([&] { inspect_file(file("no_ecal.h5")); }), "no ECAL dataset"));
  EXPECT_TRUE(contains(input_error_message([&] { inspect_file(file("ecal_rank3.h5")); }), "ECAL has rank 3"));
}

TEST_F(InspectFileTest, TextSummaryShowsShapesFiguresAndProvenance) {
  std::string text = format_summary(inspect_file(file("inspect_sample.h5")));
  for (const char* fragment :
       {"events            10\n", "25 x 25 x 25 (x, y, layer), central part of the stored 51 x 51 x 25",
        "ECAL            (10, 51, 51, 25)       float64", "energy          (10, 1)",
        "sampled fraction  mean ", "layer 24 ", "particle        e-\n", "seed            2024\n"})
    EXPECT_TRUE(contains(text, fragment)) << "missing '" << fragment << "' in\n" << text;
}

TEST_F(InspectFileTest, JsonSummaryHoldsEveryField) {
  InspectSummary summary = inspect_file(file("inspect_sample.h5"));
  auto json = nlohmann::json::parse(summary_to_json(summary));
  EXPECT_EQ(json["events"], 10);
  EXPECT_EQ(json["grid"], nlohmann::json({25, 25, 25}));
  EXPECT_EQ(json["stored_grid"], nlohmann::json({51, 51, 25}));
  EXPECT_EQ(json["energy_source"], "energy");
  EXPECT_EQ(json["datasets"][0]["name"], "ECAL");
  EXPECT_EQ(json["datasets"][0]["shape"], nlohmann::json({10, 51, 51, 25}));
  EXPECT_EQ(json["sampled_fraction_mean"].get<double>(), summary.sampled_fraction_mean);
  EXPECT_EQ(json["mean_layer_energy_gev"].size(), 25u);
  EXPECT_EQ(json["attributes"]["particle"], "e-");
}

TEST_F(InspectFileTest, EmptyFileHasZeroFiguresAndNoProfileLines) {
  ScratchDirectory dir;
  ShowerWriter(dir.file("empty.h5")).commit();
  InspectSummary summary = inspect_file(dir.file("empty.h5"));
  EXPECT_EQ(summary.events, 0u);
  EXPECT_EQ(summary.energy_mean_gev, 0);
  std::string text = format_summary(summary);
  EXPECT_FALSE(contains(text, "sampled fraction")) << text;
}

}  // namespace
}  // namespace calo::io::test
