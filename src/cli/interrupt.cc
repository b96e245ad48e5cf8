#include "cli/interrupt.hh"

#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "io/temporary_files.hh"

namespace calo::cli {

namespace {

void write_stderr(const char* text) {
  // write() is async-signal-safe, fprintf is not; a short write only shortens the message.
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, text, std::strlen(text));
}

extern "C" void on_interrupt(int signal_number) {
  io::remove_registered_temporaries();
  write_stderr(signal_number == SIGINT ? "calo3dgan: interrupted (SIGINT); partial output removed\n"
                                       : "calo3dgan: terminated (SIGTERM); partial output removed\n");
  _exit(128 + signal_number);
}

}  // namespace

void remove_outputs_in_progress_on_interrupt() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace calo::cli
