#include "test_support.hh"

#include "run_command.hh"

namespace calo::io::test {

using calo::test::run_command;
using calo::test::shell_quote;

CommandResult run_python_script(const std::string& script, const std::vector<std::string>& args) {
  // Appended, not "literal" + std::string&&: GCC 12 warns falsely on that (-Wrestrict, PR 105651).
  std::string command = "/usr/bin/python3 ";
  command += shell_quote(std::string(CALO_TEST_SOURCE_DIR) + "/tests/io/" + script);
  for (const auto& arg : args) {
    command += ' ';
    command += shell_quote(arg);
  }
  return run_command(command);
}

}  // namespace calo::io::test
