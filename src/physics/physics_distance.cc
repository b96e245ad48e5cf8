// FPD and KPD (physics_distance.hh): batches drawn up front from the seed, then computed in
// parallel, so the result does not depend on the thread count.
#include "physics/physics_distance.hh"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>

#include "core/rng.hh"
#include "physics/symmetric_eigen.hh"

namespace calo::physics {

namespace {

/// Runs fn(i) for i in [0, count) on `threads` threads (0: the hardware's).
template <class Fn>
void parallel_for(std::size_t count, unsigned threads, Fn&& fn) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<std::size_t>(threads, count));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) fn(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

/// m distinct rows of n, in random order (partial Fisher-Yates). The modulo's bias is below
/// n / 2^64.
std::vector<std::size_t> draw_rows(std::size_t n, std::size_t m, Rng& rng) {
  std::vector<std::size_t> p(n);
  std::iota(p.begin(), p.end(), std::size_t(0));
  m = std::min(m, n);
  for (std::size_t i = 0; i < m; ++i) std::swap(p[i], p[i + std::size_t(rng.next_u64() % (n - i))]);
  p.resize(m);
  return p;
}

Draw draw(std::size_t n_x, std::size_t n_y, std::size_t size, std::uint64_t seed, std::size_t index) {
  Rng rx(seed, 2 * index), ry(seed, 2 * index + 1);
  return {draw_rows(n_x, size, rx), draw_rows(n_y, size, ry)};
}

/// Mean and covariance (n - 1 normalised, [d][d]) of the given rows; four rows per sweep of
/// the covariance so that it is read once per four.
__attribute__((target_clones("avx512f", "avx2", "default"))) void mean_covariance(
    const FeatureMatrix& m, std::span<const std::size_t> rows, std::vector<double>& mean,
    std::vector<double>& cov) {
  const std::size_t d = m.cols, n = rows.size();
  mean.assign(d, 0.0);
  for (std::size_t r : rows)
    for (std::size_t i = 0; i < d; ++i) mean[i] += m.row(r)[i];
  for (double& v : mean) v /= double(n);
  cov.assign(d * d, 0.0);
  std::vector<double> c(4 * d, 0.0);
  for (std::size_t first = 0; first < n; first += 4) {
    const std::size_t count = std::min<std::size_t>(4, n - first);
    std::fill(c.begin(), c.end(), 0.0);
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t i = 0; i < d; ++i) c[b * d + i] = m.row(rows[first + b])[i] - mean[i];
    const double *c0 = c.data(), *c1 = c0 + d, *c2 = c1 + d, *c3 = c2 + d;
    for (std::size_t i = 0; i < d; ++i) {
      const double a0 = c0[i], a1 = c1[i], a2 = c2[i], a3 = c3[i];
      double* out = cov.data() + i * d;
      for (std::size_t j = i; j < d; ++j) out[j] += a0 * c0[j] + a1 * c1[j] + a2 * c2[j] + a3 * c3[j];
    }
  }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i; j < d; ++j) cov[j * d + i] = cov[i * d + j] /= double(n - 1);
}

/// tr((A B)^(1/2)) for symmetric positive semi-definite A, B: the eigenvalues of A B are those
/// of the symmetric A^(1/2) B A^(1/2). Rounding can make tiny eigenvalues negative: they count 0.
__attribute__((target_clones("avx512f", "avx2", "default"))) double trace_sqrt_product(
    const std::vector<double>& a, const std::vector<double>& b, std::size_t d) {
  std::vector<double> v = a;
  const std::vector<double> lambda = symmetric_eigen(v, d);
  for (std::size_t j = 0; j < d; ++j) {
    const double s = std::sqrt(std::max(lambda[j], 0.0));
    for (std::size_t k = 0; k < d; ++k) v[k * d + j] *= s;  // v = A^(1/2) up to the rotation
  }
  std::vector<double> t(d * d, 0.0), m(d * d, 0.0);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      const double bik = b[i * d + k];
      for (std::size_t j = 0; j < d; ++j) t[i * d + j] += bik * v[k * d + j];
    }
  for (std::size_t k = 0; k < d; ++k)
    for (std::size_t i = 0; i < d; ++i) {
      const double vki = v[k * d + i];
      for (std::size_t j = 0; j < d; ++j) m[i * d + j] += vki * t[k * d + j];
    }
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = i + 1; j < d; ++j) m[i * d + j] = m[j * d + i] = 0.5 * (m[i * d + j] + m[j * d + i]);
  double trace = 0;
  for (double mu : symmetric_eigenvalues(std::move(m), d)) trace += std::sqrt(std::max(mu, 0.0));
  return trace;
}

