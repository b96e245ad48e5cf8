#pragma once
// The verdict of one observable (docs/validation.md, "Verdict"): each metric against its
// statistical scale, the larger of the size-corrected baseline and the null expectation.
#include "physics/validation.hh"

namespace calo::physics {

/// Sets result.ratio, result.decisive_metric and result.verdict from its metrics, baseline,
/// expected and size_factor. w1_floor: the smallest W1 scale [units of x] (a tiny fraction
/// of the reference's spread, so that identical constant samples stay green).
void judge(ObservableResult& result, double w1_floor);

}  // namespace calo::physics
