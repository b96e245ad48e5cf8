#include "train/distributed_gradients.hh"

#include "core/error.hh"

namespace calo::train {

DistributedGradients::DistributedGradients(dist::Communicator& comm, std::size_t fusion_bytes,
                                           dist::Timeline* timeline, bool overlap)
    : comm_(comm), fusion_bytes_(fusion_bytes), timeline_(timeline), overlap_(overlap) {
  hook_ = [this](const nn::Layer& layer) {
    if (!current_) return;
    const auto it = current_->entries_of_layer.find(layer.name());
    if (it == current_->entries_of_layer.end()) return;
    for (std::size_t e : it->second) current_->reduce->entry_final(e);
  };
}

void DistributedGradients::set_batches(std::int64_t local, std::int64_t global) {
  CALO_ASSERT(local >= 0 && global > 0);
  local_ = local, global_ = global;
}

DistributedGradients::Network& DistributedGradients::network(nn::ParameterStore& store) {
  const auto found = networks_.find(&store);
  if (found != networks_.end()) return found->second;
  Network n;
  std::vector<std::size_t> offsets, sizes;
  const std::vector<nn::ParameterInfo>& params = store.parameters();
  for (std::size_t e = 0; e < params.size(); ++e) {
    offsets.push_back(params[e].offset), sizes.push_back(params[e].size);
    const std::size_t dot = params[e].name.rfind('.');
    n.entries_of_layer[params[e].name.substr(0, dot)].push_back(e);
  }
  const std::string label =
      params.empty() ? "" : params.front().name.substr(0, params.front().name.find('.'));
  n.reduce = std::make_unique<dist::OverlappedAllreduce>(
      comm_, store.grads(), dist::fusion_buckets(offsets, sizes, fusion_bytes_), timeline_, label, overlap_);
  return networks_.emplace(&store, std::move(n)).first->second;
}

void DistributedGradients::begin(nn::ParameterStore& store) {
  current_ = &network(store);
  current_->reduce->begin(static_cast<float>(local_));
}

void DistributedGradients::finish(nn::ParameterStore& store) {
  Network& n = network(store);
  n.reduce->finish(1.f / static_cast<float>(global_));
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

}  // namespace calo::train
