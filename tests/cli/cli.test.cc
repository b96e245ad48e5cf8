// The command line as users and scripts meet it: help, bad input refused with one line and a
// non-zero exit, no partial output, reproducible files. Runs the real binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("calo3dgan-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// env: extra NAME=value assignments for the command (e.g. "PATH=/nonexistent").
  Result run(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string cmd =
        "CI=1 " + env + " " + CALO_CLI + " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

  /// Runs and expects failure with exactly one stderr line mentioning `needle`.
  void expect_refused(const std::string& args, const std::string& needle) {
    const Result r = run(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\nstderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line expected: " << r.err;
  }

  /// Nothing but the fixed stdout/stderr capture files in the directory: no partial output.
  void expect_no_output_files() {
    for (const auto& e : fs::directory_iterator(dir_)) {
      const auto name = e.path().filename().string();
      EXPECT_TRUE(name == "stdout.txt" || name == "stderr.txt") << "left behind: " << name;
    }
  }

  fs::path dir_;
};

TEST_F(Cli, HelpListsSubcommandsAndOptions) {
  const Result top = run("--help");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* s : {"simulate", "inspect", "bench"}) EXPECT_NE(top.out.find(s), std::string::npos) << s;
  const Result sim = run("simulate --help");
  EXPECT_EQ(sim.exit_code, 0);
  for (const char* o : {"--particle", "--energy", "--events", "--seed", "--threads", "--geometry",
                        "--range-cut", "--window", "--out", "--overwrite"})
    EXPECT_NE(sim.out.find(o), std::string::npos) << o;
  EXPECT_EQ(run("inspect --help").exit_code, 0);
  EXPECT_NE(run("").exit_code, 0);
  EXPECT_NE(run("frobnicate").exit_code, 0);
}

TEST_F(Cli, RefusesUnknownParticle) {
  expect_refused("simulate --particle mu- --out " + (dir_ / "a.h5").string(), "unknown particle 'mu-'");
  expect_no_output_files();
}

TEST_F(Cli, RefusesBadEnergies) {
  for (const char* e : {"0", "-10", "nan", "abc", "500:2"})
    expect_refused(std::string("simulate --energy=") + e + " --out " + (dir_ / "a.h5").string(), "energy");
  expect_no_output_files();
}

TEST_F(Cli, RefusesEnergiesBeyondThePhysicsTablesBeforeAnyOutput) {
  // 1e9 GeV used to run without end and 20000 GeV past the tables' 10 TeV end; also in lists
  // and ranges, and below the tables' 1 keV.
  for (const char* e : {"1e9", "20000", "100,20000", "10:20000", "1e-7"})
    expect_refused(std::string("simulate --events 1 --energy=") + e + " --out " + (dir_ / "a.h5").string(),
                   "the physics tables cover 1e-06 to 10000 GeV");
  expect_no_output_files();
  EXPECT_EQ(run(std::string("simulate --events 1 --energy 1e-3 --quiet --out ") + (dir_ / "ok.h5").string())
                .exit_code,
            0);
}

TEST_F(Cli, RefusesBadGeometryFiles) {
  expect_refused(
      "simulate --geometry " + (dir_ / "missing.json").string() + " --out " + (dir_ / "a.h5").string(),
      "cannot read geometry file");
  std::ofstream(dir_ / "broken.json") << "{ not json";
  expect_refused(
      "simulate --geometry " + (dir_ / "broken.json").string() + " --out " + (dir_ / "a.h5").string(),
      "invalid JSON");
  fs::remove(dir_ / "broken.json");
  expect_no_output_files();
}

TEST_F(Cli, RefusesUnwritableOutputAndExistingFileWithoutOverwrite) {
  expect_refused("simulate --events 1 --energy 1 --out /nonexistent-dir/a.h5", "/nonexistent-dir");
  std::ofstream(dir_ / "exists.h5") << "precious";
  expect_refused("simulate --events 1 --energy 1 --out " + (dir_ / "exists.h5").string(), "--overwrite");
  EXPECT_EQ(slurp(dir_ / "exists.h5"), "precious");
}

TEST_F(Cli, RefusesBadCountsCutsAndWindow) {
  const std::string out = " --out " + (dir_ / "a.h5").string();
  expect_refused("simulate --events 0" + out, "--events");
  expect_refused("simulate --range-cut -1" + out, "--range-cut");
  expect_refused("simulate --window 30" + out, "--window");
  expect_no_output_files();
}

