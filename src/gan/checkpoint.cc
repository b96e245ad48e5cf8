#include "gan/checkpoint.hh"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "core/data_path.hh"
#include "core/error.hh"
#include "gan/tensor_names.hh"
#include "io/checkpoint_file.hh"

namespace calo::gan {

namespace {

const char* kLayout =
    "docs/checkpoint.md: /model_spec (JSON); /<net>/<layer>/<tensor> float32 (kernel, bias, gamma, beta, "
    "moving_mean, moving_variance), conv kernel (out, in, kx, ky, klayer), dense kernel (out, in) with Keras "
    "channels-last feature order; /optimizer/<net>/<layer>/<tensor>/<slot>; "
    "/training/{epoch,step,seed,rng_state,dropout_seeds,dropout_counters,generator_average}, "
    "/training/notes/<name> (text)";

const char* kNotesGroup = "training/notes";
const char* kAverageDataset = "training/generator_average";

/// Every entry (parameters, then state) of a store with its checkpoint name.
struct Entry {
  std::string name;  ///< "generator/conv1/kernel"
  io::ArrayShape shape;
  bool state = false;
  std::size_t index = 0;  ///< into store.parameters() / store.states()
};

std::vector<Entry> entries(const nn::ParameterStore& store) {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < store.parameters().size(); ++i) {
    const auto& p = store.parameters()[i];
    out.push_back({tensor_name(p.name), p.shape, false, i});
  }
  for (std::size_t i = 0; i < store.states().size(); ++i) {
    const auto& p = store.states()[i];
    out.push_back({tensor_name(p.name), p.shape, true, i});
  }
  return out;
}

std::span<const float> values(nn::ParameterStore& store, const Entry& e) {
  return e.state ? store.state(e.index) : store.value(e.index);
}

/// Optimiser slot keys "<store name>/<slot>" -> checkpoint paths.
std::string slot_path(const std::string& key) {
  const std::size_t slash = key.rfind('/');
  return "optimizer/" + tensor_name(key.substr(0, slash)) + key.substr(slash);
}

void save_store(io::CheckpointWriter& w, nn::ParameterStore& store) {
  for (const Entry& e : entries(store)) w.write_array(e.name, e.shape, values(store, e));
}

/// Shape of optimiser slot `key` ("<store name>/<slot>"): its parameter's shape when the
/// store is known, else flat.
io::ArrayShape slot_shape(const nn::ParameterStore* store, const std::string& key, std::size_t size) {
  if (store)
    if (auto i = store->find(key.substr(0, key.rfind('/')))) return store->parameters()[*i].shape;
  return {static_cast<std::int64_t>(size)};
}

void save_optimizer(io::CheckpointWriter& w, const std::string& net, const nn::Optimizer& opt,
                    const nn::ParameterStore* store) {
  const std::string group = "optimizer/" + net;
  w.set_attribute(group, "type", opt.type());
  w.set_attribute(group, "learning_rate", static_cast<double>(opt.learning_rate()));
  w.write_int(group + "/iterations", opt.iterations());
  for (const auto& [key, data] : opt.state())
    w.write_array(slot_path(key), slot_shape(store, key, data.size()), data);
}

/// The first line where two canonical spec texts differ, for the mismatch message.
std::string first_difference(const std::string& file_text, const std::string& model_text) {
  std::istringstream a(file_text), b(model_text);
  std::string la, lb;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    if (!s.empty() && s.back() == ',') s.pop_back();
    return s;
  };
  while (true) {
    bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) return "";
    if (!ga || !gb || la != lb)
      return "checkpoint " + (ga ? trim(la) : "<end>") + " vs model " + (gb ? trim(lb) : "<end>");
  }
}

/// Reads every tensor of store from the file (checked), without touching the store.
std::vector<std::vector<float>> read_store(const io::CheckpointReader& r, const nn::ParameterStore& store,
                                           const std::string& net) {
  const std::vector<Entry> list = entries(store);
  std::set<std::string> expected;
  std::vector<std::vector<float>> data;
  for (const Entry& e : list) {
    expected.insert(e.name);
    data.push_back(r.read_array(e.name, &e.shape));
  }
  for (const std::string& name : r.list_datasets(net))
    if (!expected.count(name))
      throw InputError("checkpoint " + r.path() + ": unexpected tensor /" + name +
                       " (not in the model: the file was written by another model or version)");
  return data;
}

