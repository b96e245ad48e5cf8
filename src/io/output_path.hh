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

}  // namespace calo::io
