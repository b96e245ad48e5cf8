#pragma once
// ShowerDataset: the shower files a training run reads, checked once when opened, and the
// train / validation split of their events (event_order.hh). Holds only the index and the
// primary energies (4 bytes per event); the cells stay in the files and are streamed by
// BatchLoader, so a data set larger than memory trains as well as a small one.
//
//   auto data = ShowerDataset::open({.patterns = {"data/*.h5"}});
//   data.training();    // EventRefs of the training part
//   data.validation();  // and of the validation part
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "train/event_order.hh"

namespace calo::train {

struct DatasetOptions {
  /// Files or glob(7) patterns ('data/e-_*.h5'); every match is used once, in sorted order.
  std::vector<std::string> patterns;
  /// Fraction of each file's events held out for validation (split rule: event_order.hh).
  double validation_fraction = 0.1;
  /// Only events whose primary energy lies in [energy_min, energy_max] [GeV] are used.
  double energy_min_gev = 0;
  double energy_max_gev = std::numeric_limits<double>::infinity();
  /// The grid the model expects; a file with another one is bad.
  io::ShowerGrid grid{};
  /// Read every cell once at open and refuse files with non-finite cells (about 1 s per GB);
  /// without it such a cell is found when its batch is read.
  bool scan_cells = true;
  /// Skip bad files (reported by skipped()) instead of refusing the whole data set.
  bool skip_bad_files = false;
};

/// A file left out by skip_bad_files, and why.
struct SkippedFile {
  std::string path, reason;
};

class ShowerDataset {
 public:
  /// Expands the patterns, opens and checks every file: the 3DGAN datasets present and
  /// readable (io::ShowerReader), the grid, positive finite energies and, with scan_cells,
  /// finite cells. InputError naming the file and the problem (unless skip_bad_files), or
  /// naming the pattern that matches nothing, or when no usable event is left.
  static ShowerDataset open(const DatasetOptions& options);

  const std::vector<std::string>& files() const { return files_; }
  const std::vector<EventRef>& training() const { return training_; }
  const std::vector<EventRef>& validation() const { return validation_; }
  const std::vector<SkippedFile>& skipped() const { return skipped_; }
  const io::ShowerGrid& grid() const { return grid_; }
  /// Primary energy of an event as stored [GeV].
  float energy_gev(EventRef e) const { return energies_[e.file][e.event]; }

 private:
  std::vector<std::string> files_;
  std::vector<std::vector<float>> energies_;  // [file][event] [GeV]
  std::vector<EventRef> training_, validation_;
  std::vector<SkippedFile> skipped_;
  io::ShowerGrid grid_;
};

/// The files matching the patterns, sorted and without duplicates; InputError naming a pattern
/// that matches no file.
std::vector<std::string> expand_patterns(const std::vector<std::string>& patterns);

}  // namespace calo::train
