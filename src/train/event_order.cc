#include "train/event_order.hh"

#include <cmath>

#include "core/error.hh"

namespace calo::train {

bool is_validation_event(std::uint64_t j, double validation_fraction) {
  // Exact in double for j < 2^52: the floors compare integers.
  return std::floor((j + 1) * validation_fraction) > std::floor(j * validation_fraction);
}

std::uint64_t uniform_below(Rng& rng, std::uint64_t n) {
  CALO_ASSERT(n > 0);
  // Lemire (2019), "Fast random integer generation in an interval": the high word of x * n is
  // uniform once the low words below 2^64 mod n are rejected.
  unsigned __int128 m = static_cast<unsigned __int128>(rng.next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng.next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::vector<EventRef> epoch_order(std::span<const EventRef> training_events, std::uint64_t seed,
                                  std::uint64_t epoch, int rank, int ranks) {
  CALO_VALIDATE(ranks >= 1 && rank >= 0 && rank < ranks,
                "invalid rank " + std::to_string(rank) + " of " + std::to_string(ranks));
  std::vector<EventRef> all(training_events.begin(), training_events.end());
  Rng rng(seed, epoch);
  for (std::size_t i = all.size(); i > 1; --i) std::swap(all[i - 1], all[uniform_below(rng, i)]);
  if (ranks == 1) return all;
  return epoch_shard(all, 0, rank, ranks);
}

std::vector<EventRef> epoch_shard(std::span<const EventRef> order, std::uint64_t consumed, int rank,
                                  int ranks) {
  CALO_VALIDATE(ranks >= 1 && rank >= 0 && rank < ranks,
                "invalid rank " + std::to_string(rank) + " of " + std::to_string(ranks));
  std::vector<EventRef> mine;
  mine.reserve(order.size() / ranks + 1);
  for (std::size_t i = consumed + rank; i < order.size(); i += ranks) mine.push_back(order[i]);
  return mine;
}

}  // namespace calo::train
