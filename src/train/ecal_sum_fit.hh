#pragma once
// EcalSumFit: the ECAL-sum target of a generated shower as a function of its primary energy
// (DESIGN.md section 7). The discriminator's third output is the sum of all cells; for a
// generated shower of energy E the recipe asks it to equal target(E) = ratio(E) * E, where
// ratio(E) = ECAL sum / E is a polynomial in E. Units: E in [100 GeV], sums in [GeV], so the
// ratio is the sampled fraction in percent (about 2 for the public 3DGAN data).
//
// Two sources of the polynomial:
//  - fit(): least squares of ECAL sum / E vs E on the training data (degree 4 by default,
//    as the original). The default for training: it matches whatever detector made the data.
//  - public_fit(): the original's fixed fit of the public data,
//    ratio = polyval([0.0018, -0.023, 0.11, -0.28, 2.21], E) (2.02 % at 100 GeV), which is
//    wrong for any other detector simulation (calo3dgan's Monte Carlo gives 1.90 %).
//
// The fit is just its coefficients, so a run and its checkpoints can store it (to_json /
// from_json, or coefficients() and the constructor).
#include <span>
#include <string>
#include <vector>

namespace calo::train {

class EcalSumFit {
 public:
  enum class Source { data, public_3dgan };

  /// ratio(E) = polyval(coefficients, E), highest power first (numpy.polyval's order).
  /// InputError when empty or not finite.
  explicit EcalSumFit(std::vector<double> coefficients, Source source = Source::data);

  /// Least-squares polynomial of ratio_i = ecal_sum[i] / energy[i] in energy[i]
  /// (numpy.polyfit(energy, ratio, degree)). InputError on sizes that differ, a
  /// non-positive or non-finite energy, a non-finite sum, or fewer distinct energies than
  /// degree + 1 (the polynomial would not be determined).
  static EcalSumFit fit(std::span<const double> energy, std::span<const double> ecal_sum, int degree = 4);
  /// The original 3DGAN's fit of the public data (see above).
  static EcalSumFit public_fit();

  /// ECAL-sum target [GeV] of a primary of energy [100 GeV]: ratio(energy) * energy.
  double target(double energy) const;
  /// ECAL sum / E at energy [100 GeV].
  double ratio(double energy) const;

  const std::vector<double>& coefficients() const { return coefficients_; }
  int degree() const { return static_cast<int>(coefficients_.size()) - 1; }
  Source source() const { return source_; }

  /// {"source": "data"|"public-3dgan", "coefficients": [...highest power first]}; doubles
  /// are written round-trip exact.
  std::string to_json() const;
  /// Inverse of to_json; InputError (naming what is wrong) on anything else.
  static EcalSumFit from_json(const std::string& text);

  bool operator==(const EcalSumFit&) const = default;

 private:
  std::vector<double> coefficients_;
  Source source_;
};

}  // namespace calo::train
