#pragma once
// The cost of a ring allreduce (Patarasuk & Yuan 2009; Thakur, Rabenseifner & Gropp 2005), the
// algorithm Horovod and NCCL use for large buffers: P participants, a buffer of n bytes cut in
// P chunks; P - 1 reduce-scatter steps and P - 1 allgather steps, each sending one chunk to the
// next participant at bandwidth B after a latency alpha:
//
//   T(n, P) = 2 (P - 1) alpha + 2 (P - 1) / P x n / B        (0 for P = 1)
//
// The bandwidth term tends to 2 n / B: constant in P, which is why data parallelism scales.
// Used by `calo3dgan bench scaling` (docs/distributed.md, "Scaling model").
namespace calo::dist {

struct Network {
  double bandwidth_bytes_per_s = 100e9 / 8;  ///< per node and direction (100 Gb/s)
  double latency_s = 2e-6;                   ///< per message
};

/// T(bytes, nodes) above for one allreduce. nodes >= 1.
double ring_allreduce_seconds(double bytes, int nodes, const Network& network);

}  // namespace calo::dist
