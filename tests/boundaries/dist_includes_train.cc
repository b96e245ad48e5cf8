// Must NOT compile: dist never includes train (DESIGN.md section 2: train uses dist's
// communicator, dist knows nothing of networks or training). Built by ModuleBoundary tests.
#include "train/gradient_sync.hh"
