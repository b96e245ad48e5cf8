#pragma once
// What the CPU lets oneDNN run, asked once through oneDNN (so that only nn touches it).
namespace calo::nn {

/// True when oneDNN runs bf16 convolutions natively here (AVX-512 BF16: avx512_core_bf16 or
/// better); without it Conv3DSpec::bf16 would fall back to slow reference kernels.
bool bf16_convolutions_supported();

}  // namespace calo::nn
