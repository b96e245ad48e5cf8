#include "io/temporary_files.hh"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace calo::io {

namespace {

// Fixed slots rather than a container: the signal handler may run between any two
// instructions of the main thread, so it must see either a complete path or none.
struct Slot {
  std::atomic<bool> used{false};
  char path[4096];
};
Slot g_slots[kMaxRegisteredTemporaries];
std::atomic_flag g_claim[kMaxRegisteredTemporaries] = {};

bool process_alive(long pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

}  // namespace

bool register_temporary(const std::string& path) {
  if (path.size() >= sizeof(Slot::path)) return false;
  for (int i = 0; i < kMaxRegisteredTemporaries; ++i) {
    if (g_claim[i].test_and_set(std::memory_order_acquire)) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].used.store(true, std::memory_order_release);
    return true;
  }
  return false;
}

void unregister_temporary(const std::string& path) {
  for (int i = 0; i < kMaxRegisteredTemporaries; ++i) {
    if (!g_slots[i].used.load(std::memory_order_acquire) || path != g_slots[i].path) continue;
    g_slots[i].used.store(false, std::memory_order_release);
    g_claim[i].clear(std::memory_order_release);
    return;
  }
}

void remove_registered_temporaries() noexcept {
  for (Slot& slot : g_slots)
    if (slot.used.load(std::memory_order_acquire)) unlink(slot.path);
}

int remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  fs::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  const std::string prefix = target.filename().string() + ".tmp-";
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    const long pid = std::strtol(digits.c_str(), nullptr, 10);
    if (pid == getpid() || process_alive(pid)) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace calo::io
