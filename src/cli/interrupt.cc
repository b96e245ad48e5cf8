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

std::atomic<int> g_stop_request{0};
static_assert(std::atomic<int>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt_request_stop(int signal_number) {
  if (g_stop_request.exchange(signal_number) != 0) on_interrupt(signal_number);  // the second one
}

void install(void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

void remove_outputs_in_progress_on_interrupt() { install(on_interrupt); }

const std::atomic<int>& stop_cleanly_on_interrupt() {
  install(on_interrupt_request_stop);
  return g_stop_request;
}

}  // namespace calo::cli
