#include "train/batch_loader.hh"

#include <algorithm>
#include <cmath>
#include <list>
#include <map>
#include <memory>
#include <string>

#include "core/error.hh"
#include "io/hdf5_threads.hh"

namespace calo::train {

/// Shower readers of the data set's files, at most `capacity` open (LRU).
class BatchLoader::Reader {
 public:
  Reader(const ShowerDataset& data, std::size_t capacity) : data_(data), capacity_(capacity) {}

  /// Reads event e into cells (grid cells [GeV]) and returns its energy [GeV].
  float read(EventRef e, std::vector<float>& cells) {
    const io::ShowerReader& reader = open(e.file);
    reader.read(e.event, 1, cells, energy_);
    return energy_[0];
  }

 private:
  const io::ShowerReader& open(std::uint32_t file) {
    if (auto it = open_.find(file); it != open_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second.second);
      return it->second.first;
    }
    if (open_.size() >= capacity_) {
      open_.erase(recent_.back());
      recent_.pop_back();
    }
    recent_.push_front(file);
    auto [it, inserted] = open_.try_emplace(file, io::ShowerReader(data_.files()[file]), recent_.begin());
    return it->second.first;
  }

  const ShowerDataset& data_;
  std::size_t capacity_;
  std::list<std::uint32_t> recent_;  // most recently used first
  std::map<std::uint32_t, std::pair<io::ShowerReader, std::list<std::uint32_t>::iterator>> open_;
  std::vector<float> energy_;
};

BatchLoader::BatchLoader(const ShowerDataset& data, std::vector<EventRef> order, LoaderOptions options,
                         std::uint64_t first_batch)
    : data_(data), order_(std::move(order)), options_(options) {
  CALO_VALIDATE(options_.batch_size > 0,
                "invalid batch size " + std::to_string(options_.batch_size) + " (must be positive)");
  CALO_VALIDATE(options_.queue_batches > 0, "invalid loader queue length (must be positive)");
  CALO_VALIDATE(options_.open_files > 0, "invalid number of open files (must be positive)");
  CALO_VALIDATE(std::isfinite(options_.energy_unit_gev) && options_.energy_unit_gev > 0,
                "invalid energy unit (must be positive GeV)");
  const auto b = static_cast<std::uint64_t>(options_.batch_size);
  batches_ = (order_.size() + b - 1) / b;
  CALO_VALIDATE(first_batch <= batches_, "cannot start at batch " + std::to_string(first_batch) + " of " +
                                             std::to_string(batches_) + " (the order has fewer batches)");
  next_read_ = next_handed_ = first_batch;
  reader_ = std::make_unique<Reader>(data_, options_.open_files);
  if (io::hdf5_library_is_thread_safe()) worker_ = std::thread([this] { prefetch_all(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Batch BatchLoader::read_batch(std::uint64_t index) {
  const std::size_t cells = data_.grid().cells();
  const std::size_t first = index * options_.batch_size;
  const std::size_t count = std::min<std::size_t>(options_.batch_size, order_.size() - first);
  Batch batch;
  batch.index = index;
  batch.events.assign(order_.begin() + first, order_.begin() + first + count);
  batch.images.resize(count * cells);
  batch.energies.resize(count);
  batch.ecal_sums.assign(count, 0.0);
  std::vector<float> shower;
  for (std::size_t i = 0; i < count; ++i) {
    const float energy = reader_->read(batch.events[i], shower);
    for (std::size_t k = 0; k < cells; ++k) {
      const float c = shower[k];
      if (!std::isfinite(c))
        throw InputError("shower file " + data_.files()[batch.events[i].file] +
                         " has a non-finite cell in event " + std::to_string(batch.events[i].event));
      const float kept = c < options_.cell_threshold_gev ? 0.f : c * options_.cell_scale;
      batch.images[i * cells + k] = kept;
      batch.ecal_sums[i] += kept;
    }
    batch.energies[i] = energy / options_.energy_unit_gev;
  }
  return batch;
}

void BatchLoader::prefetch_all() {
  while (true) {
    std::uint64_t index;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || queue_.size() < options_.queue_batches; });
      if (stop_ || next_read_ >= batches_) {
        done_ = true;
        changed_.notify_all();
        return;
      }
      index = next_read_++;
    }
    try {
      Batch batch = read_batch(index);
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(batch));
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      done_ = true;
      changed_.notify_all();
      return;
    }
    changed_.notify_all();
  }
}

std::optional<Batch> BatchLoader::next() {
  if (!worker_.joinable()) {
    if (next_handed_ >= batches_) return std::nullopt;
    return read_batch(next_handed_++);
  }
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (queue_.empty()) {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    return std::nullopt;
  }
  Batch batch = std::move(queue_.front());
  queue_.pop_front();
  ++next_handed_;
  changed_.notify_all();
  return batch;
}

}  // namespace calo::train
