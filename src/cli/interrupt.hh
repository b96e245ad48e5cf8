#pragma once
// What Ctrl-C (SIGINT) or SIGTERM does to a calo3dgan command: every output still being written
// (its "<out>.tmp-<pid>", io/temporary_files.hh) is removed, one line says so on stderr, and the
// process exits with 128 + the signal number (130, 143), as shells report it.
namespace calo::cli {

/// Installs the handlers; called once by main().
void remove_outputs_in_progress_on_interrupt();

}  // namespace calo::cli
