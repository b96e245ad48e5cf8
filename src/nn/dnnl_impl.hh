#pragma once
// nn-internal: the oneDNN objects behind Context and Tensor, and small helpers shared by the
// layer implementations. Never included outside src/nn.
#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nn/context.hh"
#include "nn/dims.hh"
#include "nn/tensor.hh"

namespace calo::nn {

using memory = dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using Args = std::unordered_map<int, dnnl::memory>;

struct ContextImpl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  ContextOptions options;  // threads resolved (> 0)
  std::unique_ptr<char[], void (*)(char*)> scratch{nullptr, [](char*) {}};
  std::size_t scratch_bytes = 0;

  /// A buffer of at least bytes, shared by all primitives (one runs at a time).
  void* scratchpad(std::size_t bytes);
  int threads() const { return options.threads; }
  /// Execute prim with args plus the user scratchpad that pd asks for, then wait (with the
  /// context's threads: thread_scope.hh).
  void execute(const dnnl::primitive& prim, const dnnl::primitive_desc_base& pd, Args args);
};

struct TensorImpl {
  Context* ctx = nullptr;
  Dims dims;
  dnnl::memory mem;  // desc: 5D {N, C, D, H, W} in any layout
  float* data() const { return static_cast<float*>(mem.get_data_handle()); }
};

inline memory::dims to_dnnl(const Dims& d) { return {d.n, d.c, d.d, d.h, d.w}; }
inline memory::desc plain_desc(const Dims& d) { return {to_dnnl(d), dt::f32, tag::ncdhw}; }
inline memory::desc desc_of(const Tensor& t) { return t.impl().mem.get_desc(); }

/// A new tensor (library-allocated, zeroed) with the given layout.
Tensor make_tensor(Context& ctx, const Dims& dims, const memory::desc& md);
/// A tensor viewing someone else's memory (no copy).
Tensor view_tensor(Context& ctx, const Dims& dims, const memory::desc& md, void* handle);
/// The format tag of a 5D desc among those oneDNN picks for f32 on x86 (ncdhw, ndhwc,
/// nCdhw8c, nCdhw16c, ...); throws if none matches. Lets memory-bound layers inherit a
/// layout for other dims.
tag layout_tag(const memory::desc& md);
/// The same layout as md for new dims.
memory::desc same_layout(const memory::desc& md, const Dims& dims);
/// A 5D f32 layout as nn's own loops see it: outer strides plus at most one inner block per
/// dimension (ncdhw, ndhwc, nCdhw8c, nCdhw16c, NCdhw16n16c, ...). of() is nullopt for any
/// other memory desc. Offsets include the desc's offset0.
class BlockedLayout {
 public:
  static std::optional<BlockedLayout> of(const memory::desc& md);
  std::int64_t offset(std::int64_t n, std::int64_t c, std::int64_t d, std::int64_t h, std::int64_t w) const;
  std::int64_t stride(int dim) const { return stride_[dim]; }  ///< outer stride [floats]
  std::int64_t block(int dim) const { return block_[dim]; }    ///< inner block (1: none)
  std::int64_t padded(int dim) const { return padded_[dim]; }  ///< padded size
  std::int64_t offset0() const { return offset0_; }
  /// True if the only inner block (if any) is on the channels.
  bool channel_blocked_only() const { return blocks_ == (block_[1] > 1 ? 1 : 0); }
  /// Channels contiguous in memory from a channel that starts a run: the channel block, all
  /// (padded) channels when channels are last, else 1.
  std::int64_t contiguous_channels() const;

 private:
  std::int64_t stride_[5]{}, block_[5]{1, 1, 1, 1, 1}, inner_stride_[5]{}, padded_[5]{};
  std::int64_t offset0_ = 0;
  int blocks_ = 0, innermost_ = -1;  // number of inner blocks, the innermost one's dim
};

/// Attributes with a user-managed scratchpad (every primitive of nn uses them).
dnnl::primitive_attr scratch_attr();

/// A reorder between two fixed descs, built once; dst += src when accumulate.
class Reorder {
 public:
  Reorder() = default;
  Reorder(ContextImpl& ctx, const memory::desc& src, const memory::desc& dst, bool accumulate = false);
  void operator()(ContextImpl& ctx, const memory& src, const memory& dst) const;
  explicit operator bool() const { return static_cast<bool>(prim_); }

 private:
  dnnl::reorder::primitive_desc pd_;
  dnnl::reorder prim_;
};

/// One-off reorder (builds the primitive; oneDNN's primitive cache makes repeats cheap).
void reorder_once(ContextImpl& ctx, const memory& src, const memory& dst, bool accumulate = false);

}  // namespace calo::nn
