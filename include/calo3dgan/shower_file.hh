#pragma once
// Shower files: HDF5 in the 3DGAN layout (docs/file-format.md).
//
//   ECAL    (N, nx, ny, nz) float32  deposited energy per cell [GeV], index order [x][y][layer]
//   energy  (N,)            float32  primary energy [GeV]
//   target  (N, 2)          float32  column 0 = PDG code of the primary, column 1 = energy [GeV]
//
// Writing:
//   calo::io::ShowerWriter writer("showers.h5", {.overwrite = true});
//   writer.set_attribute("particle", "e-");
//   writer.append(ecal, energy_gev, pdg, n);  // any number of times
//   writer.commit();                          // the file appears under its name only now
//
// Reading (any of the original 3DGAN variants, see ShowerReader):
//   calo::io::ShowerReader reader("showers.h5");
//   std::vector<float> ecal, energy;
//   for (std::size_t first = 0; first < reader.events(); first += 64)
//     reader.read(first, std::min<std::size_t>(64, reader.events() - first), ecal, energy);
//
// Errors: bad user input (missing or malformed files, existing outputs) throws calo::InputError
// with a one-line message; failures of the environment (disk full, HDF5 library) throw
// calo::RuntimeError. Both derive from std::runtime_error (calo3dgan/error.hh).
//
// Threads: the HDF5 library (serial build) is not thread-safe; use readers and writers from
// one thread at a time (e.g. one I/O thread fed by the simulation workers).
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "calo3dgan/error.hh"

namespace calo::io {

/// PDG codes of the primaries stored in target[:, 0].
inline constexpr int kPdgElectron = 11;
inline constexpr int kPdgPositron = -11;
inline constexpr int kPdgPhoton = 22;

/// Cell grid of one shower: nx x ny transverse cells, nz layers (layer 0 is the front).
struct ShowerGrid {
  std::size_t nx = 25;
  std::size_t ny = 25;
  std::size_t nz = 25;

  /// Number of cells of one shower.
  std::size_t cells() const { return nx * ny * nz; }
  friend bool operator==(const ShowerGrid&, const ShowerGrid&) = default;
};

/// Shape and element type of one dataset as stored, e.g. {"ECAL", {100, 51, 51, 25}, "float64"}.
struct DatasetInfo {
  std::string name;
  std::vector<std::size_t> shape;
  std::string type;  // "float32", "float64", "int64", "uint8", "string", ... or "other"
};

/// Root-group attributes as (name, value as text) pairs, sorted by name.
using AttributeList = std::vector<std::pair<std::string, std::string>>;

/// Options of ShowerWriter.
struct WriterOptions {
  ShowerGrid grid{};             // grid of every shower written
  bool overwrite = false;        // replace an existing output file at commit()
  int gzip_level = 0;            // 0: no compression; 1-9: shuffle + gzip (deflate) filters
  std::size_t chunk_events = 0;  // events per ECAL chunk; 0: largest count within 1 MiB
};

/// Writes showers to a new file in the 3DGAN layout, atomically: the data goes to
/// "<path>.tmp-<pid>" in the same directory and commit() renames it to path. Datasets are
/// chunked and extendible, so append() keeps memory flat however many events are written.
class ShowerWriter {
 public:
  /// Creates the temporary file. Throws InputError when path exists and !options.overwrite,
  /// when its directory is missing or not writable, or when the options are invalid.
  explicit ShowerWriter(const std::string& path, WriterOptions options = {});
  /// Deletes the temporary file unless commit() succeeded.
  ~ShowerWriter();
  ShowerWriter(ShowerWriter&&) noexcept;
  ShowerWriter& operator=(ShowerWriter&&) noexcept;
  ShowerWriter(const ShowerWriter&) = delete;
  ShowerWriter& operator=(const ShowerWriter&) = delete;

  /// Checks, without creating anything, that a writer for path could start: throws the
  /// constructor's InputError otherwise. Lets a command fail before a long simulation.
  static void check_writable(const std::string& path, bool overwrite);

