#pragma once
// An environment variable that switches one of Conv3D's alternative algorithms
// (CALO_NN_CONV_THIN, CALO_NN_CONV_FFT): unset or "auto" (the layer's own choice), "on" /
// "1" (wherever it applies; tests compare both paths), "off" / "0" (never).
namespace calo::nn {

enum class AlgorithmSwitch { automatic, on, off };

/// The value of the variable `name`, read now (plans read it when they are built);
/// InputError naming the variable for any other value.
AlgorithmSwitch algorithm_switch(const char* name);

}  // namespace calo::nn
