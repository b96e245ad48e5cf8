#include "report_test_support.hh"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace calo::report::test {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> attribute_values(const std::string& html, const std::string& name) {
  std::vector<std::string> values;
  const std::string key = " " + name + "=\"";
  for (std::size_t at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
    std::size_t start = at + key.size();
    std::size_t end = html.find('"', start);
    if (end == std::string::npos) break;
    values.push_back(html.substr(start, end - start));
  }
  return values;
}

std::string base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    throw std::invalid_argument(std::string("not base64: '") + c + "'");
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    buffer = (buffer << 6) | value(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::string command = std::string("command -v ") + name + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) continue;
    std::array<char, 512> buffer{};
    std::string path;
    while (fgets(buffer.data(), buffer.size(), pipe)) path += buffer.data();
    pclose(pipe);
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
    if (!path.empty()) return path;
  }
  return {};
}

namespace {

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

/// The flags every headless run gets: no network, no sandbox (CI runs as root), a fresh profile.
std::string chromium_command(const std::string& chromium, const fs::path& profile) {
  return "timeout 60 " + shell_quote(chromium) +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking"
         " --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir=" +
         shell_quote(profile.string());
}

std::string file_url(const fs::path& path) { return "file://" + fs::absolute(path).string(); }

/// Records errors from the start and, on load, writes the image and error counts as
/// attributes of <html> (the probe runs before <body> exists, so it waits for load).
const char* probe_script = R"js(<script>
(function(){
  var errors = [];
  function note(text){ errors.push(String(text).slice(0, 200)); }
  window.addEventListener('error', function(e){
    var t = e.target;
    note(t && t !== window && t.tagName ? 'failed to load ' + t.tagName + ' ' + String(t.src || t.href).slice(0, 80)
                                        : 'script error: ' + e.message);
  }, true);
  window.addEventListener('unhandledrejection', function(e){ note('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function(e){ note('blocked ' + e.blockedURI); });
  var consoleError = console.error;
  console.error = function(){ note('console.error: ' + Array.prototype.join.call(arguments, ' ')); consoleError.apply(console, arguments); };
  window.addEventListener('load', function(){
    var images = Array.prototype.slice.call(document.images);
    var ok = images.filter(function(i){ return i.complete && i.naturalWidth > 0 && i.naturalHeight > 0; }).length;
    var root = document.documentElement;
    root.setAttribute('data-images-ok', ok + '/' + images.length);
    root.setAttribute('data-errors', String(errors.length));
    root.setAttribute('data-error-text', errors.slice(0, 3).join(' | '));
  });
})();
</script>)js";

std::string attribute(const std::string& dom, const std::string& name) {
  auto values = attribute_values(dom, name);
  return values.empty() ? std::string() : values.front();
}

}  // namespace

BrowserCheck check_in_chromium(const std::string& chromium, const fs::path& page, const fs::path& scratch) {
  std::string html = read_text(page);
  std::size_t head = html.find("<head>");
  if (head == std::string::npos) throw std::runtime_error("page has no <head>");
  html.insert(head + 6, std::string("\n") + probe_script);
  fs::path probed = scratch / "probed.html";
  write_text(probed, html);
  fs::path profile = scratch / "chromium-profile-dom";
  fs::create_directories(profile);
  std::string command = chromium_command(chromium, profile) + " --virtual-time-budget=5000 --dump-dom " +
                        shell_quote(file_url(probed)) + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run chromium");
  std::string dom;
  std::array<char, 65536> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) dom.append(buffer.data(), n);
  pclose(pipe);

  BrowserCheck check;
  check.dom = dom.substr(0, 2000);
  std::string images = attribute(dom, "data-images-ok");
  std::size_t slash = images.find('/');
  if (slash == std::string::npos) return check;
  check.probed = true;
  check.images_ok = std::stoi(images.substr(0, slash));
  check.images = std::stoi(images.substr(slash + 1));
  check.errors = std::stoi(attribute(dom, "data-errors"));
  check.error_text = attribute(dom, "data-error-text");
  return check;
}

int screenshot_in_chromium(const std::string& chromium, const fs::path& page, const fs::path& png,
                           const fs::path& scratch, int width, int height) {
  fs::path profile = scratch / "chromium-profile-shot";
  fs::create_directories(profile);
  std::string command =
      chromium_command(chromium, profile) + " --hide-scrollbars --window-size=" + std::to_string(width) +
      "," + std::to_string(height) +
      " --virtual-time-budget=5000 --screenshot=" + shell_quote(fs::absolute(png).string()) + " " +
      shell_quote(file_url(page)) + " >/dev/null 2>&1";
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace calo::report::test
