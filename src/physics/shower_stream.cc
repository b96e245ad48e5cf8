// Block-wise reading of a shower file with input checks.
#include "physics/shower_stream.hh"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "core/error.hh"

namespace calo::physics {

namespace {

constexpr std::size_t kBlockEvents = 64;  // 4 MB of 25x25x25 float cells

/// Names the first non-finite cell of one shower (called only when its sum is not finite).
[[noreturn]] void throw_non_finite(const io::ShowerReader& reader, std::uint64_t event, const float* cells) {
  const io::ShowerGrid& g = reader.grid();
  std::size_t bad = 0;
  while (bad < g.cells() && std::isfinite(cells[bad])) ++bad;
  std::ostringstream where;
  where << "x=" << bad / (g.ny * g.nz) << ", y=" << (bad / g.nz) % g.ny << ", layer=" << bad % g.nz << ": "
        << cells[bad % g.cells()];
  throw InputError("file " + reader.path() + ": event " + std::to_string(event) +
                   " has a non-finite cell energy (" + where.str() +
                   ") remove or repair the event before validating");
}

}  // namespace

void stream_showers(
    const io::ShowerReader& reader, std::uint64_t max_events, const FeatureExtractor& extractor,
    const std::function<void(std::uint64_t, const ShowerFeatures&, double, const float*)>& visit) {
  const std::uint64_t events =
      max_events > 0 ? std::min<std::uint64_t>(reader.events(), max_events) : reader.events();
  const std::size_t cells = reader.grid().cells();
  std::vector<float> ecal, energy;
  ShowerFeatures features;
  for (std::uint64_t first = 0; first < events; first += kBlockEvents) {
    const std::size_t count = std::size_t(std::min<std::uint64_t>(kBlockEvents, events - first));
    reader.read(first, count, ecal, energy);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t event = first + i;
      const double primary = energy[i];
      if (!(std::isfinite(primary) && primary > 0)) {
        std::ostringstream value;
        value << primary;
        throw InputError("file " + reader.path() + ": event " + std::to_string(event) +
                         " has primary energy " + value.str() +
                         " GeV (the sampled fraction needs a positive finite E_p) check the energy dataset");
      }
      const float* shower = ecal.data() + i * cells;
      // A non-finite cell makes the double-precision sum non-finite (no finite float overflows it).
      const double sum = extractor.extract(shower, primary, features);
      if (!std::isfinite(sum)) throw_non_finite(reader, event, shower);
      visit(event, features, primary, shower);
    }
  }
}

}  // namespace calo::physics
