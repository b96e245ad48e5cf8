// ShowerWriter: exact round trip, h5py compatibility, atomic writes, refused outputs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "test_support.hh"

namespace fs = std::filesystem;

namespace calo::io::test {
namespace {

/// Events with known values (the same pattern check_written_file.py recomputes).
struct PatternEvents {
  std::vector<float> ecal, energy, pdg;

  PatternEvents(std::size_t first, std::size_t n, const ShowerGrid& grid = {}) {
    for (std::size_t i = first; i < first + n; ++i) {
      for (std::size_t x = 0; x < grid.nx; ++x)
        for (std::size_t y = 0; y < grid.ny; ++y)
          for (std::size_t z = 0; z < grid.nz; ++z)
            ecal.push_back(static_cast<float>(((i * 32 + x) * 32 + y) * 32 + z));
      energy.push_back(10.0f * static_cast<float>(i + 1) + 0.5f);
      pdg.push_back(static_cast<float>(std::array{kPdgElectron, kPdgPositron, kPdgPhoton}[i % 3]));
    }
  }
  void append_to(ShowerWriter& writer) const {
    writer.append(ecal.data(), energy.data(), pdg.data(), energy.size());
  }
};

/// Writes `events` pattern events in uneven batches, with the provenance attributes.
void write_pattern_file(const std::string& path, std::size_t events, WriterOptions options = {}) {
  ShowerWriter writer(path, options);
  std::size_t first = 0;
  for (std::size_t batch : {std::size_t{1}, std::size_t{2}, std::size_t{17}, events}) {
    std::size_t n = std::min(batch, events - first);
    PatternEvents(first, n, options.grid).append_to(writer);
    first += n;
  }
  writer.set_attribute("generator", "calo3dgan test");
  writer.set_attribute("seed", 42);
  writer.set_attribute("big_seed", std::numeric_limits<std::uint64_t>::max());
  writer.set_attribute("energy_max_gev", 500.5);
  writer.commit();
}

TEST(ShowerWriterTest, RoundTripIsExactAcrossChunkBoundaries) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  const ShowerGrid grid{5, 4, 3};
  write_pattern_file(path, 37, {.grid = grid, .chunk_events = 8});

  ShowerReader reader(path);
  ASSERT_EQ(reader.events(), 37u);
  EXPECT_EQ(reader.grid(), grid);
  EXPECT_EQ(reader.energy_source(), "energy");
  std::vector<float> ecal, energy;
  reader.read(0, 37, ecal, energy);
  PatternEvents expected(0, 37, grid);
  EXPECT_EQ(ecal, expected.ecal);
  EXPECT_EQ(energy, expected.energy);
  reader.read(30, 7, ecal, energy);  // a block in the middle of the file
  EXPECT_EQ(ecal, PatternEvents(30, 7, grid).ecal);

