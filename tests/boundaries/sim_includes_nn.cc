// Must NOT compile: sim never includes nn (DESIGN.md section 2). Built by ModuleBoundary tests.
#include "nn/tensor.hh"
