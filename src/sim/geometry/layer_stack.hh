#pragma once
// Planar sampling calorimeter: slabs of material along +z, normal incidence at z = 0,
// transverse extent +-half_width. The geometry is data (a JSON file, docs/geometry.md);
// this is its validated, flattened form.
#include <string>
#include <vector>

#include "sim/material/material.hh"

namespace calo::sim {

/// One slab of the flattened stack.
struct Slab {
  int material = 0;        ///< index into LayerStack::materials
  double z_begin = 0;      ///< [mm]
  double z_end = 0;        ///< [mm]
  int readout_layer = -1;  ///< sensitive slabs: the readout layer they belong to; else -1
};

struct LayerStack {
  std::string name;
  std::vector<Material> materials;
  std::vector<Slab> slabs;  ///< contiguous, ordered by z, first begins at 0
  int readout_layers = 0;   ///< number of layers with a sensitive slice
  double cell_size = 0;     ///< transverse readout cell pitch [mm]
  double half_width = 0;    ///< transverse half extent [mm] (the stack is 2*half_width wide)

  double depth() const { return slabs.empty() ? 0.0 : slabs.back().z_end; }
  int material_index(const std::string& name) const;  ///< -1 if absent
};

/// Parses and validates a geometry JSON text; `origin` names it in error messages.
/// Throws InputError: "geometry <origin>: <problem>".
LayerStack parse_layer_stack(const std::string& json_text, const std::string& origin);

/// Reads a geometry JSON file (InputError if unreadable).
LayerStack load_layer_stack(const std::string& path);

/// Path of a geometry shipped with calo3dgan ("clic_ecal" -> .../data/geometry/clic_ecal.json).
std::string shipped_geometry_path(const std::string& name);

/// The default detector: the CLIC_o2_v04 ECAL barrel in planar approximation (DESIGN.md 5).
inline constexpr const char* kDefaultGeometry = "clic_ecal";

}  // namespace calo::sim
