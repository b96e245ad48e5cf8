#include "io/file_patterns.hh"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "core/error.hh"

namespace calo::io {

std::vector<std::string> expand_file_patterns(const std::vector<std::string>& patterns,
                                              const std::string& option) {
  CALO_VALIDATE(!patterns.empty(),
                "no shower files given (name files or a glob pattern with " + option + ")");
  std::vector<std::string> files;
  for (const std::string& pattern : patterns) {
    glob_t matches{};
    const int rc = glob(pattern.c_str(), GLOB_ERR, nullptr, &matches);
    std::size_t found = 0;
    if (rc == 0)
      for (std::size_t i = 0; i < matches.gl_pathc; ++i)
        if (!std::filesystem::is_directory(matches.gl_pathv[i]))
          files.push_back(matches.gl_pathv[i]), ++found;
    globfree(&matches);
    if (found == 0)
      throw InputError("no shower file matches '" + pattern + "' (check the path or quote the pattern)");
  }
  // One entry per file however it was named: sort by canonical path, then drop repeats.
  std::vector<std::pair<std::string, std::string>> keyed;
  for (const auto& f : files) keyed.emplace_back(std::filesystem::weakly_canonical(f).string(), f);
  std::ranges::sort(keyed);
  keyed.erase(std::unique(keyed.begin(), keyed.end(), [](auto& a, auto& b) { return a.first == b.first; }),
              keyed.end());
  std::vector<std::string> out;
  for (auto& [key, name] : keyed) out.push_back(name);
  return out;
}

}  // namespace calo::io
