#pragma once
// Which events a run trains and validates on, and in what order: pure functions of the event
// counts, the validation fraction, the seed, the epoch and the rank, so that a resumed or
// distributed run sees exactly the events an uninterrupted single-process run would.
//
// Split rule (fixed, seed-independent, stable when files are added): within each file, event j
// is a validation event iff floor((j + 1) f) > floor(j f), i.e. every (1/f)-th event, spread
// evenly through the file, round-down(n f) of them. Files made in energy order (a `simulate
// --energy 10,50,100` list cycles) thus put every energy in both parts.
//
// Epoch order: the training events shuffled by Fisher-Yates with calo::Rng(seed, epoch); rank r
// of R takes positions r, r + R, r + 2R, ... of that order, so every training event is seen
// exactly once per epoch across ranks and the ranks' shares differ by at most one event.
#include <compare>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hh"

namespace calo::train {

/// One event of a data set: file index (into the data set's file list) and event within it.
struct EventRef {
  std::uint32_t file = 0;
  std::uint32_t event = 0;
  friend auto operator<=>(const EventRef&, const EventRef&) = default;  // file, then event
};

/// The split rule above for event j of a file.
bool is_validation_event(std::uint64_t j, double validation_fraction);

/// Uniform integer in [0, n) from rng, unbiased (Lemire's multiply-and-reject), n > 0.
std::uint64_t uniform_below(Rng& rng, std::uint64_t n);

/// This rank's training order for an epoch (see above). rank < ranks.
std::vector<EventRef> epoch_order(std::span<const EventRef> training_events, std::uint64_t seed,
                                  std::uint64_t epoch, int rank = 0, int ranks = 1);

/// Rank r's share of an epoch's (whole, one-rank) order whose first `consumed` events are
/// trained on: positions consumed + r, consumed + r + R, ... So with batch b per rank, step j
/// of the ranks together trains on order positions consumed + [jRb, (j+1)Rb), the global batch
/// of one rank with batch Rb, and a run resumes on any number of ranks at the next event.
/// epoch_shard(epoch_order(t, s, e), 0, r, R) == epoch_order(t, s, e, r, R).
std::vector<EventRef> epoch_shard(std::span<const EventRef> order, std::uint64_t consumed, int rank,
                                  int ranks);

}  // namespace calo::train
