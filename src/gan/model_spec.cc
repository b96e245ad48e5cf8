#include "gan/model_spec.hh"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/data_path.hh"
#include "core/error.hh"
#include "gan/model_shapes.hh"

namespace calo::gan {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

constexpr const char* kFormat = "calo3dgan-model-spec-1";

struct TypeInfo {
  LayerType type;
  const char* name;
  const char* snake;                // default layer names: "<snake>_<k>"
  std::vector<std::string> fields;  // allowed besides "type" and "name"
  std::vector<std::string> required;
};

const std::vector<TypeInfo>& type_table() {
  static const std::vector<TypeInfo> table = {
      {LayerType::dense,
       "Dense",
       "dense",
       {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer"},
       {"units"}},
      {LayerType::reshape, "Reshape", "reshape", {"target_shape"}, {"target_shape"}},
      {LayerType::conv3d,
       "Conv3D",
       "conv3d",
       {"filters", "kernel_size", "padding", "use_bias", "kernel_initializer", "bias_initializer"},
       {"filters", "kernel_size"}},
      {LayerType::leaky_relu, "LeakyReLU", "leaky_re_lu", {"alpha"}, {}},
      {LayerType::relu, "ReLU", "re_lu", {}, {}},
      {LayerType::sigmoid, "Sigmoid", "sigmoid", {}, {}},
      {LayerType::batch_normalization,
       "BatchNormalization",
       "batch_normalization",
       {"momentum", "epsilon"},
       {}},
      {LayerType::up_sampling3d, "UpSampling3D", "up_sampling3d", {"size"}, {}},
      {LayerType::zero_padding3d, "ZeroPadding3D", "zero_padding3d", {"padding"}, {}},
      {LayerType::dropout, "Dropout", "dropout", {"rate"}, {"rate"}},
      {LayerType::average_pooling3d, "AveragePooling3D", "average_pooling3d", {"pool_size", "strides"}, {}},
      {LayerType::flatten, "Flatten", "flatten", {}, {}},
  };
  return table;
}

const TypeInfo& info(LayerType type) {
  for (const auto& t : type_table())
    if (t.type == type) return t;
  throw std::logic_error("gan: unknown LayerType");
}

std::string known_types() {
  std::string text;
  for (const auto& t : type_table()) text += (text.empty() ? "" : ", ") + std::string(t.name);
  return text;
}

/// Reading one JSON object with errors prefixed by where it is ("generator layer 3 ...").
struct Reader {
  const json& j;
  std::string where;

  [[noreturn]] void fail(const std::string& problem) const { throw InputError(where + ": " + problem); }

  bool has(const char* key) const { return j.contains(key); }

  std::int64_t integer(const json& v, const char* key) const {
    if (!v.is_number_integer())
      fail(std::string("\"") + key + "\" must be an integer (got " + v.dump() + ")");
    return v.get<std::int64_t>();
  }
  std::int64_t integer(const char* key) const { return integer(j.at(key), key); }
  double number(const char* key) const {
    const json& v = j.at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      fail(std::string("\"") + key + "\" must be a number (got " + v.dump() + ")");
    return v.get<double>();
  }
  bool boolean(const char* key) const {
    const json& v = j.at(key);
    if (!v.is_boolean()) fail(std::string("\"") + key + "\" must be true or false (got " + v.dump() + ")");
    return v.get<bool>();
  }
  std::string string(const char* key) const {
    const json& v = j.at(key);
    if (!v.is_string()) fail(std::string("\"") + key + "\" must be a string (got " + v.dump() + ")");
    return v.get<std::string>();
  }
  /// An integer n (meaning n, n, n) or a list of 3 integers.
  Triple triple(const char* key) const {
    const json& v = j.at(key);
    if (v.is_number_integer()) {
      std::int64_t n = integer(v, key);
      return {n, n, n};
    }
    if (!v.is_array() || v.size() != 3)
      fail(std::string("\"") + key + "\" must be an integer or a list of 3 integers (got " + v.dump() + ")");
    return {integer(v[0], key), integer(v[1], key), integer(v[2], key)};
  }
  void only(const std::vector<std::string>& allowed) const {
    for (const auto& [key, value] : j.items()) {
      bool ok = false;
      for (const auto& a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail("unknown field \"" + key + "\" (allowed: " + list + ")");
      }
    }
  }
};

/// ZeroPadding3D "padding": n, [a, b, c] (symmetric) or [[a0, a1], [b0, b1], [c0, c1]].
void read_padding(const Reader& r, LayerSpec& l) {
  const json& v = r.j.at("padding");
  if (v.is_array() && v.size() == 3 && v[0].is_array()) {
    for (std::size_t i = 0; i < 3; ++i) {
      if (!v[i].is_array() || v[i].size() != 2)
        r.fail("\"padding\" must be n, [a, b, c] or [[a0, a1], [b0, b1], [c0, c1]] (got " + v.dump() + ")");
      l.pad_before[i] = r.integer(v[i][0], "padding");
      l.pad_after[i] = r.integer(v[i][1], "padding");
    }
    return;
  }
  l.pad_before = l.pad_after = r.triple("padding");
}

LayerSpec parse_layer(const json& j, const std::string& where, std::map<std::string, int>& counters) {
  Reader r{j, where};
  if (!j.is_object()) r.fail("must be a JSON object {\"type\": ..., ...} (got " + j.dump() + ")");
  std::string name = r.has("name") ? r.string("name") : "";
  Reader named{j, name.empty() ? where : where + " ('" + name + "')"};
  if (!r.has("type")) named.fail("missing field \"type\" (known: " + known_types() + ")");
  const std::string type = named.string("type");
  const TypeInfo* t = nullptr;
  for (const auto& candidate : type_table())
    if (candidate.name == type) t = &candidate;
  if (!t) named.fail("unknown layer type '" + type + "' (known: " + known_types() + ")");

  LayerSpec l;
  l.type = t->type;
  int k = ++counters[t->snake];
  l.name = name.empty() ? std::string(t->snake) + "_" + std::to_string(k) : name;
  Reader lr{j, where + " (" + t->name + " '" + l.name + "')"};
  std::vector<std::string> allowed{"type", "name"};
  allowed.insert(allowed.end(), t->fields.begin(), t->fields.end());
  lr.only(allowed);
  for (const auto& req : t->required)
    if (!lr.has(req.c_str())) lr.fail("missing field \"" + req + "\"");

  if (lr.has("units")) l.units = lr.integer("units");
  if (lr.has("activation")) l.activation = lr.string("activation");
  if (lr.has("filters")) l.filters = lr.integer("filters");
  if (lr.has("kernel_size")) l.kernel_size = lr.triple("kernel_size");
  if (lr.has("use_bias")) l.use_bias = lr.boolean("use_bias");
  if (lr.has("kernel_initializer")) l.kernel_initializer = lr.string("kernel_initializer");
  if (lr.has("bias_initializer")) l.bias_initializer = lr.string("bias_initializer");
  if (lr.has("alpha")) l.alpha = lr.number("alpha");
  if (lr.has("momentum")) l.momentum = lr.number("momentum");
  if (lr.has("epsilon")) l.epsilon = lr.number("epsilon");
  if (lr.has("size")) l.size = lr.triple("size");
  if (lr.has("rate")) l.rate = lr.number("rate");
  if (lr.has("pool_size")) l.strides = l.pool_size = lr.triple("pool_size");
  if (lr.has("strides")) l.strides = lr.triple("strides");
  if (lr.has("padding")) {
    if (l.type == LayerType::conv3d) {
      const std::string p = lr.string("padding");
      if (p != "same" && p != "valid") lr.fail("padding '" + p + "' (must be same or valid)");
      l.same_padding = p == "same";
    } else {
      read_padding(lr, l);
    }
  }
  if (lr.has("target_shape")) {
    const json& v = j.at("target_shape");
    if (!v.is_array() || v.size() != 4)
      lr.fail("\"target_shape\" must be a list of 4 integers (x, y, layer, channels) (got " + v.dump() + ")");
    for (std::size_t i = 0; i < 4; ++i) l.target_shape[i] = lr.integer(v[i], "target_shape");
  }
  return l;
}

std::vector<LayerSpec> parse_layers(const json& parent, const char* key, const std::string& where,
                                    std::map<std::string, int>& counters) {
  Reader r{parent, where};
  if (!parent.contains(key)) r.fail(std::string("missing field \"") + key + "\"");
  const json& list = parent.at(key);
  if (!list.is_array()) r.fail(std::string("\"") + key + "\" must be a list of layers");
  std::vector<LayerSpec> layers;
  for (std::size_t i = 0; i < list.size(); ++i)
    layers.push_back(parse_layer(list[i], where + " layer " + std::to_string(i + 1), counters));
  return layers;
}

/// Names are used in parameter paths ("generator/conv1/kernel"): no '/', '.', spaces.
void check_names(const std::vector<const std::vector<LayerSpec>*>& lists, const std::string& net) {
  std::set<std::string> seen;
  for (const auto* layers : lists)
    for (const LayerSpec& l : *layers) {
      bool ok = !l.name.empty();
      for (char c : l.name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
      if (!ok)
        throw InputError(
            net + " layer name '" + l.name +
            "' is invalid (use letters, digits, '_' and '-': it becomes part of parameter names)");
      if (!seen.insert(l.name).second)
        throw InputError(net + " layer name '" + l.name +
                         "' is used twice (names must be unique in a network)");
    }
}

ojson layer_to_json(const LayerSpec& l) {
  ojson j;
  j["type"] = type_name(l.type);
  j["name"] = l.name;
  auto triple = [](const Triple& t) { return ojson::array({t[0], t[1], t[2]}); };
  switch (l.type) {
    case LayerType::dense:
      j["units"] = l.units;
      j["activation"] = l.activation;
      j["use_bias"] = l.use_bias;
      j["kernel_initializer"] = l.kernel_initializer;
      j["bias_initializer"] = l.bias_initializer;
      break;
    case LayerType::conv3d:
      j["filters"] = l.filters;
      j["kernel_size"] = triple(l.kernel_size);
      j["padding"] = l.same_padding ? "same" : "valid";
      j["use_bias"] = l.use_bias;
      j["kernel_initializer"] = l.kernel_initializer;
      j["bias_initializer"] = l.bias_initializer;
      break;
    case LayerType::reshape:
      j["target_shape"] =
          ojson::array({l.target_shape[0], l.target_shape[1], l.target_shape[2], l.target_shape[3]});
      break;
    case LayerType::leaky_relu:
      j["alpha"] = l.alpha;
      break;
    case LayerType::batch_normalization:
      j["momentum"] = l.momentum;
      j["epsilon"] = l.epsilon;
      break;
    case LayerType::up_sampling3d:
      j["size"] = triple(l.size);
      break;
    case LayerType::zero_padding3d: {
      ojson p = ojson::array();
      for (std::size_t i = 0; i < 3; ++i) p.push_back(ojson::array({l.pad_before[i], l.pad_after[i]}));
      j["padding"] = p;
      break;
    }
    case LayerType::dropout:
      j["rate"] = l.rate;
      break;
    case LayerType::average_pooling3d:
      j["pool_size"] = triple(l.pool_size);
      j["strides"] = triple(l.strides);
      break;
    case LayerType::relu:
    case LayerType::sigmoid:
    case LayerType::flatten:
      break;
  }
  return j;
}

ojson layers_to_json(const std::vector<LayerSpec>& layers) {
  ojson list = ojson::array();
  for (const auto& l : layers) list.push_back(layer_to_json(l));
  return list;
}

}  // namespace

const char* type_name(LayerType type) { return info(type).name; }

const char* role_name(HeadRole role) { return role == HeadRole::real_fake ? "real_fake" : "energy"; }

std::vector<std::string> builtin_model_names() { return {"3dgan-16", "3dgan-v1"}; }

void validate_model_spec(const ModelSpec& spec) {
  const std::string who = "model spec '" + spec.name + "'";
  CALO_VALIDATE(spec.latent_size >= 1,
                who + ": latent_size " + std::to_string(spec.latent_size) + " (must be >= 1)");
  for (auto v : spec.image_shape)
    CALO_VALIDATE(v >= 1, who + ": image_shape has size " + std::to_string(v) + " (every size must be >= 1)");
  CALO_VALIDATE(!spec.generator.layers.empty(), who + ": the generator has no layers");
  CALO_VALIDATE(!spec.discriminator.layers.empty(), who + ": the discriminator has no layers");

  std::vector<const std::vector<LayerSpec>*> disc_lists{&spec.discriminator.layers};
  for (const auto& h : spec.discriminator.heads) disc_lists.push_back(&h.layers);
  check_names({&spec.generator.layers}, "generator");
  check_names(disc_lists, "discriminator");

  // Shapes through every layer (throws naming the layer).
  NetworkSummary g = summarise_generator(spec);
  const Shape image = Shape::volume(spec.image_shape[0], spec.image_shape[1], spec.image_shape[2], 1);
  const Shape out = g.rows.back().output;
  CALO_VALIDATE(out == image, "generator output " + shape_text(out) + " differs from the image shape " +
                                  shape_text(image) +
                                  " (check the last layers' kernels, paddings and filters)");
  int real_fake = 0, energy = 0;
  for (const auto& h : spec.discriminator.heads) {
    (h.role == HeadRole::real_fake ? real_fake : energy)++;
    CALO_VALIDATE(!h.layers.empty(),
                  std::string("discriminator head ") + role_name(h.role) + " has no layers");
  }
  CALO_VALIDATE(real_fake == 1 && energy == 1, "discriminator heads: " + std::to_string(real_fake) +
                                                   " real_fake and " + std::to_string(energy) +
                                                   " energy (exactly one of each is needed)");
  NetworkSummary d = summarise_discriminator(spec);
  for (const auto& row : d.rows)
    if (!row.output_role.empty() && row.output_role != "ecal_sum")
      CALO_VALIDATE(row.output == Shape::features(1),
                    "discriminator head " + row.output_role + " ends with " + shape_text(row.output) +
                        " values (a head must end with one value, e.g. Dense units 1)");
}

ModelSpec parse_model_spec(const std::string& json_text, const std::string& origin) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw InputError(origin + ": invalid JSON (" + std::string(e.what()) + ")");
  }
  try {
    Reader r{root, "top level"};
    if (!root.is_object()) r.fail("must be a JSON object");
    r.only({"format", "name", "description", "latent_size", "image_shape", "generator", "discriminator"});
    if (r.has("format") && r.string("format") != kFormat)
      r.fail("format '" + r.string("format") + "' (expected '" + kFormat + "')");
    for (const char* key : {"name", "latent_size", "image_shape", "generator", "discriminator"})
      if (!r.has(key)) r.fail(std::string("missing field \"") + key + "\"");
    ModelSpec spec;
    spec.name = r.string("name");
    if (r.has("description")) spec.description = r.string("description");
    spec.latent_size = r.integer("latent_size");
    spec.image_shape = r.triple("image_shape");

    const json& g = root.at("generator");
    Reader gr{g, "generator"};
    if (!g.is_object()) gr.fail("must be a JSON object {\"layers\": [...]}");
    gr.only({"layers"});
    std::map<std::string, int> gen_counters, disc_counters;
    spec.generator.layers = parse_layers(g, "layers", "generator", gen_counters);

    const json& d = root.at("discriminator");
    Reader dr{d, "discriminator"};
    if (!d.is_object()) dr.fail("must be a JSON object {\"layers\": [...], \"heads\": [...]}");
    dr.only({"layers", "heads", "ecal_sum"});
    spec.discriminator.layers = parse_layers(d, "layers", "discriminator", disc_counters);
    if (dr.has("ecal_sum")) spec.discriminator.ecal_sum = dr.boolean("ecal_sum");
    if (!dr.has("heads")) dr.fail("missing field \"heads\" (a real_fake and an energy head)");
    const json& heads = d.at("heads");
    if (!heads.is_array()) dr.fail("\"heads\" must be a list");
    for (std::size_t i = 0; i < heads.size(); ++i) {
      Reader hr{heads[i], "discriminator head " + std::to_string(i + 1)};
      if (!heads[i].is_object()) hr.fail("must be a JSON object {\"output\": ..., \"layers\": [...]}");
      hr.only({"output", "layers"});
      if (!hr.has("output")) hr.fail("missing field \"output\" (real_fake or energy)");
      const std::string role = hr.string("output");
      if (role != "real_fake" && role != "energy")
        hr.fail("output '" + role + "' (must be real_fake or energy)");
      HeadSpec h;
      h.role = role == "real_fake" ? HeadRole::real_fake : HeadRole::energy;
      h.layers = parse_layers(heads[i], "layers", "discriminator head " + role, disc_counters);
      spec.discriminator.heads.push_back(std::move(h));
    }
    validate_model_spec(spec);
    return spec;
  } catch (const InputError& e) {
    throw InputError(origin + ": " + e.what());
  }
}

