#pragma once
// What the CPU lets nn run: oneDNN's kernels (asked through oneDNN, so that only nn touches
// it) and nn's own.
namespace calo::nn {

/// True when oneDNN runs bf16 convolutions natively here (AVX-512 BF16: avx512_core_bf16 or
/// better); without it Conv3DSpec::bf16 would fall back to slow reference kernels.
bool bf16_convolutions_supported();

/// True when nn's int8 kernels run here (AVX-512 VNNI): Conv3DSpec::int8 on up-sampling
/// convolutions (conv/phase_convolution.hh); without it such a layer runs in bf16 or f32.
bool int8_convolutions_supported();

}  // namespace calo::nn
