#pragma once
// Finite-difference gradient check of a declared, finalized layer (tests only).
//
// The scalar checked is L = sum_i out[i] R[i] with fixed random R (so diff_out = R), summed
// in double from the float outputs. Central differences with step h; the error of a probe
// is float rounding of L (relative ~1e-6 of sum |out R|) over 2h plus O(h^2) curvature.
// With h = 1e-3 and O(1) data, both are below 1e-3 of the gradients' RMS, so a tolerance
// of tol * RMS(gradient) (tol = 2e-2 by default) separates a wrong gradient (errors of
// order 1) from rounding. Probes whose one-sided slopes disagree (a ReLU kink or a
// clipping edge inside [x-h, x+h]) are skipped, at most a third of them.
#include <cstdint>
#include <functional>
#include <vector>

#include "nn/nn.hh"

namespace calo::nn::test {

struct GradCheckOptions {
  double h = 1e-3;
  double tol = 2e-2;
  int probes = 16;  ///< per input and per parameter
  bool check_input = true;
  bool check_params = true;
  std::function<void()> before_forward;  ///< e.g. reset a Dropout seed
  std::uint64_t seed = 7;
};

/// Random normal input of dims in, check diff_in and every parameter gradient in store.
void check_gradients(Layer& layer, ParameterStore& store, const Dims& in, const GradCheckOptions& opt = {});

/// n values drawn from N(0, 1) with the stream (seed, 0).
std::vector<float> normal_values(std::int64_t n, std::uint64_t seed);

/// Declare a layer on in (N ignored), finalize, initialise with glorot-like values.
Dims setup(Layer& layer, ParameterStore& store, const Dims& in, std::uint64_t seed = 3);

}  // namespace calo::nn::test
