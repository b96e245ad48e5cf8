// Acceptance of the two-sample tests of validate (README.md) on Monte Carlo showers: two
// independent sets of one configuration are indistinguishable (AUC 0.5 within its error, FPD
// and KPD compatible with zero); every cell x 1.05 and 120 GeV showers labelled 100 GeV are not.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "classifier/two_sample_test.hh"
#include "physics/validation.hh"
#include "physics_test_support.hh"
#include "sanitized_build.hh"
#include "simulated_showers.hh"

namespace fs = std::filesystem;

namespace calo::classifier {
namespace {

using physics::test::copy_showers;
using physics::test::run_command;
using physics::test::shell_quote;

/// The test settings: the CLI defaults (batch 250: 19 Adam steps an epoch for the 4,800
/// training showers of the 10 GeV sets) but for 20 epochs instead of 30.
ClassifierOptions test_options() {
  ClassifierOptions o;
  o.epochs = 20;
  return o;
}

class McShowers : public ::testing::Test {
 protected:
  static fs::path dir() { return fs::path(CLASSIFIER_TEST_CACHE_DIR); }
  static std::string file(const std::string& name) { return (dir() / name).string(); }

  // Statistical acceptance at full size: 8,300 showers simulated and classifiers trained on
  // 4,000-shower sets, about 9 min under ASan+UBSan on 2 cores (2026-12-07) against 1 min in
  // Release. The same code runs under the sanitizers at small sizes in two_sample.test.cc
  // (the classifier test) and tests/physics (validate, FPD/KPD, simulate).
  void SetUp() override { CALO_SKIP_IN_SANITIZED_BUILD("full-size statistical acceptance"); }

  static void SetUpTestSuite() {
    if (calo::test::kSanitizedBuild) return;
    fs::create_directories(dir());
    const int lock = ::open(file(".lock").c_str(), O_CREAT | O_RDWR, 0644);
    ASSERT_GE(lock, 0);
    ::flock(lock, LOCK_EX);
    const std::string stamp = calo::test::simulator_stamp("v4");
    std::string old;
    std::getline(std::ifstream(file("stamp")), old);
    if (old != stamp || !fs::exists(file("mc120_as100.h5"))) make_sets(stamp);
    ::flock(lock, LOCK_UN);
    ::close(lock);
  }

  static void make_sets(const std::string& stamp) {
    fs::remove(file("stamp"));
    // 10 GeV electrons: cheap to simulate (about 20 ms each). 4,000 a set, so that the
    // evaluation split (800 a class) gives an AUC error of 0.0144 and "AUC <= 0.53" is 2 errors,
    // and FPD and KPD are out of the few-showers regime where 202 features bias them
    // (README.md: at 1,000 a set a null FPD averaged 0.005, spread 0.004, stated errors 0.001-0.002).
    calo::test::simulate_showers(file("mc10_a.h5"), 4000, 10.0, 11);
    calo::test::simulate_showers(file("mc10_b.h5"), 4000, 10.0, 12);
    // Every cell x 1.05 of the independent set: the same showers scaled would pair each
    // reference shower with its own copy, which neither the classifier nor the MMD may see.
    copy_showers(file("mc10_b.h5"), file("mc10_b_x105.h5"), 0, 1, [](std::vector<float>& cells, float&) {
      for (float& c : cells) c *= 1.05f;
    });
    // 120 GeV showers labelled 100 GeV against 100 GeV ones.
    calo::test::simulate_showers(file("mc100.h5"), 200, 100.0, 21);
    calo::test::simulate_showers(file("mc120.h5"), 100, 120.0, 22);
    copy_showers(file("mc120.h5"), file("mc120_as100.h5"), 0, 1,
                 [](std::vector<float>&, float& e) { e = 100.0f; });
    std::ofstream(file("stamp")) << stamp << "\n";
  }

