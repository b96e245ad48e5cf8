#pragma once
// Timeline: a Chrome-trace JSON file like Horovod's timeline (--timeline FILE.json), viewable
// in chrome://tracing or https://ui.perfetto.dev: one complete event ("ph": "X") per span, per
// rank a process (pid = rank) with a thread for computation (tid 0) and one for communication
// (tid 1). Spans may be added from several threads.
//
//   Timeline t(rank);
//   auto s = t.now();  ...  t.add("backward D", Timeline::kCompute, s, t.now());
//   t.write("timeline-rank0.json");
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace calo::dist {

class Timeline {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kCompute = 0, kCommunication = 1;

  explicit Timeline(int rank = 0) : rank_(rank), origin_(Clock::now()) {}

  Clock::time_point now() const { return Clock::now(); }
  void add(std::string name, int thread, Clock::time_point begin, Clock::time_point end);

  struct Span {
    std::string name;
    int thread = 0;
    double begin_us = 0, duration_us = 0;  ///< from the timeline's creation
  };
  std::vector<Span> spans() const;
  /// The trace JSON ({"traceEvents": [...], "displayTimeUnit": "ms"}).
  std::string json() const;
  /// json() written to path atomically; RuntimeError naming it when it cannot be.
  void write(const std::string& path) const;

 private:
  int rank_;
  Clock::time_point origin_;
  mutable std::mutex mutex_;
  std::vector<Span> spans_;
};

}  // namespace calo::dist
