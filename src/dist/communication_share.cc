#include "dist/communication_share.hh"

#include <algorithm>

#include "core/error.hh"

namespace calo::dist {

CommunicationShare communication_share(
    const std::vector<std::vector<OverlappedAllreduce::RoundTimes>>& ranks) {
  CommunicationShare share;
  if (ranks.empty()) return share;
  const std::size_t rounds = ranks.front().size();
  for (const auto& r : ranks) {
    CALO_VALIDATE(r.size() == rounds, "communication share: the ranks recorded different numbers of rounds");
    for (std::size_t u = 0; u < rounds; ++u)
      CALO_VALIDATE(
          r[u].start.size() == ranks.front()[u].start.size() && r[u].end.size() == r[u].start.size(),
          "communication share: the ranks' rounds have different buckets");
  }
  for (std::size_t u = 0; u < rounds; ++u) {
    double last_enter = 0;
    for (const auto& r : ranks) last_enter = std::max(last_enter, r[u].enter);
    for (std::size_t b = 0; b < ranks.front()[u].start.size(); ++b) {
      double last_start = 0;
      for (const auto& r : ranks) last_start = std::max(last_start, r[u].start[b]);
      for (const auto& r : ranks) share.communication += std::max(0.0, r[u].end[b] - last_start);
    }
    double round = 0;
    for (const auto& r : ranks) {
      const double exposed = std::clamp(r[u].leave - last_enter, 0.0, r[u].leave - r[u].enter);
      round += exposed;
      share.imbalance += (r[u].leave - r[u].enter) - exposed;
    }
    share.exposed += round;
    share.exposed_per_round.push_back(round / static_cast<double>(ranks.size()));
  }
  const auto n = static_cast<double>(ranks.size());
  share.communication /= n, share.exposed /= n, share.imbalance /= n;
  return share;
}

double CommunicationShare::median_exposed_per_round() const {
  if (exposed_per_round.empty()) return 0;
  std::vector<double> v = exposed_per_round;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (v.size() % 2 == 1) return *mid;
  return 0.5 * (*mid + *std::max_element(v.begin(), mid));
}

std::vector<double> flatten(const std::vector<OverlappedAllreduce::RoundTimes>& rounds) {
  std::vector<double> flat;
  for (const auto& r : rounds) {
    flat.push_back(r.enter), flat.push_back(r.leave);
    for (std::size_t b = 0; b < r.start.size(); ++b) flat.push_back(r.start[b]), flat.push_back(r.end[b]);
  }
  return flat;
}

std::vector<OverlappedAllreduce::RoundTimes> unflatten(
    const std::vector<double>& flat, const std::vector<OverlappedAllreduce::RoundTimes>& shape) {
  std::vector<OverlappedAllreduce::RoundTimes> rounds = shape;
  std::size_t at = 0;
  for (auto& r : rounds) {
    CALO_VALIDATE(at + 2 + 2 * r.start.size() <= flat.size(), "communication share: too few recorded times");
    r.enter = flat[at++], r.leave = flat[at++];
    for (std::size_t b = 0; b < r.start.size(); ++b) r.start[b] = flat[at++], r.end[b] = flat[at++];
  }
  CALO_VALIDATE(at == flat.size(), "communication share: too many recorded times");
  return rounds;
}

}  // namespace calo::dist
