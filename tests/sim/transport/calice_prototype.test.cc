// The Monte Carlo against real data (issue 10, item 4): the CALICE Si-W ECAL physics
// prototype's electron resolution and linearity (NIM A 608 (2009) 372, arXiv:0811.2354),
// with the prototype's stack (data/geometry/calice_si_w_prototype.json) and its energy
// reconstruction (src/physics/calice_prototype.hh). docs/physics.md, "CALICE", has the
// full-statistics comparison (`calo3dgan bench calice`).
#include "physics/calice_prototype.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "sanitized_build.hh"
#include "sim/transport/shower_run.hh"

namespace calo::sim {
namespace {

TEST(CalicePrototype, ElectronResolutionAndLinearityAreTheMeasuredOnes) {
  // 3 x 600 showers take ~2 CPU minutes in Release; the transport runs under the sanitizers
  // in the other sim tests at small sizes.
  CALO_SKIP_IN_SANITIZED_BUILD("simulates 1,800 showers of up to 45 GeV");
  const ShowerPhysics physics(load_layer_stack(shipped_geometry_path("calice_si_w_prototype")),
                              PhysicsConfig{});
  const ReadoutGrid grid = readout_for(physics.stack(), 25);
  ASSERT_EQ(grid.layers, 30);
  ASSERT_DOUBLE_EQ(grid.cell_size, 10.0);  // 1 x 1 cm^2 pads
  const physics::LayerWeightedSum reco = physics::calice::reconstruction(std::size_t(grid.layers), 0.5);

  // The measured range's ends and its middle; each energy its own seed.
  std::vector<physics::ResolutionPoint> points;
  std::uint64_t seed = 1;
  for (double gev : {physics::calice::kLowestEnergyGeV, 15.0, physics::calice::kHighestEnergyGeV}) {
    RunRequest req;
    req.energies = EnergySpectrum::parse(std::to_string(gev));
    req.events = 600;
    req.seed = seed++;
    req.threads = 2;
    std::vector<double> rec;
    run_showers(physics, req, [&](const ShowerBatch& b) {
      for (std::uint64_t s = 0; s < b.count; ++s)
        rec.push_back(reco({b.ecal.data() + s * grid.cells(), grid.cells()}, std::size_t(grid.nx),
                           std::size_t(grid.ny)));
    });
    points.push_back({gev, physics::gaussian_core(rec)});
  }
  const physics::ResolutionFit fit = physics::fit_resolution(points);
  const physics::LinearityFit lin = physics::fit_linearity(points);
  std::printf(
      "CALICE prototype: a = %.2f +- %.2f %%, b = %.2f +- %.2f %%, linearity %+.2f / %+.2f / %+.2f %%\n",
      100 * fit.stochastic, 100 * fit.stochastic_error, 100 * fit.constant, 100 * fit.constant_error,
      100 * lin.deviation[0], 100 * lin.deviation[1], 100 * lin.deviation[2]);
  // Issue 10's acceptance: the stochastic term within 10 % of the measured 16.6 %/sqrt(E). The
  // fit's statistical error with these showers is 0.8 % (absolute), so 10 % is ~2 of it; the
  // seeds are fixed, so the result is too (2026-12-07: a = 16.79 +- 0.78 %, b = 1.12 +- 0.46 %,
  // linearity +0.21 / -0.35 / +0.08 %; 6 energies x 1,000 showers give 15.80 +- 0.46 %).
  EXPECT_NEAR(fit.stochastic / physics::calice::kStochastic, 1.0, 0.10)
      << "stochastic term " << 100 * fit.stochastic << " +- " << 100 * fit.stochastic_error << " %";
  // The constant term is poorly fixed by three energies (error ~0.5 %): it must not exceed the
  // measured 1.1 % by more than 3 errors.
  EXPECT_LT(fit.constant, physics::calice::kConstant + 3 * fit.constant_error);
  // "linear to within approximately the 1 % level"
  for (std::size_t i = 0; i < points.size(); ++i)
    EXPECT_LT(std::abs(lin.deviation[i]), physics::calice::kLinearity) << points[i].energy << " GeV";
}

}  // namespace
}  // namespace calo::sim
