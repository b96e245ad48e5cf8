#include "io/output_path.hh"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "core/error.hh"
#include "io/temporary_files.hh"

namespace fs = std::filesystem;

namespace calo::io {

void check_output_path(const std::string& path, bool overwrite) {
  CALO_VALIDATE(!path.empty(), "output path is empty (no file name given) name an output file");
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw InputError("output path " + path + " is a directory (a file name is needed)");
  if (fs::exists(path, ec) && !overwrite)
    throw InputError("output file " + path + " exists (use --overwrite to replace it)");
  fs::path directory = fs::path(path).parent_path();
  if (directory.empty()) directory = ".";
  if (!fs::exists(directory, ec))
    throw InputError("output directory " + directory.string() + " does not exist (cannot create " + path +
                     ") create it first");
  if (!fs::is_directory(directory, ec))
    throw InputError("output directory " + directory.string() + " is not a directory");
  if (access(directory.c_str(), W_OK | X_OK) != 0)
    throw InputError("output directory " + directory.string() + " is not writable (" + std::strerror(errno) +
                     ") choose another output path");
}

std::string temporary_path_for(const std::string& path) { return path + ".tmp-" + std::to_string(getpid()); }

namespace {
/// fsync so that a crash after the rename cannot leave an empty file under the final name.
void flush_to_disk(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0 || fsync(fd) != 0) {
    int error = errno;
    if (fd >= 0) close(fd);
    throw RuntimeError("cannot flush " + path + " to disk (" + std::strerror(error) + ")");
  }
  close(fd);
}
}  // namespace

void publish_file(const std::string& temporary, const std::string& final_path, bool overwrite) {
  flush_to_disk(temporary);
  std::error_code ec;
  if (!overwrite && fs::exists(final_path, ec))
    throw InputError("output file " + final_path + " appeared while writing (the result is kept as " +
                     temporary + ") rename it by hand or use --overwrite");
  fs::rename(temporary, final_path, ec);
  if (ec) throw RuntimeError("cannot rename " + temporary + " to " + final_path + " (" + ec.message() + ")");
}

AtomicOutput::AtomicOutput(std::string final_path, bool overwrite)
    : final_path_(std::move(final_path)), overwrite_(overwrite) {
  check_output_path(final_path_, overwrite_);
  remove_stale_temporaries(final_path_);
  temporary_path_ = temporary_path_for(final_path_);
  register_temporary(temporary_path_);
}

AtomicOutput::~AtomicOutput() {
  if (!done_) {
    std::error_code ignored;
    fs::remove(temporary_path_, ignored);
  }
  unregister_temporary(temporary_path_);
}

void AtomicOutput::publish() {
  try {
    publish_file(temporary_path_, final_path_, overwrite_);
  } catch (const InputError&) {
    done_ = true;  // the data is complete: keep it for the user to rename
    unregister_temporary(temporary_path_);
    throw;
  }
  done_ = true;
  unregister_temporary(temporary_path_);
}

void write_file_atomically(const std::string& path, const std::string& text) {
  AtomicOutput output(path, /*overwrite=*/true);
  {
    std::ofstream out(output.temporary_path(), std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw RuntimeError("cannot write " + path + " (check the free disk space)");
  }
  output.publish();  // flushes to disk before the rename
}

}  // namespace calo::io
