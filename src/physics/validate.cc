// validate(): read both files once, block by block, route each shower to its energy bins
// (and the reference's to the halves of every baseline split), then compare bin by bin.
#include <cmath>
#include <sstream>

#include "calo3dgan/shower_file.hh"
#include "core/error.hh"
#include "physics/baseline_splits.hh"
#include "physics/compare_observable.hh"
#include "physics/high_level_features.hh"
#include "physics/physics_distance.hh"
#include "physics/score.hh"
#include "physics/shower_stream.hh"
#include "physics/validation.hh"

namespace calo::physics {

namespace {

std::string grid_text(const io::ShowerGrid& g) {
  std::ostringstream out;
  out << g.nx << "x" << g.ny << "x" << g.nz;
  return out.str();
}

bool in_bin(const EnergyBin& bin, double energy_gev) {
  return energy_gev >= bin.lo_gev && energy_gev < bin.hi_gev;
}

}  // namespace

ValidationResult validate(const std::string& reference_path, const std::string& candidate_path,
                          const ValidationOptions& options) {
  return validate(std::vector<std::string>{reference_path}, std::vector<std::string>{candidate_path},
                  options);
}

ValidationResult validate(const std::vector<std::string>& reference_paths,
                          const std::vector<std::string>& candidate_paths, const ValidationOptions& options) {
  CALO_VALIDATE(!options.bins.empty(), "no energy bins given (nothing to compare) use the default bins");
  for (const EnergyBin& bin : options.bins)
    CALO_VALIDATE(bin.hi_gev > bin.lo_gev, "invalid energy bin '" + bin.label + "' (empty range)");
  CALO_VALIDATE(options.min_events_per_bin >= 2,
                "invalid min_events_per_bin " + std::to_string(options.min_events_per_bin) +
                    " (must be at least 2 so that both reference halves hold events)");

  CALO_VALIDATE(!reference_paths.empty() && !candidate_paths.empty(),
                "validate: no reference or candidate file");
  std::vector<io::ShowerReader> reference, candidate;
  for (const std::string& p : reference_paths) reference.emplace_back(p);
  for (const std::string& p : candidate_paths) candidate.emplace_back(p);
  const io::ShowerGrid grid = reference.front().grid();
  for (const auto* set : {&reference, &candidate})
    for (std::size_t i = 0; i < set->size(); ++i) {
      const std::string& path = (set == &reference ? reference_paths : candidate_paths)[i];
      CALO_VALIDATE((*set)[i].grid() == grid,
                    "reference " + reference_paths.front() + " has a " + grid_text(grid) + " grid but " +
                        (set == &reference ? "reference " : "candidate ") + path + " has " +
                        grid_text((*set)[i].grid()) +
                        " (cells are compared index by index) compare showers of the same geometry");
    }
  const auto joined = [](const std::vector<std::string>& paths) {
    std::string s;
    for (const std::string& p : paths) s += (s.empty() ? "" : ", ") + p;
    return s;
  };

  const FeatureExtractor extractor(grid.nx, grid.ny, grid.nz);
  const std::size_t profile_size = extractor.layout().size;
  const std::size_t n_bins = options.bins.size();
  std::vector<SampleAccumulator> ref(n_bins, SampleAccumulator(profile_size)), cand = ref;
  // Per bin, the halves of every baseline split: sums only, except split 0 (even/odd) whose
  // values give the plotted halves.
  std::vector<std::vector<SplitHalves>> splits(n_bins);
  for (auto& bin_splits : splits)
    for (int k = 0; k < kBaselineSplits; ++k)
      bin_splits.push_back(
          {SampleAccumulator(profile_size, k == 0), SampleAccumulator(profile_size, k == 0)});

  ValidationResult result;
  result.reference_path = joined(reference_paths);
  result.candidate_path = joined(candidate_paths);
  result.nx = int(grid.nx), result.ny = int(grid.ny), result.nz = int(grid.nz);
  result.min_events_per_bin = options.min_events_per_bin;

  // The high-level feature vectors of FPD/KPD: one row per shower of every energy.
  const HighLevelFeatures high_level(grid.nx, grid.ny, grid.nz);
  FeatureMatrix ref_features{0, high_level.size(), {}}, cand_features = ref_features;
  auto keep = [&](int set, FeatureMatrix& m, const float* cells, double energy) {
    if (options.distances) {
      m.data.resize((m.rows + 1) * m.cols);
      high_level.extract(cells, energy, m.data.data() + m.rows * m.cols);
      ++m.rows;
    }
    if (options.on_shower) options.on_shower(set, grid, cells, energy);
  };

  // Each set's files one after another, max_events counted over the set (0: all).
  const auto stream_set =
      [&](const std::vector<io::ShowerReader>& files, std::uint64_t& count,
          const std::function<void(std::uint64_t, const ShowerFeatures&, double, const float*)>& visit) {
        for (const io::ShowerReader& file : files) {
          if (options.max_events > 0 && count >= options.max_events) break;
          stream_showers(file, options.max_events > 0 ? options.max_events - count : 0, extractor, visit);
        }
      };
  stream_set(reference, result.reference_events,
             [&](std::uint64_t, const ShowerFeatures& f, double energy, const float* cells) {
               ++result.reference_events;
               keep(0, ref_features, cells, energy);
               for (std::size_t b = 0; b < n_bins; ++b) {
                 if (!in_bin(options.bins[b], energy)) continue;
                 // Split by position within the bin, not in the file: a file that
                 // alternates energies must not put a bin's events all in one half.
                 const std::uint64_t position = ref[b].events;
                 ref[b].add(f);
                 for (int k = 0; k < kBaselineSplits; ++k) splits[b][k][split_half(position, k)].add(f);
               }
             });
  stream_set(candidate, result.candidate_events,
             [&](std::uint64_t, const ShowerFeatures& f, double energy, const float* cells) {
               ++result.candidate_events;
               keep(1, cand_features, cells, energy);
               for (std::size_t b = 0; b < n_bins; ++b)
                 if (in_bin(options.bins[b], energy)) cand[b].add(f);
             });

  // The mean sampled fraction vs E_p runs over the finite bins; it is shown in the "all" bin(s).
  std::vector<double> centres;
  std::vector<BinSamples> finite_bins;
  for (std::size_t b = 0; b < n_bins; ++b) {
    if (std::isinf(options.bins[b].hi_gev)) continue;
    centres.push_back(0.5 * (options.bins[b].lo_gev + options.bins[b].hi_gev));
    finite_bins.push_back({ref[b], cand[b], splits[b]});
  }

  for (std::size_t b = 0; b < n_bins; ++b) {
    BinResult bin;
    bin.bin = options.bins[b];
    bin.reference_events = ref[b].events;
    bin.candidate_events = cand[b].events;
    bin.empty = ref[b].events < options.min_events_per_bin || cand[b].events < options.min_events_per_bin;
    if (!bin.empty) {
      const BinSamples samples{ref[b], cand[b], splits[b]};
      for (const ObservableSpec& spec : observable_catalogue())
        bin.observables.push_back(compare_observable(spec, samples, extractor.layout()));
      if (std::isinf(bin.bin.hi_gev) && !finite_bins.empty())
        bin.observables.push_back(
            compare_fraction_vs_energy(centres, finite_bins, options.min_events_per_bin));
    }
    result.bins.push_back(std::move(bin));
  }
  score_and_verdict(result);
  if (options.distances)
    result.distances = physics_distances(ref_features, cand_features, options.seed);
  else
    result.distances.skipped_reason = "not requested";
  return result;
}

}  // namespace calo::physics
