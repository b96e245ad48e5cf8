#include "train/distributed_gradients.hh"

#include <algorithm>
#include <chrono>

#include "core/error.hh"
#include "dist/fusion_buckets.hh"
#include "nn/dense.hh"

namespace calo::train {

DenseFactors parse_dense_factors(const std::string& text) {
  if (text == "auto") return DenseFactors::automatic;
  if (text == "always") return DenseFactors::always;
  if (text == "never") return DenseFactors::never;
  throw InputError("invalid --dense-factors '" + text + "' (auto, always or never)");
}

std::string to_string(DenseFactors f) {
  switch (f) {
    case DenseFactors::automatic:
      return "auto";
    case DenseFactors::always:
      return "always";
    case DenseFactors::never:
      return "never";
  }
  return "?";
}

DistributedGradients::DistributedGradients(dist::Communicator& comm, std::size_t fusion_bytes,
                                           dist::Timeline* timeline, bool overlap,
                                           std::int64_t max_local_batch, DenseFactors factors)
    : comm_(comm),
      fusion_bytes_(fusion_bytes),
      timeline_(timeline),
      overlap_(overlap),
      max_local_(max_local_batch),
      factor_rule_(factors) {
  CALO_ASSERT(max_local_batch >= 0);
  hook_ = [this](const nn::Layer& layer) {
    if (!current_) return;
    const auto it = current_->entries_of_layer.find(layer.name());
    if (it == current_->entries_of_layer.end()) return;
    for (std::size_t e : it->second) current_->reduce->entry_final(e);
  };
  sink_ = [this](const nn::Layer& layer, const nn::GradientFactors& f) { return take_factors(layer, f); };
}

void DistributedGradients::set_batches(std::int64_t local, std::int64_t global) {
  CALO_ASSERT(local >= 0 && global > 0);
  CALO_ASSERT(max_local_ == 0 || local <= max_local_);
  local_ = local, global_ = global;
}

DistributedGradients::Network& DistributedGradients::network(nn::ParameterStore& store) {
  const auto found = networks_.find(&store);
  if (found != networks_.end()) return found->second;
  Network n;
  const std::vector<nn::ParameterInfo>& params = store.parameters();
  for (std::size_t e = 0; e < params.size(); ++e) {
    const std::size_t dot = params[e].name.rfind('.');
    n.entries_of_layer[params[e].name.substr(0, dot)].push_back(e);
  }
  // Dense layers: "<layer>.weight" [out][in], an optional "<layer>.bias" [out], nothing else.
  const auto ranks = static_cast<std::int64_t>(comm_.size());
  std::vector<bool> factored(params.size(), false);
  if (ranks > 1 && max_local_ > 0 && factor_rule_ != DenseFactors::never)
    for (const auto& [layer, entries] : n.entries_of_layer) {
      const nn::ParameterInfo& w = params[entries.front()];
      if (w.name != layer + ".weight" || w.shape.size() != 2 || entries.size() > 2) continue;
      const std::int64_t out = w.shape[0], in = w.shape[1];
      if (entries.size() == 2 &&
          (params[entries[1]].name != layer + ".bias" || entries[1] != entries[0] + 1 ||
           params[entries[1]].shape != std::vector<std::int64_t>{out}))
        continue;
      if (factor_rule_ == DenseFactors::automatic && ranks * max_local_ * (in + out) >= in * out) continue;
      FactorLayer f;
      f.weight = entries.front(), f.bias = entries.back(), f.in = in, f.out = out;
      f.mine.assign(static_cast<std::size_t>(max_local_ * (in + out)), 0.f);
      f.all.assign(f.mine.size() * static_cast<std::size_t>(ranks), 0.f);
      for (std::size_t e : entries) factored[e] = true;
      n.factors.emplace(layer, std::move(f));
    }
  // Buckets from the buffer's end: fusion buckets over each run of ordinary entries, one
  // bucket of its own per factor layer.
  std::vector<std::size_t> offsets, sizes;
  for (const nn::ParameterInfo& p : params) offsets.push_back(p.offset), sizes.push_back(p.size);
  std::vector<dist::Bucket> buckets;
  std::vector<std::string> factor_bucket_layer;  // per bucket: its factor layer ("" none)
  std::size_t end = params.size();
  while (end > 0) {
    std::size_t begin = end;
    while (begin > 0 && factored[begin - 1] == factored[end - 1]) --begin;
    if (factored[end - 1]) {
      // One Dense layer's entries (weight, bias) at a time.
      const std::string layer = params[end - 1].name.substr(0, params[end - 1].name.rfind('.'));
      begin = n.factors.at(layer).weight;
      buckets.push_back({offsets[begin], offsets[end - 1] + sizes[end - 1] - offsets[begin], begin, end});
      factor_bucket_layer.push_back(layer);
      n.exchanged_floats += n.factors.at(layer).mine.size();
    } else {
      const std::span<const std::size_t> o(offsets.data() + begin, end - begin),
          s(sizes.data() + begin, end - begin);
      for (dist::Bucket b : dist::fusion_buckets(o, s, fusion_bytes_)) {
        b.first_entry += begin, b.end_entry += begin;
        buckets.push_back(b);
        factor_bucket_layer.emplace_back();
        n.exchanged_floats += b.size;
      }
    }
    end = begin;
  }
  const std::string label =
      params.empty() ? "" : params.front().name.substr(0, params.front().name.find('.'));
  n.reduce = std::make_unique<dist::OverlappedAllreduce>(comm_, store.grads(), std::move(buckets), timeline_,
                                                         label, overlap_);
  n.reduce->record_rounds(record_);
  Network& placed = networks_.emplace(&store, std::move(n)).first->second;
  for (std::size_t b = 0; b < factor_bucket_layer.size(); ++b)
    if (!factor_bucket_layer[b].empty()) {
      FactorLayer* f = &placed.factors.at(factor_bucket_layer[b]);
      placed.reduce->set_exchange(b, [this, f] { return comm_.start_allgather(f->mine, f->all); });
    }
  return placed;
}

bool DistributedGradients::take_factors(const nn::Layer& layer, const nn::GradientFactors& f) {
  if (!current_) return false;
  const auto it = current_->factors.find(layer.name());
  if (it == current_->factors.end()) return false;
  FactorLayer& mine = it->second;
  CALO_ASSERT(layer.type() == "Dense" && f.in == mine.in && f.out == mine.out && f.n == local_);
  const auto x = static_cast<std::size_t>(max_local_ * mine.in);
  std::ranges::copy(f.x, mine.mine.begin());
  // Weighted as the allreduce weights a bucket (overlapped_allreduce.hh): by the local batch.
  const auto weight = static_cast<float>(local_);
  std::ranges::transform(f.dy, mine.mine.begin() + static_cast<std::ptrdiff_t>(x),
                         [weight](float d) { return weight * d; });
  mine.given = true;
  return true;
}

void DistributedGradients::begin(nn::ParameterStore& store) {
  current_ = &network(store);
  for (auto& [layer, f] : current_->factors) {
    std::ranges::fill(f.mine, 0.f);
    f.given = false;
  }
  current_->reduce->begin(static_cast<float>(local_));
}

void DistributedGradients::finish(nn::ParameterStore& store) {
  Network& n = network(store);
  const float scale = 1.f / static_cast<float>(global_);
  n.reduce->finish(scale);
  if (!n.factors.empty()) {
    const auto t0 = dist::Timeline::Clock::now();
    for (auto& [layer, f] : n.factors) {
      // A rank with events whose layer did not hand its factors would lose its gradient.
      CALO_ASSERT(f.given || local_ == 0);
      const std::span<float> grads = store.grads();
      const std::span<float> dw =
          grads.subspan(store.parameters()[f.weight].offset, static_cast<std::size_t>(f.out * f.in));
      const std::span<float> db = f.bias == f.weight ? std::span<float>()
                                                     : grads.subspan(store.parameters()[f.bias].offset,
                                                                     static_cast<std::size_t>(f.out));
      const std::size_t x = static_cast<std::size_t>(max_local_ * f.in), rank = f.mine.size();
      for (std::size_t r = 0; r < static_cast<std::size_t>(comm_.size()); ++r) {
        const std::span<const float> all(f.all.data() + r * rank, rank);
        nn::accumulate_dense_gradients(
            {.x = all.first(x), .dy = all.subspan(x), .n = max_local_, .in = f.in, .out = f.out}, scale, dw,
            db);
      }
    }
    if (timeline_)
      timeline_->add("dense factors " + n.reduce->label(), dist::Timeline::kCompute, t0,
                     dist::Timeline::Clock::now());
  }
  current_ = nullptr;
}

double DistributedGradients::reduce_seconds() const {
  double s = 0;
  for (const auto& [store, n] : networks_) s += n.reduce->reduce_seconds();
  return s;
}

double DistributedGradients::wait_seconds() const {
  double s = 0;
  for (const auto& [store, n] : networks_) s += n.reduce->wait_seconds();
  return s;
}

std::size_t DistributedGradients::buckets(const nn::ParameterStore& store) const {
  const auto it = networks_.find(&store);
  return it == networks_.end() ? 0 : it->second.reduce->bucket_count();
}

void DistributedGradients::record_rounds(bool on) {
  record_ = on;
  for (auto& [store, n] : networks_) n.reduce->record_rounds(on);
}

std::vector<dist::OverlappedAllreduce::RoundTimes> DistributedGradients::rounds() const {
  std::vector<const Network*> order;
  for (const auto& [store, n] : networks_) order.push_back(&n);
  std::ranges::sort(order, {}, [](const Network* n) { return n->reduce->label(); });
  std::vector<dist::OverlappedAllreduce::RoundTimes> all;
  for (const Network* n : order)
    all.insert(all.end(), n->reduce->rounds().begin(), n->reduce->rounds().end());
  return all;
}

std::vector<std::string> DistributedGradients::factor_layers(const nn::ParameterStore& store) const {
  std::vector<std::string> names;
  const auto it = networks_.find(&store);
  if (it != networks_.end())
    for (const auto& [layer, f] : it->second.factors) names.push_back(layer);
  return names;
}

std::size_t DistributedGradients::exchanged_floats(const nn::ParameterStore& store) const {
  const auto it = networks_.find(&store);
  return it == networks_.end() ? 0 : it->second.exchanged_floats;
}

}  // namespace calo::train
