// The split and epoch order of a training run (src/train/event_order.hh): the split's count,
// spread and disjointness; every event exactly once per epoch, on one rank or across ranks;
// reproducible from the seed and different between epochs; unbiased bounded integers.
#include "train/event_order.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/error.hh"

namespace calo::train {
namespace {

std::vector<EventRef> events(std::uint32_t files, std::uint32_t per_file) {
  std::vector<EventRef> out;
  for (std::uint32_t f = 0; f < files; ++f)
    for (std::uint32_t e = 0; e < per_file; ++e) out.push_back({f, e});
  return out;
}

TEST(Split, HoldsOutFloorOfNTimesFractionEvenlySpread) {
  for (double f : {0.0, 0.1, 0.25, 1.0 / 3}) {
    const int n = 1000;
    int held = 0, longest_gap = 0, gap = 0;
    for (int j = 0; j < n; ++j) {
      if (is_validation_event(j, f))
        ++held, longest_gap = std::max(longest_gap, gap), gap = 0;
      else
        ++gap;
    }
    EXPECT_EQ(held, static_cast<int>(std::floor(n * f + 1e-9))) << f;
    // Evenly spread: never more than 1/f - 1 training events in a row between held-out ones.
    if (f > 0) {
      EXPECT_LE(longest_gap, static_cast<int>(std::ceil(1 / f)) - 1) << f;
    }
  }
}

TEST(Split, IsTheSameForAnyPrefixOfAFile) {
  // Stable: the rule looks at the event index only, so appending events never moves old ones.
  for (int j = 0; j < 500; ++j) EXPECT_EQ(is_validation_event(j, 0.1), (j + 1) % 10 == 0) << j;
}

TEST(EpochOrder, IsAPermutationReproducibleFromTheSeedAndNewEachEpoch) {
  const auto all = events(3, 37);
  const auto a = epoch_order(all, 5, 0), b = epoch_order(all, 5, 0), c = epoch_order(all, 5, 1),
             d = epoch_order(all, 6, 0);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_NE(a, all);
  auto sorted = a;
  std::ranges::sort(sorted);
  EXPECT_EQ(sorted, all);  // every event exactly once
}

TEST(EpochOrder, RanksShareEveryEventExactlyOnce) {
  const auto all = events(2, 51);  // 102 events over 4 ranks: shares of 26, 26, 25, 25
  std::multiset<EventRef> seen;
  const auto whole = epoch_order(all, 9, 3);
  for (int r = 0; r < 4; ++r) {
    const auto mine = epoch_order(all, 9, 3, r, 4);
    EXPECT_EQ(mine.size(), r < 2 ? 26u : 25u);
    for (std::size_t i = 0; i < mine.size(); ++i) {
      EXPECT_EQ(mine[i], whole[r + 4 * i]);  // rank r takes positions r, r + 4, ...
      seen.insert(mine[i]);
    }
  }
  EXPECT_EQ(seen.size(), all.size());
  EXPECT_EQ(std::set<EventRef>(seen.begin(), seen.end()).size(), all.size());
}

TEST(EpochShard, RanksResumedAtAnyEventShareTheRestExactlyOnceInGlobalBatches) {
  // 102 events; a run that trained on `consumed` of them (on any number of ranks) goes on with
  // R ranks x batch b: the ranks' step-j batches together are positions consumed + [jRb,
  // (j+1)Rb) of the order, the batch of one rank with batch Rb, and the rest is used once.
  const auto whole = epoch_order(events(2, 51), 9, 3);
  for (int ranks : {1, 2, 3, 5})
    for (std::uint64_t consumed : {0, 7, 60, 101})
      for (std::int64_t b : {1, 4, 8}) {
        std::vector<std::vector<EventRef>> shards;
        for (int r = 0; r < ranks; ++r) shards.push_back(epoch_shard(whole, consumed, r, ranks));
        const std::size_t rest = whole.size() - consumed;
        const std::size_t steps = (rest + ranks * b - 1) / (ranks * b);
        std::size_t used = 0;
        for (std::size_t j = 0; j < steps; ++j) {
          std::multiset<EventRef> step, expected;
          for (int r = 0; r < ranks; ++r)
            for (std::size_t i = j * b; i < std::min(shards[r].size(), (j + 1) * b); ++i)
              step.insert(shards[r][i]);
          for (std::size_t p = consumed + j * ranks * b;
               p < std::min(whole.size(), consumed + (j + 1) * ranks * b); ++p)
            expected.insert(whole[p]);
          ASSERT_EQ(step, expected) << ranks << " ranks, " << consumed << " consumed, batch " << b
                                    << ", step " << j;
          used += step.size();
        }
        EXPECT_EQ(used, rest);
        for (const auto& s : shards) EXPECT_LE(s.size(), steps * b);  // no rank needs an extra step
      }
  for (int r = 0; r < 4; ++r) EXPECT_EQ(epoch_shard(whole, 0, r, 4), epoch_order(events(2, 51), 9, 3, r, 4));
  EXPECT_THROW(epoch_shard(whole, 0, 4, 4), InputError);
}

TEST(EpochOrder, RefusesABadRank) {
  const auto all = events(1, 4);
  EXPECT_THROW(epoch_order(all, 1, 0, 2, 2), InputError);
  EXPECT_THROW(epoch_order(all, 1, 0, -1, 2), InputError);
  EXPECT_THROW(epoch_order(all, 1, 0, 0, 0), InputError);
}

TEST(UniformBelow, IsUniformForSmallAndHugeRanges) {
  Rng rng(4, 4);
  constexpr int draws = 300000;
  const double tolerance = 5 * std::sqrt(draws * (1 / 3.0) * (2 / 3.0));
  int counts[3] = {};
  for (int i = 0; i < draws; ++i) ++counts[uniform_below(rng, 3)];
  for (int c : counts) EXPECT_NEAR(c, draws / 3.0, tolerance);
  // n = 3 * 2^62: the high word of x * n alone maps 2 of every 4 draws to the values k = 0 mod 3,
  // so they would come up half the time; the rejection step brings them back to a third.
  const std::uint64_t n = 3ULL << 62;
  int multiples_of_three = 0;
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t x = uniform_below(rng, n);
    ASSERT_LT(x, n);
    multiples_of_three += x % 3 == 0;
  }
  EXPECT_NEAR(multiples_of_three, draws / 3.0, tolerance);
}

}  // namespace
}  // namespace calo::train
