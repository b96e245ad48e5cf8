#include "nn/conv/phase_convolution.hh"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "nn/conv3d.hh"

namespace calo::nn {

namespace {

constexpr std::int64_t kLanes = 16;  // output channels per kernel call

/// float -> bf16, rounded to nearest even (as oneDNN's and AVX-512 BF16's conversions).
std::uint16_t to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  return static_cast<std::uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

/// As phase_kernel::to_u8, one value (round half to even: the default rounding mode).
std::uint8_t to_u8(float x, float inv_scale, int zero_point) {
  const float v = std::clamp(x * inv_scale, -256.f, 256.f);
  return static_cast<std::uint8_t>(std::clamp(static_cast<int>(std::nearbyint(v)) + zero_point, 0, 255));
}

using phase_kernel::Arithmetic;

std::int64_t element_bytes_of(Arithmetic a) {
  return a == Arithmetic::f32 ? 4 : a == Arithmetic::bf16 ? 2 : 1;
}

}  // namespace

AlignedBytes::AlignedBytes(std::size_t bytes)
    : data_(static_cast<std::byte*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64))), size_(bytes) {
  if (!data_) throw std::bad_alloc();
  std::memset(data_.get(), 0, size_);
}

void AlignedBytes::Free::operator()(std::byte* p) const { std::free(p); }

Arithmetic PhaseConvolution::arithmetic(const Conv3D& conv) {
  const auto& s = conv.spec();
  if (s.int8 && phase_kernel::supported(Arithmetic::int8)) return Arithmetic::int8;
  return s.bf16 ? Arithmetic::bf16 : Arithmetic::f32;
}

bool PhaseConvolution::applies(const Conv3D& conv, const Tensor& in) {
  const auto& s = conv.spec();
  if (s.upsample == std::array<std::int64_t, 3>{1, 1, 1} || !phase_kernel::supported(arithmetic(conv)))
    return false;
  const std::int64_t ic = in.dims().c;
  if ((ic != 16 && ic != 32 && ic != 64) || s.filters % kLanes != 0) return false;
  if (desc_of(in).data_type() != dt::f32) return false;
  const auto layout = BlockedLayout::of(desc_of(in));
  return layout && layout->channel_blocked_only();
}

PhaseConvolution::PhaseConvolution(const Conv3D& conv, const Dims& in_dims, const BlockedLayout& in_layout)
    : conv_(conv), arithmetic_(arithmetic(conv)), in_layout_(in_layout), in_dims_(in_dims) {
  const auto& s = conv.spec();
  out_dims_ = conv.output_dims(in_dims_);
  const auto pf = conv.pad_front(in_dims_);
  const std::int64_t n[3] = {in_dims_.d, in_dims_.h, in_dims_.w};
  const std::int64_t o[3] = {out_dims_.d, out_dims_.h, out_dims_.w};
  for (int i = 0; i < 3; ++i) {
    axes_[i] = split_phases(n[i], s.upsample[i], pf[i], s.kernel[i], o[i]);
    std::int64_t front = 0, back = 0;
    for (const PhaseAxis& a : axes_[i])
      front = std::max(front, a.pad_front), back = std::max(back, a.pad_back);
    pad_[i] = front;
    padded_[i] = n[i] + front + back;
  }
  const std::int64_t ic = in_dims_.c;
  element_bytes_ = element_bytes_of(arithmetic_);
  const std::int64_t position_units = ic * element_bytes_ / 4;  // 4-byte units per input position
  sample_bytes_ = padded_[0] * padded_[1] * padded_[2] * ic * element_bytes_;
  input_ = AlignedBytes(static_cast<std::size_t>(in_dims_.n * sample_bytes_));
  if (arithmetic_ == Arithmetic::int8) {
    sample_scale_.assign(static_cast<std::size_t>(in_dims_.n), s.int8_input.scale);
    sample_zero_.assign(static_cast<std::size_t>(in_dims_.n), s.int8_input.zero_point);
  }

  plane_blocks_.resize(static_cast<std::size_t>(out_dims_.d));
  for (const PhaseAxis& ad : axes_[0])
    for (const PhaseAxis& ah : axes_[1])
      for (const PhaseAxis& aw : axes_[2]) {
        Phase& ph = phases_.emplace_back();
        ph.axis = {&ad, &ah, &aw};
        ph.taps = ad.taps * ah.taps * aw.taps;
        ph.origin = {pad_[0] - ad.pad_front, pad_[1] - ah.pad_front, pad_[2] - aw.pad_front};
        // (kd, kh) taps; the kw taps and input channels are one contiguous run of the row.
        for (std::int64_t td = 0; td < ad.taps; ++td)
          for (std::int64_t th = 0; th < ah.taps; ++th)
            ph.tap_offsets.push_back((td * padded_[1] + th) * padded_[2] * position_units);
        ph.run = aw.taps * position_units;
        ph.weights = AlignedBytes(static_cast<std::size_t>(s.filters * ph.taps * ic * element_bytes_));
        if (arithmetic_ == Arithmetic::int8) {
          ph.weight_sum.resize(static_cast<std::size_t>(s.filters));
          ph.weight_step.resize(static_cast<std::size_t>(s.filters));
        }
        const int p = static_cast<int>(phases_.size()) - 1;
        add_blocks(p, 0, ad.count * ah.count, blocks_);
        for (std::int64_t qd = 0; qd < ad.count; ++qd)
          add_blocks(p, qd * ah.count, (qd + 1) * ah.count,
                     plane_blocks_[static_cast<std::size_t>(s.upsample[0] * qd + ad.r)]);
      }
}

