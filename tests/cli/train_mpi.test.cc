// `mpirun -n 2 calo3dgan train` on a tiny model (4x4x4 showers), the real binary under Open
// MPI: two ranks train together and only rank 0 writes; every epoch's events are shared out
// (steps per epoch = ceil(events / (2 x batch))); a rank that dies ends the job within seconds
// and the last checkpoint resumes on one rank; a one-rank checkpoint resumes on two at the next
// event; ranks started with different options refuse to train and leave nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "core/rng.hh"
#include "gan/checkpoint.hh"
#include "run_command.hh"
#include "scratch_directory.hh"
#include "tiny_model_spec.hh"
#include "tiny_showers.hh"

namespace {

namespace fs = std::filesystem;
using calo::test::run_command;

// 60 showers, 6 held out (every 10th): 54 training events. Batch 6 per rank.
constexpr int kTraining = 54;

class TrainMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("tiny.json")) << calo::test::kTinyModelSpec;
    calo::test::write_tiny_showers(dir_.file("showers.h5"));
  }

  /// mpirun with n ranks (Open MPI's root switch and --oversubscribe: CI is root on 2 cores).
  /// Leak checking is off in the ranks of the asan build: Open MPI's dlopen'ed components keep
  /// allocations until exit, which LeakSanitizer cannot attribute (the one-rank runs check ours).
  static std::string mpirun(int n, const std::string& env = "") {
    return std::string(CALO_MPIEXEC) + " --allow-run-as-root --oversubscribe -x ASAN_OPTIONS=detect_leaks=0" +
           env + " -n " + std::to_string(n) + " ";
  }
  std::string train(const std::string& run, const std::string& more) const {
    return std::string(CALO_CLI) + " train --model " + dir_.file("tiny.json") + " --data " +
           dir_.file("showers.h5") +
           " --batch-size 6 --seed 4 --threads 1 --validation-events 6 --log-every 1 --out " + run + more;
  }
  static std::string resume(const std::string& run, const std::string& more) {
    return std::string(CALO_CLI) + " train --resume " + run + " --threads 1" + more;
  }
  /// The newest checkpoint's step and its epoch_position note.
  static std::pair<std::int64_t, nlohmann::json> last_checkpoint(const fs::path& run) {
    std::int64_t best = -1;
    fs::path path;
    for (const auto& f : fs::directory_iterator(run / "checkpoints")) {
      const std::string name = f.path().stem().string();  // step-<n>, zero-padded
      if (name.rfind("step-", 0) == 0 && f.path().extension() == ".h5" && std::stoll(name.substr(5)) > best)
        best = std::stoll(name.substr(5)), path = f.path();
    }
    if (best < 0) return {best, {}};
    const auto notes = calo::gan::read_checkpoint_notes(path.string());
    return {best, nlohmann::json::parse(notes.at("epoch_position"))};
  }
  static std::vector<nlohmann::json> metric_lines(const fs::path& run, const std::string& kind) {
    std::vector<nlohmann::json> out;
    std::ifstream f(run / "metrics.jsonl");
    for (std::string line; std::getline(f, line);) {
      auto j = nlohmann::json::parse(line);
      if (j.at("kind") == kind) out.push_back(j);
    }
    return out;
  }

  calo::test::ScratchDirectory dir_;
};

