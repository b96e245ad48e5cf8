// OverlappedAllreduce (src/dist/overlapped_allreduce.hh) over a communicator that records each
// allreduce and acts as two ranks holding the same values (the sum doubles them): buckets start
// when their entries are final, before finish(), in index order; the weighted average is exact.
#include "dist/overlapped_allreduce.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace calo::dist {
namespace {

class RecordingCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 2; }
  void allreduce_sum(std::span<float> v) override {
    for (float& x : v) x *= 2;
    const std::lock_guard lock(mutex);
    calls.emplace_back(v.data(), v.size());
    threads.push_back(std::this_thread::get_id());
  }
  void allreduce_sum(std::span<double> v) override {
    for (double& x : v) x *= 2;
  }
  void allgather(std::span<const float> mine, std::span<float> all) override {
    std::ranges::copy(mine, all.begin());
    std::ranges::copy(mine, all.begin() + static_cast<std::ptrdiff_t>(mine.size()));
  }
  void broadcast(std::span<float>, int) override {}
  void broadcast(std::string&, int) override {}
  [[noreturn]] void abort(int) override { std::abort(); }
  bool calls_from_another_thread() const override { return true; }

  std::size_t count() {
    const std::lock_guard lock(mutex);
    return calls.size();
  }
  std::mutex mutex;
  std::vector<std::pair<const float*, std::size_t>> calls;
  std::vector<std::thread::id> threads;
};

// Entries of 4, 4 and 8 floats; buckets of >= 32 bytes from the end: {entry 2}, {entries 0, 1}.
std::vector<Bucket> two_buckets() { return {{8, 8, 2, 3}, {0, 8, 0, 2}}; }

std::vector<float> values() {
  std::vector<float> v(16);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.25f * static_cast<float>(i) - 1.5f;
  return v;
}

