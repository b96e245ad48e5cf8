// Must compile: the classifier module sees physics and nn (its DEPS). Built by ModuleBoundary tests.
#include "nn/tensor.hh"
#include "physics/two_sample_result.hh"
