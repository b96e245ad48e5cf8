#include "nn/cpu_features.hh"

#include <oneapi/dnnl/dnnl.hpp>

#include "nn/conv/phase_conv_kernel.hh"

namespace calo::nn {

bool bf16_convolutions_supported() {
  // oneDNN's ISA values are cumulative bit masks: an ISA contains the bits of those it extends.
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto bf16 = static_cast<unsigned>(dnnl_cpu_isa_avx512_core_bf16);
  return (isa & bf16) == bf16;
}

bool int8_convolutions_supported() { return phase_kernel::supported(phase_kernel::Arithmetic::int8); }

}  // namespace calo::nn
