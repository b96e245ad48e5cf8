#pragma once
// OverlappedAllreduce: averages one flat gradient buffer over the ranks in fusion buckets
// (fusion_buckets.hh), each started as soon as every entry in it is final, on a
// communication thread of its own, so that the reduction of the last layers' gradients runs
// while backward still computes the first layers' (Horovod's overlap, docs/distributed.md).
//
//   OverlappedAllreduce reduce(comm, store.grads(), buckets, &timeline, "D");
//   reduce.begin(local_weight);      // before backward
//   reduce.entry_final(e);           // from the backward hook, per parameter entry
//   reduce.finish(1 / total_weight); // before the optimiser: start the rest, wait, scale
//
// Buckets are reduced in their index order on every rank (an allreduce pairs the ranks' calls
// in call order, so a rank whose buckets became final in another order, e.g. one with an empty
// batch that computes nothing, must not call them in that order): a bucket final before its
// predecessors waits for them.
//
// The average is weighted: each rank multiplies its buffer by local_weight (its batch size)
// before the sum, and finish() scales the sum, so ranks with unequal batches (an epoch's last
// step) still give the gradient of the mean over all their events. Without a thread
// (a communicator that allows none, or with_thread false) the buckets are reduced in finish().
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "dist/communicator.hh"
#include "dist/fusion_buckets.hh"
#include "dist/timeline.hh"

namespace calo::dist {

class OverlappedAllreduce {
 public:
  /// buffer and comm must outlive this; timeline may be null (no spans recorded).
  OverlappedAllreduce(Communicator& comm, std::span<float> buffer, std::vector<Bucket> buckets,
                      Timeline* timeline = nullptr, std::string label = "", bool with_thread = true);
  ~OverlappedAllreduce();
  OverlappedAllreduce(const OverlappedAllreduce&) = delete;
  OverlappedAllreduce& operator=(const OverlappedAllreduce&) = delete;

  /// A new round: no entry final yet; this rank's contribution will be weighted by weight.
  void begin(float local_weight);
  /// Entry e's values are final (its bucket starts once all of its entries are).
  void entry_final(std::size_t entry);
  /// Starts the buckets not started yet, waits for all, multiplies the buffer by scale.
  void finish(float scale);

  /// Seconds spent in allreduce calls and seconds finish() waited for them, since creation.
  double reduce_seconds() const { return reduce_seconds_; }
  double wait_seconds() const { return wait_seconds_; }
  std::size_t bucket_count() const { return buckets_.size(); }

 private:
  void start(std::size_t bucket);
  void reduce(std::size_t bucket);
  void serve();
  bool all_reduced() const { return next_ == buckets_.size(); }

  Communicator& comm_;
  std::span<float> buffer_;
  std::vector<Bucket> buckets_;
  std::vector<std::size_t> bucket_of_entry_;
  Timeline* timeline_;
  std::string label_;
  float weight_ = 1;

  // Round state, touched by the training thread only.
  std::vector<std::size_t> pending_entries_;  // per bucket: entries not final yet
  std::vector<bool> started_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<char> ready_;  // per bucket: handed to the thread this round
  std::size_t next_ = 0;     // the next bucket to reduce (all before it are done)
  bool stop_ = false;
  double reduce_seconds_ = 0, wait_seconds_ = 0;
  std::thread worker_;  // last: started once everything it uses exists
};

}  // namespace calo::dist
