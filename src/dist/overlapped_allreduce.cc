#include "dist/overlapped_allreduce.hh"

#include <algorithm>
#include <chrono>

#include "core/error.hh"

namespace calo::dist {

OverlappedAllreduce::OverlappedAllreduce(Communicator& comm, std::span<float> buffer,
                                         std::vector<Bucket> buckets, Timeline* timeline, std::string label,
                                         bool with_thread)
    : comm_(comm),
      buffer_(buffer),
      buckets_(std::move(buckets)),
      timeline_(timeline),
      label_(std::move(label)) {
  std::size_t entries = 0;
  for (const Bucket& b : buckets_) entries = std::max(entries, b.end_entry);
  bucket_of_entry_.assign(entries, 0);
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    for (std::size_t e = buckets_[i].first_entry; e < buckets_[i].end_entry; ++e) bucket_of_entry_[e] = i;
  pending_entries_.assign(buckets_.size(), 0);
  started_.assign(buckets_.size(), true);
  ready_.assign(buckets_.size(), 0);
  next_ = buckets_.size();
  // One rank has nothing to exchange: no thread, finish() only scales.
  if (with_thread && comm_.size() > 1 && comm_.calls_from_another_thread())
    worker_ = std::thread([this] { serve(); });
}

OverlappedAllreduce::~OverlappedAllreduce() {
  if (!worker_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void OverlappedAllreduce::begin(float local_weight) {
  weight_ = local_weight;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    pending_entries_[i] = buckets_[i].end_entry - buckets_[i].first_entry;
    started_[i] = false;
  }
  const std::lock_guard lock(mutex_);  // the thread is idle: the last round is all reduced
  std::ranges::fill(ready_, 0);
  next_ = 0;
}

void OverlappedAllreduce::entry_final(std::size_t entry) {
  CALO_ASSERT(entry < bucket_of_entry_.size());
  const std::size_t b = bucket_of_entry_[entry];
  if (started_[b] || pending_entries_[b] == 0) return;
  if (--pending_entries_[b] == 0) start(b);
}

void OverlappedAllreduce::start(std::size_t bucket) {
  started_[bucket] = true;
  if (!worker_.joinable()) return;  // reduced in finish()
  {
    const std::lock_guard lock(mutex_);
    ready_[bucket] = 1;
  }
  changed_.notify_all();
}

void OverlappedAllreduce::reduce(std::size_t bucket) {
  const auto t0 = Timeline::Clock::now();
  const std::span<float> values = buffer_.subspan(buckets_[bucket].offset, buckets_[bucket].size);
  if (weight_ != 1)
    for (float& v : values) v *= weight_;
  comm_.allreduce_sum(values);
  const auto t1 = Timeline::Clock::now();
  reduce_seconds_ += std::chrono::duration<double>(t1 - t0).count();
  if (timeline_)
    timeline_->add("allreduce " + label_ + " bucket " + std::to_string(bucket), Timeline::kCommunication, t0,
                   t1);
}

void OverlappedAllreduce::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || (!all_reduced() && ready_[next_]); });
    if (stop_) return;  // only when the owner is destroyed: no round is open then
    const std::size_t b = next_;
    lock.unlock();
    reduce(b);
    lock.lock();
    ++next_;
    changed_.notify_all();
  }
}

void OverlappedAllreduce::finish(float scale) {
  const auto t0 = Timeline::Clock::now();
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    if (!started_[i]) start(i);
  if (worker_.joinable()) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return all_reduced(); });
  } else if (comm_.size() > 1) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) reduce(i);
  } else if (weight_ != 1) {
    for (float& v : buffer_) v *= weight_;
  }
  const auto t1 = Timeline::Clock::now();
  if (comm_.size() > 1) {
    wait_seconds_ += std::chrono::duration<double>(t1 - t0).count();
    if (timeline_) timeline_->add("allreduce wait " + label_, Timeline::kCompute, t0, t1);
  }
  if (scale != 1)
    for (float& v : buffer_) v *= scale;
}

}  // namespace calo::dist
