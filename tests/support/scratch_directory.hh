#pragma once
// Shared by the test suites: a scratch folder per test, removed with everything in it.
#include <filesystem>
#include <string>

namespace calo::test {

/// A fresh empty directory under the system temporary directory, deleted with its contents
/// (even where a test removed its write permission).
class ScratchDirectory {
 public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Path of a file name inside the directory.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace calo::test
