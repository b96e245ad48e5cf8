#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "calo3dgan/shower_file.hh"
#include "core/error.hh"
#include "io/hdf5_attributes.hh"
#include "io/hdf5_error.hh"
#include "io/hdf5_handle.hh"
#include "io/output_path.hh"

namespace calo::io {

namespace {

constexpr std::size_t kChunkBytesTarget = 1 << 20;  // HDF5's (and h5py's) default chunk cache
constexpr std::size_t kScalarChunkEvents = 1024;    // chunk of energy and target

/// Largest event count whose ECAL chunk fits the default 1 MiB chunk cache of readers, so
/// that reading a few events never re-reads a chunk from disk (16 events for 25x25x25).
std::size_t default_chunk_events(const ShowerGrid& grid) {
  std::size_t events = kChunkBytesTarget / (grid.cells() * sizeof(float));
  return std::clamp<std::size_t>(events, 1, kScalarChunkEvents);
}

/// Creates an empty float32 dataset of shape (0, inner...) extendible along its first axis.
Hdf5Handle create_extendible(hid_t file, const char* name, std::vector<hsize_t> inner, hsize_t chunk_events,
                             int gzip_level) {
  const std::string what = std::string("cannot create dataset ") + name;
  std::vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{chunk_events};
  for (hsize_t d : inner) {
    dims.push_back(d);
    max_dims.push_back(d);
    chunk.push_back(d);
  }
  int rank = static_cast<int>(dims.size());
  Hdf5Handle space(hdf5_check(H5Screate_simple(rank, dims.data(), max_dims.data()), what));
  Hdf5Handle create(hdf5_check(H5Pcreate(H5P_DATASET_CREATE), what));
  // No modification times in object headers: the same showers give byte-identical files.
  hdf5_check(H5Pset_obj_track_times(create.get(), false), what);
  hdf5_check(H5Pset_chunk(create.get(), rank, chunk.data()), what);
  if (gzip_level > 0) {
    hdf5_check(H5Pset_shuffle(create.get()), what);
    hdf5_check(H5Pset_deflate(create.get(), static_cast<unsigned>(gzip_level)), what);
  }
  // Room for two chunks: a partly filled chunk stays cached between small appends.
  std::size_t chunk_bytes = sizeof(float);
  for (hsize_t c : chunk) chunk_bytes *= c;
  Hdf5Handle access(hdf5_check(H5Pcreate(H5P_DATASET_ACCESS), what));
  hdf5_check(H5Pset_chunk_cache(access.get(), 521, std::max(kChunkBytesTarget, 2 * chunk_bytes), 1.0), what);
  return Hdf5Handle(hdf5_check(
      H5Dcreate2(file, name, H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, create.get(), access.get()), what));
}

/// Extends dataset by rows of the given inner shape and writes them after the old rows.
void append_rows(hid_t dataset, const char* name, hsize_t old_rows, hsize_t new_rows,
                 const std::vector<hsize_t>& inner, const float* data) {
  const std::string what = std::string("cannot append to dataset ") + name;
  std::vector<hsize_t> total{old_rows + new_rows}, start{old_rows}, count{new_rows};
  for (hsize_t d : inner) {
    total.push_back(d);
    start.push_back(0);
    count.push_back(d);
  }
  int rank = static_cast<int>(total.size());
  hdf5_check(H5Dset_extent(dataset, total.data()), what);
  Hdf5Handle file_space(hdf5_check(H5Dget_space(dataset), what));
  hdf5_check(
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      what);
  Hdf5Handle memory_space(hdf5_check(H5Screate_simple(rank, count.data(), nullptr), what));
  hdf5_check(H5Dwrite(dataset, H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, data),
             what);
}

}  // namespace

struct ShowerWriter::Impl {
  Impl(const std::string& path, const WriterOptions& o) : output(path, o.overwrite), options(o) {}
  AtomicOutput output;  // declared first: the temporary is removed after the handles are closed
  WriterOptions options;
  Hdf5Handle file;  // declared before the datasets, so it is closed after them
  Hdf5Handle ecal, energy, target;
  std::size_t events = 0;
  bool committed = false;

  /// Closes the datasets, then the file; reports whether the file closed cleanly.
  bool close() {
    target.reset();
    energy.reset();
    ecal.reset();
    return !file || H5Fclose(file.release()) >= 0;
  }

