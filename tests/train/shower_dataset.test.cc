// The training data pipeline (src/train/shower_dataset.hh, batch_loader.hh) on small files
// whose cells encode (file, event, cell), so every batch can be checked against what must be
// in it: the split, the energy filter, the preprocessing, every event once per epoch in the
// epoch order, resuming at a batch, bad files named (or skipped), errors while streaming.
#include "train/shower_dataset.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "input_error.hh"
#include "scratch_directory.hh"
#include "train/batch_loader.hh"

namespace calo::train {
namespace {

using calo::test::contains;
using calo::test::input_error_message;

constexpr io::ShowerGrid kGrid{3, 2, 2};  // 12 cells

/// Cell k of event e in file f: 1000 f + e + k / 100 [GeV]; cell 0 is below the 1e-6 GeV
/// threshold (5e-7) and cell 1 just above (2e-6); energy 10 (e + 1) GeV.
float cell_value(int f, int e, std::size_t k) {
  if (k == 0) return 5e-7f;
  if (k == 1) return 2e-6f;
  return 1000.f * f + e + k / 100.f;
}

void write_file(const std::string& path, int file_id, int events, float nan_in_event = -1,
                io::ShowerGrid grid = kGrid) {
  io::ShowerWriter writer(path, {.grid = grid});
  std::vector<float> cells(grid.cells());
  for (int e = 0; e < events; ++e) {
    for (std::size_t k = 0; k < cells.size(); ++k) cells[k] = cell_value(file_id, e, k);
    if (e == nan_in_event) cells[5] = std::numeric_limits<float>::quiet_NaN();
    const float energy = 10.f * (e + 1);
    const float pdg = 11;
    writer.append(cells.data(), &energy, &pdg, 1);
  }
  writer.commit();
}

class Pipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_.file("a.h5"), 0, 40);
    write_file(dir_.file("b.h5"), 1, 25);
  }
  DatasetOptions options() const { return {.patterns = {dir_.file("*.h5")}, .grid = kGrid}; }
  calo::test::ScratchDirectory dir_;
};

TEST_F(Pipeline, SplitsEveryFileByTheFixedRuleIntoDisjointParts) {
  const ShowerDataset data = ShowerDataset::open(options());
  ASSERT_EQ(data.files().size(), 2u);
  EXPECT_EQ(data.validation().size(), 4u + 2u);  // floor(40 x 0.1) + floor(25 x 0.1)
  EXPECT_EQ(data.training().size(), 65u - 6u);
  std::set<std::pair<int, int>> seen;
  for (const auto& e : data.training()) {
    EXPECT_FALSE(is_validation_event(e.event, 0.1));
    seen.insert({e.file, e.event});
  }
  for (const auto& e : data.validation()) {
    EXPECT_TRUE(is_validation_event(e.event, 0.1));
    seen.insert({e.file, e.event});
  }
  EXPECT_EQ(seen.size(), 65u);  // disjoint and complete
  EXPECT_FLOAT_EQ(data.energy_gev({1, 7}), 80.f);
}

TEST_F(Pipeline, EnergyRangeKeepsOnlyEventsInside) {
  DatasetOptions o = options();
  o.energy_min_gev = 100, o.energy_max_gev = 200;  // events 9..19 of each file
  const ShowerDataset data = ShowerDataset::open(o);
  EXPECT_EQ(data.training().size() + data.validation().size(), 22u);
  for (const auto& e : data.training()) {
    EXPECT_GE(data.energy_gev(e), 100.f);
    EXPECT_LE(data.energy_gev(e), 200.f);
  }
}

TEST_F(Pipeline, EpochDeliversEveryTrainingEventOnceInOrderPreprocessed) {
  const ShowerDataset data = ShowerDataset::open(options());
  const auto order = epoch_order(data.training(), 3, 0);
  BatchLoader loader(data, order, {.batch_size = 8, .queue_batches = 2});
  EXPECT_EQ(loader.batches(), 8u);  // 59 events: 7 x 8 + 3
  std::size_t position = 0;
  std::uint64_t index = 0;
  while (auto batch = loader.next()) {
    EXPECT_EQ(batch->index, index++);
    const std::size_t n = batch->events.size();
    EXPECT_EQ(n, index < 8 ? 8u : 3u);
    ASSERT_EQ(batch->images.size(), n * kGrid.cells());
    for (std::size_t i = 0; i < n; ++i, ++position) {
      const EventRef e = order[position];
      ASSERT_EQ(batch->events[i], e);
      EXPECT_FLOAT_EQ(batch->energies[i], 10.f * (e.event + 1) / 100.f);  // units of 100 GeV
      EXPECT_EQ(batch->images[i * kGrid.cells()], 0.f);                   // below 1e-6 GeV
      EXPECT_EQ(batch->images[i * kGrid.cells() + 1], 2e-6f);             // kept
      for (std::size_t k = 2; k < kGrid.cells(); ++k)
        EXPECT_EQ(batch->images[i * kGrid.cells() + k], cell_value(e.file, e.event, k));
      double sum = 0;
      for (std::size_t k = 0; k < kGrid.cells(); ++k) sum += batch->images[i * kGrid.cells() + k];
      EXPECT_EQ(batch->ecal_sums[i], sum);  // of the preprocessed cells, in cell order
    }
  }
  EXPECT_EQ(position, order.size());
  EXPECT_FALSE(loader.next());
}