/// The given rows, row-major [rows][d], and transposed [d][rows].
void gather(const FeatureMatrix& m, std::span<const std::size_t> rows, std::vector<double>& out,
            std::vector<double>& transposed) {
  const std::size_t d = m.cols, n = rows.size();
  out.resize(n * d);
  transposed.resize(n * d);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t k = 0; k < d; ++k) transposed[k * n + r] = out[r * d + k] = m.row(rows[r])[k];
}

constexpr std::size_t kRowBlock = 4, kColumnBlock = 256;

/// Sum of (a_i . b_j / d + 1)^4 over every i of a ([m][d]) and j of b (bt: [d][n]), or over
/// j > i only (upper: a and b the same rows). The dot products accumulate per j (vectorised
/// over j), four rows of a at a time.
__attribute__((target_clones("avx512f", "avx2", "default"))) double kernel_sum(const double* a, std::size_t m,
                                                                               const double* bt,
                                                                               std::size_t n, std::size_t d,
                                                                               bool upper) {
  const double gamma = 1.0 / double(d);
  std::vector<double> acc(kRowBlock * kColumnBlock), lane(kColumnBlock, 0.0);
  for (std::size_t j0 = 0; j0 < n; j0 += kColumnBlock) {
    const std::size_t jn = std::min(kColumnBlock, n - j0);
    for (std::size_t i0 = 0; i0 < m; i0 += kRowBlock) {
      const std::size_t in = std::min(kRowBlock, m - i0);
      if (upper && j0 + jn <= i0 + 1) continue;  // every j <= i in this block
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::size_t k = 0; k < d; ++k) {
        const double* b = bt + k * n + j0;
        for (std::size_t r = 0; r < in; ++r) {
          const double ar = a[(i0 + r) * d + k];
          double* out = acc.data() + r * kColumnBlock;
          for (std::size_t j = 0; j < jn; ++j) out[j] += ar * b[j];
        }
      }
      for (std::size_t r = 0; r < in; ++r) {
        const std::size_t i = i0 + r;
        const std::size_t first = upper ? std::min(jn, i + 1 > j0 ? i + 1 - j0 : 0) : 0;
        const double* dot = acc.data() + r * kColumnBlock;
        for (std::size_t j = first; j < jn; ++j) {
          const double t = dot[j] * gamma + 1.0, t2 = t * t;
          lane[j] += t2 * t2;
        }
      }
    }
  }
  double sum = 0;
  for (double v : lane) sum += v;
  return sum;
}

