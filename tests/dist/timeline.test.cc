// Timeline (src/dist/timeline.hh): the Chrome-trace JSON against the spans put in.
#include "dist/timeline.hh"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hh"
#include "scratch_directory.hh"

namespace calo::dist {
namespace {

TEST(Timeline, OneCompleteEventPerSpanWithItsDurationThreadAndRank) {
  Timeline t(3);
  const auto t0 = t.now();
  t.add("backward D", Timeline::kCompute, t0, t0 + std::chrono::microseconds(1500));
  t.add("allreduce \"D\" bucket 0", Timeline::kCommunication, t0 + std::chrono::microseconds(200),
        t0 + std::chrono::microseconds(700));
  const auto j = nlohmann::json::parse(t.json());
  std::vector<nlohmann::json> complete;
  for (const auto& e : j.at("traceEvents"))
    if (e.at("ph") == "X") complete.push_back(e);
  ASSERT_EQ(complete.size(), 2u);
  EXPECT_EQ(complete[0].at("name"), "backward D");
  EXPECT_EQ(complete[0].at("pid"), 3);
  EXPECT_EQ(complete[0].at("tid"), Timeline::kCompute);
  EXPECT_NEAR(complete[0].at("dur").get<double>(), 1500, 1e-3);
  EXPECT_EQ(complete[1].at("name"), "allreduce \"D\" bucket 0");
  EXPECT_EQ(complete[1].at("tid"), Timeline::kCommunication);
  EXPECT_NEAR(complete[1].at("dur").get<double>(), 500, 1e-3);
  EXPECT_NEAR(complete[1].at("ts").get<double>() - complete[0].at("ts").get<double>(), 200, 1e-3);
}

TEST(Timeline, TheFileWrittenIsTheJson) {
  calo::test::ScratchDirectory dir;
  Timeline t;
  t.add("forward G", Timeline::kCompute, t.now(), t.now());
  t.write(dir.file("t.json"));
  std::ifstream f(dir.file("t.json"));
  std::stringstream s;
  s << f.rdbuf();
  EXPECT_EQ(s.str(), t.json());
  EXPECT_THROW(t.write(dir.file("missing/t.json")), RuntimeError);
}

}  // namespace
}  // namespace calo::dist
