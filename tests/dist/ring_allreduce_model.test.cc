// ring_allreduce_seconds (src/dist/ring_allreduce_model.hh) at hand-computed points.
#include "dist/ring_allreduce_model.hh"

#include <gtest/gtest.h>

namespace calo::dist {
namespace {

TEST(RingAllreduceModel, FollowsTheRingFormula) {
  const Network net{.bandwidth_bytes_per_s = 1e9, .latency_s = 1e-6};
  EXPECT_EQ(ring_allreduce_seconds(4e6, 1, net), 0.0);
  // P = 2: 2 latencies + 1 x 4 MB / 1 GB/s = 2 us + 4 ms.
  EXPECT_DOUBLE_EQ(ring_allreduce_seconds(4e6, 2, net), 2e-6 + 4e-3);
  // P = 128: 254 latencies + (254 / 128) x 4 ms.
  EXPECT_DOUBLE_EQ(ring_allreduce_seconds(4e6, 128, net), 254e-6 + 254.0 / 128 * 4e-3);
  // The bandwidth term approaches 2 n / B from below.
  EXPECT_LT(ring_allreduce_seconds(4e6, 1 << 20, Network{.bandwidth_bytes_per_s = 1e9, .latency_s = 0}),
            8e-3);
}

}  // namespace
}  // namespace calo::dist
