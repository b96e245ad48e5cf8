#include "nn/optimizer.hh"

#include <cmath>

#include "core/error.hh"

namespace calo::nn {

Optimizer::Optimizer(ParameterStore& store) : store_(store) {
  CALO_VALIDATE(store.finalized(), "optimizer: the parameter store must be finalized first");
}

void Optimizer::add_slot(std::string slot) {
  slots_.emplace_back(std::move(slot), std::vector<float>(store_.size(), 0.f));
}

std::map<std::string, std::vector<float>> Optimizer::state() const {
  std::map<std::string, std::vector<float>> out;
  for (const auto& [slot, buf] : slots_)
    for (const auto& p : store_.parameters())
      out[p.name + "/" + slot].assign(buf.begin() + p.offset, buf.begin() + p.offset + p.size);
  return out;
}

void Optimizer::load_state(const std::map<std::string, std::vector<float>>& state) {
  for (auto& [slot, buf] : slots_)
    for (const auto& p : store_.parameters()) {
      const std::string key = p.name + "/" + slot;
      auto it = state.find(key);
      CALO_VALIDATE(it != state.end(), "optimizer state: missing " + key);
      CALO_VALIDATE(it->second.size() == p.size, "optimizer state: " + key + " has " +
                                                     std::to_string(it->second.size()) +
                                                     " values (expected " + std::to_string(p.size) + ")");
      std::copy(it->second.begin(), it->second.end(), buf.begin() + p.offset);
    }
}

void Optimizer::set_iterations(std::int64_t n) {
  CALO_VALIDATE(n >= 0, "optimizer state: negative step count " + std::to_string(n));
  iterations_ = n;
}

namespace {
/// Below this many parameters an update is a few microseconds: threads would cost more (and a
/// small network's training, e.g. validate's classifier, then spent most of its time in
/// OpenMP's spinning workers).
constexpr std::int64_t kParallelUpdateMin = 1 << 16;
}  // namespace

RMSprop::RMSprop(ParameterStore& store, float lr, float rho, float epsilon)
    : Optimizer(store), rho_(rho), eps_(epsilon) {
  lr_ = lr;
  add_slot("rms");
}

void RMSprop::step() {
  auto w = store_.values();
  auto g = store_.grads();
  float* v = slot(0).data();
  const std::int64_t n = static_cast<std::int64_t>(w.size());
  const float lr = lr_, rho = rho_, eps = eps_;
#pragma omp parallel for schedule(static) if (n >= kParallelUpdateMin)
  for (std::int64_t i = 0; i < n; ++i) {
    v[i] = rho * v[i] + (1.f - rho) * g[i] * g[i];
    w[i] -= lr * g[i] / (std::sqrt(v[i]) + eps);
  }
  ++iterations_;
}

Adam::Adam(ParameterStore& store, float lr, float beta1, float beta2, float epsilon)
    : Optimizer(store), b1_(beta1), b2_(beta2), eps_(epsilon) {
  lr_ = lr;
  add_slot("m");
  add_slot("v");
}

void Adam::step() {
  ++iterations_;
  const double t = static_cast<double>(iterations_);
  const float lr_t = static_cast<float>(lr_ * std::sqrt(1.0 - std::pow(b2_, t)) / (1.0 - std::pow(b1_, t)));
  auto w = store_.values();
  auto g = store_.grads();
  float* m = slot(0).data();
  float* v = slot(1).data();
  const std::int64_t n = static_cast<std::int64_t>(w.size());
  const float b1 = b1_, b2 = b2_, eps = eps_;
#pragma omp parallel for schedule(static) if (n >= kParallelUpdateMin)
  for (std::int64_t i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + (1.f - b1) * g[i];
    v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
    w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
  }
}

}  // namespace calo::nn
