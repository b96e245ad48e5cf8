#pragma once
// A one-line progress bar with rate and ETA on stderr, shown only when stderr is a terminal
// and CI is not set: pipes, logs and CI stay quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace calo {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total, std::string unit);
  ~ProgressBar();
  /// done of total; `note` is shown after the ETA (e.g. current losses).
  void update(std::uint64_t done, const std::string& note = {});
  void finish();
  bool enabled() const { return enabled_; }
  /// Whether bars are shown in this process (terminal on stderr, CI unset).
  static bool terminal_attached();

 private:
  std::string label_, unit_;
  std::uint64_t total_;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace calo
