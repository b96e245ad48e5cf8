#pragma once
// Tensor: a float32 activation with logical dims N,C,D,H,W whose memory may be in a oneDNN
// blocked layout (e.g. nCdhw8c) between layers. Convert with to_host/from_host (plain
// NCDHW) only at a model's edges.
//
// A Tensor is a shared handle: copies refer to the same storage. Layers own their output
// and diff_input tensors and overwrite them on the next call (see layer.hh).
#include <memory>
#include <span>
#include <vector>

#include "nn/context.hh"
#include "nn/dims.hh"

namespace calo::nn {

struct TensorImpl;  // dnnl::memory + dims (nn-internal: dnnl_impl.hh)

class Tensor {
 public:
  Tensor() = default;  ///< empty: !tensor
  explicit Tensor(std::shared_ptr<TensorImpl> impl);

  /// A new zero-filled tensor in plain NCDHW layout.
  static Tensor zeros(Context& ctx, const Dims& dims);
  /// A new plain NCDHW tensor holding a copy of data ([N][C][D][H][W], dims.elements()).
  static Tensor from_host(Context& ctx, const Dims& dims, std::span<const float> data);
  /// A new zero-filled tensor with the dims and memory layout of other (for diffs).
  static Tensor zeros_like(const Tensor& other);

  explicit operator bool() const { return static_cast<bool>(impl_); }
  const Dims& dims() const;
  /// True if the layout is plain NCDHW (no blocking).
  bool plain() const;

  /// Copy out in plain NCDHW order; data.size() must be dims().elements().
  void to_host(std::span<float> data) const;
  std::vector<float> to_host() const;
  /// Overwrite from plain NCDHW data (reordered into this tensor's layout).
  void assign(std::span<const float> data);
  /// *this = src, element by element (same dims, else InputError; layouts may differ): a
  /// oneDNN reorder, no round trip through host vectors.
  void copy_from(const Tensor& src);
  /// *this += src (same dims; layouts may differ): accumulate(*this, src).
  void add_from(const Tensor& src);

  TensorImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

/// dst += src, element by element (same dims; layouts may differ). Used to sum the diffs of
/// a tensor consumed by two branches (e.g. the discriminator trunk and its cell sum).
void accumulate(Tensor& dst, const Tensor& src);

}  // namespace calo::nn
