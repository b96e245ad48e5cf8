#pragma once
// Photoabsorption cross sections per element (internal to the photon models).
// Source: NIST XCOM (Berger & Hubbell, NBSIR 87-3597; data of Scofield 1973 for the
// photoeffect), element files MDATX3.ZZZ of XCOM 3.1. Each element is a list of nodes
// (E, sigma) with power-law (log-log linear) interpolation between them; an absorption edge
// is two nodes at the same energy (below, above). Above the last node (10 MeV) sigma ~ 1/k.
#include <span>

namespace calo::sim::photo {

struct Node {
  double e_kev;
  double sigma_barn;
};

struct ElementTable {
  int z;
  double outer_binding_kev;  ///< binding of the shell absorbing below the lowest edge listed
  std::span<const Node> nodes;
};

/// The tabulated element with this Z, or nullptr.
const ElementTable* find_table(int z);
/// The tabulated elements, by increasing Z.
std::span<const ElementTable> tables();
/// K-shell binding energy [keV] (X-ray Data Booklet, Table 1-1) for Z = 1..92.
double k_edge_kev(int z);

/// sigma [barn] of a table at k [keV].
double table_sigma(const ElementTable& t, double k_kev);

}  // namespace calo::sim::photo
