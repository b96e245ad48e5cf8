#pragma once
// Logical tensor dimensions and the forward mode shared by every nn header.
#include <cstdint>
#include <string>

namespace calo::nn {

/// Logical dimensions of an activation tensor: batch N, channels C, depth D, height H,
/// width W (3DGAN: D, H, W = x, y, layer). Flat tensors are (N, F, 1, 1, 1). The memory
/// layout (plain NCDHW or a oneDNN blocked one) is a property of the Tensor, not of Dims.
struct Dims {
  std::int64_t n = 0, c = 0, d = 1, h = 1, w = 1;

  std::int64_t per_sample() const { return c * d * h * w; }  ///< C*D*H*W
  std::int64_t elements() const { return n * per_sample(); }
  bool flat() const { return d == 1 && h == 1 && w == 1; }
  bool operator==(const Dims&) const = default;
};

/// "NxCxDxHxW", for messages.
std::string to_string(const Dims& dims);

/// Training: batch statistics, dropout active, intermediates kept for backward.
/// Inference: running statistics, dropout is the identity, no backward.
enum class Mode { train, infer };

}  // namespace calo::nn
