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
  entry_done_.assign(entries, 0);
  exchange_.resize(buckets_.size());
  pending_entries_.assign(buckets_.size(), 0);
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

namespace {
/// The communication thread's pause between polls of a collective while backward computes:
/// long against a poll (about a microsecond), short against a layer's backward (milliseconds).
constexpr std::chrono::microseconds kPoll{50};
}  // namespace

void OverlappedAllreduce::set_exchange(std::size_t bucket, Exchange exchange) {
  CALO_ASSERT(bucket < buckets_.size());
  exchange_[bucket] = std::move(exchange);
}

void OverlappedAllreduce::begin(float local_weight) {
  weight_ = local_weight;
  finishing_ = false;
  std::ranges::fill(entry_done_, 0);
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    pending_entries_[i] = buckets_[i].end_entry - buckets_[i].first_entry;
  }
  if (record_)
    rounds_.push_back(
        {.start = std::vector<double>(buckets_.size()), .end = std::vector<double>(buckets_.size())});
  const std::lock_guard lock(mutex_);  // the thread is idle: the last round is all reduced
  std::ranges::fill(ready_, 0);
  next_ = 0;
  claimed_ = buckets_.size();
}

void OverlappedAllreduce::entry_final(std::size_t entry) {
  CALO_ASSERT(entry < bucket_of_entry_.size());
  if (entry_done_[entry]) return;
  entry_done_[entry] = 1;
  const std::size_t b = bucket_of_entry_[entry];
  if (pending_entries_[b] == 0) return;
  if (--pending_entries_[b] == 0) start(b);
}

void OverlappedAllreduce::start(std::size_t bucket) {
  if (!worker_.joinable()) return;  // reduced in finish()
  {
    const std::lock_guard lock(mutex_);
    ready_[bucket] = 1;
  }
  changed_.notify_all();
}

void OverlappedAllreduce::reduce(std::size_t bucket) {
  const auto t0 = Timeline::Clock::now();
  std::unique_ptr<Request> request;
  if (exchange_[bucket]) {
    request = exchange_[bucket]();
  } else {
    const std::span<float> values = buffer_.subspan(buckets_[bucket].offset, buckets_[bucket].size);
    if (weight_ != 1)
      for (float& v : values) v *= weight_;
    request = comm_.start_allreduce_sum(values);
  }
  while (!request->test())
    if (!finishing_.load(std::memory_order_relaxed)) {
      // A pause that finish() cuts short (it notifies under the mutex after setting the flag).
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, kPoll, [&] { return finishing_.load(std::memory_order_relaxed) || stop_; });
    }
  const auto t1 = Timeline::Clock::now();
  reduce_seconds_ += std::chrono::duration<double>(t1 - t0).count();
  if (record_ && !rounds_.empty()) {
    rounds_.back().start[bucket] = std::chrono::duration<double>(t0.time_since_epoch()).count();
    rounds_.back().end[bucket] = std::chrono::duration<double>(t1.time_since_epoch()).count();
  }
  if (timeline_)
    timeline_->add("allreduce " + label_ + " bucket " + std::to_string(bucket), Timeline::kCommunication, t0,
                   t1);
}

void OverlappedAllreduce::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stop_ || (next_ < claimed_ && ready_[next_]); });
    if (stop_) return;  // only when the owner is destroyed: no round is open then
    const std::size_t b = next_;
    busy_ = true;
    lock.unlock();
    reduce(b);
    lock.lock();
    busy_ = false;
    ++next_;
    changed_.notify_all();
  }
}

void OverlappedAllreduce::finish(float scale) {
  const auto t0 = Timeline::Clock::now();
  if (worker_.joinable()) {
    // The buckets the thread has not begun are this thread's now: it has nothing else to do,
    // and reducing them here saves two hand-overs between the threads on the critical path.
    std::size_t from = 0;
    {
      std::unique_lock lock(mutex_);
      finishing_ = true;
      from = claimed_ = busy_ ? next_ + 1 : next_;
      changed_.notify_all();  // also cuts the thread's pause between polls short
      changed_.wait(lock, [&] { return next_ >= from; });
    }
    for (std::size_t b = from; b < buckets_.size(); ++b) reduce(b);
    const std::lock_guard lock(mutex_);
    next_ = buckets_.size();
  } else if (comm_.size() > 1) {
    finishing_ = true;
    for (std::size_t i = 0; i < buckets_.size(); ++i) reduce(i);
  } else if (weight_ != 1) {
    for (float& v : buffer_) v *= weight_;
  }
  const auto t1 = Timeline::Clock::now();
  if (record_ && !rounds_.empty()) {
    rounds_.back().enter = std::chrono::duration<double>(t0.time_since_epoch()).count();
    rounds_.back().leave = std::chrono::duration<double>(t1.time_since_epoch()).count();
  }
  if (comm_.size() > 1) {
    wait_seconds_ += std::chrono::duration<double>(t1 - t0).count();
    if (timeline_) timeline_->add("allreduce wait " + label_, Timeline::kCompute, t0, t1);
  }
  if (scale != 1)
    for (float& v : buffer_) v *= scale;
}

}  // namespace calo::dist
