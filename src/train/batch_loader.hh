#pragma once
// BatchLoader: streams a list of events (an epoch_order) from their shower files in batches,
// preprocessed for training (DESIGN.md section 7: cells below 1e-6 GeV set to 0, energies in
// units of 100 GeV), read ahead on a thread of its own into a bounded queue. Memory is the
// queue's batches plus one reader per open file, whatever the data set's size.
//
//   BatchLoader loader(data, epoch_order(data.training(), seed, epoch), {.batch_size = 8});
//   while (auto batch = loader.next()) step.step(batch->images, batch->energies, rng);
//
// The prefetch thread is the only one reading while the loader lives, except where the
// HDF5 library is not thread-safe (io/hdf5_threads.hh): then next() reads on the caller's
// thread. Errors while reading (a corrupt file, a non-finite cell) are rethrown by next().
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "train/shower_dataset.hh"

namespace calo::train {

struct LoaderOptions {
  std::int64_t batch_size = 8;
  /// Batches read ahead and held at most (memory: queue_batches x batch_size x cells x 4 B).
  std::size_t queue_batches = 4;
  /// Cells below this are set to 0 [GeV] (the original's preprocessing).
  float cell_threshold_gev = 1e-6f;
  /// Kept cells are multiplied by this (the networks' cell unit: the original's `xscale`,
  /// TrainerOptions::cell_scale); images and ecal_sums are then in GeV x cell_scale.
  float cell_scale = 1.f;
  /// Energies are divided by this [GeV] (the networks take energy in units of 100 GeV).
  float energy_unit_gev = 100.f;
  /// Shower files kept open at once (least recently used closed first).
  std::size_t open_files = 32;
};

struct Batch {
  std::uint64_t index = 0;       ///< batch number within the order (first_batch, first_batch + 1, ...)
  std::vector<EventRef> events;  ///< (B) the events, in order; the last batch may be smaller
  std::vector<float> images;  ///< (B x cells) plain [x][y][layer] per shower [GeV x cell_scale], preprocessed
  std::vector<float> energies;    ///< (B) primary energies [energy_unit_gev]
  std::vector<double> ecal_sums;  ///< (B) sums of the preprocessed cells [GeV x cell_scale], in cell order
};

class BatchLoader {
 public:
  /// Streams order[first_batch * batch_size ...] in batches (first_batch > 0: a resumed
  /// epoch). The data set must outlive the loader. InputError on bad options.
  BatchLoader(const ShowerDataset& data, std::vector<EventRef> order, LoaderOptions options = {},
              std::uint64_t first_batch = 0);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  /// The next batch, or nullopt after the last one.
  std::optional<Batch> next();
  /// Batches in the whole order (ceil(events / batch_size)).
  std::uint64_t batches() const { return batches_; }
  /// Whether batches are read ahead on the loader's own thread.
  bool prefetching() const { return worker_.joinable(); }

 private:
  class Reader;  // the open files, used by one thread at a time
  Batch read_batch(std::uint64_t index);
  void prefetch_all();

  const ShowerDataset& data_;
  std::vector<EventRef> order_;
  LoaderOptions options_;
  std::uint64_t batches_, next_read_, next_handed_;
  std::unique_ptr<Reader> reader_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  std::exception_ptr error_;
  bool stop_ = false, done_ = false;
  std::thread worker_;  // last: started after everything it uses exists
};

}  // namespace calo::train