/// numpy.percentile with linear interpolation of sorted values.
double percentile(const std::vector<double>& sorted, double q) {
  const double position = q / 100.0 * double(sorted.size() - 1);
  const std::size_t lo = std::size_t(std::floor(position));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (position - double(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

void normalise_by_reference(FeatureMatrix& reference, FeatureMatrix& candidate) {
  const std::size_t d = reference.cols;
  std::vector<double> largest(d, 0.0);
  for (std::size_t r = 0; r < reference.rows; ++r)
    for (std::size_t k = 0; k < d; ++k) largest[k] = std::max(largest[k], std::abs(reference.row(r)[k]));
  for (double& v : largest)
    if (v == 0) v = 1;
  for (FeatureMatrix* m : {&reference, &candidate})
    for (std::size_t r = 0; r < m->rows; ++r)
      for (std::size_t k = 0; k < d; ++k) m->data[r * d + k] /= largest[k];
}

FpdOptions fpd_options_for(std::size_t n) {
  FpdOptions o;
  o.max_samples = std::min<std::size_t>(50000, n);
  o.min_samples = std::max<std::size_t>(2, std::min<std::size_t>(10000, o.max_samples * 2 / 5));
  return o;
}

KpdOptions kpd_options_for(std::size_t n) {
  KpdOptions o;
  o.batch_size = std::min<std::size_t>(10000, n / 2);
  return o;
}

std::vector<std::size_t> fpd_batch_sizes(const FpdOptions& o) {
  // numpy.linspace: start + k step, the last point exactly stop; then 1 / x truncated.
  const double start = 1.0 / double(o.min_samples), stop = 1.0 / double(o.max_samples);
  const double step = o.points > 1 ? (stop - start) / double(o.points - 1) : 0.0;
  std::vector<std::size_t> sizes;
  for (std::size_t k = 0; k < o.points; ++k) {
    const double x = k + 1 == o.points && o.points > 1 ? stop : double(k) * step + start;
    sizes.push_back(std::size_t(std::int32_t(1.0 / x)));
  }
  return sizes;
}

std::vector<Draw> fpd_draws(std::size_t n_x, std::size_t n_y, const FpdOptions& o) {
  std::vector<Draw> draws;
  for (std::size_t size : fpd_batch_sizes(o))
    for (std::size_t b = 0; b < o.batches; ++b) draws.push_back(draw(n_x, n_y, size, o.seed, draws.size()));
  return draws;
}

std::vector<Draw> kpd_draws(std::size_t n_x, std::size_t n_y, const KpdOptions& o) {
  std::vector<Draw> draws;
  for (std::size_t b = 0; b < o.batches; ++b) draws.push_back(draw(n_x, n_y, o.batch_size, o.seed, b));
  return draws;
}

namespace {

/// |mu_x - mu_y|^2 + tr(S_x + S_y - 2 (S_x S_y)^(1/2)) of d features.
double frechet_from_moments(const std::vector<double>& mean_x, const std::vector<double>& cov_x,
                            const std::vector<double>& mean_y, const std::vector<double>& cov_y,
                            std::size_t d) {
  double distance = 0;
  for (std::size_t i = 0; i < d; ++i)
    distance += (mean_x[i] - mean_y[i]) * (mean_x[i] - mean_y[i]) + cov_x[i * d + i] + cov_y[i * d + i];
  return distance - 2 * trace_sqrt_product(cov_x, cov_y, d);
}

/// Rows, mean and covariance (n - 1 normalised) of one block of a set.
struct Moments {
  std::size_t n = 0;
  std::vector<double> mean, cov;
};

/// The moments of every block but `left_out` combined (the scatter about the combined mean is
/// each block's own scatter plus its rows times its mean's offset, squared).
Moments without_block(std::span<const Moments> blocks, std::size_t left_out, std::size_t d) {
  Moments m;
  m.mean.assign(d, 0.0);
  m.cov.assign(d * d, 0.0);
  for (std::size_t b = 0; b < blocks.size(); ++b)
    if (b != left_out) {
      m.n += blocks[b].n;
      for (std::size_t i = 0; i < d; ++i) m.mean[i] += double(blocks[b].n) * blocks[b].mean[i];
    }
  for (double& v : m.mean) v /= double(m.n);
  std::vector<double> offset(d);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b == left_out) continue;
    const Moments& k = blocks[b];
    for (std::size_t i = 0; i < d; ++i) offset[i] = k.mean[i] - m.mean[i];
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j)
        m.cov[i * d + j] += double(k.n - 1) * k.cov[i * d + j] + double(k.n) * offset[i] * offset[j];
  }
  for (double& v : m.cov) v /= double(m.n - 1);
  return m;
}

}  // namespace