// Blocks: as many rows as the widest kernel takes, the remainder one row at a time; rows
// wider than a kernel in near-equal column chunks.
void PhaseConvolution::add_blocks(int phase, std::int64_t row_begin, std::int64_t row_end,
                                  std::vector<Block>& to) const {
  const std::int64_t width = phases_[static_cast<std::size_t>(phase)].axis[2]->count;
  const std::int64_t chunks = (width + phase_kernel::kMaxColumns - 1) / phase_kernel::kMaxColumns;
  for (std::int64_t k = 0, col0 = 0; k < chunks; ++k) {
    const std::int64_t cols = (width - col0) / (chunks - k);
    const int nc = static_cast<int>(cols), wide = phase_kernel::max_rows(nc);
    for (std::int64_t row0 = row_begin; row0 < row_end;) {
      const std::int64_t take = row_end - row0 >= wide ? wide : 1;
      const auto fn =
          phase_kernel::find(arithmetic_, static_cast<int>(in_dims_.c), nc, static_cast<int>(take));
      if (!fn) throw std::logic_error("nn: no phase kernel for this shape");
      to.push_back({phase, row0, take, col0, cols, fn});
      row0 += take;
    }
    col0 += cols;
  }
}

void PhaseConvolution::update_weights() {
  const auto weights = conv_.weight();
  if (!folded_from_.empty() &&
      (conv_.constant_weights() ||
       std::equal(weights.begin(), weights.end(), folded_from_.begin(), folded_from_.end())))
    return;
  folded_from_.assign(weights.begin(), weights.end());
  pack_weights();
}

void PhaseConvolution::pack_weights() {
  const auto& s = conv_.spec();
  const auto weights = conv_.weight();
  const std::int64_t ic = in_dims_.c, oc = s.filters;
  for (Phase& ph : phases_) {
    phase_kernel_.resize(static_cast<std::size_t>(oc * ic * ph.taps));  // plain [OC][IC][taps]
    fold_phase_taps(ph.axis, s.kernel, oc * ic, phase_kernel_.data(), weights.data(), /*fold=*/true);
    const auto at = [&](std::int64_t o, std::int64_t c, std::int64_t t) {
      return phase_kernel_[static_cast<std::size_t>((o * ic + c) * ph.taps + t)];
    };
    if (arithmetic_ == Arithmetic::int8) {
      pack_int8(ph);
      continue;
    }
    for (std::int64_t ob = 0; ob < oc / kLanes; ++ob)
      for (std::int64_t t = 0; t < ph.taps; ++t)
        for (std::int64_t c = 0; c < ic; ++c)
          for (std::int64_t l = 0; l < kLanes; ++l) {
            const float v = at(ob * kLanes + l, c, t);
            if (arithmetic_ == Arithmetic::bf16)  // [ob][t][c / 2][l][c % 2]
              ph.weights
                  .as<std::uint16_t>()[(((ob * ph.taps + t) * (ic / 2) + c / 2) * kLanes + l) * 2 + c % 2] =
                  to_bf16(v);
            else  // [ob][t][c][l]
              ph.weights.as<float>()[((ob * ph.taps + t) * ic + c) * kLanes + l] = v;
          }
  }
}

