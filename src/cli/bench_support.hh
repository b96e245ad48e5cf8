#pragma once
// Shared by the `bench` subcommands: robust timing, shower-like inputs, and the PyTorch
// reference's figures (bench/reference/timing.py run as a subprocess in the same run).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/rng.hh"
#include "nn/dims.hh"

namespace calo::cli {

/// Median seconds per call after one warm-up, over >= 3 calls and >= min_time seconds.
double median_seconds(const std::function<void()>& fn, double min_time);

/// Sparse shower-like cells [GeV] (70 % zeros, exponential values of mean 0.05 GeV), as the
/// reference's synthetic batches: `elements` of them.
std::vector<float> synthetic_cells(std::size_t elements, Rng& rng);

/// The JSON lines timing.py prints for `arguments` (e.g. "--only train --threads 2"), with
/// *torch_version set from them; empty when the script or PyTorch is missing (the bench then
/// prints "not run" in the comparator's column).
std::vector<nlohmann::json> reference_timing(const std::string& arguments, std::string* torch_version);

}  // namespace calo::cli