  ~Impl() {
    if (!committed) close();
  }
};

ShowerWriter::ShowerWriter(const std::string& path, WriterOptions options) {
  silence_hdf5_error_printing();
  const ShowerGrid& grid = options.grid;
  CALO_VALIDATE(grid.nx > 0 && grid.ny > 0 && grid.nz > 0,
                "invalid shower grid " + std::to_string(grid.nx) + "x" + std::to_string(grid.ny) + "x" +
                    std::to_string(grid.nz) + " (every dimension must be positive)");
  CALO_VALIDATE(options.gzip_level >= 0 && options.gzip_level <= 9,
                "invalid gzip level " + std::to_string(options.gzip_level) +
                    " (must be 0 to 9; 0 means no compression)");
  CALO_VALIDATE(options.gzip_level == 0 || H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0,
                "gzip compression is not available (HDF5 built without zlib) use gzip level 0");
  if (options.chunk_events == 0) options.chunk_events = default_chunk_events(grid);

  impl_ = std::make_unique<Impl>(path, options);
  Impl& w = *impl_;
  const std::string& temporary = w.output.temporary_path();
  w.file = Hdf5Handle(hdf5_check(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                                 "cannot create " + temporary));
  w.ecal = create_extendible(w.file.get(), "ECAL", {grid.nx, grid.ny, grid.nz}, options.chunk_events,
                             options.gzip_level);
  w.energy = create_extendible(w.file.get(), "energy", {}, kScalarChunkEvents, options.gzip_level);
  w.target = create_extendible(w.file.get(), "target", {2}, kScalarChunkEvents, options.gzip_level);
}

ShowerWriter::~ShowerWriter() = default;
ShowerWriter::ShowerWriter(ShowerWriter&&) noexcept = default;
ShowerWriter& ShowerWriter::operator=(ShowerWriter&&) noexcept = default;

void ShowerWriter::check_writable(const std::string& path, bool overwrite) {
  check_output_path(path, overwrite);
}

void ShowerWriter::append(const float* ecal, const float* energy_gev, const float* pdg, std::size_t n) {
  Impl& w = *impl_;
  if (w.committed) throw std::logic_error("ShowerWriter::append after commit()");
  if (n == 0) return;
  CALO_ASSERT(ecal && energy_gev && pdg);
  std::vector<float> target(2 * n);  // rows of (pdg, energy)
  for (std::size_t i = 0; i < n; ++i) {
    target[2 * i] = pdg[i];
    target[2 * i + 1] = energy_gev[i];
  }
  const ShowerGrid& grid = w.options.grid;
  append_rows(w.ecal.get(), "ECAL", w.events, n, {grid.nx, grid.ny, grid.nz}, ecal);
  append_rows(w.energy.get(), "energy", w.events, n, {}, energy_gev);
  append_rows(w.target.get(), "target", w.events, n, {2}, target.data());
  w.events += n;
}

void ShowerWriter::set_attribute(const std::string& name, const std::string& value) {
  if (impl_->committed) throw std::logic_error("ShowerWriter::set_attribute after commit()");
  write_string_attribute(impl_->file.get(), name, value);
}

void ShowerWriter::set_attribute(const std::string& name, const char* value) {
  set_attribute(name, std::string(value));
}

void ShowerWriter::set_attribute(const std::string& name, double value) {
  if (impl_->committed) throw std::logic_error("ShowerWriter::set_attribute after commit()");
  write_scalar_attribute(impl_->file.get(), name, H5T_NATIVE_DOUBLE, &value);
}

void ShowerWriter::set_attribute(const std::string& name, std::int64_t value) {
  if (impl_->committed) throw std::logic_error("ShowerWriter::set_attribute after commit()");
  write_scalar_attribute(impl_->file.get(), name, H5T_NATIVE_INT64, &value);
}

void ShowerWriter::set_attribute(const std::string& name, std::uint64_t value) {
  if (impl_->committed) throw std::logic_error("ShowerWriter::set_attribute after commit()");
  write_scalar_attribute(impl_->file.get(), name, H5T_NATIVE_UINT64, &value);
}

void ShowerWriter::commit() {
  Impl& w = *impl_;
  if (w.committed) throw std::logic_error("ShowerWriter::commit called twice");
  if (!w.close())
    throw RuntimeError("cannot finish writing " + w.output.temporary_path() + " (HDF5: " + last_hdf5_error() +
                       ") check the free disk space");
  w.committed = true;  // the handles are closed: whatever publish() does, do not close again
  w.output.publish();
}

std::size_t ShowerWriter::events() const { return impl_->events; }
const ShowerGrid& ShowerWriter::grid() const { return impl_->options.grid; }
const std::string& ShowerWriter::path() const { return impl_->output.final_path(); }
const std::string& ShowerWriter::temporary_path() const { return impl_->output.temporary_path(); }

}  // namespace calo::io