// Symmetric signed bytes per output channel of the phase (its own scale: the phases of one
// layer sum different numbers of taps), round half to even; the zero point's share of every
// sum, z sum(q), is subtracted in the kernel's finish.
void PhaseConvolution::pack_int8(Phase& ph) {
  const std::int64_t ic = in_dims_.c, oc = conv_.spec().filters, per = ic * ph.taps;
  for (std::int64_t o = 0; o < oc; ++o) {
    const float* w = phase_kernel_.data() + o * per;  // plain [IC][taps]
    float top = 0;
    for (std::int64_t k = 0; k < per; ++k) top = std::max(top, std::abs(w[k]));
    const float step = top / 127.f;
    std::int32_t sum = 0;
    const std::int64_t ob = o / kLanes, l = o % kLanes;
    for (std::int64_t t = 0; t < ph.taps; ++t)
      for (std::int64_t c = 0; c < ic; ++c) {  // [ob][t][c / 4][l][c % 4]
        const auto q = static_cast<std::int8_t>(
            step > 0 ? std::clamp(std::nearbyint(w[c * ph.taps + t] / step), -127.f, 127.f) : 0.f);
        ph.weights.as<std::int8_t>()[(((ob * ph.taps + t) * (ic / 4) + c / 4) * kLanes + l) * 4 + c % 4] = q;
        sum += q;
      }
    ph.weight_sum[static_cast<std::size_t>(o)] = sum;
    ph.weight_step[static_cast<std::size_t>(o)] = step;
  }
}

void PhaseConvolution::pack_input(const Tensor& in) {
  if (arithmetic_ == Arithmetic::int8) return pack_input_int8(in);
  const float* x = in.impl().data();
  const std::int64_t ic = in_dims_.c, run = std::min(ic, in_layout_.contiguous_channels());
  const std::int64_t planes = in_dims_.n * in_dims_.d;
  std::byte* base = input_.data();
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < planes; ++i) {
    const std::int64_t n = i / in_dims_.d, d = i % in_dims_.d;
    for (std::int64_t h = 0; h < in_dims_.h; ++h)
      for (std::int64_t w = 0; w < in_dims_.w; ++w) {
        const std::int64_t position = ((d + pad_[0]) * padded_[1] + h + pad_[1]) * padded_[2] + w + pad_[2];
        std::byte* dst = base + n * sample_bytes_ + position * ic * element_bytes_;
        for (std::int64_t c = 0; c < ic; c += run) {
          const float* src = x + in_layout_.offset(n, c, d, h, w);
          if (arithmetic_ == Arithmetic::bf16 && run % kLanes == 0)
            phase_kernel::to_bf16(src, reinterpret_cast<std::uint16_t*>(dst) + c, run);
          else if (arithmetic_ == Arithmetic::bf16)  // a plain input: one channel at a time
            for (std::int64_t k = 0; k < run; ++k)
              reinterpret_cast<std::uint16_t*>(dst)[c + k] = to_bf16(src[k]);
          else
            std::memcpy(reinterpret_cast<float*>(dst) + c, src,
                        static_cast<std::size_t>(run) * sizeof(float));
        }
      }
  }
}

// Per sample: its range (unless the layer fixes one), the padding set to its zero point, then
// its values quantised. A sample is one thread's: the range needs all of its values first.
void PhaseConvolution::pack_input_int8(const Tensor& in) {
  const float* x = in.impl().data();
  const std::int64_t ic = in_dims_.c, run = std::min(ic, in_layout_.contiguous_channels());
  const bool dynamic = conv_.spec().int8_input.scale == 0;
  const auto each_run = [&](std::int64_t n, auto&& f) {  // f(source run, its place in the buffer)
    for (std::int64_t d = 0; d < in_dims_.d; ++d)
      for (std::int64_t h = 0; h < in_dims_.h; ++h)
        for (std::int64_t w = 0; w < in_dims_.w; ++w) {
          const std::int64_t position = ((d + pad_[0]) * padded_[1] + h + pad_[1]) * padded_[2] + w + pad_[2];
          for (std::int64_t c = 0; c < ic; c += run)
            f(x + in_layout_.offset(n, c, d, h, w), position * ic + c);
        }
  };
#pragma omp parallel for schedule(static)
  for (std::int64_t n = 0; n < in_dims_.n; ++n) {
    const auto i = static_cast<std::size_t>(n);
    if (dynamic) {
      float lo = 0, hi = 0;  // the range always holds 0: the padding's value
      each_run(n, [&](const float* src, std::int64_t) {
        for (std::int64_t k = 0; k < run; ++k) lo = std::min(lo, src[k]), hi = std::max(hi, src[k]);
      });
      sample_scale_[i] = hi > lo ? (hi - lo) / 255.f : 1.f;
      sample_zero_[i] = std::clamp(static_cast<int>(std::lround(-lo / sample_scale_[i])), 0, 255);
    }
    std::uint8_t* sample = reinterpret_cast<std::uint8_t*>(input_.data() + n * sample_bytes_);
    std::memset(sample, sample_zero_[i], static_cast<std::size_t>(sample_bytes_));
    const float inv_scale = 1.f / sample_scale_[i];
    const int zero = sample_zero_[i];
    each_run(n, [&](const float* src, std::int64_t at) {
      if (run % kLanes == 0)
        phase_kernel::to_u8(src, sample + at, run, inv_scale, zero);
      else  // a plain input: one channel at a time
        for (std::int64_t k = 0; k < run; ++k) sample[at + k] = to_u8(src[k], inv_scale, zero);
    });
  }
}