void commit_store(nn::ParameterStore& store, const std::vector<std::vector<float>>& data) {
  const std::vector<Entry> list = entries(store);
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::span<float> dst = list[i].state ? store.state(list[i].index) : store.value(list[i].index);
    std::copy(data[i].begin(), data[i].end(), dst.begin());
  }
}

/// An optimiser's slots and its exact step count, as read from a file.
struct OptimizerState {
  std::map<std::string, std::vector<float>> slots;
  std::int64_t iterations = 0;
};

OptimizerState read_optimizer(const io::CheckpointReader& r, const std::string& net, const nn::Optimizer& opt,
                              const nn::ParameterStore* store) {
  const std::string group = "optimizer/" + net;
  if (!r.has_dataset(group + "/iterations"))
    throw InputError("checkpoint " + r.path() + ": no optimiser state for the " + net +
                     " (saved without it) resume from a training checkpoint");
  const std::string type = r.attribute(group, "type");
  if (type != opt.type())
    throw InputError("checkpoint " + r.path() + ": the " + net + " optimiser state is " + type +
                     ", the trainer uses " + opt.type() + " (the state cannot be converted)");
  OptimizerState state;
  state.iterations = r.read_int(group + "/iterations");
  if (state.iterations < 0)
    throw InputError("checkpoint " + r.path() + ": negative " + net + " optimiser step count (corrupt file)");
  for (const auto& [key, current] : opt.state()) {
    const io::ArrayShape shape = slot_shape(store, key, current.size());
    state.slots[key] = r.read_array(slot_path(key), &shape);
  }
  return state;
}

/// The store of a network part, or nullptr.
template <class Net>
const nn::ParameterStore* store_of(const Net* net) {
  return net ? &net->store() : nullptr;
}

std::map<std::string, std::string> read_notes(const io::CheckpointReader& r) {
  std::map<std::string, std::string> notes;
  const std::string prefix = std::string(kNotesGroup) + "/";
  for (const std::string& name : r.list_datasets(kNotesGroup))
    notes[name.substr(prefix.size())] = r.read_text(name);
  return notes;
}

}  // namespace

void save_checkpoint(const std::string& path, const ModelSpec& spec, const CheckpointParts& parts,
                     const TrainingPosition& position, bool overwrite) {
  io::CheckpointWriter w(path, overwrite);
  w.set_attribute("", "format", kCheckpointFormat);
  w.set_attribute("", "variant", spec.name);
  w.set_attribute("", "layout", kLayout);
  w.set_attribute("", "calo3dgan_version", calo::version());
  w.write_text("model_spec", model_spec_to_json(spec));
  if (parts.generator) save_store(w, parts.generator->store());
  if (parts.discriminator) save_store(w, parts.discriminator->store());
  if (parts.generator_optimizer)
    save_optimizer(w, "generator", *parts.generator_optimizer, store_of(parts.generator));
  if (parts.discriminator_optimizer)
    save_optimizer(w, "discriminator", *parts.discriminator_optimizer, store_of(parts.discriminator));
  if (parts.generator_average && !parts.generator_average->empty())
    w.write_array(kAverageDataset, {static_cast<std::int64_t>(parts.generator_average->size())},
                  *parts.generator_average);
  w.write_int("training/epoch", position.epoch);
  w.write_int("training/step", position.step);
  w.write_uint("training/seed", position.seed);
  w.write_uints("training/rng_state", position.rng_state);
  for (const auto& [name, text] : position.notes) {
    CALO_VALIDATE(!name.empty() && name.find('/') == std::string::npos,
                  "checkpoint note name '" + name + "' must be non-empty and free of '/'");
    w.write_text(std::string(kNotesGroup) + "/" + name, text);
  }
  if (parts.discriminator) {  // the Dropout mask streams, so a resumed run draws the same masks
    std::vector<std::uint64_t> seeds, counters;
    for (const auto& s : parts.discriminator->dropout_streams()) {
      seeds.push_back(s.seed);
      counters.push_back(s.counter);
    }
    w.write_uints("training/dropout_seeds", seeds);
    w.write_uints("training/dropout_counters", counters);
  }
  w.commit();
}

