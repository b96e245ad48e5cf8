#pragma once
// nn-internal: 3D real discrete Fourier transforms of one plane (FFTW 3, single precision),
// the engine of the FFT convolution (conv3d_fft.cc).
//
// A plane is N0 x N1 x N2 floats, row-major; its spectrum the non-redundant half,
// N0 x N1 x (N2/2 + 1) complex numbers (interleaved re, im). Buffers hold planes
// plane_stride() floats apart and spectra spectrum_stride() complex numbers apart, so that
// every plane and spectrum starts 64-byte aligned, as FFTW's plans require.
// A transform may be restricted to a box of the plane (`region`): forward() then reads only
// the box (the plane must be zero outside it) and inverse() computes the box (other
// elements of the box's rows are overwritten too), both as three passes of 1D transforms
// that skip the rows outside the box (~25 % less work for a 25^3 box in 32^3) and give the
// same numbers as the full transform. forward() is the unnormalised r2c transform,
// inverse() the unnormalised c2r one (inverse(forward(x)) = N0 N1 N2 x). Both may run
// concurrently from several threads on different buffers from alloc() (FFTW's new-array
// execute); the plans are made once with FFTW_ESTIMATE, so that the algorithm, hence every
// rounding, is the same in every run.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace calo::nn {

class RealFft3D {
 public:
  struct Box {
    std::array<std::int64_t, 3> offset{}, size{};
  };
  /// Transforms of the whole plane.
  explicit RealFft3D(std::array<std::int64_t, 3> n);
  /// Transforms of planes that are zero outside `region` (forward) / needed inside it (inverse).
  RealFft3D(std::array<std::int64_t, 3> n, Box region);
  ~RealFft3D();
  RealFft3D(const RealFft3D&) = delete;
  RealFft3D& operator=(const RealFft3D&) = delete;

  const std::array<std::int64_t, 3>& size() const { return n_; }
  std::int64_t plane_floats() const { return n_[0] * n_[1] * n_[2]; }
  /// Floats between consecutive planes in a buffer: plane_floats() rounded up to 16.
  std::int64_t plane_stride() const { return (plane_floats() + 15) / 16 * 16; }
  /// Complex numbers of one spectrum, N0 N1 (N2/2+1).
  std::int64_t spectrum_size() const { return n_[0] * n_[1] * (n_[2] / 2 + 1); }
  /// Complex numbers between consecutive spectra in a buffer: spectrum_size() rounded up to 8.
  std::int64_t spectrum_stride() const { return (spectrum_size() + 7) / 8 * 8; }

  /// spectrum (2 spectrum_size() floats) = DFT(plane); plane is left unchanged.
  void forward(const float* plane, float* spectrum) const;
  /// plane = unnormalised inverse DFT(spectrum) (in the region); spectrum is overwritten.
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
  void destroy_plans();
  void rows_forward(const float* plane, float* spectrum) const;  // the region's pass along W
  void rows_inverse(const float* spectrum, float* plane) const;
  template <class Fill, class Drain>
  void for_row_pairs(void* plan, Fill&& fill, Drain&& drain) const;
  std::int64_t region_row(std::int64_t r) const;  // row r of the region: its index in the plane
  static constexpr std::int64_t kPairs = 16;      // pairs of rows per transform call along W
  static constexpr std::int64_t kMaxRow = 64;     // the longest W a region may have

  std::array<std::int64_t, 3> n_;
  Box region_;
  bool whole_ = true;
  void* r2c_ = nullptr;  // fftwf_plan of the whole plane (whole_)
  void* c2r_ = nullptr;
  // The region's passes: along W (box rows, two real rows per complex transform), c2c along
  // H (box D planes), c2c along D (all); inverse in the opposite order.
  void* fwd_w_ = nullptr;
  void* fwd_h_ = nullptr;
  void* fwd_d_ = nullptr;
  void* inv_d_ = nullptr;
  void* inv_h_ = nullptr;
  void* inv_w_ = nullptr;
};

}  // namespace calo::nn