double frechet_distance(const FeatureMatrix& x, std::span<const std::size_t> rows_x, const FeatureMatrix& y,
                        std::span<const std::size_t> rows_y) {
  std::vector<double> mean_x, cov_x, mean_y, cov_y;
  mean_covariance(x, rows_x, mean_x, cov_x);
  mean_covariance(y, rows_y, mean_y, cov_y);
  return frechet_from_moments(mean_x, cov_x, mean_y, cov_y, x.cols);
}

double frechet_sets_error(const FeatureMatrix& x, const FeatureMatrix& y, std::size_t blocks,
                          unsigned threads) {
  const std::size_t d = x.cols;
  if (blocks < 2 || x.rows < 2 * blocks || y.rows < 2 * blocks) return NAN;
  // Block b of a set: its rows r with r % blocks == b (files may be ordered, e.g. by energy).
  std::vector<Moments> moments(2 * blocks);
  parallel_for(2 * blocks, threads, [&](std::size_t k) {
    const FeatureMatrix& m = k < blocks ? x : y;
    const std::size_t b = k % blocks;
    std::vector<std::size_t> rows;
    for (std::size_t r = b; r < m.rows; r += blocks) rows.push_back(r);
    moments[k].n = rows.size();
    mean_covariance(m, rows, moments[k].mean, moments[k].cov);
  });
  const std::span<const Moments> mx = std::span<const Moments>(moments).first(blocks),
                                 my = std::span<const Moments>(moments).last(blocks);
  std::vector<double> theta(blocks);
  parallel_for(blocks, threads, [&](std::size_t b) {
    const Moments a = without_block(mx, b, d), c = without_block(my, b, d);
    theta[b] = frechet_from_moments(a.mean, a.cov, c.mean, c.cov, d);
  });
  const double mean = std::accumulate(theta.begin(), theta.end(), 0.0) / double(blocks);
  double sum = 0;
  for (double t : theta) sum += (t - mean) * (t - mean);
  return std::sqrt(double(blocks - 1) / double(blocks) * sum);
}

double mmd_poly_unbiased(const FeatureMatrix& x, std::span<const std::size_t> rows_x, const FeatureMatrix& y,
                         std::span<const std::size_t> rows_y) {
  const std::size_t d = x.cols, m = rows_x.size(), n = rows_y.size();
  std::vector<double> a, at, b, bt;
  gather(x, rows_x, a, at);
  gather(y, rows_y, b, bt);
  // The off-diagonal sums of the symmetric XX and YY: twice their upper triangles.
  const double xx = 2 * kernel_sum(a.data(), m, at.data(), m, d, true);
  const double yy = 2 * kernel_sum(b.data(), n, bt.data(), n, d, true);
  const double xy = kernel_sum(a.data(), m, bt.data(), n, d, false);
  return xx / (double(m) * double(m - 1)) + yy / (double(n) * double(n - 1)) -
         2 * xy / (double(m) * double(n));
}

Estimate fit_intercept(std::span<const double> x, std::span<const double> y) {
  const double points = double(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sx += x[i], sy += y[i], sxx += x[i] * x[i], sxy += x[i] * y[i];
  const double det = points * sxx - sx * sx;
  auto sse = [&](double a, double b) {
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) s += (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]);
    return s;
  };
  double a = det != 0 ? (sy * sxx - sx * sxy) / det : sy / points;
  double b = det != 0 ? (points * sxy - sx * sy) / det : 0.0;
  if (a < 0 || b < 0) {  // the optimum lies on an edge of the quadrant: the better of the two
    const double b_edge = sxx > 0 ? std::max(0.0, sxy / sxx) : 0.0, a_edge = std::max(0.0, sy / points);
    if (sse(0.0, b_edge) <= sse(a_edge, 0.0))
      a = 0.0, b = b_edge;
    else
      a = a_edge, b = 0.0;
  }
  Estimate e;
  e.value = a;
  if (det > 0 && x.size() > 2) e.error = std::sqrt(sxx / det * sse(a, b) / (points - 2));
  return e;
}

