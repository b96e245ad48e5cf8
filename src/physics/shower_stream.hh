#pragma once
// Streams the showers of a file in blocks, checks each for non-finite cells and a usable
// primary energy, and hands its features to a callback. Memory: one block.
#include <cstdint>
#include <functional>

#include "calo3dgan/shower_file.hh"
#include "physics/shower_features.hh"

namespace calo::physics {

/// Calls visit(index, features, primary_gev, cells) for the first min(events, max_events) showers
/// (max_events 0: all). Throws InputError naming the file and event for a non-finite cell or
/// a primary energy that is not a positive finite number.
void stream_showers(
    const io::ShowerReader& reader, std::uint64_t max_events, const FeatureExtractor& extractor,
    const std::function<void(std::uint64_t, const ShowerFeatures&, double, const float*)>& visit);

}  // namespace calo::physics
