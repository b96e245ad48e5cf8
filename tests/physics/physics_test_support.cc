#include "physics_test_support.hh"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <random>

namespace fs = std::filesystem;

namespace calo::physics::test {

void write_synthetic(const std::string& path, const SyntheticOptions& o) {
  io::WriterOptions wo;
  wo.grid = o.grid;
  wo.overwrite = true;
  io::ShowerWriter writer(path, wo);
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const io::ShowerGrid& g = o.grid;
  std::vector<float> cells(g.cells());
  for (std::size_t n = 0; n < o.events; ++n) {
    const float energy = float(o.energies_gev[n % o.energies_gev.size()]);
    const double depth = 0.45 * double(g.nz) + 0.8 * gauss(rng) + std::log(energy / 100.0);
    const double cx = 0.5 * double(g.nx - 1) + 0.3 * gauss(rng),
                 cy = 0.5 * double(g.ny - 1) + 0.3 * gauss(rng);
    const double total = 0.02 * energy * (1 + 0.03 * gauss(rng));
    double norm = 0;
    for (std::size_t ix = 0; ix < g.nx; ++ix)
      for (std::size_t iy = 0; iy < g.ny; ++iy)
        for (std::size_t iz = 0; iz < g.nz; ++iz) {
          const double r = std::hypot(double(ix) - cx, double(iy) - cy);
          const double t = (double(iz) - depth) / (0.2 * double(g.nz));
          double e = std::exp(-0.5 * t * t - r / 1.2) * (0.5 + uniform(rng));
          if (e < 1e-5) e = 0;  // most cells empty, as in real showers
          cells[(ix * g.ny + iy) * g.nz + iz] = float(e);
          norm += e;
        }
    for (float& c : cells) c = float(c * total / norm * o.scale);
    const float pdg = 11;
    writer.append(cells.data(), &energy, &pdg, 1);
  }
  writer.commit();
}

void copy_showers(const std::string& from, const std::string& to, std::size_t first, std::size_t stride,
                  const std::function<void(std::vector<float>&, float&)>& edit) {
  io::ShowerReader reader(from);
  io::WriterOptions wo;
  wo.grid = reader.grid();
  wo.overwrite = true;
  io::ShowerWriter writer(to, wo);
  std::vector<float> cells, energy;
  const float pdg = 11;
  for (std::size_t n = first; n < reader.events(); n += stride) {
    reader.read(n, 1, cells, energy);
    if (edit) edit(cells, energy[0]);
    writer.append(cells.data(), energy.data(), &pdg, 1);
  }
  writer.commit();
}

std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace calo::physics::test