Estimate fpd(const FeatureMatrix& x, const FeatureMatrix& y, const FpdOptions& o) {
  const std::vector<Draw> draws = fpd_draws(x.rows, y.rows, o);
  std::vector<double> values(draws.size());
  parallel_for(draws.size(), o.threads,
               [&](std::size_t i) { values[i] = frechet_distance(x, draws[i].x, y, draws[i].y); });
  std::vector<double> inverse_n, means;
  const std::vector<std::size_t> sizes = fpd_batch_sizes(o);
  for (std::size_t p = 0; p < sizes.size(); ++p) {
    double sum = 0;
    for (std::size_t b = 0; b < o.batches; ++b) sum += values[p * o.batches + b];
    inverse_n.push_back(1.0 / double(sizes[p]));
    means.push_back(sum / double(o.batches));
  }
  return fit_intercept(inverse_n, means);
}

Estimate kpd(const FeatureMatrix& x, const FeatureMatrix& y, const KpdOptions& o) {
  const std::vector<Draw> draws = kpd_draws(x.rows, y.rows, o);
  std::vector<double> values(draws.size());
  parallel_for(draws.size(), o.threads,
               [&](std::size_t i) { values[i] = mmd_poly_unbiased(x, draws[i].x, y, draws[i].y); });
  std::sort(values.begin(), values.end());
  return {percentile(values, 50.0), 0.5 * (percentile(values, 83.725) - percentile(values, 16.275))};
}

namespace {

FeatureMatrix rows_of(const FeatureMatrix& m, std::size_t parity) {
  FeatureMatrix half;
  half.cols = m.cols;
  for (std::size_t r = parity; r < m.rows; r += 2) {
    half.data.insert(half.data.end(), m.row(r), m.row(r) + m.cols);
    ++half.rows;
  }
  return half;
}

}  // namespace

PhysicsDistances physics_distances(const FeatureMatrix& reference, const FeatureMatrix& candidate,
                                   std::uint64_t seed) {
  PhysicsDistances r;
  r.features = reference.cols;
  if (reference.rows < 2 * kMinDistanceShowers || candidate.rows < kMinDistanceShowers) {
    r.skipped_reason = "too few showers (" + std::to_string(reference.rows) + " reference, " +
                       std::to_string(candidate.rows) + " candidate; FPD/KPD need " +
                       std::to_string(2 * kMinDistanceShowers) + " reference and " +
                       std::to_string(kMinDistanceShowers) + " candidate showers)";
    return r;
  }
  FeatureMatrix ref = reference, cand = candidate;
  normalise_by_reference(ref, cand);
  const FeatureMatrix half_a = rows_of(ref, 0), half_b = rows_of(ref, 1);

  FpdOptions f = fpd_options_for(std::min(ref.rows, cand.rows));
  KpdOptions k = kpd_options_for(std::min(ref.rows, cand.rows));
  f.seed = k.seed = seed;
  r.fpd = fpd(ref, cand, f);
  r.fpd_sets_error = frechet_sets_error(ref, cand);
  r.kpd = kpd(ref, cand, k);
  r.fpd_min = f.min_samples, r.fpd_max = f.max_samples, r.kpd_batch = k.batch_size;

  FpdOptions fb = fpd_options_for(std::min(half_a.rows, half_b.rows));
  KpdOptions kb = kpd_options_for(std::min(half_a.rows, half_b.rows));
  fb.seed = kb.seed = seed;
  r.baseline_fpd = fpd(half_a, half_b, fb);
  r.baseline_fpd_sets_error = frechet_sets_error(half_a, half_b);
  r.baseline_kpd = kpd(half_a, half_b, kb);
  r.baseline_fpd_min = fb.min_samples, r.baseline_fpd_max = fb.max_samples,
  r.baseline_kpd_batch = kb.batch_size;
  r.computed = true;
  return r;
}

}  // namespace calo::physics
