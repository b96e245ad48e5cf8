#pragma once
// OverlappedAllreduce: averages one flat gradient buffer over the ranks in fusion buckets
// (fusion_buckets.hh), each started as soon as every entry in it is final, on a
// communication thread of its own, so that the reduction of the last layers' gradients runs
// while backward still computes the first layers' (Horovod's overlap, docs/distributed.md).
//
//   OverlappedAllreduce reduce(comm, store.grads(), buckets, &timeline, "D");
//   reduce.begin(local_weight);      // before backward
//   reduce.entry_final(e);           // from the backward hook, per parameter entry
//   reduce.finish(1 / total_weight); // before the optimiser: the rest, wait, scale
//
// finish() waits for the bucket the thread is reducing, if any, and reduces the rest itself
// (those whose entries became final last, or all of them with overlap off): no hand-over
// between the threads on the critical path. Collectives are started non-blocking and polled: between polls
// the thread sleeps (kPoll) while backward still computes, so that on a core shared with the training thread
// it does not take the core busy-waiting for the other ranks inside MPI; once finish() waits it polls without
// pause.
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
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
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

  /// Bucket b is exchanged by its own collective instead of the weighted allreduce of its
  /// span: `exchange` starts it in the bucket's turn, on the communication thread (e.g. a Dense
  /// layer's sufficient factors gathered from every rank: train/distributed_gradients.hh).
  /// finish() still scales the bucket's span.
  using Exchange = std::function<std::unique_ptr<Request>()>;
  void set_exchange(std::size_t bucket, Exchange exchange);

  /// A new round: no entry final yet; this rank's contribution will be weighted by weight.
  void begin(float local_weight);
  /// Entry e's values are final (its bucket starts once all of its entries are). Repeats
  /// within a round are ignored.
  void entry_final(std::size_t entry);
  /// Starts the buckets not started yet, waits for all, multiplies the buffer by scale.
  void finish(float scale);

  /// When one round's collectives ran (seconds on the steady clock, which ranks on one host
  /// share): finish() entered and left, and per bucket its collective started on this rank and
  /// completed. Recorded only after record_rounds(true) (bench scaling: what is hidden once
  /// the waits for slower ranks are told apart, communication_share.hh).
  struct RoundTimes {
    double enter = 0, leave = 0;
    std::vector<double> start, end;
  };
  void record_rounds(bool on) { record_ = on; }
  const std::vector<RoundTimes>& rounds() const { return rounds_; }

  /// Seconds spent in allreduce calls and seconds finish() waited for them, since creation.
  double reduce_seconds() const { return reduce_seconds_; }
  double wait_seconds() const { return wait_seconds_; }
  std::size_t bucket_count() const { return buckets_.size(); }
  const std::string& label() const { return label_; }

 private:
  void start(std::size_t bucket);
  void reduce(std::size_t bucket);
  void serve();

  Communicator& comm_;
  std::span<float> buffer_;
  std::vector<Bucket> buckets_;
  std::vector<std::size_t> bucket_of_entry_;
  std::vector<Exchange> exchange_;  // per bucket: its own collective (empty: allreduce)
  Timeline* timeline_;
  std::string label_;
  float weight_ = 1;

  // Round state, touched by the training thread only.
  std::vector<std::size_t> pending_entries_;  // per bucket: entries not final yet
  std::vector<char> entry_done_;              // per entry: reported final this round

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<char> ready_;  // per bucket: handed to the thread this round
  std::size_t next_ = 0;     // the next bucket to reduce (all before it are done)
  std::size_t claimed_ = 0;  // the thread reduces buckets before this one; finish() the rest
  bool busy_ = false;        // the thread is reducing bucket next_
  bool stop_ = false;
  std::atomic<bool> finishing_ = false;  // finish() waits: poll without sleeping
  double reduce_seconds_ = 0, wait_seconds_ = 0;
  bool record_ = false;
  std::vector<RoundTimes> rounds_;  // the open round last, while recording
  std::thread worker_;              // last: started once everything it uses exists
};

}  // namespace calo::dist
