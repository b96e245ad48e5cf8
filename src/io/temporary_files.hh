#pragma once
// The temporaries that atomic outputs are being written to ("<path>.tmp-<pid>", output_path.hh),
// known process-wide so that an interrupted run leaves none behind: the CLI's SIGINT/SIGTERM
// handler removes them (remove_registered_temporaries is async-signal-safe), and a later run
// writing the same output removes those of processes that died without a chance to (SIGKILL).
// The library itself installs no signal handler; an embedding program may call
// remove_registered_temporaries from its own.
#include <string>

namespace calo::io {

/// Records path as a temporary in progress; returns false (and records nothing) when all
/// kMaxRegisteredTemporaries slots are taken or the path is too long, which only means the
/// file is not removed on a signal.
bool register_temporary(const std::string& path);
/// Forgets path (after it was renamed to its final name or removed).
void unregister_temporary(const std::string& path);
/// unlink()s every registered temporary. Async-signal-safe: no allocation, no locks.
void remove_registered_temporaries() noexcept;

/// Removes "<path>.tmp-<pid>" files beside path whose process no longer exists (left by a
/// killed run); temporaries of live processes are kept. Returns how many were removed.
int remove_stale_temporaries(const std::string& path);

inline constexpr int kMaxRegisteredTemporaries = 16;

}  // namespace calo::io
