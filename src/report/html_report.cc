#include "report/html_report.hh"

#include <filesystem>

#include "core/error.hh"
#include "io/output_path.hh"

namespace fs = std::filesystem;

namespace calo::report {

void write_html_report(const physics::ValidationResult& result, const std::string& out_dir) {
  CALO_VALIDATE(!out_dir.empty(), "report folder is empty (no --out given) name a folder for the report");
  std::string page = render_html_report(result);  // first: a failure leaves nothing behind
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir))
    throw InputError("cannot create report folder " + out_dir + " (" +
                     (ec ? ec.message() : std::string("not a directory")) + ") choose another --out");
  io::write_file_atomically((fs::path(out_dir) / "index.html").string(), page);
}

}  // namespace calo::report
