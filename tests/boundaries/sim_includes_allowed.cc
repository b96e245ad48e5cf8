// Must compile: the control for sim_includes_nn.cc, same spelling, headers sim may include
// (its own, io, core).
#include "core/units.hh"
#include "io/output_path.hh"
#include "sim/material/material.hh"
