# FindFFTW3f: single-precision FFTW 3 (Debian libfftw3-dev), which ships no CMake package.
# Defines the imported target FFTW3::fftw3f, the name FFTW's own CMake build exports, so a
# project that also finds FFTW through FFTW's config gets the same target. Used by calo_nn
# (conv3d_fft.hh) and installed with the calo3dgan package, whose static libraries need it.
#
# Result variables: FFTW3f_FOUND, FFTW3f_INCLUDE_DIR, FFTW3f_LIBRARY.
find_path(FFTW3f_INCLUDE_DIR fftw3.h)
find_library(FFTW3f_LIBRARY fftw3f)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FFTW3f REQUIRED_VARS FFTW3f_LIBRARY FFTW3f_INCLUDE_DIR)
mark_as_advanced(FFTW3f_INCLUDE_DIR FFTW3f_LIBRARY)
if(FFTW3f_FOUND AND NOT TARGET FFTW3::fftw3f)
  add_library(FFTW3::fftw3f UNKNOWN IMPORTED)
  set_target_properties(FFTW3::fftw3f PROPERTIES
    IMPORTED_LOCATION "${FFTW3f_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${FFTW3f_INCLUDE_DIR}")
endif()
