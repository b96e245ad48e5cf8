#pragma once
// `calo3dgan inspect FILE`: what a shower file holds and a few physics figures, computed in one
// streaming pass (memory bounded by one block of events whatever the file size).
#include <cstddef>
#include <string>
#include <vector>

#include "calo3dgan/shower_file.hh"

namespace calo::io {

/// Everything inspect reports about one shower file.
struct InspectSummary {
  std::string path;
  std::size_t events = 0;
  std::vector<DatasetInfo> datasets;  // every root dataset as stored
  ShowerGrid stored_grid;             // ECAL grid in the file
  ShowerGrid grid;                    // grid the figures use (central 25x25 of a 51x51 file)
  std::string energy_source;          // "energy" or "target[:,1]"

  // Figures over all events (0 when the file has no events).
  double energy_min_gev = 0;  // primary energy [GeV]
  double energy_max_gev = 0;
  double energy_mean_gev = 0;
  double sampled_fraction_mean = 0;           // per event: sum of ECAL cells / primary energy
  double sampled_fraction_std = 0;            // population standard deviation over events
  std::vector<double> mean_layer_energy_gev;  // [nz] longitudinal profile, summed over x, y
  double mean_cells_above_zero = 0;           // cells with deposit > 0 per event

  AttributeList attributes;  // provenance, as text
};

/// Reads path (any variant ShowerReader accepts) and computes its summary. Throws InputError
/// for files ShowerReader rejects, for events with NaN or infinite cells ("file X: event i
/// has non-finite cell values ...", with the totals) and for non-positive or non-finite
/// primary energies.
InspectSummary inspect_file(const std::string& path);

/// The summary as readable multi-line text (what `calo3dgan inspect` prints).
std::string format_summary(const InspectSummary& summary);

/// The summary as a JSON object (what `calo3dgan inspect --json` prints), keys as the fields.
std::string summary_to_json(const InspectSummary& summary);

}  // namespace calo::io
