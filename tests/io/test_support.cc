#include "test_support.hh"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>

namespace fs = std::filesystem;

namespace calo::io::test {

namespace {
/// Single-quotes an argument for /bin/sh.
std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

CommandResult run_python_script(const std::string& script, const std::vector<std::string>& args) {
  std::string command =
      "/usr/bin/python3 " + shell_quote(std::string(CALO_TEST_SOURCE_DIR) + "/tests/io/" + script);
  for (const auto& arg : args) command += " " + shell_quote(arg);
  command += " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace calo::io::test