void PhaseConvolution::run_block(std::int64_t n, std::int64_t b, float* out, bool stream) const {
  run(n, blocks_[static_cast<std::size_t>(b)], out, 0, stream);
}

void PhaseConvolution::run_plane(std::int64_t n, std::int64_t od, float* plane) const {
  for (const Block& b : plane_blocks_[static_cast<std::size_t>(od)]) run(n, b, plane, od, false);
}

void PhaseConvolution::run(std::int64_t n, const Block& b, float* out, std::int64_t od_base,
                           bool stream) const {
  const Phase& ph = phases_[static_cast<std::size_t>(b.phase)];
  const PhaseAxis &ad = *ph.axis[0], &ah = *ph.axis[1], &aw = *ph.axis[2];
  const auto& s = conv_.spec();
  const std::int64_t ic = in_dims_.c, oc = s.filters;
  const std::byte* sample = input_.data() + n * sample_bytes_;
  const void* rows[phase_kernel::kMaxAccumulators];
  float* out_rows[phase_kernel::kMaxAccumulators];
  for (std::int64_t j = 0; j < b.rows; ++j) {
    const std::int64_t r = b.row0 + j, qd = r / ah.count, qh = r % ah.count;
    const std::int64_t position =
        ((qd + ph.origin[0]) * padded_[1] + qh + ph.origin[1]) * padded_[2] + b.col0 + ph.origin[2];
    rows[j] = sample + position * ic * element_bytes_;
    const std::int64_t od = s.upsample[0] * qd + ad.r, oh = s.upsample[1] * qh + ah.r;
    const std::int64_t ow = s.upsample[2] * b.col0 + aw.r;
    out_rows[j] = out + (((od - od_base) * out_dims_.h + oh) * out_dims_.w + ow) * oc;
  }
  const std::size_t weight_block = static_cast<std::size_t>(ph.taps * ic * element_bytes_ * kLanes);
  const bool int8 = arithmetic_ == Arithmetic::int8;
  const float input_step = int8 ? sample_scale_[static_cast<std::size_t>(n)] : 0.f;
  const int zero = int8 ? sample_zero_[static_cast<std::size_t>(n)] : 0;
  alignas(64) std::int32_t compensation[kLanes];
  alignas(64) float scale[kLanes];
  for (std::int64_t ob = 0; ob < oc / kLanes; ++ob) {
    if (int8)
      for (std::int64_t l = 0; l < kLanes; ++l) {
        const auto o = static_cast<std::size_t>(ob * kLanes + l);
        compensation[l] = zero * ph.weight_sum[o];
        scale[l] = input_step * ph.weight_step[o];
      }
    float* shifted[phase_kernel::kMaxAccumulators];
    for (std::int64_t j = 0; j < b.rows; ++j) shifted[j] = out_rows[j] + ob * kLanes;
    const phase_kernel::Block call{
        .rows = rows,
        .tap_offsets = ph.tap_offsets.data(),
        .taps = static_cast<std::int64_t>(ph.tap_offsets.size()),
        .run = ph.run,
        .weights = ph.weights.data() + ob * weight_block,
        .out_rows = shifted,
        .out_column_stride = s.upsample[2] * oc,
        .bias = s.use_bias ? conv_.bias().data() + ob * kLanes : nullptr,
        .shift = s.channel_shift ? conv_.shift().data() + ob * kLanes : nullptr,
        .compensation = compensation,
        .scale = scale,
        .alpha = s.alpha,  // as oneDNN's eltwise_relu(alpha) post-op: ReLU specs carry alpha 0
        .activate = s.activation != Activation::none,
        .stream = stream,
    };
    b.fn(call);
  }
}

}  // namespace calo::nn
