#pragma once
// What the `bench` subcommands share: timing, the PyTorch reference (bench/reference/
// timing.py run as a subprocess in the same run) and the FLOPs a network executes.
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/rng.hh"
#include "nn/dims.hh"
#include "nn/sequential.hh"

namespace calo::cli {

/// Median seconds per call after one warm-up, over >= 3 calls and >= min_time seconds.
double median_seconds(const std::function<void()>& fn, double min_time);

/// A folder of the bench's own under the system temporary directory ("<prefix>-<pid>"),
/// created empty and removed with its contents when the bench ends (also on errors).
class ScratchFolder {
 public:
  explicit ScratchFolder(const std::string& prefix);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Sparse shower-like cells [GeV] (70 % zeros, exponential values of mean 0.05 GeV), as the
/// reference's synthetic batches: `elements` of them.
std::vector<float> synthetic_cells(std::size_t elements, Rng& rng);

/// The JSON lines bench/reference/timing.py prints with these arguments (its stderr
/// dropped); empty when the script is missing or cannot run (no torch).
std::vector<nlohmann::json> run_reference_timing(const std::string& args);

/// Convolution FLOPs one sample costs in forward as the built network executes it (folded
/// upsamplings run polyphase, nn::Conv3D::forward_flops).
double executed_conv_flops(nn::Sequential& net, nn::Dims in);

}  // namespace calo::cli
