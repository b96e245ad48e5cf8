#include "core/data_path.hh"

#include <cstdlib>
#include <filesystem>

namespace calo {

std::string data_directory() {
  if (const char* env = std::getenv("CALO3DGAN_DATA"); env && *env) return env;
  // A build tree uses its own sources; an installed copy whose sources are gone, the share folder.
  if (std::filesystem::is_directory(CALO_SOURCE_DATA_DIR)) return CALO_SOURCE_DATA_DIR;
  return CALO_INSTALL_DATA_DIR;
}

const char* version() { return CALO_VERSION; }

}  // namespace calo
