// Uses the installed public API only: writes a small shower file, reads it back and compares
// every value; a missing file must throw the public calo::InputError. Prints "consumer: ok".
#include <calo3dgan/error.hh>
#include <calo3dgan/shower_file.hh>
#include <cstdio>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED %s\n", what.c_str());
    ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: shower_file_consumer <scratch .h5 path>\n");
    return 2;
  }
  const std::string path = argv[1];
  const calo::io::ShowerGrid grid{.nx = 3, .ny = 4, .nz = 5};
  const std::size_t events = 3;

  // Distinct, exactly representable values: event i, cell c -> i * 100 + c / 8.
  std::vector<float> ecal, energy, pdg;
  for (std::size_t i = 0; i < events; ++i) {
    for (std::size_t c = 0; c < grid.cells(); ++c) ecal.push_back(static_cast<float>(i * 100) + c / 8.0f);
    energy.push_back(10.0f * static_cast<float>(i + 1));
    pdg.push_back(static_cast<float>(calo::io::kPdgElectron));
  }
  {
    calo::io::ShowerWriter writer(path, {.grid = grid, .overwrite = true});
    writer.set_attribute("generator", "shower_file_consumer");
    writer.append(ecal.data(), energy.data(), pdg.data(), events);
    writer.commit();
  }

  calo::io::ShowerReader reader(path);
  check(reader.events() == events, "event count");
  check(reader.grid() == grid, "grid");
  std::vector<float> ecal_read, energy_read;
  reader.read(0, events, ecal_read, energy_read);
  check(ecal_read == ecal, "ECAL values");
  check(energy_read == energy, "energy values");
  bool has_generator = false;
  for (const auto& [name, value] : reader.attributes())
    has_generator |= name == "generator" && value == "shower_file_consumer";
  check(has_generator, "generator attribute");

  try {
    calo::io::ShowerReader missing(path + ".missing");
    check(false, "a missing file throws calo::InputError");
  } catch (const calo::InputError& e) {
    check(std::string(e.what()).find("not found") != std::string::npos, "InputError message");
  }

  if (failures != 0) return 1;
  std::printf("consumer: ok (%zu events of %zux%zux%zu read back)\n", events, grid.nx, grid.ny, grid.nz);
  return 0;
}
