#include "nn/tensor.hh"

#include <algorithm>
#include <string>

#include "core/error.hh"
#include "nn/dnnl_impl.hh"

namespace calo::nn {

Tensor::Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

Tensor Tensor::zeros(Context& ctx, const Dims& dims) {
  CALO_VALIDATE(dims.n > 0 && dims.c > 0 && dims.d > 0 && dims.h > 0 && dims.w > 0,
                "tensor: invalid dims " + to_string(dims) + " (all must be positive)");
  return make_tensor(ctx, dims, plain_desc(dims));
}

Tensor Tensor::from_host(Context& ctx, const Dims& dims, std::span<const float> data) {
  Tensor t = zeros(ctx, dims);
  t.assign(data);
  return t;
}

Tensor Tensor::zeros_like(const Tensor& other) {
  return make_tensor(*other.impl().ctx, other.dims(), desc_of(other));
}

const Dims& Tensor::dims() const { return impl_->dims; }

bool Tensor::plain() const { return desc_of(*this) == plain_desc(dims()); }

void Tensor::to_host(std::span<float> data) const {
  CALO_VALIDATE(
      static_cast<std::int64_t>(data.size()) == dims().elements(),
      "tensor: host buffer of " + std::to_string(data.size()) + " floats for dims " + to_string(dims()));
  if (plain()) {
    std::copy_n(impl_->data(), data.size(), data.begin());
    return;
  }
  ContextImpl& ctx = impl_->ctx->impl();
  memory dst(plain_desc(dims()), ctx.engine, data.data());
  reorder_once(ctx, impl_->mem, dst);
}

std::vector<float> Tensor::to_host() const {
  std::vector<float> v(dims().elements());
  to_host(v);
  return v;
}

void Tensor::assign(std::span<const float> data) {
  CALO_VALIDATE(
      static_cast<std::int64_t>(data.size()) == dims().elements(),
      "tensor: host buffer of " + std::to_string(data.size()) + " floats for dims " + to_string(dims()));
  if (plain()) {
    std::copy(data.begin(), data.end(), impl_->data());
    return;
  }
  ContextImpl& ctx = impl_->ctx->impl();
  memory src(plain_desc(dims()), ctx.engine, const_cast<float*>(data.data()));
  reorder_once(ctx, src, impl_->mem);
}

void Tensor::copy_from(const Tensor& src) {
  CALO_VALIDATE(static_cast<bool>(src) && dims() == src.dims(),
                "tensor: copy of dims " + (src ? to_string(src.dims()) : std::string("<empty>")) + " into " +
                    to_string(dims()));
  if (src.impl_ == impl_) return;
  reorder_once(impl_->ctx->impl(), src.impl().mem, impl_->mem);
}

void Tensor::add_from(const Tensor& src) { accumulate(*this, src); }

void accumulate(Tensor& dst, const Tensor& src) {
  CALO_VALIDATE(dst.dims() == src.dims(),
                "accumulate: dims " + to_string(src.dims()) + " into " + to_string(dst.dims()));
  reorder_once(dst.impl().ctx->impl(), src.impl().mem, dst.impl().mem, true);
}

}  // namespace calo::nn
