// Must NOT compile: nn never includes sim (DESIGN.md section 2). Built by ModuleBoundary tests.
#include "sim/material/material.hh"
