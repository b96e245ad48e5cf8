#include "train/lr_schedule.hh"

#include <algorithm>

#include "core/error.hh"

namespace calo::train {

double learning_rate_scale(double epochs_done, int ranks, double warmup_epochs) {
  CALO_ASSERT(ranks >= 1 && epochs_done >= 0 && warmup_epochs >= 0);
  const double ramp = warmup_epochs > 0 ? std::min(1.0, epochs_done / warmup_epochs) : 1.0;
  return 1 + (ranks - 1) * ramp;
}

}  // namespace calo::train