  /// validate() with the classifier test, as the CLI runs it; prints the headline numbers
  /// (the thresholds below were set from them; README.md).
  static physics::ValidationResult run(const std::string& reference, const std::string& candidate) {
    ShowerSets showers;
    physics::ValidationOptions options;
    options.on_shower = [&](int set, const io::ShowerGrid& grid, const float* cells, double energy) {
      showers.add(set, grid, cells, energy);
    };
    physics::ValidationResult r = physics::validate(file(reference), file(candidate), options);
    r.classifier = two_sample_test(showers, test_options());
    // metrics.json with a finished classifier test follows its schema (python3-jsonschema).
    const std::string json = file(candidate + ".json");
    std::ofstream(json) << physics::to_json(r);
    const auto check =
        run_command("/usr/bin/python3 " +
                    shell_quote(std::string(CALO_TEST_SOURCE_DIR) + "/tests/physics/check_schema.py") + " " +
                    shell_quote(std::string(CALO_TEST_SOURCE_DIR) + "/docs/metrics.schema.json") + " " +
                    shell_quote(json));
    EXPECT_EQ(check.exit_code, 0) << check.output;
    std::cout << candidate << " vs " << reference << ": FPD " << r.distances.fpd.value << " +- "
              << r.distances.fpd.error << " (fit) +- " << r.distances.fpd_sets_error << " (sets) (halves "
              << r.distances.baseline_fpd.value << "), KPD " << r.distances.kpd.value << " +- "
              << r.distances.kpd.error << " (halves " << r.distances.baseline_kpd.value << ")\n";
    for (const physics::ClassifierVariant& v : r.classifier.variants)
      std::cout << "  " << v.name << ": AUC " << v.candidate.auc << " +- " << v.candidate.auc_error
                << " (halves " << v.baseline.auc << " +- " << v.baseline.auc_error << "), JSD "
                << v.candidate.jsd << ", epoch " << v.candidate.best_epoch << "\n";
    return r;
  }
};

TEST_F(McShowers, IndependentSetsOfOneConfigurationAreIndistinguishable) {
  const physics::ValidationResult r = run("mc10_a.h5", "mc10_b.h5");
  ASSERT_EQ(r.classifier.status, "done") << r.classifier.reason;
  EXPECT_EQ(r.classifier.evaluation, 800u);
  ASSERT_EQ(r.classifier.variants.size(), 2u);
  for (const physics::ClassifierVariant& v : r.classifier.variants) {
    // 800 showers a class in the evaluation split: the error is sqrt(1601 / (12 * 800^2)) =
    // 0.0144 at AUC 0.5, so 2 errors above 0.5 is the "AUC <= 0.53".
    EXPECT_LE(v.candidate.auc_error, 0.015) << v.name;
    EXPECT_LE(v.candidate.auc, 0.5 + 2 * v.candidate.auc_error) << v.name;
    EXPECT_LE(v.candidate.auc, 0.53) << v.name;
    // Below 0.5 the AUC cannot show that the sets differ (a network that ranks held-out
    // showers worse than chance has learnt noise of its training showers); it is bounded at
    // 4 errors only, a guard against a network that ranks them backwards. Measured (README.md):
    // the low level at this seed 0.456 (3.05 errors below 0.5), at seeds 1-3 on the same sets
    // 0.490-0.507; the high level 0.478, at seeds 1-3 0.490-0.500.
    EXPECT_GE(v.candidate.auc, 0.5 - 4 * v.candidate.auc_error) << v.name;
  }
  ASSERT_TRUE(r.distances.computed);
  // FPD is bounded at 0 (jetnet). Its fit error leaves out the fluctuation of the two sets
  // themselves (with it alone, independent sets of 4,000 reached 2.9 and 3.3 stated errors,
  // README.md), so FPD is judged against the fit's and the sets' errors (the jackknife,
  // physics_distance.hh) in quadrature, at 2 of them (measured on the sets of 2026-12-07:
  // 0.00137 +- 0.00041 (fit) +- 0.00140 (sets), 0.94 combined errors). KPD at most 2 errors above 0. Below 0
  // the unbiased MMD cannot show that the sets differ, and its error (the spread of 10 batches of half of
  // each set) also leaves out the sets' own fluctuation: with the CaloChallenge's 202 features these sets
  // gave -9.5e-6
  // +- 4.0e-6 (2.4 errors below 0; numpy with other batches -1.3e-5 +- 0.94e-5, README.md). So the lower side
  // is a guard at 4 errors, as for the AUC.
  EXPECT_LE(r.distances.fpd.value, 2 * std::hypot(r.distances.fpd.error, r.distances.fpd_sets_error));
  EXPECT_LE(r.distances.kpd.value, 2 * r.distances.kpd.error);
  EXPECT_GE(r.distances.kpd.value, -4 * r.distances.kpd.error);
}

TEST_F(McShowers, AFivePercentEnergyScaleIsDetected) {
  // At 10 GeV a shower's sampled fraction fluctuates by 6.5 %, more than the scale, so a single
  // shower says little; 4,000 of them do.
  const physics::ValidationResult r = run("mc10_a.h5", "mc10_b_x105.h5");
  ASSERT_EQ(r.classifier.status, "done") << r.classifier.reason;
  for (const physics::ClassifierVariant& v : r.classifier.variants) {
    EXPECT_GT(v.candidate.auc, 0.5 + 3 * v.candidate.auc_error) << v.name;
    EXPECT_GT(v.candidate.auc, v.baseline.auc + 0.05) << v.name;
  }
  ASSERT_TRUE(r.distances.computed);
  // KPD: measured 4.4 errors here with the CaloChallenge's 202 features (4.9 and 2.2 with the
  // 152 before them, README.md); the null's stays within 2.4.
  EXPECT_GT(r.distances.kpd.value, 2 * r.distances.kpd.error);
  // FPD does not resolve a 5 % scale at 4,000 showers, so it is not asserted here (issue 15
  // stays open on this point). With the CaloChallenge's features and normalisation (jetnet's:
  // each feature divided by its largest magnitude in the reference) it gave 0.00021 +- 0.00063
  // against 0 +- 0.00068 for the null and 0.0023 for the reference halves; the scale moves the
  // log10 energies by 0.021, which that normalisation (largest magnitudes 1-8) turns into a
  // Fréchet term of about 0.0009, below the sets' own fluctuation at this size (README.md: also
  // at 8,000 showers a set, with jetnet's batches drawn with replacement, and with the same
  // showers scaled; and with honest errors, the sets' jackknife included, not at 16,000 showers a
  // set of 2 GeV either: 0.8-2.3 combined errors, against 0.1-1.4 for the null pairs of the
  // same sets, 2026-12-07). The 120-as-100 GeV case below asserts FPD. Recorded for the reader
  // of the test log:
  RecordProperty("fpd_x105", std::to_string(r.distances.fpd.value));
  RecordProperty("fpd_x105_error", std::to_string(r.distances.fpd.error));
  RecordProperty("fpd_x105_sets_error", std::to_string(r.distances.fpd_sets_error));
}

TEST_F(McShowers, TheWrongPrimaryEnergyIsDetected) {
  const physics::ValidationResult r = run("mc100.h5", "mc120_as100.h5");
  ASSERT_EQ(r.classifier.status, "done") << r.classifier.reason;
  for (const physics::ClassifierVariant& v : r.classifier.variants) {
    EXPECT_GT(v.candidate.auc, 0.5 + 3 * v.candidate.auc_error) << v.name;
    EXPECT_GT(v.candidate.auc, v.baseline.auc + 0.2) << v.name;
  }
  // Measured 1.23 +- 0.13 (fit) +- 0.10 (sets): 7.5 combined errors.
  EXPECT_GT(r.distances.fpd.value, 3 * std::hypot(r.distances.fpd.error, r.distances.fpd_sets_error));
  EXPECT_GT(r.distances.kpd.value, 3 * r.distances.kpd.error);
  EXPECT_GT(r.distances.kpd.value, r.distances.baseline_kpd.value + 3 * r.distances.baseline_kpd.error);
}

}  // namespace
}  // namespace calo::classifier
