#pragma once
// Eigenvalues and eigenvectors of a real symmetric matrix: Householder reduction to
// tridiagonal form and the implicit QL algorithm (EISPACK tred2/tql2, as in the public-domain
// JAMA library). O(n^3); the FPD's matrix square roots need nothing more.
#include <cstddef>
#include <vector>

namespace calo::physics {

/// a: [n][n] row-major symmetric matrix, replaced by its eigenvectors (column j belongs to
/// eigenvalue j). Returns the eigenvalues in ascending order.
std::vector<double> symmetric_eigen(std::vector<double>& a, std::size_t n);

/// The eigenvalues alone, ascending (the QL iterations skip the eigenvectors: about half the work).
std::vector<double> symmetric_eigenvalues(std::vector<double> a, std::size_t n);

}  // namespace calo::physics