TEST_F(TrainMpi, TwoRanksShareEachEpochAndOnlyRankZeroWrites) {
  const fs::path run = dir_.file("run");
  const auto r =
      run_command(mpirun(2) + train(run.string(), " --epochs 2 --timeline " + dir_.file("t.json")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rank 0 of 2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rank 1 of 2"), std::string::npos) << r.output;
  // ceil(54 / 12) = 5 steps per epoch, each logged once (rank 0 alone writes the log).
  const auto steps = metric_lines(run, "step");
  ASSERT_EQ(steps.size(), 10u);
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].at("step"), static_cast<int>(i + 1));
  EXPECT_DOUBLE_EQ(steps[4].at("epoch").get<double>(), 1.0);
  // The learning rate of 2 ranks: 1e-3 (1 + min(1, t / 5)), t the epochs done before the step
  // (12 events a step, the last of each epoch 6).
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double t = static_cast<double>(i / 5) + 12.0 * static_cast<double>(i % 5) / kTraining;
    EXPECT_NEAR(steps[i].at("lr").get<double>(), 1e-3 * (1 + std::min(1.0, t / 5)), 1e-15) << i;
  }
  EXPECT_NEAR(steps[1].at("epoch").get<double>(), 24.0 / kTraining, 1e-12);
  EXPECT_EQ(metric_lines(run, "validation").size(), 3u);  // untrained, after epochs 1 and 2
  const auto [step, position] = last_checkpoint(run);
  EXPECT_EQ(step, 10);
  EXPECT_EQ(position, (nlohmann::json{{"epoch", 2}, {"events", 0}}));
  // The timeline: forward, backward, optimiser, data wait and allreduces on their own thread.
  std::ifstream t(dir_.file("t.json"));
  const auto trace = nlohmann::json::parse(t);
  std::set<std::string> names;
  for (const auto& e : trace.at("traceEvents"))
    if (e.at("ph") == "X") names.insert(e.at("name").get<std::string>().substr(0, 9));
  for (const char* n : {"forward D", "backward ", "optimizer", "data wait", "allreduce"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST_F(TrainMpi, ADyingRankEndsTheJobAndTheLastCheckpointResumesOnOneRank) {
  const fs::path run = dir_.file("run");
  const auto start = std::chrono::steady_clock::now();
  // Rank 1 exits with code 3 right after step 7, as a crash would.
  const auto r = run_command("CALO3DGAN_TEST_EXIT=1:7 " + mpirun(2, " -x CALO3DGAN_TEST_EXIT") +
                             train(run.string(), " --epochs 4 --checkpoint-every 1"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_LT(seconds, 30);
  const auto [step, position] = last_checkpoint(run);
  ASSERT_GE(step, 5) << r.output;
  ASSERT_LE(step, 8) << r.output;
  // Resumed on one rank: the checkpoint loads and the run finishes its second epoch, 6 events a step.
  const auto again = run_command(resume(run.string(), " --quiet --epochs 2"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const auto [final_step, final_position] = last_checkpoint(run);
  EXPECT_EQ(final_position, (nlohmann::json{{"epoch", 2}, {"events", 0}}));
  // From step s (epoch 1, 12 (s - 5) events in) to the end of epoch 1: ceil(rest / 6) steps.
  const std::int64_t in_epoch = 12 * (step - 5);
  EXPECT_EQ(final_step, step + (kTraining - in_epoch + 5) / 6);
}

TEST_F(TrainMpi, AOneRankCheckpointResumesOnTwoRanksAtTheNextEvent) {
  const fs::path run = dir_.file("run");
  ASSERT_EQ(run_command(train(run.string(), " --quiet --epochs 1 --max-steps 7")).exit_code, 0);
  EXPECT_EQ(last_checkpoint(run).second, (nlohmann::json{{"epoch", 0}, {"events", 42}}));
  // 12 events left in the epoch: one step of 2 x 6.
  const auto r = run_command(mpirun(2) + resume(run.string(), " --quiet --max-steps 0"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto [step, position] = last_checkpoint(run);
  EXPECT_EQ(step, 8);
  EXPECT_EQ(position, (nlohmann::json{{"epoch", 1}, {"events", 0}}));
}

TEST_F(TrainMpi, SigtermStopsEveryRankAfterTheSameStepWithACheckpoint) {
  // mpirun forwards SIGTERM to the ranks; the stop is agreed in the step's allreduce, rank 0
  // checkpoints the step every rank stopped after, and the run resumes from it.
  const fs::path run = dir_.file("run");
  const std::string line = "exec " + mpirun(2) +
                           train(run.string(), " --epochs 1000 --checkpoint-every 100000") + " >" +
                           dir_.file("out.txt") + " 2>&1";
  const pid_t child = fork();
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for 3 step lines (counted as text: a line may be half written while we look).
  const auto steps_logged = [&] {
    std::ifstream f(run / "metrics.jsonl");
    int n = 0;
    for (std::string l; std::getline(f, l);) n += l.find("\"kind\":\"step\"") != std::string::npos;
    return n;
  };
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60) && steps_logged() < 3)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(child, SIGTERM);
  int status = 0;
  waitpid(child, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 60);
  EXPECT_TRUE(WIFEXITED(status)) << "mpirun itself was killed";
  const auto [step, position] = last_checkpoint(run);
  ASSERT_GE(step, 3) << std::ifstream(dir_.file("out.txt")).rdbuf();
  EXPECT_EQ(metric_lines(run, "step").back().at("step"), step);  // the step it stopped after
  const auto again = run_command(resume(run.string(), " --quiet --max-steps " + std::to_string(step + 2)));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(last_checkpoint(run).first, step + 2);
}

TEST_F(TrainMpi, RanksStartedWithDifferentOptionsRefuseToTrain) {
  const fs::path run = dir_.file("run");
  const auto r = run_command(std::string(CALO_MPIEXEC) +
                             " --allow-run-as-root --oversubscribe -x ASAN_OPTIONS=detect_leaks=0 -n 1 " +
                             train(run.string(), " --epochs 1") + " : -n 1 " +
                             train(run.string(), " --epochs 1 --lr 0.002"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("different configurations"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("learning_rate"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(run));
}

}  // namespace
