#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "calo3dgan/shower_file.hh"
#include "core/error.hh"
#include "io/hdf5_attributes.hh"
#include "io/hdf5_dataset.hh"
#include "io/hdf5_error.hh"
#include "io/hdf5_handle.hh"

namespace fs = std::filesystem;

namespace calo::io {

namespace {

constexpr ShowerGrid kOriginalWideGrid{51, 51, 25};  // original 3DGAN data: crop to 25x25
constexpr std::size_t kCroppedWidth = 25;

/// Throws InputError unless path names a readable HDF5 file.
void check_input_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw InputError("input file " + path + " not found (no such file) check the path");
  if (fs::is_directory(path, ec))
    throw InputError("input path " + path + " is a directory (a shower file is needed)");
  if (access(path.c_str(), R_OK) != 0)
    throw InputError("input file " + path + " is not readable (permission denied)");
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw InputError("file " + path +
                     " is not an HDF5 file (no HDF5 signature) a 3DGAN shower file is needed");
  }
}

/// Rows of the dataset: its first dimension (0 for a scalar).
std::size_t rows(const std::vector<std::size_t>& shape) { return shape.empty() ? 0 : shape[0]; }

}  // namespace

struct ShowerReader::Impl {
  std::string path;
  Hdf5Handle file;
  Hdf5Handle ecal;
  Hdf5Handle energy;  // `energy` or `target`, per energy_source
  std::vector<std::size_t> energy_shape;
  hsize_t energy_column = 0;  // index in the last dimension holding the energy
  std::string energy_source;
  std::vector<DatasetInfo> datasets;
  std::size_t events = 0;
  ShowerGrid stored_grid, grid;
  hsize_t crop_x = 0, crop_y = 0;  // first stored x and y index read

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError("file " + path + ": " + problem);
  }
  const DatasetInfo* find(const std::string& name) const {
    auto it = std::find_if(datasets.begin(), datasets.end(), [&](const auto& d) { return d.name == name; });
    return it == datasets.end() ? nullptr : &*it;
  }
  Hdf5Handle open_numeric(const std::string& name) const {
    Hdf5Handle dataset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT));
    if (!dataset) fail("cannot open dataset " + name + " (HDF5: " + last_hdf5_error() + ")");
    if (!is_numeric(dataset.get()))
      fail("dataset " + name + " has type " + find(name)->type + " (numbers are needed)");
    return dataset;
  }
  void open_ecal(const ReaderOptions& options);
  void open_energy_source();
};

void ShowerReader::Impl::open_ecal(const ReaderOptions& options) {
  const DatasetInfo* info = find("ECAL");
  if (!info) {
    std::string names;
    for (const auto& d : datasets) names += (names.empty() ? "" : ", ") + d.name;
    fail("no ECAL dataset (not a 3DGAN shower file; datasets found: " +
         (names.empty() ? std::string("none") : names) + ")");
  }
  const auto& shape = info->shape;
  if (shape.size() != 4)
    fail("dataset ECAL has rank " + std::to_string(shape.size()) + ", shape " + shape_text(shape) +
         " (expected (N, x, y, layer), e.g. (N, 25, 25, 25))");
  events = shape[0];
  stored_grid = {shape[1], shape[2], shape[3]};
  if (stored_grid.cells() == 0) fail("dataset ECAL has an empty grid, shape " + shape_text(shape));
  grid = stored_grid;
  if (stored_grid == kOriginalWideGrid && !options.full_grid) {
    crop_x = (stored_grid.nx - kCroppedWidth) / 2;
    crop_y = (stored_grid.ny - kCroppedWidth) / 2;
    grid.nx = grid.ny = kCroppedWidth;
  }
  ecal = open_numeric("ECAL");
}

void ShowerReader::Impl::open_energy_source() {
  auto check_rows = [&](const DatasetInfo& info) {
    if (rows(info.shape) != events)
      fail("dataset " + info.name + " has " + std::to_string(rows(info.shape)) + " rows but ECAL has " +
           std::to_string(events) + " (one row per event is needed)");
  };
  auto check_no_empty_dims = [&](const DatasetInfo& info) {
    if (std::find(info.shape.begin() + 1, info.shape.end(), 0) != info.shape.end())
      fail("dataset " + info.name + " has shape " + shape_text(info.shape) +
           " (no primary energy in its rows)");
  };
  const DatasetInfo* target = find("target");
  if (target) check_rows(*target);
  if (const DatasetInfo* info = find("energy")) {
    if (info->shape.empty()) fail("dataset energy is a scalar (one energy per event is needed)");
    check_rows(*info);
    check_no_empty_dims(*info);
    energy_source = "energy";
    energy_shape = info->shape;
    energy_column = 0;
    energy = open_numeric("energy");
  } else if (target) {
    if (target->shape.size() < 2 || target->shape.back() < 2)
      fail("no energy dataset and target has shape " + shape_text(target->shape) +
           " (the energy is read from target[:,1], which needs shape (N, k) or (N, 1, k), "
           "k >= 2)");
    check_no_empty_dims(*target);
    energy_source = "target[:,1]";
    energy_shape = target->shape;
    energy_column = 1;
    energy = open_numeric("target");
  } else {
    fail("no energy or target dataset (the primary energy of each event is needed)");
  }
}

