#include "dist/ring_allreduce_model.hh"

#include "core/error.hh"

namespace calo::dist {

double ring_allreduce_seconds(double bytes, int nodes, const Network& network) {
  CALO_ASSERT(nodes >= 1 && network.bandwidth_bytes_per_s > 0);
  const double steps = 2.0 * (nodes - 1);
  return steps * network.latency_s + steps / nodes * bytes / network.bandwidth_bytes_per_s;
}

}  // namespace calo::dist
