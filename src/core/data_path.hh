#pragma once
#include <string>

namespace calo {

/// Folder of calo3dgan's shipped data (geometries): $CALO3DGAN_DATA if set; else the source
/// tree's data/ while it exists (a build tree); else <install prefix>/share/calo3dgan, the
/// prefix being CMAKE_INSTALL_PREFIX at configure time.
std::string data_directory();

/// The library version ("0.1.0").
const char* version();

}  // namespace calo