ShowerReader::ShowerReader(const std::string& path, ReaderOptions options) : impl_(std::make_unique<Impl>()) {
  silence_hdf5_error_printing();
  check_input_file(path);
  Impl& r = *impl_;
  r.path = path;
  r.file =
      Hdf5Handle(hdf5_check<InputError>(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
                                        "cannot open file " + path, " the file may be truncated or corrupt"));
  try {
    r.datasets = list_root_datasets(r.file.get());
  } catch (const RuntimeError& e) {
    r.fail(std::string(e.what()) + " the file may be truncated or corrupt");
  }
  r.open_ecal(options);
  r.open_energy_source();
}

ShowerReader::~ShowerReader() = default;
ShowerReader::ShowerReader(ShowerReader&&) noexcept = default;
ShowerReader& ShowerReader::operator=(ShowerReader&&) noexcept = default;

std::size_t ShowerReader::events() const { return impl_->events; }
const ShowerGrid& ShowerReader::grid() const { return impl_->grid; }
const ShowerGrid& ShowerReader::stored_grid() const { return impl_->stored_grid; }
const std::string& ShowerReader::energy_source() const { return impl_->energy_source; }
const std::vector<DatasetInfo>& ShowerReader::datasets() const { return impl_->datasets; }
const std::string& ShowerReader::path() const { return impl_->path; }

std::vector<std::string> ShowerReader::extra_datasets() const {
  std::vector<std::string> names;
  for (const auto& d : impl_->datasets)
    if (d.name != "ECAL" && d.name != "energy" && d.name != "target") names.push_back(d.name);
  return names;
}

AttributeList ShowerReader::attributes() const { return read_attributes_as_text(impl_->file.get()); }

namespace {
/// Reads the hyperslab [start, start + count) of dataset into out (converted to float).
void read_block(hid_t dataset, const std::vector<hsize_t>& start, const std::vector<hsize_t>& count,
                float* out, const std::string& what) {
  Hdf5Handle file_space(hdf5_check<InputError>(H5Dget_space(dataset), what));
  hdf5_check<InputError>(
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      what);
  Hdf5Handle memory_space(
      hdf5_check<InputError>(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), what));
  hdf5_check<InputError>(
      H5Dread(dataset, H5T_NATIVE_FLOAT, memory_space.get(), file_space.get(), H5P_DEFAULT, out), what,
      " the file may be truncated or corrupt");
}
}  // namespace

void ShowerReader::read(std::size_t first, std::size_t count, std::vector<float>& ecal,
                        std::vector<float>& energy_gev) const {
  const Impl& r = *impl_;
  if (first > r.events || count > r.events - first)
    throw std::out_of_range("ShowerReader::read: events [" + std::to_string(first) + ", " +
                            std::to_string(first + count) + ") beyond the " + std::to_string(r.events) +
                            " events of " + r.path);
  ecal.resize(count * r.grid.cells());
  if (count > 0)
    read_block(r.ecal.get(), {first, r.crop_x, r.crop_y, 0}, {count, r.grid.nx, r.grid.ny, r.grid.nz},
               ecal.data(), "file " + r.path + ": cannot read ECAL");
  read_energies(first, count, energy_gev);
}

void ShowerReader::read_energies(std::size_t first, std::size_t count, std::vector<float>& energy_gev) const {
  const Impl& r = *impl_;
  if (first > r.events || count > r.events - first)
    throw std::out_of_range("ShowerReader::read_energies: events [" + std::to_string(first) + ", " +
                            std::to_string(first + count) + ") beyond the " + std::to_string(r.events) +
                            " events of " + r.path);
  energy_gev.resize(count);
  if (count == 0) return;
  std::vector<hsize_t> start(r.energy_shape.size(), 0), block(r.energy_shape.size(), 1);
  if (r.energy_shape.size() > 1) start.back() = r.energy_column;
  start.front() = first;
  block.front() = count;
  read_block(r.energy.get(), start, block, energy_gev.data(),
             "file " + r.path + ": cannot read " + r.energy_source);
}

}  // namespace calo::io
