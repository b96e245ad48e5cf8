#pragma once
// The learning rate of a data-parallel run (Goyal et al. 2017, "Accurate, Large Minibatch SGD",
// section 2; Horovod's LearningRateWarmupCallback, as the seed's scripts used it): R ranks
// train on R times the batch, so the rate is R times the single-process rate, reached by a
// linear ramp from the single-process rate over the first warmup_epochs epochs:
//
//   scale(t) = 1 + (R - 1) min(1, t / warmup_epochs)      t: epochs done (fractional)
//
// (warmup_epochs 0: R from the start; R = 1: always 1, the single-process recipe). The
// trainer's own --warmup-steps ramp multiplies on top.
namespace calo::train {

/// scale(t) above. ranks >= 1, epochs_done >= 0, warmup_epochs >= 0.
double learning_rate_scale(double epochs_done, int ranks, double warmup_epochs);

}  // namespace calo::train
