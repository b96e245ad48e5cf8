// Must compile: the control for nn_includes_sim.cc, same spelling, headers nn may include
// (its own, core).
#include "core/units.hh"
#include "nn/tensor.hh"
