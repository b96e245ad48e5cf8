#pragma once
// Output files written atomically: checks before writing, a temporary name beside the final
// one, and the flush-and-rename that publishes the result.
#include <string>

namespace calo::io {

/// Throws InputError when path cannot become a new output: it exists and !overwrite, it is a
/// directory, or its directory is missing or not writable. Creates nothing.
void check_output_path(const std::string& path, bool overwrite);

/// "<path>.tmp-<pid>": in the same directory, so that the final rename is atomic.
std::string temporary_path_for(const std::string& path);

/// Flushes temporary to disk and renames it to final_path. Throws InputError when
/// final_path appeared meanwhile and !overwrite (the temporary is kept and named), and
/// RuntimeError when flushing or renaming fails.
void publish_file(const std::string& temporary, const std::string& final_path, bool overwrite);

/// Writes text to path atomically (AtomicOutput: a temporary beside it, flushed to disk,
/// renamed), replacing an existing file. RuntimeError when writing fails (nothing is left).
void write_file_atomically(const std::string& path, const std::string& text);

/// One atomic output's temporary file, from creation to publication: construction checks the
/// path (check_output_path), removes temporaries left beside it by dead processes and
/// registers the new one for removal on a signal (temporary_files.hh); publish() renames it;
/// destruction removes it unless it was published or kept. Declare it before the handles that
/// write the file, so that they are closed before the file is removed.
class AtomicOutput {
 public:
  AtomicOutput(std::string final_path, bool overwrite);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& final_path() const { return final_path_; }
  const std::string& temporary_path() const { return temporary_path_; }
  /// publish_file(); when it refuses (InputError: the final name appeared meanwhile) the complete
  /// temporary is kept for the user and the error rethrown.
  void publish();

 private:
  std::string final_path_, temporary_path_;
  bool overwrite_;
  bool done_ = false;  // published or deliberately kept
};

}  // namespace calo::io
