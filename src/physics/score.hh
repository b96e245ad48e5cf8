#pragma once
// The overall score (docs/validation.md, "Score"), in the spirit of 3DGAN's GANutils.metric.
#include "physics/validation.hh"

namespace calo::physics {

/// Sets result.score and result.baseline_score from the compared bins, and result.verdict
/// (the worst observable verdict; amber when no bin was compared).
void score_and_verdict(ValidationResult& result);

}  // namespace calo::physics
