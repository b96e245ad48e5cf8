// Uses the installed public generator API only: loads a checkpoint, generates showers
// sequentially and then the same ones from 2 threads on one ShowerGenerator (they must be
// equal), checks a batch against its latent vectors and that a missing checkpoint throws the
// public calo::InputError. Prints "generator consumer: ok".
#include <calo3dgan/error.hh>
#include <calo3dgan/generator.hh>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "generator consumer: FAILED %s\n", what.c_str());
    ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: generator_consumer <checkpoint.h5>\n");
    return 2;
  }
  const calo::ShowerGenerator gen(argv[1], {.threads = 1});
  check(gen.cells() == 25u * 25u * 25u, "cells of 3dgan-16");
  const int showers = 6;
  const auto energy = [](int i) { return 15.f + 40.f * static_cast<float>(i); };
  std::vector<std::vector<float>> sequential(showers, std::vector<float>(gen.cells()));
  auto threaded = sequential;
  for (int i = 0; i < showers; ++i) gen.generate_one(energy(i), 3, i, sequential[i].data());
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (int i = t; i < showers; i += 2) gen.generate_one(energy(i), 3, i, threaded[i].data());
    });
  for (auto& t : threads) t.join();
  check(threaded == sequential, "2 threads give the sequential showers");
  double deposited = 0;
  for (float e : sequential[0]) deposited += e;
  check(deposited > 0, "a shower deposits energy");

  std::vector<float> z(gen.latent_size());
  gen.draw_latent(energy(2), 3, 2, z.data());
  std::vector<float> from_z(gen.cells());
  gen.generate_from_latent(z.data(), 1, from_z.data());
  check(from_z == sequential[2], "a shower equals the one of its latent vector");

  try {
    calo::ShowerGenerator missing(std::string(argv[1]) + ".missing");
    check(false, "a missing checkpoint throws calo::InputError");
  } catch (const calo::InputError&) {
  }
  if (failures != 0) return 1;
  std::printf("generator consumer: ok (%d showers, 2 threads = sequential)\n", showers);
  return 0;
}
