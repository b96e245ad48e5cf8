#pragma once
// A 3DGAN-shaped model spec small enough for training-loop tests (4x4x4 showers, latent 8;
// BatchNorm in both networks, Dropout in the discriminator): a training step takes
// milliseconds on one thread. Shared by tests/train/trainer and tests/cli/train_interrupt.
namespace calo::test {

inline constexpr const char* kTinyModelSpec = R"({
  "format": "calo3dgan-model-spec-1", "name": "tiny-trainer", "description": "test", "latent_size": 8,
  "image_shape": [4, 4, 4],
  "generator": {"layers": [
    {"type": "Dense", "name": "dense", "units": 128},
    {"type": "Reshape", "name": "reshape", "target_shape": [4, 4, 4, 2]},
    {"type": "Conv3D", "name": "conv1", "filters": 2, "kernel_size": [3, 3, 3], "padding": "same"},
    {"type": "LeakyReLU", "name": "lrelu1", "alpha": 0.3},
    {"type": "BatchNormalization", "name": "bn1", "momentum": 0.99, "epsilon": 0.001},
    {"type": "Conv3D", "name": "conv2", "filters": 1, "kernel_size": [2, 2, 2], "padding": "same"},
    {"type": "ReLU", "name": "relu2"}]},
  "discriminator": {"layers": [
    {"type": "Conv3D", "name": "conv1", "filters": 2, "kernel_size": [3, 3, 3], "padding": "same"},
    {"type": "LeakyReLU", "name": "lrelu1", "alpha": 0.3},
    {"type": "Dropout", "name": "dropout1", "rate": 0.2},
    {"type": "BatchNormalization", "name": "bn1", "momentum": 0.99, "epsilon": 0.001},
    {"type": "Flatten", "name": "flatten"}],
   "heads": [
    {"output": "real_fake",
     "layers": [{"type": "Dense", "name": "generation", "units": 1, "activation": "sigmoid"}]},
    {"output": "energy", "layers": [{"type": "Dense", "name": "auxiliary", "units": 1}]}],
   "ecal_sum": true}
})";

}  // namespace calo::test
