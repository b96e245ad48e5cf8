#include "report/html_report.hh"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.hh"

namespace fs = std::filesystem;

namespace calo::report {

namespace {

/// Writes text to path and flushes it to disk; RuntimeError on any failure.
void write_and_sync(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw RuntimeError("cannot create " + path + " (" + std::strerror(errno) + ")");
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      close(fd);
      throw RuntimeError("cannot write " + path + " (" + std::strerror(error) + ")");
    }
    written += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0)
    throw RuntimeError("cannot flush " + path + " to disk (" + std::strerror(errno) + ")");
}

}  // namespace

void write_html_report(const physics::ValidationResult& result, const std::string& out_dir) {
  CALO_VALIDATE(!out_dir.empty(), "report folder is empty (no --out given) name a folder for the report");
  std::string page = render_html_report(result);  // first: a failure leaves nothing behind
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir))
    throw InputError("cannot create report folder " + out_dir + " (" +
                     (ec ? ec.message() : std::string("not a directory")) + ") choose another --out");
  std::string final_path = (fs::path(out_dir) / "index.html").string();
  std::string temporary = final_path + ".tmp-" + std::to_string(getpid());
  try {
    write_and_sync(temporary, page);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  fs::rename(temporary, final_path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw RuntimeError("cannot rename " + temporary + " to " + final_path + " (" + ec.message() + ")");
  }
}

}  // namespace calo::report
