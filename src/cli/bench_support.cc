#include "cli/bench_support.hh"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/data_path.hh"
#include "nn/conv3d.hh"

namespace calo::cli {

double median_seconds(const std::function<void()>& fn, double min_time) {
  using Clock = std::chrono::steady_clock;
  fn();
  std::vector<double> t;
  const auto start = Clock::now();
  while (t.size() < 3 || std::chrono::duration<double>(Clock::now() - start).count() < min_time) {
    const auto t0 = Clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::ranges::sort(t);
  return t[t.size() / 2];
}

ScratchFolder::ScratchFolder(const std::string& prefix)
    : path_(std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(getpid()))) {
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchFolder::~ScratchFolder() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<float> synthetic_cells(std::size_t elements, Rng& rng) {
  std::vector<float> v(elements);
  for (float& x : v) x = rng.uniform() < 0.3 ? static_cast<float>(0.05 * rng.exponential()) : 0.f;
  return v;
}

std::vector<nlohmann::json> run_reference_timing(const std::string& args) {
  std::vector<nlohmann::json> out;
  const std::filesystem::path script =
      std::filesystem::path(data_directory()).parent_path() / "bench" / "reference" / "timing.py";
  if (!std::filesystem::exists(script)) return out;
  const std::string cmd = "/usr/bin/python3 " + script.string() + " " + args + " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 65536> line;
  while (std::fgets(line.data(), line.size(), pipe)) {
    auto j = nlohmann::json::parse(line.data(), nullptr, false);
    if (!j.is_discarded() && j.contains("bench")) out.push_back(std::move(j));
  }
  pclose(pipe);
  return out;
}

double executed_conv_flops(nn::Sequential& net, nn::Dims in) {
  double flops = 0;
  for (std::size_t i = 0; i < net.size(); ++i) {
    nn::Layer& layer = net.layer(i);
    if (layer.folded()) continue;
    if (const auto* conv = dynamic_cast<const nn::Conv3D*>(&layer)) flops += conv->forward_flops(in);
    in = layer.output_dims(in);
  }
  return flops;
}

}  // namespace calo::cli
