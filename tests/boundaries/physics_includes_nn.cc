// Must NOT compile: physics never includes nn (DESIGN.md section 2; the classifier test that
// needs networks is the classifier module, above both). Built by ModuleBoundary tests.
#include "nn/tensor.hh"
