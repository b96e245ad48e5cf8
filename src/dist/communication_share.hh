#pragma once
// How much of a data-parallel step's communication the overlap hides, with the time a rank
// waits for slower ranks told apart from the time the collectives themselves take (Horovod's
// timeline makes the same cut: NEGOTIATE_ALLREDUCE, every rank ready, then the ALLREDUCE).
// On a shared, oversubscribed machine the ranks drift by milliseconds per update while a
// bucket's allreduce takes tens of microseconds, so a share computed from a rank's own times
// alone (1 - its wait in finish() / its time in collectives) mostly measures that drift.
//
// From every rank's OverlappedAllreduce::RoundTimes on one host (a shared steady clock),
// per rank r, round u and bucket b:
//   communication  = end_r(u, b) - max over ranks of start(u, b)   (the collective, once
//                    every rank has started it)
//   exposed        = leave_r(u) - max over ranks of enter(u)       (waited after every rank's
//                    backward was done), at least 0
//   imbalance      = the rest of rank r's wait in finish(): for slower ranks to get there
// each summed and averaged over the ranks; hidden = 1 - exposed / communication.
#include <vector>

#include "dist/overlapped_allreduce.hh"

namespace calo::dist {

struct CommunicationShare {
  double communication = 0;               ///< [s] per rank, see above
  double exposed = 0;                     ///< [s] per rank
  double imbalance = 0;                   ///< [s] per rank
  std::vector<double> exposed_per_round;  ///< [s] each round's, mean over the ranks (exposed: their sum)
  double hidden() const { return communication > 0 ? 1 - exposed / communication : 0; }
  /// The median of exposed_per_round: a typical round's, blind to the odd scheduling hiccup.
  double median_exposed_per_round() const;
};

/// ranks[r]: rank r's rounds, the same rounds with the same buckets in the same order on every
/// rank (InputError otherwise).
CommunicationShare communication_share(
    const std::vector<std::vector<OverlappedAllreduce::RoundTimes>>& ranks);

/// A rank's rounds as one flat vector (enter, leave, then per bucket start and end) and back,
/// to gather them over a communicator.
std::vector<double> flatten(const std::vector<OverlappedAllreduce::RoundTimes>& rounds);
std::vector<OverlappedAllreduce::RoundTimes> unflatten(
    const std::vector<double>& flat, const std::vector<OverlappedAllreduce::RoundTimes>& shape);

}  // namespace calo::dist
