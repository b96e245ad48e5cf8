#include "nn/conv/real_fft3d.hh"

#include <fftw3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>

#include "core/error.hh"

namespace calo::nn {
namespace {

// FFTW's planner (and plan destruction) is not thread-safe; execution is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

fftwf_complex* complex_of(float* p) { return reinterpret_cast<fftwf_complex*>(p); }

}  // namespace

RealFft3D::Buffer RealFft3D::alloc(std::size_t floats) {
  const std::size_t n = std::max<std::size_t>(floats, 1);
  float* p = fftwf_alloc_real(n);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, n * sizeof(float));
  return Buffer(p);
}

void RealFft3D::Free::operator()(float* p) const { fftwf_free(p); }

std::int64_t RealFft3D::good_size(std::int64_t n) {
  if (n <= 8) return std::max<std::int64_t>(n, 1);
  std::int64_t p = 8;
  while (p < n) p *= 2;
  const std::int64_t three = p / 4 * 3;  // 3 * 2^a between p/2 and p
  return three >= n ? three : p;
}

RealFft3D::RealFft3D(std::array<std::int64_t, 3> n) : RealFft3D(n, Box{{0, 0, 0}, n}) {}

RealFft3D::RealFft3D(std::array<std::int64_t, 3> n, Box region) : n_(n), region_(region) {
  for (int i = 0; i < 3; ++i) {
    if (n_[i] < 1) throw std::logic_error("RealFft3D: non-positive size " + std::to_string(n_[i]));
    if (region_.offset[i] < 0 || region_.size[i] < 1 || region_.offset[i] + region_.size[i] > n_[i])
      throw std::logic_error("RealFft3D: region outside the plane in dimension " + std::to_string(i));
  }
  // Rows of W are transformed whole, so a region only prunes rows of D and H.
  whole_ = region_.size[0] == n_[0] && region_.size[1] == n_[1];
  Buffer plane = alloc(static_cast<std::size_t>(plane_stride()));
  Buffer spec = alloc(static_cast<std::size_t>(2 * spectrum_stride()));
  fftwf_complex* c = complex_of(spec.get());
  std::lock_guard<std::mutex> lock(planner_mutex());
  if (whole_) {
    const int dims[3] = {static_cast<int>(n_[0]), static_cast<int>(n_[1]), static_cast<int>(n_[2])};
    r2c_ = fftwf_plan_dft_r2c(3, dims, plane.get(), c, FFTW_ESTIMATE);
    c2r_ = fftwf_plan_dft_c2r(3, dims, c, plane.get(), FFTW_ESTIMATE);
    if (!r2c_ || !c2r_) {
      destroy_plans();
      throw RuntimeError("RealFft3D: FFTW could not plan the transform");
    }
    return;
  }
  const std::int64_t N1 = n_[1], N2 = n_[2], H = N2 / 2 + 1;
  const std::int64_t o0 = region_.offset[0], o1 = region_.offset[1];
  const std::int64_t L0 = region_.size[0], L1 = region_.size[1];
  // Planned on the same offsets as executed, so the arrays' alignment matches.
  float* rows = plane.get() + (o0 * N1 + o1) * N2;
  fftwf_complex* crows = c + (o0 * N1 + o1) * H;
  fftwf_complex* cplanes = c + o0 * N1 * H;
  const fftw_iodim64 along_w{N2, 1, 1};
  const fftw_iodim64 rows_fwd[2] = {{L0, N1 * N2, N1 * H}, {L1, N2, H}};
  const fftw_iodim64 rows_inv[2] = {{L0, N1 * H, N1 * N2}, {L1, H, N2}};
  const fftw_iodim64 along_h{N1, H, H};
  const fftw_iodim64 box_planes[2] = {{L0, N1 * H, N1 * H}, {H, 1, 1}};
  const fftw_iodim64 along_d{n_[0], N1 * H, N1 * H};
  const fftw_iodim64 all_columns{N1 * H, 1, 1};
  fwd_w_ = fftwf_plan_guru64_dft_r2c(1, &along_w, 2, rows_fwd, rows, crows, FFTW_ESTIMATE);
  fwd_h_ = fftwf_plan_guru64_dft(1, &along_h, 2, box_planes, cplanes, cplanes, FFTW_FORWARD, FFTW_ESTIMATE);
  fwd_d_ = fftwf_plan_guru64_dft(1, &along_d, 1, &all_columns, c, c, FFTW_FORWARD, FFTW_ESTIMATE);
  inv_d_ = fftwf_plan_guru64_dft(1, &along_d, 1, &all_columns, c, c, FFTW_BACKWARD, FFTW_ESTIMATE);
  inv_h_ = fftwf_plan_guru64_dft(1, &along_h, 2, box_planes, cplanes, cplanes, FFTW_BACKWARD, FFTW_ESTIMATE);
  inv_w_ = fftwf_plan_guru64_dft_c2r(1, &along_w, 2, rows_inv, crows, rows, FFTW_ESTIMATE);
  if (!fwd_w_ || !fwd_h_ || !fwd_d_ || !inv_d_ || !inv_h_ || !inv_w_) {
    destroy_plans();  // the destructor does not run for a constructor that throws
    throw RuntimeError("RealFft3D: FFTW could not plan the region's transforms");
  }
}