ModelSpec read_checkpoint_spec(const std::string& path) {
  io::CheckpointReader r(path, kCheckpointFormat);
  return parse_model_spec(r.read_text("model_spec"), "checkpoint " + path + ": stored model spec");
}

std::map<std::string, std::string> read_checkpoint_notes(const std::string& path) {
  return read_notes(io::CheckpointReader(path, kCheckpointFormat));
}

TrainingPosition load_checkpoint(const std::string& path, const ModelSpec& spec,
                                 const CheckpointParts& parts) {
  io::CheckpointReader r(path, kCheckpointFormat);
  const std::string file_text = r.read_text("model_spec");
  const ModelSpec stored = parse_model_spec(file_text, "checkpoint " + path + ": stored model spec");
  const std::string file_canonical = model_spec_to_json(stored), model_canonical = model_spec_to_json(spec);
  if (file_canonical != model_canonical)
    throw InputError("checkpoint " + path + " was written for model spec '" + stored.name +
                     "', which differs from the model's spec '" + spec.name + "' (" +
                     first_difference(file_canonical, model_canonical) +
                     ") build the model from the checkpoint's spec");

  // Read and check everything first; change the model only when all of it is there.
  std::vector<std::vector<float>> gen, disc;
  OptimizerState opt_g, opt_d;
  if (parts.generator) gen = read_store(r, parts.generator->store(), "generator");
  if (parts.discriminator) disc = read_store(r, parts.discriminator->store(), "discriminator");
  if (parts.generator_optimizer)
    opt_g = read_optimizer(r, "generator", *parts.generator_optimizer, store_of(parts.generator));
  if (parts.discriminator_optimizer)
    opt_d = read_optimizer(r, "discriminator", *parts.discriminator_optimizer, store_of(parts.discriminator));
  std::vector<float> average;
  if (parts.generator_average && r.has_dataset(kAverageDataset)) {
    average = r.read_array(kAverageDataset);
    const std::size_t expected = parts.generator ? parts.generator->store().values().size() : average.size();
    if (average.size() != expected)
      throw InputError("checkpoint " + path + ": a generator average of " + std::to_string(average.size()) +
                       " values for a generator of " + std::to_string(expected) +
                       " (corrupt file or another model)");
  }
  TrainingPosition position;
  position.epoch = r.read_int("training/epoch");
  position.step = r.read_int("training/step");
  position.seed = r.read_uint("training/seed");
  position.rng_state = r.read_uints("training/rng_state");
  position.notes = read_notes(r);
  // Dropout streams (absent in files written before they were saved: left as they are).
  std::vector<Discriminator::DropoutStream> streams;
  const bool has_streams = parts.discriminator && r.has_dataset("training/dropout_counters");
  if (has_streams) {
    const std::vector<std::uint64_t> seeds = r.read_uints("training/dropout_seeds");
    const std::vector<std::uint64_t> counters = r.read_uints("training/dropout_counters");
    const std::size_t expected = parts.discriminator->dropout_streams().size();
    if (seeds.size() != expected || counters.size() != expected)
      throw InputError("checkpoint " + path + ": " + std::to_string(counters.size()) +
                       " dropout streams for a discriminator with " + std::to_string(expected) +
                       " Dropout layers (corrupt file or another model)");
    for (std::size_t i = 0; i < expected; ++i) streams.push_back({seeds[i], counters[i]});
  }

  if (parts.generator) commit_store(parts.generator->store(), gen);
  if (parts.discriminator) commit_store(parts.discriminator->store(), disc);
  if (has_streams) parts.discriminator->set_dropout_streams(streams);
  if (parts.generator_average) *parts.generator_average = std::move(average);
  for (auto [opt, state] :
       {std::pair{parts.generator_optimizer, &opt_g}, std::pair{parts.discriminator_optimizer, &opt_d}})
    if (opt) {
      opt->load_state(state->slots);
      opt->set_iterations(state->iterations);
    }
  return position;
}

}  // namespace calo::gan
