#include "report/gnuplot_batch.hh"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hh"
#include "report/text_format.hh"

extern char** environ;

namespace fs = std::filesystem;

namespace calo::report {

namespace {

/// A fresh private directory for the script and the plots, removed with its contents.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (fs::temp_directory_path() / "calo-report-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw RuntimeError("cannot create a temporary folder for the report plots (" +
                         std::string(std::strerror(errno)) + ")");
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The line of gnuplot's messages that reports the error (not a warning), else the last line.
std::string error_line(const std::string& log) {
  std::istringstream lines(log);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t^") == std::string::npos) continue;
    if (line.find("warning:") != std::string::npos) continue;
    if (line.find(" line ") != std::string::npos) return line;
    last = line;
  }
  return last.empty() ? "no message" : last;
}

/// svg without the empty <g ...></g> groups that gnuplot's svg terminal writes for every
/// style change (a third of a plot's size).
std::string without_empty_groups(const std::string& svg) {
  std::string out;
  out.reserve(svg.size());
  std::size_t at = 0;
  while (at < svg.size()) {
    std::size_t open = svg.find("<g ", at);
    if (open == std::string::npos) break;
    std::size_t open_end = svg.find('>', open);
    if (open_end == std::string::npos) break;
    std::size_t next = svg.find_first_not_of(" \t\r\n", open_end + 1);
    bool empty = svg[open_end - 1] != '/' && next != std::string::npos && svg.compare(next, 4, "</g>") == 0;
    if (empty) {
      out.append(svg, at, open - at);
      at = next + 4;
      if (at < svg.size() && svg[at] == '\n') ++at;
    } else {
      out.append(svg, at, open_end + 1 - at);
      at = open_end + 1;
    }
  }
  out.append(svg, at, std::string::npos);
  return out;
}

/// The environment of the child: ours, with HOME pointing at the scratch folder (so that no
/// ~/.gnuplot changes the plots) and C number formatting.
std::vector<std::string> child_environment(const fs::path& home) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("HOME=") || entry.starts_with("LC_ALL=") || entry.starts_with("LC_NUMERIC="))
      continue;
    env.emplace_back(entry);
  }
  env.push_back("HOME=" + home.string());
  env.push_back("LC_NUMERIC=C");
  return env;
}

/// Runs `gnuplot script` with stdout and stderr into log; returns the exit status.
int run_gnuplot(const std::string& gnuplot, const fs::path& script, const fs::path& log,
                const fs::path& home) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::string script_path = script.string();
  std::vector<char*> argv = {const_cast<char*>(gnuplot.c_str()), script_path.data(), nullptr};
  std::vector<std::string> env = child_environment(home);
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int error = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0)
    throw RuntimeError("cannot start " + gnuplot + " (" + std::strerror(error) +
                       ") reinstall the Debian package gnuplot-nox");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw RuntimeError("cannot wait for gnuplot (" + std::string(std::strerror(errno)) + ")");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = end > start ? dirs.substr(start, end - start) : std::string(1, '.');
    candidate += "/gnuplot";
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

GnuplotBatch::GnuplotBatch(int width, int height) : width_(width), height_(height) {}

std::size_t GnuplotBatch::add(std::string commands) {
  plots_.push_back(std::move(commands));
  return plots_.size() - 1;
}

std::vector<std::string> GnuplotBatch::render() const {
  if (plots_.empty()) return {};
  std::string gnuplot = find_gnuplot();
  if (gnuplot.empty())
    throw RuntimeError(
        "gnuplot not found on PATH (the report draws its plots with it) install the Debian package "
        "gnuplot-nox");
  ScratchDirectory scratch;
  fs::path script = scratch.path() / "plots.gp";
  auto plot_path = [&](std::size_t i) { return scratch.path() / ("plot-" + std::to_string(i) + ".svg"); };
  {
    std::ofstream out(script, std::ios::binary);
    out << "set encoding utf8\n"
        << "set terminal svg size " << width_ << "," << height_
        << " fixed enhanced font 'sans-serif,13' linewidth 1.2 background rgb 'white'\n";
    for (std::size_t i = 0; i < plots_.size(); ++i)
      out << "reset\nset output " << gnuplot_quote(plot_path(i).string()) << "\n"
          << plots_[i] << "\nunset output\n";
    if (!out) throw RuntimeError("cannot write the gnuplot script " + script.string());
  }
  fs::path log = scratch.path() / "gnuplot.log";
  int status = run_gnuplot(gnuplot, script, log, scratch.path());
  if (status != 0)
    throw RuntimeError("gnuplot failed drawing the report plots (exit status " + std::to_string(status) +
                       ": " + error_line(read_file(log)) + ")");
  std::vector<std::string> svgs;
  svgs.reserve(plots_.size());
  for (std::size_t i = 0; i < plots_.size(); ++i) {
    std::string svg = read_file(plot_path(i));
    if (svg.find("</svg>") == std::string::npos)
      throw RuntimeError("gnuplot drew no complete plot " + std::to_string(i) + " (" +
                         error_line(read_file(log)) + ")");
    svgs.push_back(without_empty_groups(svg));
  }
  return svgs;
}

}  // namespace calo::report
