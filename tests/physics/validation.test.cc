// validate() on synthetic shower sets: bad inputs, empty bins, options, and metrics.json
// against its JSON Schema (docs/metrics.schema.json, checked by python3-jsonschema).
#include "physics/validation.hh"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "calo3dgan/shower_file.hh"
#include "physics_test_support.hh"

namespace calo::physics::test {
namespace {

const std::string kSourceDir = CALO_TEST_SOURCE_DIR;

bool one_line(const std::string& message) {
  return !message.empty() && message.find('\n') == std::string::npos;
}
bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Synthetic : public ::testing::Test {
 protected:
  ScratchDirectory scratch;
  std::string write(const std::string& name, SyntheticOptions options) {
    const std::string path = scratch.file(name);
    write_synthetic(path, options);
    return path;
  }
};

TEST_F(Synthetic, DifferentGridsAreRejected) {
  const auto a = write("a.h5", {.events = 20});
  const auto b = write("b.h5", {.events = 20, .grid = {25, 25, 20}});
  const std::string message = input_error_message([&] { validate(a, b); });
  EXPECT_TRUE(one_line(message));
  EXPECT_TRUE(contains(message, "25x25x25 grid but candidate")) << message;
  EXPECT_TRUE(contains(message, "25x25x20")) << message;
}

TEST_F(Synthetic, NonFiniteCellsAreRejected) {
  const auto a = write("a.h5", {.events = 20});
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    const std::string b = scratch.file("nan.h5");
    std::size_t event = 0;
    copy_showers(a, b, 0, 1, [&](std::vector<float>& cells, float&) {
      if (event++ == 13) cells[(4 * 25 + 5) * 25 + 6] = bad;
    });
    const std::string message = input_error_message([&] { validate(a, b); });
    EXPECT_TRUE(one_line(message));
    EXPECT_TRUE(contains(message, "event 13 has a non-finite cell energy (x=4, y=5, layer=6")) << message;
    EXPECT_TRUE(contains(message, b)) << message;
  }
}

TEST_F(Synthetic, BadPrimaryEnergiesAreRejected) {
  const auto a = write("a.h5", {.events = 20});
  const std::string b = scratch.file("zero.h5");
  copy_showers(a, b, 0, 1, [](std::vector<float>&, float& e) { e = 0; });
  const std::string message = input_error_message([&] { validate(b, a); });
  EXPECT_TRUE(one_line(message));
  EXPECT_TRUE(contains(message, "event 0 has primary energy 0 GeV")) << message;
}

TEST_F(Synthetic, MissingDatasetsAndFilesAreRejected) {
  const auto a = write("a.h5", {.events = 20});
  for (const char* kind : {"no-ecal", "no-energy"}) {
    const std::string b = scratch.file(std::string(kind) + ".h5");
    const auto r =
        run_command("/usr/bin/python3 " + shell_quote(kSourceDir + "/tests/physics/write_bad_file.py") + " " +
                    kind + " " + shell_quote(b));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string message = input_error_message([&] { validate(a, b); });
    EXPECT_TRUE(one_line(message)) << message;
    EXPECT_TRUE(contains(message, b)) << message;
    EXPECT_TRUE(contains(message, kind == std::string("no-ecal") ? "ECAL" : "energy")) << message;
  }
  const std::string message = input_error_message([&] { validate(scratch.file("missing.h5"), a); });
  EXPECT_TRUE(contains(message, "not found")) << message;
}

TEST_F(Synthetic, InvalidOptionsAreRejected) {
  const auto a = write("a.h5", {.events = 20});
  ValidationOptions options;
  options.min_events_per_bin = 1;
  EXPECT_TRUE(contains(input_error_message([&] { validate(a, a, options); }), "min_events_per_bin 1"));
  options = {};
  options.bins.clear();
  EXPECT_TRUE(contains(input_error_message([&] { validate(a, a, options); }), "no energy bins"));
}

TEST_F(Synthetic, SparseBinsAreReportedEmpty) {
  // 30 events at 100 GeV and 6 at 200 GeV: the 200 GeV bin is too small, 50/300/400 are empty.
  std::vector<double> energies(36, 100.0);
  for (int i = 0; i < 6; ++i) energies[i * 6] = 200.0;
  const auto a = write("a.h5", {.events = 36, .energies_gev = energies, .seed = 1});
  const auto b = write("b.h5", {.events = 36, .energies_gev = energies, .seed = 2});
  const ValidationResult r = validate(a, b);
  ASSERT_EQ(r.bins.size(), 6u);
  for (const BinResult& bin : r.bins) {
    const bool compared = bin.bin.label == "100 GeV" || bin.bin.label == "all";
    EXPECT_EQ(bin.empty, !compared) << bin.bin.label;
    EXPECT_EQ(bin.observables.empty(), !compared) << bin.bin.label;
  }
  EXPECT_EQ(r.bins[2].reference_events, 6u);
  EXPECT_EQ(r.bins[1].reference_events, 30u);
  EXPECT_EQ(r.bins[5].candidate_events, 36u);
  EXPECT_TRUE(std::isfinite(r.score));
  // The fraction vs energy profile has one point: the 100 GeV bin.
  EXPECT_EQ(r.bins[5].observables.back().name, "sampled_fraction_vs_energy");
  EXPECT_EQ(r.bins[5].observables.back().reference.x, std::vector<double>{100.0});
}

TEST_F(Synthetic, TooFewEventsEverywhereIsReportedNotCompared) {
  const auto a = write("a.h5", {.events = 5});
  const ValidationResult r = validate(a, a);
  for (const BinResult& bin : r.bins) EXPECT_TRUE(bin.empty);
  EXPECT_TRUE(std::isnan(r.score));
  EXPECT_EQ(r.verdict, Verdict::amber);
  const auto json = nlohmann::json::parse(to_json(r));
  EXPECT_TRUE(json["score"].is_null());
  EXPECT_EQ(json["verdict"], "amber");
}

TEST_F(Synthetic, IdenticalSetsAreGreenWithZeroMetrics) {
  const auto a = write("a.h5", {.events = 40});
  const ValidationResult r = validate(a, a);
  EXPECT_EQ(r.verdict, Verdict::green);
  EXPECT_EQ(r.score, 0.0);
  for (const ObservableResult& o : r.bins.back().observables) {
    EXPECT_EQ(o.verdict, Verdict::green) << o.name;
    if (!o.is_profile) {
      EXPECT_EQ(o.metrics.ks_statistic, 0.0) << o.name;
    } else {
      EXPECT_EQ(o.metrics.core_mean_relative_error, 0.0) << o.name;
    }
  }
}

TEST_F(Synthetic, MaxEventsLimitsBothSets) {
  const auto a = write("a.h5", {.events = 40});
  ValidationOptions options;
  options.max_events = 25;
  const ValidationResult r = validate(a, a, options);
  EXPECT_EQ(r.reference_events, 25u);
  EXPECT_EQ(r.candidate_events, 25u);
}

/// Writes the events of `from` (in order) into one file `to`.
void concatenate(const std::vector<std::string>& from, const std::string& to) {
  io::WriterOptions wo;
  wo.grid = io::ShowerReader(from.front()).grid();
  io::ShowerWriter writer(to, wo);
  std::vector<float> cells, energy;
  const float pdg = 11;
  for (const std::string& f : from) {
    io::ShowerReader reader(f);
    for (std::size_t n = 0; n < reader.events(); ++n) {
      reader.read(n, 1, cells, energy);
      writer.append(cells.data(), energy.data(), &pdg, 1);
    }
  }
  writer.commit();
}

TEST_F(Synthetic, ASetSpreadOverFilesEqualsTheSameSetInOneFile) {
  const auto a1 = write("a1.h5", {.events = 30, .energies_gev = {50.0, 100.0}, .seed = 1});
  const auto a2 = write("a2.h5", {.events = 20, .energies_gev = {50.0, 100.0}, .seed = 3});
  const auto b = write("b.h5", {.events = 50, .energies_gev = {50.0, 100.0}, .seed = 2, .scale = 1.05});
  concatenate({a1, a2}, scratch.file("a.h5"));
  ValidationOptions options;
  options.max_events = 45;  // counted over the set: all of a1 and 15 of a2
  const ValidationResult split =
      validate(std::vector<std::string>{a1, a2}, std::vector<std::string>{b}, options);
  const ValidationResult whole = validate(scratch.file("a.h5"), b, options);
  EXPECT_EQ(split.reference_events, 45u);
  EXPECT_EQ(split.reference_path, a1 + ", " + a2);
  // Everything but the paths is the same, number for number.
  auto json_of = [](ValidationResult r) {
    r.reference_path = r.candidate_path = "";
    return to_json(r);
  };
  EXPECT_EQ(json_of(split), json_of(whole));
  // A file of another grid anywhere in a set is refused, naming it.
  const auto other = write("other.h5", {.events = 10, .grid = {.nx = 5, .ny = 5, .nz = 5}});
  const std::string message = input_error_message([&] {
    validate(std::vector<std::string>{a1, other}, std::vector<std::string>{b});
  });
  EXPECT_TRUE(one_line(message) && contains(message, "other.h5") && contains(message, "grid")) << message;
}

TEST_F(Synthetic, MetricsJsonFollowsItsSchema) {
  const auto a = write("a.h5", {.events = 40, .energies_gev = {50.0, 100.0}, .seed = 1});
  const auto b = write("b.h5", {.events = 40, .energies_gev = {50.0, 100.0}, .seed = 2, .scale = 1.1});
  const ValidationResult r = validate(a, b);
  const std::string text = to_json(r);
  const std::string out = scratch.file("metrics.json");
  std::ofstream(out) << text;
  if (const char* dump = std::getenv("PHYSICS_TEST_DUMP_DIR"))
    std::ofstream(std::string(dump) + "/synthetic.json") << text;
  const auto check =
      run_command("/usr/bin/python3 " + shell_quote(kSourceDir + "/tests/physics/check_schema.py") + " " +
                  shell_quote(kSourceDir + "/docs/metrics.schema.json") + " " + shell_quote(out));
  EXPECT_EQ(check.exit_code, 0) << check.output;

  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json["version"], "calo3dgan.validation/4");
  EXPECT_EQ(json["grid"]["nz"], 25);
  EXPECT_EQ(json["bins"].size(), 6u);
  EXPECT_TRUE(json["bins"][5]["hi_gev"].is_null());  // "all": +infinity
  const auto& fraction = json["bins"][0]["observables"]["sampled_fraction"];
  EXPECT_EQ(fraction["kind"], "distribution");
  EXPECT_TRUE(fraction["metrics"]["chi2_ndf"].is_null());
  EXPECT_EQ(fraction["verdict"], "red");  // x 1.1
  EXPECT_EQ(fraction["series"]["reference"]["x"].size(), fraction["series"]["reference"]["y"].size() + 1);
  const auto& profile = json["bins"][0]["observables"]["longitudinal_shape"];
  EXPECT_EQ(profile["category"], "shape");
  EXPECT_TRUE(profile["metrics"]["wasserstein1"].is_null());
  EXPECT_EQ(profile["series"]["candidate"]["x"].size(), 25u);
}

}  // namespace
}  // namespace calo::physics::test