  /// Appends n events. ecal: [n][nx][ny][nz] deposited energy [GeV]; energy_gev: [n] primary
  /// energy [GeV]; pdg: [n] PDG code of each primary (kPdgElectron, ...), stored in target.
  void append(const float* ecal, const float* energy_gev, const float* pdg, std::size_t n);

  /// Sets a root attribute (provenance: generator, version, geometry, particle, seed, ...),
  /// replacing an attribute of the same name. Strings are stored as variable-length UTF-8.
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const char* value);
  void set_attribute(const std::string& name, double value);
  void set_attribute(const std::string& name, std::int64_t value);
  void set_attribute(const std::string& name, std::uint64_t value);
  /// Any other integer type, stored as int64 or uint64 by its signedness.
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> &&
           !std::same_as<T, std::uint64_t>) void set_attribute(const std::string& name, T value) {
    if constexpr (std::signed_integral<T>)
      set_attribute(name, static_cast<std::int64_t>(value));
    else
      set_attribute(name, static_cast<std::uint64_t>(value));
  }

  /// Closes the file, flushes it to disk and renames it to its final path. Afterwards the
  /// writer accepts no more data. Throws RuntimeError when closing or renaming fails.
  void commit();

  /// Events appended so far.
  std::size_t events() const;
  /// Grid of the showers this writer stores.
  const ShowerGrid& grid() const;
  /// Final path (the file exists under it after commit()).
  const std::string& path() const;
  /// Temporary path the data is written to before commit().
  const std::string& temporary_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Options of ShowerReader.
struct ReaderOptions {
  bool full_grid = false;  // for (N, 51, 51, 25) files: read all 51x51 instead of the centre
};

/// Reads a shower file in any 3DGAN variant, validating it on construction:
///  - ECAL (N, nx, ny, nz), float32 or float64 (returned as float). An original
///    (N, 51, 51, 25) grid is cropped to its central 25x25 (x, y indices 13..37) unless
///    ReaderOptions::full_grid;
///  - primary energy [GeV] from `energy` of shape (N,), (N, 1) or (N, 1, k) (first element of
///    each row) or, without `energy`, from `target` (N, k) or (N, 1, k), k >= 2 (element 1 of
///    the last dimension);
///  - other datasets are ignored (listed by extra_datasets()).
/// A file that does not fit throws InputError naming the file and the problem.
class ShowerReader {
 public:
  /// Opens and validates path.
  explicit ShowerReader(const std::string& path, ReaderOptions options = {});
  ~ShowerReader();
  ShowerReader(ShowerReader&&) noexcept;
  ShowerReader& operator=(ShowerReader&&) noexcept;
  ShowerReader(const ShowerReader&) = delete;
  ShowerReader& operator=(const ShowerReader&) = delete;

  /// Number of events N.
  std::size_t events() const;
  /// Grid returned by read() (after the crop, if any).
  const ShowerGrid& grid() const;
  /// Grid as stored in the file.
  const ShowerGrid& stored_grid() const;
  /// Where the primary energy comes from: "energy" or "target[:,1]".
  const std::string& energy_source() const;

  /// Reads events [first, first + count): ecal becomes [count][nx][ny][nz] of grid() [GeV],
  /// energy_gev becomes [count] [GeV]. Throws std::out_of_range when the range exceeds
  /// events(), InputError when the file cannot be read (truncated or corrupt).
  void read(std::size_t first, std::size_t count, std::vector<float>& ecal,
            std::vector<float>& energy_gev) const;
  /// Reads only the primary energies [GeV] of events [first, first + count) (4 bytes per
  /// event: an index of a large file without reading its cells). Errors as read().
  void read_energies(std::size_t first, std::size_t count, std::vector<float>& energy_gev) const;

  /// Every dataset of the root group, sorted by name.
  const std::vector<DatasetInfo>& datasets() const;
  /// Names of the root datasets other than ECAL, energy and target.
  std::vector<std::string> extra_datasets() const;
  /// Root-group attributes (provenance) as text.
  AttributeList attributes() const;
  /// Path the reader was opened with.
  const std::string& path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace calo::io
