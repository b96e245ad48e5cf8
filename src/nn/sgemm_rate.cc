#include "nn/sgemm_rate.hh"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "nn/thread_scope.hh"

namespace calo::nn {

double sgemm_gflops(const Context& ctx, int n) {
  const ThreadScope threads(ctx.threads());
  using Clock = std::chrono::steady_clock;
  std::vector<float> a(std::size_t(n) * n, 1.f), b(std::size_t(n) * n, 0.5f), c(std::size_t(n) * n);
  dnnl_sgemm('N', 'N', n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);  // warm-up
  double best = 0;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = Clock::now();
    dnnl_sgemm('N', 'N', n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, 2.0 * n * n * n / s / 1e9);
  }
  return best;
}

}  // namespace calo::nn
