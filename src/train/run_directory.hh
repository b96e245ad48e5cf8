#pragma once
// The files of a training run (docs/train.md, "Run directory"):
//   config.json         the options as used (TrainerOptions), rewritten when a resume overrides them
//   ecal_sum_fit.json   the ECAL-sum fit made on the training data at the start (EcalSumFit)
//   metrics.jsonl       one JSON object per line: "step" lines (losses, throughput) and
//                       "validation" lines (ValidationMetrics)
//   checkpoints/step-<step>.h5   the last keep_checkpoints checkpoints (gan/checkpoint.hh)
//   best.h5             the checkpoint with the best validation score so far
// Every file is written to a temporary name and renamed, so a run killed at any moment leaves
// complete files only; the metrics log is appended line by line and, on resume, cut back to
// the checkpoint it continues from (a line cut short by a kill is dropped then).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace calo::train {

class RunDirectory {
 public:
  explicit RunDirectory(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path config() const { return root_ / "config.json"; }
  std::filesystem::path ecal_sum_fit() const { return root_ / "ecal_sum_fit.json"; }
  std::filesystem::path metrics() const { return root_ / "metrics.jsonl"; }
  std::filesystem::path best() const { return root_ / "best.h5"; }
  std::filesystem::path checkpoint(std::int64_t step) const;

  /// For a new run: InputError unless root is absent or an empty directory (an existing run
  /// is never overwritten); creates root with checkpoints/ and the given files (name -> text)
  /// in one step: it builds them in a temporary sibling directory and renames that, so a run
  /// killed while starting leaves either nothing or a resumable run.
  void create_new(const std::vector<std::pair<std::string, std::string>>& files) const;
  /// For a resume: InputError unless root holds a run (config.json).
  void check_resumable() const;

  /// The newest checkpoint, if any.
  std::optional<std::filesystem::path> latest_checkpoint() const;
  /// Removes step checkpoints beyond the newest `keep`.
  void prune_checkpoints(int keep) const;
  /// Cuts the metrics log back to the lines of steps <= step (a resume repeats what followed).
  void truncate_metrics_after(std::int64_t step) const;
  /// Appends one line to the metrics log (flushed).
  void append_metrics(const std::string& json_line) const;

 private:
  std::filesystem::path root_;
};

/// The whole file; InputError naming it when unreadable.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace calo::train