bool wait_for(RecordingCommunicator& c, std::size_t calls) {
  for (int i = 0; i < 2000 && c.count() < calls; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return c.count() >= calls;
}

TEST(OverlappedAllreduce, ABucketIsReducedAsSoonAsItsEntriesAreFinal) {
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  reduce.begin(3.f);
  reduce.entry_final(2);  // bucket 0 complete: reduced on the thread, before finish()
  ASSERT_TRUE(wait_for(comm, 1));
  EXPECT_EQ(comm.calls[0].first, buffer.data() + 8);
  EXPECT_EQ(comm.calls[0].second, 8u);
  reduce.entry_final(1);  // bucket 1 still waits for entry 0
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(comm.count(), 1u);
  reduce.finish(0.125f);
  ASSERT_EQ(comm.count(), 2u);
  EXPECT_EQ(comm.calls[1].first, buffer.data());
  const std::vector<float> x = values();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(buffer[i], (2 * (3.f * x[i])) * 0.125f) << i;
}

TEST(OverlappedAllreduce, BucketsAreReducedInTheirIndexOrderOnEveryRank) {
  // Bucket 1 final first: it waits for bucket 0, so every rank calls the same allreduces in
  // the same order whatever order its backward (or an empty batch) finished them in.
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  reduce.begin(1.f);
  reduce.entry_final(0);
  reduce.entry_final(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(comm.count(), 0u);
  reduce.entry_final(2);
  ASSERT_TRUE(wait_for(comm, 2));
  reduce.finish(1.f);
  EXPECT_EQ(comm.calls[0].first, buffer.data() + 8);
  EXPECT_EQ(comm.calls[1].first, buffer.data());
}

TEST(OverlappedAllreduce, EveryRoundReducesEachBucketOnce) {
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  for (int round = 1; round <= 3; ++round) {
    reduce.begin(1.f);
    for (std::size_t e : {2, 1, 0}) reduce.entry_final(e);
    reduce.entry_final(2);  // a repeated notice changes nothing
    reduce.finish(0.5f);
    EXPECT_EQ(comm.count(), 2u * round);
  }
  const std::vector<float> x = values();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(buffer[i], x[i]) << i;  // (2 x 0.5)^3
}

TEST(OverlappedAllreduce, ARepeatedNoticeOfOneEntryDoesNotCountForAnother) {
  // Layers report themselves final before their data gradient and Sequential again after it.
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  reduce.begin(1.f);
  reduce.entry_final(2);
  ASSERT_TRUE(wait_for(comm, 1));
  reduce.entry_final(1);
  reduce.entry_final(1);  // bucket 1 still waits for entry 0
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(comm.count(), 1u);
  reduce.finish(1.f);
  EXPECT_EQ(comm.count(), 2u);
}

TEST(OverlappedAllreduce, FinishReducesTheBucketsTheThreadHasNotBegunItself) {
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  reduce.begin(1.f);
  reduce.entry_final(2);
  ASSERT_TRUE(wait_for(comm, 1));  // bucket 0 on the thread
  reduce.finish(1.f);              // bucket 1 never handed over: reduced by this thread
  ASSERT_EQ(comm.count(), 2u);
  EXPECT_NE(comm.threads[0], std::this_thread::get_id());
  EXPECT_EQ(comm.threads[1], std::this_thread::get_id());
}

TEST(OverlappedAllreduce, ABucketWithItsOwnExchangeRunsItInItsTurnInsteadOfTheAllreduce) {
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  std::vector<std::size_t> order;  // the allreduces seen when the exchange ran
  const std::vector<float> mine = {1, 2};
  std::vector<float> gathered(4);
  reduce.set_exchange(1, [&] {
    order.push_back(comm.count());
    return comm.start_allgather(mine, gathered);
  });
  reduce.begin(3.f);
  for (std::size_t e : {0, 1, 2}) reduce.entry_final(e);  // bucket 1 final first: still second
  reduce.finish(0.5f);
  EXPECT_EQ(comm.count(), 1u);  // bucket 0 only
  EXPECT_EQ(order, (std::vector<std::size_t>{1}));
  EXPECT_EQ(gathered, (std::vector<float>{1, 2, 1, 2}));
  const std::vector<float> x = values();
  for (std::size_t i = 0; i < 8; ++i)
    EXPECT_EQ(buffer[i], x[i] * 0.5f) << i;  // scaled, not weighted or summed
  for (std::size_t i = 8; i < 16; ++i) EXPECT_EQ(buffer[i], (2 * (3.f * x[i])) * 0.5f) << i;
}

TEST(OverlappedAllreduce, RecordedRoundsHoldWhenEachBucketRanAndFinishWaited) {
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets());
  reduce.record_rounds(true);
  for (int round = 0; round < 2; ++round) {
    reduce.begin(1.f);
    reduce.entry_final(2);
    reduce.finish(1.f);
  }
  ASSERT_EQ(reduce.rounds().size(), 2u);
  for (const auto& r : reduce.rounds()) {
    ASSERT_EQ(r.start.size(), 2u);
    EXPECT_LE(r.enter, r.leave);
    for (std::size_t b = 0; b < 2; ++b) EXPECT_LE(r.start[b], r.end[b]);
    EXPECT_LE(r.end[0], r.start[1]);  // in index order
    EXPECT_LE(r.end[1], r.leave);     // finish() waited for the last
  }
  EXPECT_LE(reduce.rounds()[0].leave, reduce.rounds()[1].start[0]);
}

TEST(OverlappedAllreduce, WithoutAThreadAllBucketsAreReducedInFinish) {
  RecordingCommunicator comm;
  std::vector<float> buffer = values();
  OverlappedAllreduce reduce(comm, buffer, two_buckets(), nullptr, "", /*with_thread=*/false);
  reduce.begin(1.f);
  reduce.entry_final(2);
  EXPECT_EQ(comm.count(), 0u);
  reduce.finish(1.f);
  EXPECT_EQ(comm.count(), 2u);
}

TEST(OverlappedAllreduce, OneRankOnlyScales) {
  SerialCommunicator comm;
  std::vector<float> buffer = values();
  Timeline timeline;
  OverlappedAllreduce reduce(comm, buffer, two_buckets(), &timeline, "G");
  reduce.begin(4.f);
  reduce.finish(0.25f);
  const std::vector<float> x = values();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(buffer[i], (4.f * x[i]) * 0.25f) << i;
  EXPECT_TRUE(timeline.spans().empty());  // nothing was exchanged
}

}  // namespace
}  // namespace calo::dist
