#include "train/run_directory.hh"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/error.hh"
#include "io/output_path.hh"

namespace fs = std::filesystem;

namespace calo::train {

namespace {
constexpr const char* kCheckpointPrefix = "step-";

std::optional<std::int64_t> step_of(const fs::path& p) {
  const std::string name = p.filename().string();
  if (!name.starts_with(kCheckpointPrefix) || p.extension() != ".h5") return std::nullopt;
  const std::string digits = name.substr(5, name.size() - 5 - 3);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(digits);
}

std::vector<std::pair<std::int64_t, fs::path>> step_checkpoints(const fs::path& dir) {
  std::vector<std::pair<std::int64_t, fs::path>> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (auto s = step_of(it->path())) out.emplace_back(*s, it->path());
  std::ranges::sort(out);
  return out;
}
}  // namespace

fs::path RunDirectory::checkpoint(std::int64_t step) const {
  char name[40];
  std::snprintf(name, sizeof name, "%s%09lld.h5", kCheckpointPrefix, static_cast<long long>(step));
  return root_ / "checkpoints" / name;
}

void RunDirectory::create_new(const std::vector<std::pair<std::string, std::string>>& files) const {
  std::error_code ec;
  if (fs::exists(root_, ec)) {
    if (!fs::is_directory(root_, ec)) throw InputError("run directory " + root_.string() + " is a file");
    if (!fs::is_empty(root_, ec))
      throw InputError(
          "run directory " + root_.string() +
          " is not empty (a run is never overwritten) continue it with --resume or choose another --out");
  }
  fs::path target = root_.lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "runs/a/"
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  const fs::path staging = io::temporary_path_for(target.string());
  fs::remove_all(staging, ec);
  fs::create_directories(staging / "checkpoints", ec);
  if (ec) throw InputError("cannot create run directory " + root_.string() + " (" + ec.message() + ")");
  try {
    for (const auto& [name, text] : files) {
      std::ofstream out(staging / name, std::ios::binary);
      out << text;
      out.flush();
      if (!out) throw InputError("cannot write " + (root_ / name).string() + " (check the free disk space)");
    }
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  // rename(2) replaces an empty directory, so a pre-made empty --out works too.
  fs::rename(staging, target, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    throw InputError("cannot create run directory " + root_.string() + " (" + ec.message() + ")");
  }
}

void RunDirectory::check_resumable() const {
  std::error_code ec;
  if (!fs::is_regular_file(config(), ec))
    throw InputError("cannot resume " + root_.string() + " (no config.json: not a calo3dgan training run)");
}

std::optional<fs::path> RunDirectory::latest_checkpoint() const {
  auto all = step_checkpoints(root_ / "checkpoints");
  if (all.empty()) return std::nullopt;
  return all.back().second;
}

void RunDirectory::prune_checkpoints(int keep) const {
  auto all = step_checkpoints(root_ / "checkpoints");
  for (std::size_t i = 0; i + keep < all.size(); ++i) {
    std::error_code ec;
    fs::remove(all[i].second, ec);
  }
}

void RunDirectory::truncate_metrics_after(std::int64_t step) const {
  std::ifstream in(metrics());
  if (!in) return;
  std::ostringstream kept;
  for (std::string line; std::getline(in, line);) {
    // A kill can cut the last line short (and a later append then continues it): such a line
    // is not JSON and is dropped.
    const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("step") && j["step"].is_number_integer() &&
        j["step"].get<std::int64_t>() <= step)
      kept << line << '\n';
  }
  io::write_file_atomically(metrics().string(), kept.str());
}

void RunDirectory::append_metrics(const std::string& json_line) const {
  std::ofstream out(metrics(), std::ios::app);
  out << json_line << '\n';
  out.flush();
  if (!out) throw RuntimeError("cannot append to " + metrics().string() + " (check the free disk space)");
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace calo::train
