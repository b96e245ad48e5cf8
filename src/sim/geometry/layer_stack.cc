#include "sim/geometry/layer_stack.hh"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/data_path.hh"
#include "core/error.hh"
#include "core/units.hh"

namespace calo::sim {

using nlohmann::json;
using namespace calo::units;

namespace {

/// Prefixes every error with the geometry's name so the one-line message says where.
struct Context {
  std::string origin;
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError("geometry " + origin + ": " + problem);
  }
  void require(bool ok, const std::string& problem) const {
    if (!ok) fail(problem);
  }
  const json& field(const json& object, const char* key, const std::string& where) const {
    require(object.is_object(), where + " must be a JSON object");
    const auto it = object.find(key);
    require(it != object.end(), where + " has no \"" + key + "\"");
    return *it;
  }
  double positive_number(const json& object, const char* key, const std::string& where) const {
    const json& v = field(object, key, where);
    require(v.is_number(), where + ": \"" + key + "\" must be a number");
    const double x = v.get<double>();
    require(std::isfinite(x) && x > 0, where + ": \"" + key + "\" must be positive (got " + v.dump() + ")");
    return x;
  }
};

MaterialSpec parse_material(const json& j, const Context& ctx) {
  MaterialSpec spec;
  const json& name = ctx.field(j, "name", "a material");
  ctx.require(name.is_string(), "a material name must be a string");
  spec.name = name.get<std::string>();
  const std::string where = "material '" + spec.name + "'";
  spec.density = ctx.positive_number(j, "density_g_cm3", where) * g_per_cm3;
  if (j.contains("mean_excitation_eV"))
    spec.mean_excitation = ctx.positive_number(j, "mean_excitation_eV", where) * eV;
  const bool by_mass = j.contains("mass_fractions"), by_count = j.contains("atom_counts");
  ctx.require(by_mass != by_count, where + " needs exactly one of \"mass_fractions\" or \"atom_counts\"");
  const json& comp = j.at(by_mass ? "mass_fractions" : "atom_counts");
  ctx.require(comp.is_object() && !comp.empty(),
              where + ": element list must be a non-empty object {\"W\": 0.93, ...}");
  for (const auto& [symbol, value] : comp.items()) {
    ctx.require(value.is_number() && value.get<double>() > 0,
                where + ": element " + symbol + " needs a positive number");
    ComponentSpec c{symbol, 0, 0};
    (by_mass ? c.mass_fraction : c.atom_count) = value.get<double>();
    spec.components.push_back(c);
  }
  return spec;
}

}  // namespace

int LayerStack::material_index(const std::string& material_name) const {
  for (std::size_t i = 0; i < materials.size(); ++i)
    if (materials[i].name == material_name) return static_cast<int>(i);
  return -1;
}

LayerStack parse_layer_stack(const std::string& json_text, const std::string& origin) {
  Context ctx{origin};
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    ctx.fail(std::string("invalid JSON (") + e.what() + ")");
  }
  ctx.require(root.is_object(), "top level must be a JSON object");

  LayerStack stack;
  stack.name = root.value("name", origin);
  stack.cell_size = ctx.positive_number(root, "cell_size_mm", "the geometry") * mm;
  stack.half_width = 0.5 * ctx.positive_number(root, "transverse_size_mm", "the geometry") * mm;

  const json& materials = ctx.field(root, "materials", "the geometry");
  ctx.require(materials.is_array() && !materials.empty(), "\"materials\" must be a non-empty list");
  for (const auto& jm : materials) {
    MaterialSpec spec = parse_material(jm, ctx);
    ctx.require(stack.material_index(spec.name) < 0, "material '" + spec.name + "' defined twice");
    try {
      stack.materials.push_back(build_material(spec));
    } catch (const InputError& e) {
      ctx.fail(e.what());
    }
  }

  const json& layers = ctx.field(root, "layers", "the geometry");
  ctx.require(layers.is_array() && !layers.empty(), "\"layers\" must be a non-empty list");
  double z = 0;
  for (std::size_t li = 0; li < layers.size(); ++li) {
    const std::string where = "layer group " + std::to_string(li + 1);
    const json& group = layers[li];
    int repeat = 1;
    if (group.is_object() && group.contains("repeat")) {
      ctx.require(group["repeat"].is_number_integer() && group["repeat"].get<int>() > 0,
                  where + ": \"repeat\" must be a positive integer");
      repeat = group["repeat"].get<int>();
    }
    const json& slices = ctx.field(group, "slices", where);
    ctx.require(slices.is_array() && !slices.empty(), where + ": \"slices\" must be a non-empty list");
    for (int r = 0; r < repeat; ++r) {
      bool layer_has_sensor = false;
      for (std::size_t si = 0; si < slices.size(); ++si) {
        const std::string swhere = where + " slice " + std::to_string(si + 1);
        const json& s = slices[si];
        const json& mname = ctx.field(s, "material", swhere);
        ctx.require(mname.is_string(), swhere + ": \"material\" must be a string");
        const int mi = stack.material_index(mname.get<std::string>());
        ctx.require(mi >= 0, swhere + ": unknown material '" + mname.get<std::string>() +
                                 "' (define it under \"materials\")");
        Slab slab;
        slab.material = mi;
        slab.z_begin = z;
        z += ctx.positive_number(s, "thickness_mm", swhere) * mm;
        slab.z_end = z;
        if (s.value("sensitive", false)) {
          slab.readout_layer = stack.readout_layers;
          layer_has_sensor = true;
        }
        stack.slabs.push_back(slab);
      }
      if (layer_has_sensor) ++stack.readout_layers;
    }
  }
  ctx.require(stack.readout_layers > 0, "no sensitive slice (mark the readout slices \"sensitive\": true)");
  return stack;
}

LayerStack load_layer_stack(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read geometry file '" + path + "' (missing or unreadable)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_layer_stack(text.str(), "'" + path + "'");
}

std::string shipped_geometry_path(const std::string& name) {
  return (std::filesystem::path(data_directory()) / "geometry" / (name + ".json")).string();
}

}  // namespace calo::sim