  AttributeList attributes = reader.attributes();
  AttributeList expected_attributes{{"big_seed", "18446744073709551615"},
                                    {"energy_max_gev", "500.5"},
                                    {"generator", "calo3dgan test"},
                                    {"seed", "42"}};
  EXPECT_EQ(attributes, expected_attributes);
  EXPECT_TRUE(reader.extra_datasets().empty());
}

TEST(ShowerWriterTest, WrittenFileIsReadByH5py) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  write_pattern_file(path, 21);
  CommandResult check = run_python_script("check_written_file.py", {path, "21", "0"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(ShowerWriterTest, GzipOptionWritesCompressedFileReadByH5py) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  write_pattern_file(path, 21, {.gzip_level = 1});
  CommandResult check = run_python_script("check_written_file.py", {path, "21", "1"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  std::vector<float> ecal, energy;
  ShowerReader(path).read(0, 21, ecal, energy);
  EXPECT_EQ(ecal, PatternEvents(0, 21).ecal);
}

TEST(ShowerWriterTest, FinalFileAppearsOnlyAtCommit) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  ShowerWriter writer(path);
  EXPECT_EQ(writer.temporary_path(), path + ".tmp-" + std::to_string(getpid()));
  PatternEvents(0, 3).append_to(writer);
  EXPECT_TRUE(fs::exists(writer.temporary_path()));
  EXPECT_FALSE(fs::exists(path));
  writer.commit();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(writer.temporary_path()));
  EXPECT_EQ(ShowerReader(path).events(), 3u);
}

TEST(ShowerWriterTest, TemporaryFileIsDeletedWithoutCommit) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  std::string temporary;
  {
    ShowerWriter writer(path);
    temporary = writer.temporary_path();
    PatternEvents(0, 2).append_to(writer);
    ASSERT_TRUE(fs::exists(temporary));
  }
  EXPECT_FALSE(fs::exists(temporary));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(ShowerWriterTest, CommitWithoutEventsGivesValidEmptyFile) {
  ScratchDirectory dir;
  const std::string path = dir.file("empty.h5");
  ShowerWriter(path).commit();
  ShowerReader reader(path);
  EXPECT_EQ(reader.events(), 0u);
  std::vector<float> ecal(5), energy(5);
  reader.read(0, 0, ecal, energy);
  EXPECT_TRUE(ecal.empty() && energy.empty());
}

TEST(ShowerWriterTest, ExistingOutputIsRefusedWithoutOverwrite) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  std::ofstream(path) << "old";
  std::string message = input_error_message([&] { ShowerWriter writer(path); });
  EXPECT_EQ(message, "output file " + path + " exists (use --overwrite to replace it)");
  message = input_error_message([&] { ShowerWriter::check_writable(path, false); });
  EXPECT_TRUE(contains(message, "--overwrite")) << message;
  EXPECT_TRUE(fs::is_regular_file(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(ShowerWriterTest, OverwriteReplacesExistingOutputAtCommit) {
  ScratchDirectory dir;
  const std::string path = dir.file("showers.h5");
  std::ofstream(path) << "old";
  ShowerWriter::check_writable(path, true);
  ShowerWriter writer(path, {.overwrite = true});
  PatternEvents(0, 2).append_to(writer);
  EXPECT_EQ(fs::file_size(path), 3u);  // untouched until commit
  writer.commit();
  EXPECT_EQ(ShowerReader(path).events(), 2u);
}

TEST(ShowerWriterTest, MissingDirectoryIsNamed) {
  ScratchDirectory dir;
  const std::string missing = dir.file("no_such_dir");
  std::string message = input_error_message([&] { ShowerWriter writer(missing + "/x.h5"); });
  EXPECT_TRUE(contains(message, "output directory " + missing + " does not exist")) << message;
  message = input_error_message([&] { ShowerWriter::check_writable(missing + "/x.h5", true); });
  EXPECT_TRUE(contains(message, missing)) << message;
}

TEST(ShowerWriterTest, ReadOnlyDirectoryIsNamed) {
  if (geteuid() == 0) GTEST_SKIP() << "root may write into read-only directories";
  ScratchDirectory dir;
  fs::create_directory(dir.file("locked"));
  fs::permissions(dir.file("locked"), fs::perms::owner_read | fs::perms::owner_exec);
  std::string message = input_error_message([&] { ShowerWriter writer(dir.file("locked") + "/x.h5"); });
  EXPECT_TRUE(contains(message, dir.file("locked") + " is not writable")) << message;
  fs::permissions(dir.file("locked"), fs::perms::owner_all);
}

TEST(ShowerWriterTest, DirectoryAsOutputAndBadOptionsAreRefused) {
  ScratchDirectory dir;
  std::string message = input_error_message([&] { ShowerWriter writer(dir.path().string()); });
  EXPECT_TRUE(contains(message, "is a directory")) << message;
  message = input_error_message([&] { ShowerWriter writer(dir.file("x.h5"), {.gzip_level = 12}); });
  EXPECT_TRUE(contains(message, "invalid gzip level 12")) << message;
  message = input_error_message([&] { ShowerWriter writer(dir.file("x.h5"), {.grid = {25, 0, 25}}); });
  EXPECT_TRUE(contains(message, "invalid shower grid")) << message;
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(ShowerWriterTest, AppendAfterCommitIsAProgrammingError) {
  ScratchDirectory dir;
  ShowerWriter writer(dir.file("x.h5"));
  writer.commit();
  PatternEvents events(0, 1);
  EXPECT_THROW(events.append_to(writer), std::logic_error);
}

}  // namespace
}  // namespace calo::io::test
