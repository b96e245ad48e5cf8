// MpiCommunicator (src/dist/mpi_communicator.hh) as two ranks under mpiexec: every rank knows
// what every other rank holds (values are functions of the rank), so each checks the
// collectives' results against its own computation.
#include "dist/mpi_communicator.hh"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/rng.hh"
#include "dist/fusion_buckets.hh"
#include "dist/overlapped_allreduce.hh"

namespace calo::dist {
namespace {

MpiCommunicator& world() {
  static MpiCommunicator comm;  // finalised at exit
  return comm;
}

std::vector<float> rank_values(int rank, std::size_t n) {
  Rng rng(7, static_cast<std::uint64_t>(rank));
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

TEST(MpiCommunicator, RunsAsTwoRanks) {
  ASSERT_TRUE(launched_by_mpi());
  EXPECT_EQ(world().size(), 2);
  EXPECT_TRUE(world().calls_from_another_thread());
  EXPECT_FALSE(world().host().empty());
}

TEST(MpiCommunicator, AllreduceSumsOverRanks) {
  const int r = world().rank();
  std::vector<float> f(1000);
  std::vector<double> d(3);
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<float>(i) * static_cast<float>(r + 1);
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = 0.5 * static_cast<double>(i + r);
  world().allreduce_sum(f);
  world().allreduce_sum(d);
  for (std::size_t i = 0; i < f.size(); ++i) ASSERT_EQ(f[i], 3.f * static_cast<float>(i)) << i;  // x(1 + 2)
  for (std::size_t i = 0; i < d.size(); ++i) EXPECT_EQ(d[i], 0.5 * static_cast<double>(2 * i + 1));
}

TEST(MpiCommunicator, AllgatherPutsEveryRanksValuesInRankOrder) {
  const int r = world().rank();
  const std::vector<float> mine = rank_values(r, 333);
  std::vector<float> all(2 * mine.size(), -1.f);
  world().allgather(mine, all);
  EXPECT_EQ(std::vector<float>(all.begin(), all.begin() + 333), rank_values(0, 333));
  EXPECT_EQ(std::vector<float>(all.begin() + 333, all.end()), rank_values(1, 333));
}

TEST(MpiCommunicator, StartedCollectivesCompleteWithTheBlockingOnesResults) {
  // Non-blocking: polled with test() until done, with the results of the blocking calls.
  const int r = world().rank();
  std::vector<float> sum = rank_values(r, 5000), expected(5000);
  const std::vector<float> zero = rank_values(0, 5000), one = rank_values(1, 5000);
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = zero[i] + one[i];
  const std::vector<float> mine = rank_values(r, 40);
  std::vector<float> all(80);
  std::unique_ptr<Request> a = world().start_allreduce_sum(sum);
  std::unique_ptr<Request> g = world().start_allgather(mine, all);
  int polls = 0;
  while (!(a->test() & g->test())) ++polls;  // both tested every round
  EXPECT_TRUE(a->test());                    // stays done
  for (std::size_t i = 0; i < sum.size(); ++i) ASSERT_EQ(sum[i], expected[i]) << i;
  EXPECT_EQ(std::vector<float>(all.begin(), all.begin() + 40), rank_values(0, 40));
  EXPECT_EQ(std::vector<float>(all.begin() + 40, all.end()), rank_values(1, 40));
  RecordProperty("polls", polls);
}

TEST(MpiCommunicator, BroadcastGivesTheRootsValues) {
  const int r = world().rank();
  std::vector<float> v = rank_values(r, 100);
  world().broadcast(v, 1);
  EXPECT_EQ(v, rank_values(1, 100));
  std::string text = r == 0 ? std::string(100000, 'x') + "end" : "short";
  world().broadcast(text, 0);
  EXPECT_EQ(text, std::string(100000, 'x') + "end");
}

TEST(MpiCommunicator, OverlappedAllreduceGivesTheWeightedAverage) {
  // Entries of 100, 7, 300 and 50 floats in buckets of >= 400 bytes: {300, 50} and {100, 7},
  // reduced on the thread.
  const std::vector<std::size_t> offsets = {0, 100, 107, 407}, sizes = {100, 7, 300, 50};
  const int r = world().rank();
  std::vector<float> buffer = rank_values(r, 457);
  OverlappedAllreduce reduce(world(), buffer, fusion_buckets(offsets, sizes, 400));
  EXPECT_EQ(reduce.bucket_count(), 2u);
  const float w[2] = {5.f, 3.f};  // unequal batches, as at an epoch's end
  reduce.begin(w[r]);
  for (std::size_t e : {3, 2, 1, 0}) reduce.entry_final(e);
  reduce.finish(1.f / 8);
  const std::vector<float> x0 = rank_values(0, 457), x1 = rank_values(1, 457);
  for (std::size_t i = 0; i < buffer.size(); ++i)
    ASSERT_EQ(buffer[i], (w[0] * x0[i] + w[1] * x1[i]) * (1.f / 8)) << i;
  EXPECT_GT(reduce.reduce_seconds(), 0);
}

}  // namespace
}  // namespace calo::dist
