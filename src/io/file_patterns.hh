#pragma once
// Shower files named by paths or glob(7) patterns ('data/e-_*.h5'), as the commands that read
// many files take them (train --data, validate --reference / --candidate).
#include <string>
#include <vector>

namespace calo::io {

/// Every file matching the patterns, once each however it was named, sorted by canonical path.
/// InputError for an empty list or a pattern that matches no file (option: how the user gave
/// them, for the message, e.g. "--data").
std::vector<std::string> expand_file_patterns(const std::vector<std::string>& patterns,
                                              const std::string& option);

}  // namespace calo::io
