// communication_share (src/dist/communication_share.hh) on rounds written by hand: a rank that
// gets to finish() late shows as the others' wait for slower ranks, not as exposed exchange;
// what is waited after the last rank's arrival is exposed; a collective counts from the last
// rank's start; a round that ended before a rank arrived exposes nothing.
#include "dist/communication_share.hh"

#include <gtest/gtest.h>

#include "core/error.hh"

namespace calo::dist {
namespace {

using Rounds = std::vector<OverlappedAllreduce::RoundTimes>;

TEST(CommunicationShare, TellsTheWaitForASlowerRankFromTheExposedExchange) {
  // One round, two buckets. Rank 1 reaches finish() 10 ms after rank 0; both leave 0.3 ms
  // after that. Bucket 0 ran during backward (started 2 ms / 4 ms before, 0.1 ms once both
  // had started); bucket 1 ran in finish() on both, from rank 1's arrival to 0.3 ms later.
  const Rounds r0 = {{.enter = 1.000, .leave = 1.0103, .start = {0.998, 1.010}, .end = {0.9981, 1.0103}}};
  const Rounds r1 = {{.enter = 1.010, .leave = 1.0103, .start = {0.996, 1.010}, .end = {0.9981, 1.0103}}};
  const CommunicationShare s = communication_share({r0, r1});
  EXPECT_NEAR(s.exposed, 0.0003, 1e-12);               // each rank: 0.3 ms after the last arrival
  EXPECT_NEAR(s.imbalance, (0.010 + 0) / 2.0, 1e-12);  // rank 0 waited 10 ms for rank 1
  EXPECT_NEAR(s.communication, 0.0001 + 0.0003, 1e-12);
  EXPECT_NEAR(s.hidden(), 1 - 0.0003 / 0.0004, 1e-9);
}

TEST(CommunicationShare, ARoundDoneBeforeARankArrivesExposesNothing) {
  // Every bucket was reduced on the threads during backward: rank 0 leaves finish() at once,
  // rank 1's finish() began after the exchange had ended on rank 0.
  const Rounds r0 = {{.enter = 2.000, .leave = 2.00001, .start = {1.990}, .end = {1.995}}};
  const Rounds r1 = {{.enter = 1.999, .leave = 1.99901, .start = {1.994}, .end = {1.995}}};
  const CommunicationShare s = communication_share({r0, r1});
  EXPECT_NEAR(s.exposed, (0.00001 + 0) / 2.0, 1e-12);  // rank 1 left before rank 0 came: 0
  EXPECT_NEAR(s.imbalance, 0.00001 / 2.0, 1e-12);
  EXPECT_NEAR(s.communication, 0.001, 1e-12);  // from rank 1's start at 1.994
  EXPECT_GT(s.hidden(), 0.99);
}

TEST(CommunicationShare, ATypicalRoundIsTheMedianOverRounds) {
  // Three rounds exposing 1, 9 and 2 ms (both ranks alike): mean 4, median 2.
  Rounds r;
  for (double e : {0.001, 0.009, 0.002})
    r.push_back({.enter = 1, .leave = 1 + e, .start = {1}, .end = {1 + e}});
  const CommunicationShare s = communication_share({r, r});
  EXPECT_NEAR(s.exposed, 0.012, 1e-12);
  EXPECT_EQ(s.exposed_per_round.size(), 3u);
  EXPECT_NEAR(s.median_exposed_per_round(), 0.002, 1e-12);
  r.push_back({.enter = 1, .leave = 1.004, .start = {1}, .end = {1.004}});  // even count: mid-point
  EXPECT_NEAR(communication_share({r, r}).median_exposed_per_round(), 0.003, 1e-12);
}

TEST(CommunicationShare, RoundsThatDoNotMatchAreRefused) {
  const Rounds one = {{.enter = 0, .leave = 1, .start = {0}, .end = {1}}};
  const Rounds two_buckets = {{.enter = 0, .leave = 1, .start = {0, 0}, .end = {1, 1}}};
  EXPECT_THROW(communication_share({one, two_buckets}), InputError);
  EXPECT_THROW(communication_share({one, {}}), InputError);
}

TEST(CommunicationShare, FlattenedRoundsComeBackExactly) {
  const Rounds r = {{.enter = 1.25, .leave = 2.5, .start = {0.125, 3}, .end = {0.5, 4}},
                    {.enter = 7, .leave = 8, .start = {9}, .end = {10}}};
  const Rounds back = unflatten(flatten(r), r);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].start, r[0].start);
  EXPECT_EQ(back[0].end, r[0].end);
  EXPECT_EQ(back[1].enter, 7);
  EXPECT_EQ(back[1].end, r[1].end);
  EXPECT_THROW(unflatten({1, 2, 3}, r), InputError);
}

}  // namespace
}  // namespace calo::dist
