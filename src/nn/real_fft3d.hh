#pragma once
// nn-internal: 3D real discrete Fourier transforms of one plane (FFTW 3, single precision),
// the engine of the FFT convolution (conv3d_fft.cc).
//
// A plane is N0 x N1 x N2 floats, row-major; its spectrum the non-redundant half,
// N0 x N1 x (N2/2 + 1) complex numbers (interleaved re, im), padded to a multiple of 8
// complex numbers (spectrum_stride()) so that consecutive spectra stay 64-byte aligned.
// forward() is the unnormalised r2c transform, inverse() the unnormalised c2r one
// (inverse(forward(x)) = N0 N1 N2 x). Both may run concurrently from several threads on
// different buffers from alloc() (FFTW's new-array execute); the plans are made once with
// FFTW_ESTIMATE, so that the algorithm, hence every rounding, is the same in every run.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace calo::nn {

class RealFft3D {
 public:
  explicit RealFft3D(std::array<std::int64_t, 3> n);
  ~RealFft3D();
  RealFft3D(const RealFft3D&) = delete;
  RealFft3D& operator=(const RealFft3D&) = delete;

  const std::array<std::int64_t, 3>& size() const { return n_; }
  std::int64_t plane_floats() const { return n_[0] * n_[1] * n_[2]; }
  /// Complex numbers of one spectrum, N0 N1 (N2/2+1).
  std::int64_t spectrum_size() const { return n_[0] * n_[1] * (n_[2] / 2 + 1); }
  /// Complex numbers between consecutive spectra in a buffer: spectrum_size() rounded up to 8.
  std::int64_t spectrum_stride() const { return (spectrum_size() + 7) / 8 * 8; }

  /// spectrum (2 spectrum_size() floats) = DFT(plane); plane is left unchanged.
  void forward(const float* plane, float* spectrum) const;
  /// plane = unnormalised inverse DFT(spectrum); spectrum is overwritten.
  void inverse(float* spectrum, float* plane) const;

  /// 64-byte aligned, zero-filled floats for planes and spectra (the alignment the plans need).
  struct Free {
    void operator()(float* p) const;
  };
  using Buffer = std::unique_ptr<float[], Free>;
  static Buffer alloc(std::size_t floats);

  /// The smallest size >= n that FFTW transforms fast: 2^a, or 3 * 2^a (a >= 1), or 8 and below.
  static std::int64_t good_size(std::int64_t n);

 private:
  std::array<std::int64_t, 3> n_;
  void* r2c_ = nullptr;  // fftwf_plan
  void* c2r_ = nullptr;
};

}  // namespace calo::nn
