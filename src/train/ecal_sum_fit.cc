#include "train/ecal_sum_fit.hh"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "core/error.hh"

namespace calo::train {

namespace {

/// Least squares min |A x - b| by Householder QR (Golub & Van Loan, algorithm 5.3.2):
/// A is n x m column-major (n >= m, full column rank); overwritten.
std::vector<double> least_squares(std::vector<double> a, std::vector<double> b, std::size_t n,
                                  std::size_t m) {
  auto at = [&](std::size_t i, std::size_t j) -> double& { return a[j * n + i]; };
  for (std::size_t k = 0; k < m; ++k) {
    double norm = 0;
    for (std::size_t i = k; i < n; ++i) norm += at(i, k) * at(i, k);
    norm = std::sqrt(norm);
    const double alpha = at(k, k) > 0 ? -norm : norm;  // avoids cancellation in v_k
    std::vector<double> v(n - k);
    for (std::size_t i = k; i < n; ++i) v[i - k] = at(i, k);
    v[0] -= alpha;
    double vv = 0;
    for (double x : v) vv += x * x;
    if (vv == 0) continue;
    auto reflect = [&](auto&& element) {  // x -= 2 v (v.x) / (v.v)
      double dot = 0;
      for (std::size_t i = k; i < n; ++i) dot += v[i - k] * element(i);
      const double f = 2 * dot / vv;
      for (std::size_t i = k; i < n; ++i) element(i) -= f * v[i - k];
    };
    for (std::size_t j = k; j < m; ++j) reflect([&](std::size_t i) -> double& { return at(i, j); });
    reflect([&](std::size_t i) -> double& { return b[i]; });
  }
  std::vector<double> x(m);
  for (std::size_t k = m; k-- > 0;) {  // back substitution with R
    double s = b[k];
    for (std::size_t j = k + 1; j < m; ++j) s -= at(k, j) * x[j];
    x[k] = s / at(k, k);
  }
  return x;
}

double binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

const char* source_name(EcalSumFit::Source s) {
  return s == EcalSumFit::Source::data ? "data" : "public-3dgan";
}

}  // namespace

EcalSumFit::EcalSumFit(std::vector<double> coefficients, Source source)
    : coefficients_(std::move(coefficients)), source_(source) {
  CALO_VALIDATE(!coefficients_.empty(), "ECAL-sum fit: no coefficients (give at least one)");
  CALO_VALIDATE(std::ranges::all_of(coefficients_, [](double c) { return std::isfinite(c); }),
                "ECAL-sum fit: a coefficient is not finite (the fit or its file is broken)");
}

EcalSumFit EcalSumFit::fit(std::span<const double> energy, std::span<const double> ecal_sum, int degree) {
  CALO_VALIDATE(degree >= 0, "ECAL-sum fit: degree " + std::to_string(degree) + " (must be >= 0)");
  CALO_VALIDATE(energy.size() == ecal_sum.size(), "ECAL-sum fit: " + std::to_string(energy.size()) +
                                                      " energies but " + std::to_string(ecal_sum.size()) +
                                                      " ECAL sums (one per shower)");
  std::set<double> distinct;
  for (std::size_t i = 0; i < energy.size(); ++i) {
    CALO_VALIDATE(std::isfinite(energy[i]) && energy[i] > 0, "ECAL-sum fit: shower " + std::to_string(i) +
                                                                 " has energy " + std::to_string(energy[i]) +
                                                                 " (energies must be positive to divide by)");
    CALO_VALIDATE(std::isfinite(ecal_sum[i]), "ECAL-sum fit: shower " + std::to_string(i) +
                                                  " has a non-finite ECAL sum (check the data file)");
    distinct.insert(energy[i]);
  }
  const auto m = static_cast<std::size_t>(degree) + 1;
  CALO_VALIDATE(distinct.size() >= m, "ECAL-sum fit: " + std::to_string(distinct.size()) +
                                          " distinct energies cannot determine a polynomial of degree " +
                                          std::to_string(degree) + " (use a lower degree or more energies)");

  // Fit in t = (E - c) / s in [-1, 1]: the Vandermonde columns stay O(1), so QR is accurate.
  const auto [lo, hi] = std::ranges::minmax(energy);
  const double c = 0.5 * (lo + hi), s = hi > lo ? 0.5 * (hi - lo) : 1.0;
  const std::size_t n = energy.size();
  std::vector<double> a(n * m), b(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = (energy[i] - c) / s;
    double p = 1;
    for (std::size_t j = 0; j < m; ++j, p *= t) a[j * n + i] = p;
    b[i] = ecal_sum[i] / energy[i];
  }
  const std::vector<double> in_t = least_squares(std::move(a), std::move(b), n, m);  // lowest power first

  // Back to powers of E: ((E - c) / s)^k = s^-k sum_j C(k, j) E^j (-c)^(k - j).
  std::vector<double> in_e(m, 0.0);
  for (int k = 0; k <= degree; ++k)
    for (int j = 0; j <= k; ++j) in_e[j] += in_t[k] * std::pow(s, -k) * binomial(k, j) * std::pow(-c, k - j);
  std::ranges::reverse(in_e);  // highest power first
  return EcalSumFit(std::move(in_e), Source::data);
}

EcalSumFit EcalSumFit::public_fit() {
  return EcalSumFit({0.0018, -0.023, 0.11, -0.28, 2.21}, Source::public_3dgan);
}

double EcalSumFit::ratio(double energy) const {
  double r = 0;
  for (double c : coefficients_) r = r * energy + c;  // Horner, as numpy.polyval
  return r;
}

double EcalSumFit::target(double energy) const { return ratio(energy) * energy; }

std::string EcalSumFit::to_json() const {
  return nlohmann::json{{"source", source_name(source_)}, {"coefficients", coefficients_}}.dump();
}

EcalSumFit EcalSumFit::from_json(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  CALO_VALIDATE(!j.is_discarded() && j.is_object(),
                "ECAL-sum fit: not a JSON object (" + text.substr(0, 60) + ")");
  CALO_VALIDATE(j.contains("source") && j["source"].is_string(), "ECAL-sum fit: no \"source\" string");
  const std::string source = j["source"];
  CALO_VALIDATE(source == "data" || source == "public-3dgan",
                "ECAL-sum fit: unknown source \"" + source + "\" (data or public-3dgan)");
  CALO_VALIDATE(j.contains("coefficients") && j["coefficients"].is_array(),
                "ECAL-sum fit: no \"coefficients\" array");
  std::vector<double> coefficients;
  for (const auto& c : j["coefficients"]) {
    CALO_VALIDATE(c.is_number(), "ECAL-sum fit: a coefficient is not a number");
    coefficients.push_back(c.get<double>());
  }
  return EcalSumFit(std::move(coefficients), source == "data" ? Source::data : Source::public_3dgan);
}

}  // namespace calo::train