void RealFft3D::destroy_plans() {  // with the planner mutex held
  for (void** p : {&r2c_, &c2r_, &fwd_w_, &fwd_h_, &fwd_d_, &inv_d_, &inv_h_, &inv_w_}) {
    if (*p) fftwf_destroy_plan(static_cast<fftwf_plan>(*p));
    *p = nullptr;
  }
}

RealFft3D::~RealFft3D() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  destroy_plans();
}

void RealFft3D::forward(const float* plane, float* spectrum) const {
  // r2c leaves its input alone (FFTW_PRESERVE_INPUT is the default for it).
  float* in = const_cast<float*>(plane);
  fftwf_complex* c = complex_of(spectrum);
  if (whole_) return fftwf_execute_dft_r2c(static_cast<fftwf_plan>(r2c_), in, c);
  const std::int64_t N0 = n_[0], N1 = n_[1], N2 = n_[2], H = N2 / 2 + 1;
  const std::int64_t o0 = region_.offset[0], o1 = region_.offset[1];
  const std::int64_t L0 = region_.size[0], L1 = region_.size[1];
  // The rows and planes the passes skip are transforms of zeros: zero.
  for (std::int64_t d = 0; d < N0; ++d) {
    fftwf_complex* p = c + d * N1 * H;
    if (d < o0 || d >= o0 + L0) {
      std::memset(p, 0, sizeof(fftwf_complex) * N1 * H);
    } else {
      std::memset(p, 0, sizeof(fftwf_complex) * o1 * H);
      std::memset(p + (o1 + L1) * H, 0, sizeof(fftwf_complex) * (N1 - o1 - L1) * H);
    }
  }
  fftwf_execute_dft_r2c(static_cast<fftwf_plan>(fwd_w_), in + (o0 * N1 + o1) * N2, c + (o0 * N1 + o1) * H);
  fftwf_execute_dft(static_cast<fftwf_plan>(fwd_h_), c + o0 * N1 * H, c + o0 * N1 * H);
  fftwf_execute_dft(static_cast<fftwf_plan>(fwd_d_), c, c);
}

void RealFft3D::inverse(float* spectrum, float* plane) const {
  fftwf_complex* c = complex_of(spectrum);
  if (whole_) return fftwf_execute_dft_c2r(static_cast<fftwf_plan>(c2r_), c, plane);
  const std::int64_t N1 = n_[1], N2 = n_[2], H = N2 / 2 + 1;
  const std::int64_t o0 = region_.offset[0], o1 = region_.offset[1];
  fftwf_execute_dft(static_cast<fftwf_plan>(inv_d_), c, c);
  fftwf_execute_dft(static_cast<fftwf_plan>(inv_h_), c + o0 * N1 * H, c + o0 * N1 * H);
  fftwf_execute_dft_c2r(static_cast<fftwf_plan>(inv_w_), c + (o0 * N1 + o1) * H, plane + (o0 * N1 + o1) * N2);
}

}  // namespace calo::nn
