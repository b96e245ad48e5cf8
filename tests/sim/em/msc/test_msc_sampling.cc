// Condensed-history sampling of the msc model: Lewis' mean <cos theta>, the Highland width
// of the central part, the true <-> geometric path conversion and the lateral displacement.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "core/units.hh"
#include "msc_test_util.hh"
#include "sim/em/msc/lewis_moments.hh"
#include "sim/em/msc/msc_models.hh"

namespace calo::sim {
namespace {

using namespace calo::constants;

// --- Lewis: <cos theta> = exp(-int ds / lambda_1) for any step --------------------------
struct TauCase {
  bool tungsten;
  bool positron;
  double t;    ///< [MeV]
  double tau;  ///< step in units of lambda_1
};

class LewisMean : public ::testing::TestWithParam<TauCase> {};

TEST_P(LewisMean, MeanCosineIsExpMinusTau) {
  const TauCase c = GetParam();
  const Material m = c.tungsten ? test::tungsten() : test::silicon();
  const MscModel model(m, c.positron);
  const double s = c.tau * model.transport_mfp(c.t);
  Rng rng(12345, 7);
  const int n = 400000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const MscSample r = model.sample(s, c.t, c.t, rng);
    const Vec3& u = r.direction;
    ASSERT_NEAR(u.x * u.x + u.y * u.y + u.z * u.z, 1.0, 1e-12);
    sum += u.z;
    sum2 += u.z * u.z;
  }
  const double mean = sum / n;
  const double error = std::sqrt(std::max(sum2 / n - mean * mean, 0.0) / n);
  EXPECT_NEAR(mean, std::exp(-c.tau), 4.0 * error + 1e-12)
      << m.name << " T=" << c.t << " tau=" << c.tau << " stat. error " << error;
}

INSTANTIATE_TEST_SUITE_P(Steps, LewisMean,
                         ::testing::Values(TauCase{true, false, 10.0, 0.01}, TauCase{true, false, 10.0, 0.1},
                                           TauCase{true, false, 10.0, 1.0}, TauCase{true, false, 10.0, 3.0},
                                           TauCase{false, false, 1000.0, 0.01},
                                           TauCase{false, false, 1000.0, 0.1},
                                           TauCase{false, false, 1000.0, 1.0},
                                           TauCase{false, false, 1000.0, 3.0}, TauCase{true, true, 1.0, 0.01},
                                           TauCase{true, true, 1.0, 0.1}, TauCase{true, true, 1.0, 1.0},
                                           TauCase{true, true, 1.0, 3.0}, TauCase{false, false, 0.1, 0.3},
                                           TauCase{true, false, 1000.0, 1e-4}));

// With energy loss along the step lambda_1 is taken linear in the path, so
// int ds / lambda_1 = s ln(lambda_pre / lambda_post) / (lambda_pre - lambda_post).
TEST(LewisMeanWithLoss, UsesTheMeanOverTheEnergyLoss) {
  const MscModel model(test::tungsten(), false);
  const double t_pre = 5.0, t_post = 2.5;
  const double l_pre = model.transport_mfp(t_pre), l_post = model.transport_mfp(t_post);
  const double s = 0.5 * l_post;
  const double expected = std::exp(-s * std::log(l_pre / l_post) / (l_pre - l_post));
  Rng rng(99, 1);
  const int n = 400000;
  double sum = 0, sum2 = 0, zmax = 0;
  for (int i = 0; i < n; ++i) {
    const MscSample r = model.sample(s, t_pre, t_post, rng);
    sum += r.direction.z;
    sum2 += r.direction.z * r.direction.z;
    zmax = std::max(zmax, r.displacement.z);
  }
  const double mean = sum / n;
  const double error = std::sqrt((sum2 / n - mean * mean) / n);
  EXPECT_NEAR(mean, expected, 4.0 * error);
  EXPECT_LT(std::fabs(mean - std::exp(-s / l_pre)), std::fabs(expected - std::exp(-s / l_pre)) + 1.0);
  // Energy loss shortens the geometric path compared with no loss.
  EXPECT_LT(zmax, model.true_to_geom(s, t_pre));
}

// --- Highland width of the central part ----------------------------------------------------
/// Width of a Gaussian fitted to the central 98 % of the projected angles (Lynch & Dahl's
/// definition of theta0): maximum-likelihood sigma of a normal truncated at the 98 %
/// quantile c of |theta_x|, i.e. the solution of var_in = sigma^2 (1 - 2 a phi(a)/(2 Phi(a)-1)),
/// a = c / sigma.
double fitted_width(std::vector<double> angles) {
  for (double& a : angles) a = std::fabs(a);
  std::sort(angles.begin(), angles.end());
  const std::size_t n98 = static_cast<std::size_t>(0.98 * angles.size());
  const double c = angles[n98];
  double var = 0;
  for (std::size_t i = 0; i <= n98; ++i) var += angles[i] * angles[i];
  var /= (n98 + 1);
  double sigma = std::sqrt(var);
  for (int it = 0; it < 200; ++it) {
    const double a = c / sigma;
    const double phi = std::exp(-0.5 * a * a) / std::sqrt(2.0 * pi);
    const double inside = std::erf(a / std::sqrt(2.0));
    sigma = std::sqrt(var / (1.0 - 2.0 * a * phi / inside));
  }
  return sigma;
}

struct HighlandCase {
  bool tungsten;
  double t;          ///< [MeV]
  double x_over_x0;  ///< step
  double tolerance;  ///< relative
};

class Highland : public ::testing::TestWithParam<HighlandCase> {};

// Highland's formula is itself good to 11 % (PDG); the model uses it for the Gaussian core
// and adds the single-scattering tail whose weight follows from lambda_1, so the fitted width
// may exceed theta0 by a few per cent. Tolerance 12 %; 20 % at theta0 ~ 0.37 rad where the
// small-angle picture behind Highland's formula is already strained.
TEST_P(Highland, CentralWidthMatchesHighland) {
  const HighlandCase c = GetParam();
  const Material m = c.tungsten ? test::tungsten() : test::silicon();
  const MscModel model(m, false);
  const double s = c.x_over_x0 * m.radiation_length;
  const double theta0 = test::highland_theta0(c.t, s, m.radiation_length);
  Rng rng(2024, 3);
  const int n = 200000;
  std::vector<double> angles;
  angles.reserve(2 * n);
  for (int i = 0; i < n; ++i) {
    const Vec3 u = model.sample(s, c.t, c.t, rng).direction;
    angles.push_back(std::atan2(u.x, u.z));
    angles.push_back(std::atan2(u.y, u.z));
  }
  const double width = fitted_width(angles);
  EXPECT_NEAR(width / theta0, 1.0, c.tolerance)
      << m.name << " T=" << c.t << " MeV x/X0=" << c.x_over_x0 << " theta0=" << theta0 << " fitted=" << width;
}

INSTANTIATE_TEST_SUITE_P(
    WAndSi, Highland,
    ::testing::Values(HighlandCase{true, 1000.0, 0.01, 0.12}, HighlandCase{true, 1000.0, 0.03, 0.12},
                      HighlandCase{true, 1000.0, 0.1, 0.12}, HighlandCase{true, 1000.0, 0.3, 0.12},
                      HighlandCase{true, 1000.0, 0.5, 0.12}, HighlandCase{false, 1000.0, 0.01, 0.12},
                      HighlandCase{false, 1000.0, 0.03, 0.12}, HighlandCase{false, 1000.0, 0.1, 0.12},
                      HighlandCase{false, 1000.0, 0.3, 0.12}, HighlandCase{false, 1000.0, 0.5, 0.12},
                      HighlandCase{true, 10.0, 0.01, 0.12}, HighlandCase{true, 10.0, 0.03, 0.12},
                      HighlandCase{true, 10.0, 0.1, 0.20}, HighlandCase{false, 10.0, 0.01, 0.12},
                      HighlandCase{false, 10.0, 0.03, 0.12}, HighlandCase{false, 10.0, 0.1, 0.20}));

// --- geometric path -------------------------------------------------------------------------
TEST(GeometricPath, RoundTripAndLimits) {
  const MscModel model(test::tungsten(), false);
  for (double t : {0.01, 1.0, 100.0, 1e5}) {
    const double lambda = model.transport_mfp(t);
    for (double tau : {1e-9, 1e-4, 0.01, 0.3, 1.0, 3.0, 10.0}) {
      const double s = tau * lambda;
      const double z = model.true_to_geom(s, t);
      EXPECT_LE(z, s);
      EXPECT_LT(z, lambda);
      EXPECT_NEAR(z, lambda * (1.0 - std::exp(-tau)), 1e-12 * lambda);
      EXPECT_NEAR(model.geom_to_true(z, t), s, 1e-9 * s) << "T=" << t << " tau=" << tau;
    }
    // z >= lambda_1 has no finite true length: clamped to a finite, long path.
    const double clamped = model.geom_to_true(2.0 * lambda, t);
    EXPECT_TRUE(std::isfinite(clamped));
    EXPECT_GT(clamped, 10.0 * lambda);
  }
  EXPECT_EQ(model.true_to_geom(0.0, 1.0), 0.0);
  EXPECT_EQ(model.geom_to_true(0.0, 1.0), 0.0);
}

// --- displacement ----------------------------------------------------------------------------
struct DisplacementCase {
  bool tungsten;
  bool positron;
  double t;  ///< [MeV]
};

class Displacement : public ::testing::TestWithParam<std::tuple<DisplacementCase, double>> {};

// z = Lewis' <z> (deterministic, as in Geant4's Urban model), |d| <= s, and Lewis'
// <x^2+y^2> (lewis_moments.hh, checked against its small-tau limit in LewisSeries). The model
// samples r^2 on [0, rmax^2], rmax^2 = s^2 - z^2, with <r^2> = min(Lewis, rmax^2); Lewis is
// 0.3-0.67 rmax^2 for these steps, so the sphere never caps it and <r^2> must be Lewis' value
// to within the statistical error (< 0.3 % here). The correlation <(x,y).(u_x,u_y)> cannot
// reach Lewis' for small steps: his value comes mostly from single-scattering tail events,
// whose lateral offset the sphere limits to rmax sin(theta) << (s/2) sin(theta). Measured
// 0.62-0.74 of Lewis at tau = 1e-4, 0.85-0.98 at 1e-2, 0.93-1.08 at 0.1-1, 0.80 at 3
// (docs/physics/msc.md, "Displacement").
TEST_P(Displacement, LewisMomentsAndGeometricLength) {
  const auto [c, tau] = GetParam();
  const Material m = c.tungsten ? test::tungsten() : test::silicon();
  const MscModel model(m, c.positron);
  const double lambda = model.transport_mfp(c.t), k = model.lambda_ratio(c.t);
  const double s = tau * lambda;
  const double z_expected = model.true_to_geom(s, c.t);
  Rng rng(5, 5);
  const int n = 100000;
  double sum_z = 0, sum_r2 = 0, sum_r4 = 0, sum_corr = 0;
  for (int i = 0; i < n; ++i) {
    const MscSample r = model.sample(s, c.t, c.t, rng);
    const Vec3& d = r.displacement;
    ASSERT_LE(d.x * d.x + d.y * d.y + d.z * d.z, s * s * (1 + 1e-12));
    const double r2 = d.x * d.x + d.y * d.y;
    sum_z += d.z;
    sum_r2 += r2;
    sum_r4 += r2 * r2;
    sum_corr += d.x * r.direction.x + d.y * r.direction.y;
  }
  const std::string where =
      m.name + (c.positron ? " e+" : " e-") + " T=" + std::to_string(c.t) + " tau=" + std::to_string(tau);
  EXPECT_NEAR(sum_z / n, z_expected, 1e-9 * z_expected) << where;
  const double r2_lewis = lambda * lambda * lewis::lateral_r2(tau, k);
  const double rmax2 = (s - z_expected) * (s + z_expected);
  ASSERT_LT(r2_lewis, rmax2) << where;
  const double mean_r2 = sum_r2 / n;
  const double error = std::sqrt((sum_r4 / n - mean_r2 * mean_r2) / n);
  EXPECT_LT(error, 0.005 * r2_lewis) << where;
  EXPECT_NEAR(mean_r2 / r2_lewis, 1.0, std::max(0.01, 5.0 * error / r2_lewis)) << where;
  const double corr = sum_corr / n / (lambda * lewis::lateral_correlation(tau, k));
  const double low = tau < 5e-4 ? 0.55 : tau < 5e-3 ? 0.7 : tau < 0.05 ? 0.8 : 0.75;
  EXPECT_GT(corr, low) << where;
  EXPECT_LT(corr, 1.15) << where;
}

INSTANTIATE_TEST_SUITE_P(
    Steps, Displacement,
    ::testing::Combine(
        ::testing::Values(DisplacementCase{true, false, 1.0}, DisplacementCase{true, false, 10.0},
                          DisplacementCase{true, false, 100.0}, DisplacementCase{true, true, 1.0},
                          DisplacementCase{true, true, 10.0}, DisplacementCase{true, true, 100.0},
                          DisplacementCase{false, false, 1.0}, DisplacementCase{false, false, 10.0},
                          DisplacementCase{false, false, 100.0}, DisplacementCase{false, true, 1.0},
                          DisplacementCase{false, true, 10.0}, DisplacementCase{false, true, 100.0}),
        ::testing::Values(1e-4, 1e-3, 1e-2, 0.1, 0.3, 1.0, 3.0)));

// With energy loss z is shorter than without (Urban's form), rmax larger; <r^2> is still Lewis'
// at the logarithmic-mean lambda_1 (the one that gives the exact <cos theta>).
TEST(DisplacementWithLoss, LewisSecondMomentInsideTheSphere) {
  const MscModel model(test::tungsten(), false);
  const double t_pre = 5.0, t_post = 2.5;
  const double l_pre = model.transport_mfp(t_pre), l_post = model.transport_mfp(t_post);
  const double lambda = (l_pre - l_post) / std::log(l_pre / l_post);
  const double k = model.lambda_ratio(t_pre);
  for (double s : {0.01 * l_post, 0.5 * l_post}) {
    const double tau = s / lambda;
    Rng rng(7, 3);
    const int n = 100000;
    double sum_r2 = 0;
    for (int i = 0; i < n; ++i) {
      const Vec3 d = model.sample(s, t_pre, t_post, rng).displacement;
      ASSERT_LE(d.x * d.x + d.y * d.y + d.z * d.z, s * s * (1 + 1e-12));
      sum_r2 += d.x * d.x + d.y * d.y;
    }
    EXPECT_NEAR(sum_r2 / n / (lambda * lambda * lewis::lateral_r2(tau, k)), 1.0, 0.01) << "s/lambda=" << tau;
  }
}

TEST(LewisSeries, ExactAndSeriesAgreeAndSmallAngleLimit) {
  for (double k : {2.5, 3.0}) {
    // the two branches meet at tau = 0.05
    const double below = 0.05 * (1.0 - 1e-12), above = 0.05 * (1.0 + 1e-12);
    EXPECT_NEAR(lewis::lateral_r2(below, k) / lewis::lateral_r2(above, k), 1.0, 1e-5);
    EXPECT_NEAR(lewis::lateral_correlation(below, k) / lewis::lateral_correlation(above, k), 1.0, 1e-5);
    const double tau = 1e-4;  // Fermi-Eyges: <r_perp^2> = (2/3) tau s^2 for k = 3
    EXPECT_NEAR(lewis::lateral_r2(tau, k) / (2.0 * k / 9.0 * tau * tau * tau), 1.0, 1e-3);
  }
  // large tau: <R^2> - <z^2> with <R^2> = 2 (tau - 1 + e^-tau) (lambda_1 = 1)
  EXPECT_NEAR(lewis::lateral_r2(50.0, 3.0), 4.0 / 3.0 * 49.0 - 4.0 / 3.0 * (1.0 / 3.0 - 1.0) / -2.0, 1e-6);
}

TEST(MscSampleEdge, ZeroStepAndTinyStep) {
  const MscModel model(test::silicon(), true);
  Rng rng(1, 1);
  const MscSample zero = model.sample(0.0, 1.0, 1.0, rng);
  EXPECT_EQ(zero.direction.z, 1.0);
  EXPECT_EQ(zero.displacement.z, 0.0);
  const MscSample tiny = model.sample(1e-15, 1000.0, 1000.0, rng);
  EXPECT_NEAR(tiny.direction.z, 1.0, 1e-12);
  EXPECT_NEAR(tiny.displacement.z, 1e-15, 1e-27);
}

}  // namespace
}  // namespace calo::sim
