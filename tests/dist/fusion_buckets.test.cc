// fusion_buckets (src/dist/fusion_buckets.hh): hand-worked cases and the partition property.
#include "dist/fusion_buckets.hh"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace calo::dist {
namespace {

struct Entries {
  std::vector<std::size_t> offsets, sizes;
  explicit Entries(std::vector<std::size_t> s) : sizes(std::move(s)) {
    offsets.resize(sizes.size());
    std::exclusive_scan(sizes.begin(), sizes.end(), offsets.begin(), std::size_t{0});
  }
};

TEST(FusionBuckets, ThresholdZeroGivesOneBucketPerEntryFromTheEnd) {
  const Entries e({3, 5, 2, 7, 1});
  const auto b = fusion_buckets(e.offsets, e.sizes, 0);
  ASSERT_EQ(b.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    const std::size_t entry = 4 - i;
    EXPECT_EQ(b[i].first_entry, entry);
    EXPECT_EQ(b[i].end_entry, entry + 1);
    EXPECT_EQ(b[i].offset, e.offsets[entry]);
    EXPECT_EQ(b[i].size, e.sizes[entry]);
  }
}

TEST(FusionBuckets, FusesWholeEntriesUpToTheThreshold) {
  // 24 bytes = 6 floats: {1} + {7} = 8 >= 6; {2} + {5} = 7 >= 6; {3} is what is left.
  const Entries e({3, 5, 2, 7, 1});
  const auto b = fusion_buckets(e.offsets, e.sizes, 24);
  ASSERT_EQ(b.size(), 3u);
  const std::size_t expected[3][4] = {{3, 5, 10, 8}, {1, 3, 3, 7}, {0, 1, 0, 3}};  // entries, offset, size
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(b[i].first_entry, expected[i][0]) << i;
    EXPECT_EQ(b[i].end_entry, expected[i][1]) << i;
    EXPECT_EQ(b[i].offset, expected[i][2]) << i;
    EXPECT_EQ(b[i].size, expected[i][3]) << i;
  }
}

TEST(FusionBuckets, AThresholdAboveTheBufferGivesOneBucket) {
  const Entries e({3, 5, 2});
  const auto b = fusion_buckets(e.offsets, e.sizes, 1 << 20);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].offset, 0u);
  EXPECT_EQ(b[0].size, 10u);
  EXPECT_TRUE(fusion_buckets({}, {}, 64).empty());
}

TEST(FusionBuckets, RandomEntryListsArePartitionedFromTheEnd) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::size_t> sizes(1 + rng() % 30);
    for (auto& s : sizes) s = 1 + rng() % 1000;
    const Entries e(sizes);
    const std::size_t threshold = rng() % 8000;
    const auto b = fusion_buckets(e.offsets, e.sizes, threshold);
    std::size_t end_entry = sizes.size(), end_offset = e.offsets.back() + sizes.back();
    for (std::size_t i = 0; i < b.size(); ++i) {
      EXPECT_EQ(b[i].end_entry, end_entry);
      EXPECT_EQ(b[i].offset + b[i].size, end_offset);
      EXPECT_LT(b[i].first_entry, b[i].end_entry);
      EXPECT_EQ(b[i].offset, e.offsets[b[i].first_entry]);
      if (i + 1 < b.size()) {
        EXPECT_GE(b[i].size * sizeof(float), threshold);
      }
      // Minimal: without its first entry the bucket would be under the threshold.
      EXPECT_LT((b[i].size - sizes[b[i].first_entry]) * sizeof(float), std::max<std::size_t>(threshold, 1));
      end_entry = b[i].first_entry, end_offset = b[i].offset;
    }
    EXPECT_EQ(end_entry, 0u);
    EXPECT_EQ(end_offset, 0u);
  }
}

}  // namespace
}  // namespace calo::dist
