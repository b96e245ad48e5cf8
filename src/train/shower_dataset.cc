#include "train/shower_dataset.hh"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.hh"
#include "io/file_patterns.hh"

namespace calo::train {

namespace {

std::string grid_text(const io::ShowerGrid& g) {
  return std::to_string(g.nx) + "x" + std::to_string(g.ny) + "x" + std::to_string(g.nz);
}

/// Energies of the file's events [GeV], checked; InputError naming the file otherwise.
std::vector<float> checked_energies(const io::ShowerReader& reader, const DatasetOptions& o) {
  const std::string& path = reader.path();
  if (reader.grid() != o.grid)
    throw InputError("shower file " + path + " has " + grid_text(reader.grid()) +
                     " cells per shower (the model needs " + grid_text(o.grid) + ")");
  if (reader.events() > std::numeric_limits<std::uint32_t>::max())
    throw InputError("shower file " + path + " has more than 2^32 events (split it)");
  std::vector<float> energy, block_energy, cells;
  energy.reserve(reader.events());
  // Blocks of ~16 MB: the scan reads every cell once with flat memory.
  const std::size_t block = std::max<std::size_t>(1, (std::size_t(16) << 20) / (4 * reader.grid().cells()));
  for (std::size_t first = 0; first < reader.events(); first += block) {
    const std::size_t count = std::min(block, reader.events() - first);
    if (o.scan_cells) {
      reader.read(first, count, cells, block_energy);
      const auto bad = std::ranges::find_if(cells, [](float c) { return !std::isfinite(c); });
      if (bad != cells.end())
        throw InputError("shower file " + path + " has a non-finite cell in event " +
                         std::to_string(first + (bad - cells.begin()) / reader.grid().cells()));
    } else {
      reader.read_energies(first, count, block_energy);
    }
    energy.insert(energy.end(), block_energy.begin(), block_energy.end());
  }
  for (std::size_t i = 0; i < energy.size(); ++i)
    if (!(std::isfinite(energy[i]) && energy[i] > 0))
      throw InputError("shower file " + path + " has primary energy " + std::to_string(energy[i]) +
                       " in event " + std::to_string(i) + " (must be positive and finite)");
  return energy;
}

}  // namespace

std::vector<std::string> expand_patterns(const std::vector<std::string>& patterns) {
  return io::expand_file_patterns(patterns, "--data");
}

ShowerDataset ShowerDataset::open(const DatasetOptions& o) {
  CALO_VALIDATE(
      o.validation_fraction >= 0 && o.validation_fraction < 1,
      "invalid validation fraction " + std::to_string(o.validation_fraction) + " (must be in [0, 1))");
  CALO_VALIDATE(o.energy_min_gev <= o.energy_max_gev,
                "invalid energy range (the lower end exceeds the upper)");
  ShowerDataset d;
  d.grid_ = o.grid;
  for (const std::string& path : expand_patterns(o.patterns)) {
    std::vector<float> energy;
    try {
      const io::ShowerReader reader(path);
      energy = checked_energies(reader, o);
    } catch (const InputError& e) {
      if (!o.skip_bad_files)
        throw InputError(std::string(e.what()) + " (or skip bad files with --skip-bad-files)");
      d.skipped_.push_back({path, e.what()});
      continue;
    }
    const auto file = static_cast<std::uint32_t>(d.files_.size());
    for (std::uint32_t j = 0; j < energy.size(); ++j) {
      if (energy[j] < o.energy_min_gev || energy[j] > o.energy_max_gev) continue;
      (is_validation_event(j, o.validation_fraction) ? d.validation_ : d.training_).push_back({file, j});
    }
    d.files_.push_back(path);
    d.energies_.push_back(std::move(energy));
  }
  CALO_VALIDATE(!d.training_.empty(), "no training event left (" + std::to_string(d.files_.size()) +
                                          " usable files; check --energy-range and --validation-fraction)");
  return d;
}

}  // namespace calo::train
