#pragma once
// What Ctrl-C (SIGINT) or SIGTERM does to a calo3dgan command: every output still being written
// (its "<out>.tmp-<pid>", io/temporary_files.hh) is removed, one line says so on stderr, and the
// process exits with 128 + the signal number (130, 143), as shells report it.
#include <atomic>

namespace calo::cli {

/// Installs the handlers; called once by main().
void remove_outputs_in_progress_on_interrupt();

/// For commands that can stop cleanly (train: checkpoint, then exit): from now on the first
/// SIGINT/SIGTERM only sets the returned flag to the signal number; a second one acts as
/// above (temporaries removed, immediate exit).
const std::atomic<int>& stop_cleanly_on_interrupt();

}  // namespace calo::cli