TEST_F(Pipeline, CellScaleMultipliesTheCellsKeptByTheGevThreshold) {
  const ShowerDataset data = ShowerDataset::open(options());
  const auto order = epoch_order(data.training(), 3, 0);
  BatchLoader plain(data, order, {.batch_size = 8}),
      scaled(data, order, {.batch_size = 8, .cell_scale = 100});
  while (auto a = plain.next()) {
    const auto b = scaled.next();
    ASSERT_TRUE(b);
    for (std::size_t k = 0; k < a->images.size(); ++k) EXPECT_EQ(b->images[k], a->images[k] * 100.f);
    EXPECT_EQ(b->images[0], 0.f);  // 5e-7 GeV: below the threshold, which is in GeV
    for (std::size_t i = 0; i < a->events.size(); ++i) {
      // Each scaled cell is rounded to float (relative 6e-8), so the sums agree to that.
      EXPECT_NEAR(b->ecal_sums[i], 100 * a->ecal_sums[i], 1e-7 * b->ecal_sums[i]);
      EXPECT_EQ(b->energies[i], a->energies[i]);
    }
  }
  EXPECT_FALSE(scaled.next());
}

TEST_F(Pipeline, ResumingAtABatchGivesTheRestOfTheEpoch) {
  const ShowerDataset data = ShowerDataset::open(options());
  const auto order = epoch_order(data.training(), 3, 2);
  std::vector<Batch> whole;
  {
    BatchLoader loader(data, order, {.batch_size = 5});
    while (auto b = loader.next()) whole.push_back(std::move(*b));
  }
  BatchLoader resumed(data, order, {.batch_size = 5}, 7);
  for (std::size_t i = 7; i < whole.size(); ++i) {
    auto b = resumed.next();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->index, i);
    EXPECT_EQ(b->events, whole[i].events);
    EXPECT_EQ(b->images, whole[i].images);
  }
  EXPECT_FALSE(resumed.next());
  EXPECT_THROW(BatchLoader(data, order, {.batch_size = 5}, whole.size() + 1), InputError);
}

TEST_F(Pipeline, StoppingEarlyJoinsTheReader) {
  // Destroyed with most batches unread and the queue full: no hang, no leak (ASan build).
  const ShowerDataset data = ShowerDataset::open(options());
  BatchLoader loader(data, data.training(), {.batch_size = 2, .queue_batches = 1});
  ASSERT_TRUE(loader.next());
}

TEST_F(Pipeline, BadFilesAreNamedOrSkipped) {
  std::ofstream(dir_.file("c.h5")) << "not an HDF5 file";
  write_file(dir_.file("d.h5"), 3, 4, -1, {5, 5, 5});  // another grid
  write_file(dir_.file("e.h5"), 4, 6, 2);              // a NaN cell in event 2
  for (const char* bad : {"c.h5", "d.h5", "e.h5"}) {
    DatasetOptions o = options();
    o.patterns = {dir_.file("a.h5"), dir_.file(bad)};
    const std::string message = input_error_message([&] { ShowerDataset::open(o); });
    EXPECT_TRUE(contains(message, dir_.file(bad))) << message;
    EXPECT_TRUE(contains(message, "--skip-bad-files")) << message;
  }
  DatasetOptions o = options();
  o.skip_bad_files = true;
  const ShowerDataset data = ShowerDataset::open(o);
  EXPECT_EQ(data.files().size(), 2u);
  ASSERT_EQ(data.skipped().size(), 3u);
  EXPECT_TRUE(contains(data.skipped()[1].reason, "5x5x5")) << data.skipped()[1].reason;
  EXPECT_TRUE(contains(data.skipped()[2].reason, "non-finite cell in event 2")) << data.skipped()[2].reason;
}

TEST_F(Pipeline, UnscannedNonFiniteCellIsReportedWhenItsBatchIsRead) {
  write_file(dir_.file("e.h5"), 4, 6, 2);
  DatasetOptions o = options();
  o.patterns = {dir_.file("e.h5")};
  o.scan_cells = false;
  o.validation_fraction = 0;
  const ShowerDataset data = ShowerDataset::open(o);
  BatchLoader loader(data, data.training(), {.batch_size = 2});
  ASSERT_TRUE(loader.next());  // events 0, 1
  const std::string message = input_error_message([&] { loader.next(); });
  EXPECT_TRUE(contains(message, "non-finite cell in event 2")) << message;
}

TEST_F(Pipeline, RefusesEmptyGlobsAndBadOptions) {
  DatasetOptions o = options();
  o.patterns = {dir_.file("nothing-*.h5")};
  EXPECT_TRUE(contains(input_error_message([&] { ShowerDataset::open(o); }), "no shower file matches"));
  o = options();
  o.validation_fraction = 1.0;
  EXPECT_TRUE(contains(input_error_message([&] { ShowerDataset::open(o); }), "validation fraction"));
  o = options();
  o.energy_min_gev = 1000;
  EXPECT_TRUE(contains(input_error_message([&] { ShowerDataset::open(o); }), "no training event left"));
  const ShowerDataset data = ShowerDataset::open(options());
  EXPECT_TRUE(contains(input_error_message([&] { BatchLoader(data, data.training(), {.batch_size = 0}); }),
                       "batch size"));
}

TEST_F(Pipeline, SamePatternTwiceUsesEachFileOnce) {
  DatasetOptions o = options();
  o.patterns = {dir_.file("*.h5"), dir_.file("a.h5")};
  EXPECT_EQ(ShowerDataset::open(o).files().size(), 2u);
}

}  // namespace
}  // namespace calo::train