/// Starts a long simulate into dir/long.h5, sends `signal_number` once its temporary exists,
/// and returns the exit status and stderr.
Result interrupt_simulate(const fs::path& dir, int signal_number) {
  const fs::path err = dir / "stderr.txt";
  const pid_t child = fork();
  if (child == 0) {
    const std::string cmd = std::string("CI=1 exec ") + CALO_CLI +
                            " simulate --events 100000 --energy 50 --threads 1 --out " +
                            (dir / "long.h5").string() + " 2>" + err.string();
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const fs::path temporary = dir / ("long.h5.tmp-" + std::to_string(child));
  for (int i = 0; i < 600 && !fs::exists(temporary); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(fs::exists(temporary)) << "simulate did not start writing " << temporary;
  kill(child, signal_number);
  int status = 0;
  waitpid(child, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", slurp(err)};
}

TEST_F(Cli, InterruptedSimulateRemovesItsTemporaryAndExitsWith128PlusSignal) {
  for (const auto& [signal_number, name] : {std::pair{SIGINT, "SIGINT"}, std::pair{SIGTERM, "SIGTERM"}}) {
    const Result r = interrupt_simulate(dir_, signal_number);
    EXPECT_EQ(r.exit_code, 128 + signal_number) << name;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line expected: " << r.err;
    expect_no_output_files();
  }
}

TEST_F(Cli, SimulateRemovesTemporariesOfDeadRunsAndKeepsThoseOfLiveOnes) {
  const pid_t dead = fork();  // a process id that certainly ended (reaped below)
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const fs::path stale = dir_ / ("s.h5.tmp-" + std::to_string(dead));
  const fs::path live = dir_ / ("s.h5.tmp-" + std::to_string(getpid()));  // this test is alive
  const fs::path other = dir_ / ("t.h5.tmp-" + std::to_string(dead));     // another output's
  for (const auto& p : {stale, live, other}) std::ofstream(p) << "partial";
  ASSERT_EQ(run("simulate --events 2 --energy 5 --quiet --out " + (dir_ / "s.h5").string()).exit_code, 0);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
  EXPECT_TRUE(fs::exists(dir_ / "s.h5"));
}

TEST_F(Cli, SameSeedGivesByteIdenticalFilesOnOneAndTwoThreads) {
  const std::string common = "simulate --events 6 --energy 2:10 --seed 17 --quiet";
  ASSERT_EQ(run(common + " --threads 1 --out " + (dir_ / "one.h5").string()).exit_code, 0);
  ASSERT_EQ(run(common + " --threads 2 --out " + (dir_ / "two.h5").string()).exit_code, 0);
  EXPECT_TRUE(slurp(dir_ / "one.h5") == slurp(dir_ / "two.h5"));
}

TEST_F(Cli, InspectReadsWhatSimulateWrote) {
  ASSERT_EQ(run("simulate --events 4 --energy 5 --quiet --out " + (dir_ / "s.h5").string()).exit_code, 0);
  const Result r = run("inspect " + (dir_ / "s.h5").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("4"), std::string::npos) << r.out;
}

TEST_F(Cli, ValidateWritesReportAndMetrics) {
  const std::string common = " --events 12 --energy 5 --quiet --threads 2";
  ASSERT_EQ(run("simulate" + common + " --seed 1 --out " + (dir_ / "a.h5").string()).exit_code, 0);
  ASSERT_EQ(run("simulate" + common + " --seed 2 --out " + (dir_ / "b.h5").string()).exit_code, 0);
  const Result r =
      run("validate --reference " + (dir_ / "a.h5").string() + " --candidate " + (dir_ / "b.h5").string() +
          " --bins 5 --min-events 4 --out " + (dir_ / "report").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp(dir_ / "report" / "index.html").find("<html"), std::string::npos);
  const std::string metrics = slurp(dir_ / "report" / "metrics.json");
  EXPECT_NE(metrics.find("calo3dgan.validation/4"), std::string::npos);
  // 12 showers a set are too few for the classifier's split: skipped with the reason, the rest written.
  EXPECT_NE(metrics.find("\"status\": \"skipped\""), std::string::npos) << metrics.substr(0, 3000);
  EXPECT_NE(metrics.find("too few showers for the classifier split (12 reference, 12 candidate"),
            std::string::npos);
  EXPECT_NE(r.out.find("classifier test skipped: too few showers for the classifier split"),
            std::string::npos)
      << r.out;
  EXPECT_NE(slurp(dir_ / "report" / "index.html").find("<b>Classifier test skipped</b>: too few showers"),
            std::string::npos);
  for (const auto& e : fs::directory_iterator(dir_ / "report"))
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << "temporary left: " << e.path();
}

TEST_F(Cli, ValidateRefusesDifferentGridsMissingFilesAndBadOptions) {
  const std::string common = " --events 2 --energy 2 --quiet";
  ASSERT_EQ(run("simulate" + common + " --out " + (dir_ / "w25.h5").string()).exit_code, 0);
  ASSERT_EQ(run("simulate" + common + " --window 51 --out " + (dir_ / "w51.h5").string()).exit_code, 0);
  const std::string report = " --out " + (dir_ / "report").string();
  // the 51x51 file is read cropped to 25x25 like the public data: same grid, accepted
  EXPECT_EQ(run("validate --reference " + (dir_ / "w25.h5").string() + " --candidate " +
                (dir_ / "w51.h5").string() + " --min-events 2" + report)
                .exit_code,
            0);
  expect_refused("validate --reference " + (dir_ / "w25.h5").string() + " --candidate " +
                     (dir_ / "nope.h5").string() + report,
                 "nope.h5");
  expect_refused("validate --reference " + (dir_ / "w25.h5").string() + " --candidate " +
                     (dir_ / "w25.h5").string() + " --min-events 0" + report,
                 "--min-events");
  expect_refused("validate --reference " + (dir_ / "w25.h5").string() + report, "--candidate");
  for (const std::string bad :
       {"--classifier-epochs 0", "--classifier-hidden 0", "--classifier-batch -3", "--classifier-lr -1",
        "--classifier-layers 0", "--seed -1", "--classifier-threads -2"})
    expect_refused("validate --reference " + (dir_ / "w25.h5").string() + " --candidate " +
                       (dir_ / "w25.h5").string() + " " + bad + " --out " + (dir_ / "bad-report").string(),
                   bad.substr(0, bad.find(' ')));
  EXPECT_FALSE(fs::exists(dir_ / "bad-report")) << "a refused option must leave no output folder";
}

TEST_F(Cli, BenchGeant4RefusesBadSettingsBeforeReadingTheReference) {
  const std::string ref = "--reference " + (dir_ / "none.json").string() + " --events 2";
  expect_refused("bench geant4 " + ref + " --set foo=1", "unknown --set 'foo'");
  expect_refused("bench geant4 " + ref + " --set dr_over_range", "want name=value");
  expect_refused("bench geant4 " + ref + " --set dr_over_range=1abc", "not a number");
  expect_refused("bench geant4 " + ref + " --set range_cut_mm=0", "must be > 0");
  expect_refused("bench geant4 " + ref + " --set msc_range_factor=nan", "must be > 0");
  expect_refused("bench geant4 " + ref + " --set brems_g4_parametrized=-1", "must be >= 0");
  expect_refused("bench geant4 " + ref + " --energy -5", "invalid --energy");
  expect_refused("bench geant4 " + ref, "cannot read");
}

TEST_F(Cli, BenchGeant4LayerSpectrumReadsGeant4sShowersAsTheReferenceSummarisedThem) {
  const std::string dev = std::string(CALO_TEST_SOURCE_DIR) + "/../shared/geant4-reference/";
  const std::string ref = "bench geant4 --reference " + dev + "wsi_10.json --events 3";
  expect_refused(ref + " --layer-spectrum 25", "invalid --layer-spectrum 25 (the stack has 25 layers)");
  const Result r = run(ref + " --layer-spectrum 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Geant4's mean layer-0 window sum, from its 200 showers in wsi_10.h5, must be the first
  // entry of the mean longitudinal profile that the reference's own summary states (GeV).
  std::ifstream in(dev + "wsi_10.json");
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  const auto key = json.find("\"long_profile_mean\"");
  ASSERT_NE(key, std::string::npos);
  const double layer0_gev = std::stod(json.substr(json.find('[', key) + 1));
  char expected[64];
  std::snprintf(expected, sizeof expected, " | %.4f | ", 1e3 * layer0_gev);
  const auto table = r.out.find("| layer 0, window sum [MeV] | calo3dgan | Geant4 | ratio |");
  ASSERT_NE(table, std::string::npos) << r.out;
  const auto mean = r.out.find("| mean | ", table);
  ASSERT_NE(mean, std::string::npos) << r.out;
  const std::string line = r.out.substr(mean, r.out.find('\n', mean) - mean);
  EXPECT_NE(line.find(expected), std::string::npos) << line << " lacks Geant4's" << expected;
  EXPECT_NE(r.out.find("| layer 0, central cell [MeV] |"), std::string::npos) << r.out;
}

TEST_F(Cli, BenchCaliceRefusesBadOptionsAndPrintsTheFitBesideTheMeasurement) {
  expect_refused("bench calice --energies 10", "invalid --energies (need at least 2)");
  expect_refused("bench calice --energies 10,-5", "invalid --energies");
  expect_refused("bench calice --events 5", "invalid --events");
  expect_refused("bench calice --threshold-mip -1", "invalid --threshold-mip");
  expect_refused("bench calice --threads 0", "invalid --threads");
  expect_refused("bench calice --geometry " + (dir_ / "none.json").string(), "none.json");
  // 2 x 12 showers of 1-2 GeV: a fit of two points is exact, the table and both lines print.
  const Result r = run("bench calice --energies 1,2 --events 12");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("| 2 | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("resolution: sigma/E = ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CALICE measured:     (16.6 +- 0.1) %"), std::string::npos) << r.out;
}

TEST_F(Cli, BenchNnHelpListsItsOptions) {
  const Result r = run("bench nn --help");  // help only: the benchmark itself is not run
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--threads"), std::string::npos) << r.out;
}

// docs/errors.md: the user's input gives exit 2, the environment exit 1; one line each.
TEST_F(Cli, ExitCodesFollowTheErrorPolicy) {
  const Result syntax = run("simulate --no-such-option");
  EXPECT_EQ(syntax.exit_code, 2) << syntax.err;
  EXPECT_EQ(syntax.err.rfind("calo3dgan: error: ", 0), 0u) << syntax.err;
  const Result input = run("simulate --particle mu- --out " + (dir_ / "a.h5").string());
  EXPECT_EQ(input.exit_code, 2) << input.err;
  EXPECT_EQ(input.err.rfind("calo3dgan: error: ", 0), 0u) << input.err;

  // The environment: the report's plots need gnuplot, which PATH does not reach.
  const std::string common = " --events 2 --energy 2 --quiet";
  ASSERT_EQ(run("simulate" + common + " --seed 1 --out " + (dir_ / "a.h5").string()).exit_code, 0);
  ASSERT_EQ(run("simulate" + common + " --seed 2 --out " + (dir_ / "b.h5").string()).exit_code, 0);
  const Result env = run("validate --reference " + (dir_ / "a.h5").string() + " --candidate " +
                             (dir_ / "b.h5").string() + " --min-events 2 --out " + (dir_ / "report").string(),
                         "PATH=/nonexistent");
  EXPECT_EQ(env.exit_code, 1) << env.err;
  EXPECT_NE(env.err.find("gnuplot not found"), std::string::npos) << env.err;
  EXPECT_EQ(std::count(env.err.begin(), env.err.end(), '\n'), 1) << env.err;
}

TEST_F(Cli, BenchNnRefusesBadAlgorithmVariables) {
  // The CLI reads the nn library's options from the environment (src/cli/nn_options.hh)
  // before any work: a value it does not know is one line naming the variable, exit 2.
  for (const std::string var : {"CALO_NN_CONV_THIN", "CALO_NN_CONV_FFT", "CALO_NN_FFT_ISA"}) {
    const Result r = run("bench nn --no-reference --min-time 0.01", var + "=sometimes");
    EXPECT_EQ(r.exit_code, 2) << var << ": " << r.err;
    EXPECT_NE(r.err.find(var + "=sometimes"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line expected: " << r.err;
    EXPECT_EQ(r.out.find("bench nn"), std::string::npos) << "ran before refusing: " << r.out;
  }
}

TEST_F(Cli, TrainRefusesBadOptionsWithOneLineAndNoRunDirectory) {
  ASSERT_EQ(run("simulate --events 3 --energy 5 --quiet --out " + (dir_ / "s.h5").string()).exit_code, 0);
  const std::string data = " --data " + (dir_ / "s.h5").string();
  const std::string out = " --out " + (dir_ / "run").string();
  expect_refused("train" + data, "--out RUN_DIR");
  expect_refused("train --out " + (dir_ / "run").string(), "no training data");
  expect_refused("train --data " + (dir_ / "none-*.h5").string() + out, "none-*.h5");
  expect_refused("train" + data + out + " --checkpoint-every abc", "--checkpoint-every");
  expect_refused("train" + data + out + " --energy-range 9", "--energy-range");
  expect_refused("train" + data + out + " --loss-weights 1,2", "--loss-weights");
  expect_refused("train" + data + out + " --batch-size 0", "--batch-size");
  expect_refused("train" + data + out + " --fusion-threshold -1", "--fusion-threshold");
  expect_refused("train" + data + out + " --dense-factors sometimes", "--dense-factors 'sometimes'");
  expect_refused("train --resume " + (dir_ / "nothing").string(), "cannot resume");
  EXPECT_FALSE(fs::exists(dir_ / "run"));
  const Result help = run("train --help");
  for (const char* o : {"--data", "--out", "--resume", "--model", "--epochs", "--batch-size", "--lr",
                        "--loss-weights", "--seed", "--threads", "--validation-fraction", "--energy-range",
                        "--checkpoint-every", "--max-steps", "--skip-bad-files", "--dense-factors"})
    EXPECT_NE(help.out.find(o), std::string::npos) << o;
}

TEST_F(Cli, InspectRefusesNonHdf5File) {
  std::ofstream(dir_ / "text.h5") << "hello";
  const Result r = run("inspect " + (dir_ / "text.h5").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
