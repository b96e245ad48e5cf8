#pragma once
// Helpers of the report tests: scratch folders, reading the page's images, headless Chromium.
#include <filesystem>
#include <string>
#include <vector>

#include "scratch_directory.hh"

namespace calo::report::test {

using ScratchDirectory = calo::test::ScratchDirectory;

std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);

/// Values of every `name="..."` attribute in html, in order.
std::vector<std::string> attribute_values(const std::string& html, const std::string& name);

/// Decodes standard base64; throws std::invalid_argument on a character outside the alphabet.
std::string base64_decode(const std::string& text);

/// The chromium executable ("" when not installed).
std::string find_chromium();

/// What the probe script saw once the page's load event fired: images that loaded / all
/// images, errors (script errors, failed resources, policy violations, console.error).
struct BrowserCheck {
  bool probed = false;  ///< the probe ran and wrote its result into the DOM
  int images_ok = 0, images = 0, errors = 0;
  std::string error_text;  ///< the first errors, for failure messages
  std::string dom;         ///< the dumped DOM, for failure messages (cut short)
};

/// Loads a copy of the page with a probe script inserted at the start of <head> in headless
/// Chromium (--dump-dom) and reads what the probe recorded.
BrowserCheck check_in_chromium(const std::string& chromium, const std::filesystem::path& page,
                               const std::filesystem::path& scratch);

/// Takes a screenshot of the page (width x height) into png; returns chromium's exit status.
int screenshot_in_chromium(const std::string& chromium, const std::filesystem::path& page,
                           const std::filesystem::path& png, const std::filesystem::path& scratch, int width,
                           int height);

}  // namespace calo::report::test