std::string model_spec_to_json(const ModelSpec& spec) {
  ojson root;
  root["format"] = kFormat;
  root["name"] = spec.name;
  root["description"] = spec.description;
  root["latent_size"] = spec.latent_size;
  root["image_shape"] = ojson::array({spec.image_shape[0], spec.image_shape[1], spec.image_shape[2]});
  root["generator"]["layers"] = layers_to_json(spec.generator.layers);
  root["discriminator"]["layers"] = layers_to_json(spec.discriminator.layers);
  ojson heads = ojson::array();
  for (const auto& h : spec.discriminator.heads) {
    ojson hj;
    hj["output"] = role_name(h.role);
    hj["layers"] = layers_to_json(h.layers);
    heads.push_back(hj);
  }
  root["discriminator"]["heads"] = heads;
  root["discriminator"]["ecal_sum"] = spec.discriminator.ecal_sum;
  return root.dump(2) + "\n";
}

std::string model_spec_path(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool looks_like_file = name_or_path.ends_with(".json") || name_or_path.find('/') != std::string::npos;
  if (looks_like_file || fs::is_regular_file(name_or_path, ec)) return name_or_path;
  return (fs::path(data_directory()) / "models" / (name_or_path + ".json")).string();
}

ModelSpec load_model_spec(const std::string& name_or_path) {
  namespace fs = std::filesystem;
  const std::string path = model_spec_path(name_or_path);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    std::string known;
    for (const auto& n : builtin_model_names()) known += (known.empty() ? "" : ", ") + n;
    if (path == name_or_path)
      throw InputError("model spec file " + path + " does not exist (give a built-in name: " + known +
                       ", or a JSON file)");
    throw InputError("unknown model '" + name_or_path + "' (no " + path + "; built-in: " + known +
                     ") give a built-in name or a spec file NAME.json");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw InputError("cannot read model spec " + path);
  return parse_model_spec(text.str(), "model spec " + path);
}

}  // namespace calo::gan
