// Acceptance tests of `validate` on Monte Carlo showers (README.md): a set against itself
// stays within its statistical baseline; a wrong energy and a wrong energy scale are flagged
// by the observables that should see them, and only by those.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "physics/validation.hh"
#include "physics_test_support.hh"
#include "simulated_showers.hh"

namespace fs = std::filesystem;

namespace calo::physics::test {
namespace {

/// The Monte Carlo sets, simulated once per build (cached in the build tree, keyed by the
/// simulator binary, guarded by a lock against parallel test processes).
class McSets : public ::testing::Test {
 protected:
  static fs::path dir() { return fs::path(PHYSICS_TEST_CACHE_DIR); }
  static std::string file(const std::string& name) { return (dir() / name).string(); }

  static void SetUpTestSuite() {
    fs::create_directories(dir());
    const int lock = ::open(file(".lock").c_str(), O_CREAT | O_RDWR, 0644);
    ASSERT_GE(lock, 0);
    ::flock(lock, LOCK_EX);
    const std::string stamp = calo::test::simulator_stamp("240+40");
    std::string old;
    std::getline(std::ifstream(file("stamp")), old);
    if (old != stamp || !fs::exists(file("mc120_as100.h5"))) make_sets(stamp);
    ::flock(lock, LOCK_UN);
    ::close(lock);
  }

  static void make_sets(const std::string& stamp) {
    fs::remove(file("stamp"));
    calo::test::simulate_showers(file("mc100.h5"), 240, 100.0, 1);
    calo::test::simulate_showers(file("mc120.h5"), 40, 120.0, 2);
    copy_showers(file("mc100.h5"), file("mc100_even.h5"), 0, 2);
    copy_showers(file("mc100.h5"), file("mc100_odd.h5"), 1, 2);
    copy_showers(file("mc100.h5"), file("mc100_odd_scaled.h5"), 1, 2, [](std::vector<float>& cells, float&) {
      for (float& c : cells) c *= 1.05f;
    });
    copy_showers(file("mc120.h5"), file("mc120_as100.h5"), 0, 1,
                 [](std::vector<float>&, float& e) { e = 100.0f; });
    std::ofstream(file("stamp")) << stamp << "\n";
  }

  static const BinResult& bin(const ValidationResult& r, const std::string& label) {
    for (const BinResult& b : r.bins)
      if (b.bin.label == label) return b;
    throw std::runtime_error("no bin " + label);
  }
  static const ObservableResult& observable(const BinResult& b, const std::string& name) {
    for (const ObservableResult& o : b.observables)
      if (o.name == name) return o;
    throw std::runtime_error("no observable " + name + " in bin " + b.bin.label);
  }
  /// Validates and, when PHYSICS_TEST_DUMP_DIR is set, writes the metrics.json there as name.json.
  static ValidationResult run(const std::string& name, const std::string& reference,
                              const std::string& candidate) {
    ValidationResult r = validate(file(reference), file(candidate));
    if (const char* dump = std::getenv("PHYSICS_TEST_DUMP_DIR"))
      std::ofstream(fs::path(dump) / (name + ".json")) << to_json(r);
    return r;
  }
  static std::string describe(const ObservableResult& o) {
    return o.name + ": " + verdict_name(o.verdict) + " ratio " + std::to_string(o.ratio) + " (" +
           o.decisive_metric + ")";
  }
};

TEST_F(McSets, SelfComparisonStaysWithinItsBaseline) {
  const ValidationResult r = run("self", "mc100_even.h5", "mc100_odd.h5");
  EXPECT_EQ(r.reference_events, 120u);
  EXPECT_NE(r.verdict, Verdict::red);
  int compared = 0;
  for (const BinResult& b : r.bins) {
    EXPECT_EQ(b.empty, !(b.bin.label == "100 GeV" || b.bin.label == "all")) << b.bin.label;
    for (const ObservableResult& o : b.observables) {
      ++compared;
      EXPECT_NE(o.verdict, Verdict::red) << b.bin.label << " " << describe(o);
      EXPECT_TRUE(std::isfinite(o.ratio)) << describe(o);
    }
  }
  EXPECT_EQ(compared, 19 + 20);  // the catalogue in "100 GeV"; plus the fraction vs energy in "all"
  // Candidate vs reference (120 vs 120) is no worse than the halves (60 vs 60) by more than noise.
  EXPECT_LT(r.score, 2.0 * r.baseline_score) << r.score << " vs " << r.baseline_score;
}

TEST_F(McSets, WrongPrimaryEnergyIsFlagged) {
  // 120 GeV showers labelled 100 GeV against 100 GeV showers.
  const ValidationResult r = run("energy", "mc100.h5", "mc120_as100.h5");
  const BinResult& b = bin(r, "100 GeV");
  ASSERT_FALSE(b.empty);
  for (const char* name : {"sampled_fraction", "longitudinal_profile", "x_profile", "y_profile"})
    EXPECT_EQ(observable(b, name).verdict, Verdict::red) << describe(observable(b, name));
  EXPECT_EQ(observable(bin(r, "all"), "sampled_fraction_vs_energy").verdict, Verdict::red);
  EXPECT_NEAR(observable(b, "sampled_fraction").metrics.relative_error_of_mean, 0.2, 0.05);
  EXPECT_EQ(r.verdict, Verdict::red);
  EXPECT_GT(r.score, 3.0 * r.baseline_score) << r.score << " vs " << r.baseline_score;
}

TEST_F(McSets, EnergyScaleIsFlaggedOnlyByEnergyObservables) {
  // Half of the set against the other half with every cell x 1.05.
  const ValidationResult r = run("scale", "mc100_even.h5", "mc100_odd_scaled.h5");
  const BinResult& b = bin(r, "100 GeV");
  ASSERT_FALSE(b.empty);
  const ObservableResult& fraction = observable(b, "sampled_fraction");
  EXPECT_EQ(fraction.verdict, Verdict::red) << describe(fraction);
  EXPECT_NEAR(fraction.metrics.relative_error_of_mean, 0.05, 0.01);
  int shapes = 0;
  for (const ObservableResult& o : b.observables) {
    if (!o.shape) continue;
    ++shapes;
    EXPECT_NE(o.verdict, Verdict::red) << describe(o);
  }
  EXPECT_EQ(shapes, 10);  // 3 normalised profiles, position of the maximum, 6 moments
}

}  // namespace
}  // namespace calo::physics::test
