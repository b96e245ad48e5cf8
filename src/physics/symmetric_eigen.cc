// EISPACK tred2 + tql2 (Bowdler, Martin, Reinsch, Wilkinson; Handbook for Automatic
// Computation vol. II), in the arrangement of JAMA's EigenvalueDecomposition.
#include "physics/symmetric_eigen.hh"

#include <algorithm>
#include <cmath>
#include <limits>

namespace calo::physics {

namespace {

/// Householder reduction of V (symmetric) to tridiagonal form: diagonal d, sub-diagonal e;
/// V becomes the accumulated orthogonal transformation.
void tred2(std::vector<double>& V, std::size_t n, std::vector<double>& d, std::vector<double>& e) {
  auto v = [&](std::size_t i, std::size_t j) -> double& { return V[i * n + j]; };
  for (std::size_t j = 0; j < n; ++j) d[j] = v(n - 1, j);
  for (std::size_t i = n - 1; i > 0; --i) {
    double scale = 0, h = 0;
    for (std::size_t k = 0; k < i; ++k) scale += std::abs(d[k]);
    if (scale == 0) {
      e[i] = d[i - 1];
      for (std::size_t j = 0; j < i; ++j) {
        d[j] = v(i - 1, j);
        v(i, j) = 0;
        v(j, i) = 0;
      }
    } else {
      for (std::size_t k = 0; k < i; ++k) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      double f = d[i - 1];
      double g = std::sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (std::size_t j = 0; j < i; ++j) e[j] = 0;
      for (std::size_t j = 0; j < i; ++j) {
        f = d[j];
        v(j, i) = f;
        g = e[j] + v(j, j) * f;
        for (std::size_t k = j + 1; k < i; ++k) {
          g += v(k, j) * d[k];
          e[k] += v(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (std::size_t j = 0; j < i; ++j) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const double hh = f / (h + h);
      for (std::size_t j = 0; j < i; ++j) e[j] -= hh * d[j];
      for (std::size_t j = 0; j < i; ++j) {
        f = d[j];
        g = e[j];
        for (std::size_t k = j; k < i; ++k) v(k, j) -= (f * e[k] + g * d[k]);
        d[j] = v(i - 1, j);
        v(i, j) = 0;
      }
    }
    d[i] = h;
  }
  for (std::size_t i = 0; i + 1 < n; ++i) {
    v(n - 1, i) = v(i, i);
    v(i, i) = 1;
    const double h = d[i + 1];
    if (h != 0) {
      for (std::size_t k = 0; k <= i; ++k) d[k] = v(k, i + 1) / h;
      for (std::size_t j = 0; j <= i; ++j) {
        double g = 0;
        for (std::size_t k = 0; k <= i; ++k) g += v(k, i + 1) * v(k, j);
        for (std::size_t k = 0; k <= i; ++k) v(k, j) -= g * d[k];
      }
    }
    for (std::size_t k = 0; k <= i; ++k) v(k, i + 1) = 0;
  }
  for (std::size_t j = 0; j < n; ++j) {
    d[j] = v(n - 1, j);
    v(n - 1, j) = 0;
  }
  v(n - 1, n - 1) = 1;
  e[0] = 0;
}

/// Implicit QL iterations on the tridiagonal (d, e), accumulating into V.
void tql2(std::vector<double>& V, std::size_t n, std::vector<double>& d, std::vector<double>& e,
          bool vectors) {
  auto v = [&](std::size_t i, std::size_t j) -> double& { return V[i * n + j]; };
  for (std::size_t i = 1; i < n; ++i) e[i - 1] = e[i];
  e[n - 1] = 0;
  double f = 0, tst1 = 0;
  const double eps = std::numeric_limits<double>::epsilon();
  for (std::size_t l = 0; l < n; ++l) {
    tst1 = std::max(tst1, std::abs(d[l]) + std::abs(e[l]));
    std::size_t m = l;
    while (m < n && std::abs(e[m]) > eps * tst1) ++m;  // e[n-1] == 0 ends it
    if (m > l) {
      int iterations = 0;
      do {
        double g = d[l];
        double p = (d[l + 1] - g) / (2 * e[l]);
        double r = std::hypot(p, 1.0);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const double dl1 = d[l + 1];
        double h = g - d[l];
        for (std::size_t i = l + 2; i < n; ++i) d[i] -= h;
        f += h;
        p = d[m];
        double c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const double el1 = e[l + 1];
        for (std::size_t i = m; i-- > l;) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = std::hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (std::size_t k = 0; vectors && k < n; ++k) {
            h = v(k, i + 1);
            v(k, i + 1) = s * v(k, i) + c * h;
            v(k, i) = c * v(k, i) - s * h;
          }
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (std::abs(e[l]) > eps * tst1 && ++iterations < 60);
    }
    d[l] += f;
    e[l] = 0;
  }
}

}  // namespace

std::vector<double> symmetric_eigen(std::vector<double>& a, std::size_t n) {
  std::vector<double> d(n), e(n);
  if (n == 0) return d;
  tred2(a, n, d, e);
  tql2(a, n, d, e, true);
  // Ascending order, eigenvectors alongside (selection sort: n is small).
  for (std::size_t i = 0; i + 1 < n; ++i) {
    std::size_t k = i;
    for (std::size_t j = i + 1; j < n; ++j)
      if (d[j] < d[k]) k = j;
    if (k == i) continue;
    std::swap(d[i], d[k]);
    for (std::size_t r = 0; r < n; ++r) std::swap(a[r * n + i], a[r * n + k]);
  }
  return d;
}

std::vector<double> symmetric_eigenvalues(std::vector<double> a, std::size_t n) {
  std::vector<double> d(n), e(n);
  if (n == 0) return d;
  tred2(a, n, d, e);
  tql2(a, n, d, e, false);  // the QL rotations without their accumulation into the vectors
  std::sort(d.begin(), d.end());
  return d;
}

}  // namespace calo::physics
