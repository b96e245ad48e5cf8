// ShowerReader on files written by h5py in the original 3DGAN variants (make_variant_files.py)
// and on broken files: what is accepted, what is read (crop checked by value), what is refused.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "test_support.hh"

namespace calo::io::test {
namespace {

constexpr std::size_t kEvents = 4;  // EVENTS of make_variant_files.py

/// Cell value of the variant files at stored indices (event, x, y, layer).
float pattern(std::size_t i, std::size_t x, std::size_t y, std::size_t z) {
  return static_cast<float>(((i * 64 + x) * 64 + y) * 32 + z);
}
float pattern_energy(std::size_t i) { return 10.0f * static_cast<float>(i + 1) + 0.25f; }

class ShowerReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    files_ = std::make_unique<ScratchDirectory>();
    CommandResult made = run_python_script("make_variant_files.py", {files_->path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() { files_.reset(); }
  static std::string file(const std::string& name) { return files_->file(name); }

  /// Reads all events and checks them against the pattern, stored grid offset by (dx, dy).
  static void expect_pattern(const ShowerReader& reader, std::size_t dx, std::size_t dy) {
    std::vector<float> ecal, energy;
    reader.read(0, reader.events(), ecal, energy);
    const ShowerGrid& g = reader.grid();
    ASSERT_EQ(ecal.size(), kEvents * g.cells());
    std::size_t k = 0, mismatches = 0;
    for (std::size_t i = 0; i < kEvents; ++i)
      for (std::size_t x = 0; x < g.nx; ++x)
        for (std::size_t y = 0; y < g.ny; ++y)
          for (std::size_t z = 0; z < g.nz; ++z) mismatches += ecal[k++] != pattern(i, x + dx, y + dy, z);
    EXPECT_EQ(mismatches, 0u);
    for (std::size_t i = 0; i < kEvents; ++i) EXPECT_EQ(energy[i], pattern_energy(i)) << i;
  }

  static std::unique_ptr<ScratchDirectory> files_;
};
std::unique_ptr<ScratchDirectory> ShowerReaderTest::files_;

TEST_F(ShowerReaderTest, WideFloat64FileIsCroppedToCentral25x25) {
  ShowerReader reader(file("wide_f64_energy_n1.h5"));
  EXPECT_EQ(reader.events(), kEvents);
  EXPECT_EQ(reader.stored_grid(), (ShowerGrid{51, 51, 25}));
  EXPECT_EQ(reader.grid(), (ShowerGrid{25, 25, 25}));
  EXPECT_EQ(reader.energy_source(), "energy");
  expect_pattern(reader, 13, 13);
}

TEST_F(ShowerReaderTest, FullGridOptionReadsAll51x51) {
  ShowerReader reader(file("wide_f64_energy_n1.h5"), {.full_grid = true});
  EXPECT_EQ(reader.grid(), (ShowerGrid{51, 51, 25}));
  expect_pattern(reader, 0, 0);
}

TEST_F(ShowerReaderTest, BlocksReadTheSameValuesAsOneRead) {
  ShowerReader reader(file("wide_f64_energy_n1.h5"));
  std::vector<float> all, all_energy, block, block_energy;
  reader.read(0, kEvents, all, all_energy);
  reader.read(1, 2, block, block_energy);
  const std::size_t cells = reader.grid().cells();
  EXPECT_TRUE(std::equal(block.begin(), block.end(), all.begin() + cells));
  EXPECT_EQ(block_energy, (std::vector<float>{pattern_energy(1), pattern_energy(2)}));
  EXPECT_THROW(reader.read(3, 2, block, block_energy), std::out_of_range);
}

TEST_F(ShowerReaderTest, EnergyOfShapeN1kTakesFirstElement) {
  ShowerReader reader(file("energy_n1k.h5"));
  EXPECT_EQ(reader.grid(), (ShowerGrid{25, 25, 25}));
  expect_pattern(reader, 0, 0);
}

TEST_F(ShowerReaderTest, MissingEnergyFallsBackToTargetColumn1OfN1k) {
  ShowerReader reader(file("target_only_n1k.h5"));
  EXPECT_EQ(reader.energy_source(), "target[:,1]");
  expect_pattern(reader, 13, 13);
}

TEST_F(ShowerReaderTest, MissingEnergyFallsBackToTargetColumn1OfNk) {
  ShowerReader reader(file("target_only_nk.h5"));
  EXPECT_EQ(reader.energy_source(), "target[:,1]");
  expect_pattern(reader, 0, 0);
}

TEST_F(ShowerReaderTest, ExtraDatasetsAreListedAndIgnored) {
  ShowerReader reader(file("wide_f64_energy_n1.h5"));
  EXPECT_EQ(reader.extra_datasets(), std::vector<std::string>{"HCAL"});
  ASSERT_EQ(reader.datasets().size(), 4u);
  const DatasetInfo& ecal = reader.datasets()[0];
  EXPECT_EQ(ecal.name, "ECAL");
  EXPECT_EQ(ecal.shape, (std::vector<std::size_t>{4, 51, 51, 25}));
  EXPECT_EQ(ecal.type, "float64");
}

TEST_F(ShowerReaderTest, AttributesOfH5pyAreReadAsText) {
  AttributeList expected{{"cut_mm", "0.7"},
                         {"fixed", "fixed-length"},
                         {"generator", "Geant4 10.4"},
                         {"layers", "[17, 8]"},
                         {"seed", "7"}};
  EXPECT_EQ(ShowerReader(file("wide_f64_energy_n1.h5")).attributes(), expected);
}

/// The InputError message of opening name; checks that it names the file.
std::string open_error(const std::string& path) {
  std::string message = input_error_message([&] { ShowerReader reader(path); });
  EXPECT_TRUE(contains(message, path)) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  return message;
}

TEST_F(ShowerReaderTest, MissingFileIsInputError) {
  EXPECT_TRUE(contains(open_error(file("nowhere.h5")), "not found")) << file("nowhere.h5");
}

TEST_F(ShowerReaderTest, NonHdf5FileIsInputError) {
  EXPECT_TRUE(contains(open_error(file("not_hdf5.h5")), "is not an HDF5 file"));
}

TEST_F(ShowerReaderTest, TruncatedFileIsInputError) {
  std::string message = open_error(file("truncated.h5"));
  EXPECT_TRUE(contains(message, "truncated or corrupt")) << message;
}

TEST_F(ShowerReaderTest, MissingEcalIsInputError) {
  std::string message = open_error(file("no_ecal.h5"));
  EXPECT_TRUE(contains(message, "no ECAL dataset")) << message;
  EXPECT_TRUE(contains(message, "datasets found: energy, target")) << message;
}

TEST_F(ShowerReaderTest, EcalOfWrongRankIsInputError) {
  std::string message = open_error(file("ecal_rank3.h5"));
  EXPECT_TRUE(contains(message, "ECAL has rank 3, shape (4, 25, 25)")) << message;
}

TEST_F(ShowerReaderTest, NonNumericEcalIsInputError) {
  std::string message = open_error(file("string_ecal.h5"));
  EXPECT_TRUE(contains(message, "ECAL has type string")) << message;
}

TEST_F(ShowerReaderTest, FileWithoutEnergySourceIsInputError) {
  std::string message = open_error(file("no_energy_source.h5"));
  EXPECT_TRUE(contains(message, "no energy or target dataset")) << message;
}

TEST_F(ShowerReaderTest, TargetWithoutColumn1IsInputError) {
  std::string message = open_error(file("narrow_target.h5"));
  EXPECT_TRUE(contains(message, "target has shape (4, 1)")) << message;
}

TEST_F(ShowerReaderTest, MismatchedEventCountsAreInputError) {
  std::string message = open_error(file("mismatched_rows.h5"));
  EXPECT_TRUE(contains(message, "energy has 3 rows but ECAL has 4")) << message;
}

}  // namespace
}  // namespace calo::io::test
