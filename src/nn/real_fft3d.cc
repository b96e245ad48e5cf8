#include "nn/real_fft3d.hh"

#include <fftw3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

namespace calo::nn {
namespace {

// FFTW's planner (and plan destruction) is not thread-safe; execution is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

RealFft3D::Buffer RealFft3D::alloc(std::size_t floats) {
  float* p = fftwf_alloc_real(std::max<std::size_t>(floats, 1));
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, std::max<std::size_t>(floats, 1) * sizeof(float));
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

RealFft3D::RealFft3D(std::array<std::int64_t, 3> n) : n_(n) {
  for (auto v : n_)
    if (v < 1) throw std::logic_error("RealFft3D: non-positive size " + std::to_string(v));
  const int dims[3] = {static_cast<int>(n_[0]), static_cast<int>(n_[1]), static_cast<int>(n_[2])};
  Buffer plane = alloc(static_cast<std::size_t>(plane_floats()));
  Buffer spec = alloc(static_cast<std::size_t>(2 * spectrum_stride()));
  auto* c = reinterpret_cast<fftwf_complex*>(spec.get());
  std::lock_guard<std::mutex> lock(planner_mutex());
  r2c_ = fftwf_plan_dft_r2c(3, dims, plane.get(), c, FFTW_ESTIMATE);
  c2r_ = fftwf_plan_dft_c2r(3, dims, c, plane.get(), FFTW_ESTIMATE);
  if (!r2c_ || !c2r_) throw std::runtime_error("RealFft3D: FFTW could not plan the transform");
}

RealFft3D::~RealFft3D() {
  std::lock_guard<std::mutex> lock(planner_mutex());
  if (r2c_) fftwf_destroy_plan(static_cast<fftwf_plan>(r2c_));
  if (c2r_) fftwf_destroy_plan(static_cast<fftwf_plan>(c2r_));
}

void RealFft3D::forward(const float* plane, float* spectrum) const {
  // r2c leaves its input alone (FFTW_PRESERVE_INPUT is the default for it).
  fftwf_execute_dft_r2c(static_cast<fftwf_plan>(r2c_), const_cast<float*>(plane),
                        reinterpret_cast<fftwf_complex*>(spectrum));
}

void RealFft3D::inverse(float* spectrum, float* plane) const {
  fftwf_execute_dft_c2r(static_cast<fftwf_plan>(c2r_), reinterpret_cast<fftwf_complex*>(spectrum),
                        plane);
}

}  // namespace calo::nn
