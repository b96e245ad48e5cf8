#include "nn/parameter_store.hh"

#include <algorithm>

#include "core/error.hh"

namespace calo::nn {

void ParameterStore::check_new(const std::string& name, const std::vector<std::int64_t>& shape) const {
  CALO_VALIDATE(!finalized_, "parameter " + name + ": added after finalize()");
  CALO_VALIDATE(!name.empty(), "parameter: empty name");
  CALO_VALIDATE(!find(name) && !find_state(name), "parameter " + name + ": duplicate name");
  CALO_VALIDATE(
      !shape.empty() && std::all_of(shape.begin(), shape.end(), [](std::int64_t s) { return s > 0; }),
      "parameter " + name + ": shape must be non-empty with positive sizes");
}

static std::size_t product(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (auto s : shape) n *= static_cast<std::size_t>(s);
  return n;
}

std::size_t ParameterStore::add(const std::string& name, std::vector<std::int64_t> shape) {
  check_new(name, shape);
  const std::size_t offset = params_.empty() ? 0 : params_.back().offset + params_.back().size;
  params_.push_back({name, shape, offset, product(shape)});
  return params_.size() - 1;
}

std::size_t ParameterStore::add_state(const std::string& name, std::vector<std::int64_t> shape, float init) {
  check_new(name, shape);
  const std::size_t offset = states_.empty() ? 0 : states_.back().offset + states_.back().size;
  states_.push_back({name, shape, offset, product(shape)});
  state_init_.push_back(init);
  return states_.size() - 1;
}

void ParameterStore::finalize() {
  CALO_VALIDATE(!finalized_, "parameter store: finalize() called twice");
  const std::size_t n = params_.empty() ? 0 : params_.back().offset + params_.back().size;
  values_.assign(n, 0.f);
  grads_.assign(n, 0.f);
  const std::size_t m = states_.empty() ? 0 : states_.back().offset + states_.back().size;
  state_.assign(m, 0.f);
  for (std::size_t i = 0; i < states_.size(); ++i)
    std::fill_n(state_.begin() + states_[i].offset, states_[i].size, state_init_[i]);
  finalized_ = true;
}

void ParameterStore::zero_grads() { std::fill(grads_.begin(), grads_.end(), 0.f); }

std::span<float> ParameterStore::value(std::size_t i) {
  return std::span<float>(values_).subspan(params_.at(i).offset, params_.at(i).size);
}

std::span<float> ParameterStore::grad(std::size_t i) {
  return std::span<float>(grads_).subspan(params_.at(i).offset, params_.at(i).size);
}

std::span<float> ParameterStore::state(std::size_t i) {
  return std::span<float>(state_).subspan(states_.at(i).offset, states_.at(i).size);
}

static std::optional<std::size_t> find_in(const std::vector<ParameterInfo>& v, const std::string& name) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name) return i;
  return std::nullopt;
}

std::optional<std::size_t> ParameterStore::find(const std::string& name) const {
  return find_in(params_, name);
}

std::optional<std::size_t> ParameterStore::find_state(const std::string& name) const {
  return find_in(states_, name);
}

}  // namespace calo::nn
