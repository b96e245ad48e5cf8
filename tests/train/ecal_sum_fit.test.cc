// EcalSumFit: exact recovery of a known polynomial, agreement with numpy.polyfit on noisy
// data, the original's public fit evaluated by hand, JSON round trip, refused inputs.
#include "train/ecal_sum_fit.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.hh"
#include "core/rng.hh"
#include "scratch_directory.hh"
#include "train_test_support.hh"

namespace calo::train::test {
namespace {

double polyval(const std::vector<double>& c, double x) {
  double r = 0;
  for (double v : c) r = r * x + v;
  return r;
}

/// Energies U(0.1, 5) [100 GeV] and sums = ratio(E) * E * (1 + noise * N(0,1)).
void make_data(const std::vector<double>& ratio, double noise, int n, std::vector<double>& e,
               std::vector<double>& sum) {
  Rng rng(7, 0);
  for (int i = 0; i < n; ++i) {
    e.push_back(0.1 + 4.9 * rng.uniform());
    sum.push_back(polyval(ratio, e.back()) * e.back() * (1 + noise * rng.normal()));
  }
}

TEST(EcalSumFit, RecoversAKnownPolynomialExactly) {
  const std::vector<double> ratio{0.0018, -0.023, 0.11, -0.28, 2.21};
  std::vector<double> e, sum;
  make_data(ratio, 0.0, 500, e, sum);
  const EcalSumFit fit = EcalSumFit::fit(e, sum, 4);
  ASSERT_EQ(fit.degree(), 4);
  EXPECT_EQ(fit.source(), EcalSumFit::Source::data);
  for (int k = 0; k <= 4; ++k) EXPECT_NEAR(fit.coefficients()[k], ratio[k], 1e-11) << "power " << 4 - k;
  for (double x : {0.1, 1.0, 2.5, 5.0}) EXPECT_NEAR(fit.target(x), polyval(ratio, x) * x, 1e-11 * x);
}

TEST(EcalSumFit, AgreesWithNumpyPolyfit) {
  if (!python_has("numpy")) GTEST_SKIP() << "/usr/bin/python3 cannot import numpy";
  std::vector<double> e, sum;
  make_data({0.0018, -0.023, 0.11, -0.28, 2.21}, 0.05, 2000, e, sum);
  calo::test::ScratchDirectory dir;
  {
    std::ofstream f(dir.file("data.txt"));
    f.precision(17);
    for (std::size_t i = 0; i < e.size(); ++i) f << e[i] << ' ' << sum[i] << '\n';
  }
  for (int degree : {1, 2, 4, 6}) {
    const CommandResult r = run_command(
        "/usr/bin/python3 -c 'import numpy as np, sys; d = np.loadtxt(sys.argv[1]); "
        "print(\" \".join(repr(float(c)) for c in np.polyfit(d[:, 0], d[:, 1] / d[:, 0], "
        "int(sys.argv[2]))))' " +
        dir.file("data.txt") + " " + std::to_string(degree));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::istringstream in(r.output);
    std::vector<double> numpy;
    for (double c; in >> c;) numpy.push_back(c);
    const EcalSumFit fit = EcalSumFit::fit(e, sum, degree);
    ASSERT_EQ(numpy.size(), fit.coefficients().size()) << r.output;
    // The same least-squares problem (full rank): the solutions agree to its conditioning.
    double scale = 0;
    for (double c : numpy) scale = std::max(scale, std::abs(c));
    for (std::size_t k = 0; k < numpy.size(); ++k)
      EXPECT_NEAR(fit.coefficients()[k], numpy[k], 1e-9 * scale)
          << "degree " << degree << " coefficient " << k;
    for (double x : {0.1, 0.5, 1.0, 2.0, 4.0, 5.0})
      EXPECT_NEAR(fit.ratio(x), polyval(numpy, x), 1e-10 * std::abs(polyval(numpy, x)))
          << "degree " << degree;
  }
}

TEST(EcalSumFit, PublicFitIsTheOriginals) {
  const EcalSumFit fit = EcalSumFit::public_fit();
  EXPECT_EQ(fit.source(), EcalSumFit::Source::public_3dgan);
  // By hand: 0.0018 - 0.023 + 0.11 - 0.28 + 2.21 = 2.0188 (2.02 % at 100 GeV);
  // at 2: 0.0288 - 0.184 + 0.44 - 0.56 + 2.21 = 1.9348, target 3.8696 GeV.
  EXPECT_NEAR(fit.ratio(1.0), 2.0188, 1e-12);
  EXPECT_NEAR(fit.target(1.0), 2.0188, 1e-12);
  EXPECT_NEAR(fit.target(2.0), 3.8696, 1e-12);
}

TEST(EcalSumFit, JsonRoundTripIsExact) {
  std::vector<double> e, sum;
  make_data({0.001, 0.02, -0.3, 1.9}, 0.05, 300, e, sum);
  for (const EcalSumFit& fit : {EcalSumFit::fit(e, sum, 3), EcalSumFit::public_fit()}) {
    const EcalSumFit back = EcalSumFit::from_json(fit.to_json());
    EXPECT_TRUE(back == fit) << fit.to_json();
  }
}

TEST(EcalSumFit, RefusesBadInput) {
  const std::vector<double> e{1, 2, 3}, sum{2, 4, 6};
  EXPECT_NE(input_error_message([&] { EcalSumFit::fit(e, sum, 3); }).find("3 distinct energies"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] {
              EcalSumFit::fit(std::vector<double>{1, 1, 1, 2}, std::vector<double>{1, 1, 1, 2}, 2);
            }).find("2 distinct energies"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] {
              EcalSumFit::fit(std::vector<double>{1, 0, 3}, sum, 1);
            }).find("energy 0"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] {
              EcalSumFit::fit(e, std::vector<double>{1, NAN, 2}, 1);
            }).find("non-finite"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] {
              EcalSumFit::fit(e, std::vector<double>{1, 2}, 1);
            }).find("3 energies but 2"),
            std::string::npos);
  EXPECT_NE(input_error_message([] { EcalSumFit::from_json("[1, 2]"); }).find("not a JSON object"),
            std::string::npos);
  EXPECT_NE(input_error_message([] {
              EcalSumFit::from_json(R"({"source": "data", "coefficients": []})");
            }).find("no coefficients"),
            std::string::npos);
  EXPECT_NE(input_error_message([] {
              EcalSumFit::from_json(R"({"source": "guess", "coefficients": [1]})");
            }).find("unknown source"),
            std::string::npos);
}

}  // namespace
}  // namespace calo::train::test
