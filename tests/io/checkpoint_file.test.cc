// CheckpointWriter / CheckpointReader: exact round trip of arrays, texts and integers,
// h5py compatibility, atomic writes, and clear errors on missing, truncated, corrupt or
// mismatched content.
#include "io/checkpoint_file.hh"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include "test_support.hh"

namespace fs = std::filesystem;

namespace calo::io::test {
namespace {

/// Values that a lossy path would change: denormals, extremes, negative zero, pattern bits.
std::vector<float> awkward_values(std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits = static_cast<std::uint32_t>(i * 2654435761u) & 0x7f7fffffu;
    std::memcpy(&v[i], &bits, sizeof bits);
    if (i % 2) v[i] = -v[i];
  }
  v[0] = std::numeric_limits<float>::denorm_min();
  v[1] = -0.0f;
  v[2] = std::numeric_limits<float>::max();
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void write_sample(const std::string& path, const std::vector<float>& kernel, const std::vector<float>& bias) {
  CheckpointWriter w(path, false);
  w.set_attribute("", "format", "test-format-1");
  w.write_array("net/conv1/kernel", {4, 3, 2, 2, 2}, kernel);
  w.write_array("net/conv1/bias", {4}, bias);
  w.write_text("spec", "{\"name\": \"t\u00e9st\"}\n");
  w.write_int("training/step", -1234567890123LL);
  w.write_uint("training/seed", std::numeric_limits<std::uint64_t>::max());
  w.write_uints("training/rng_state", std::vector<std::uint64_t>{1, 2, 0xffffffffffffffffULL});
  w.write_uints("training/empty", std::vector<std::uint64_t>{});
  w.set_attribute("net", "note", "hello");
  w.set_attribute("net", "lr", 0.001);
  w.commit();
}

TEST(CheckpointFileTest, RoundTripIsBitExact) {
  ScratchDirectory dir;
  const std::string path = dir.file("c.h5");
  const auto kernel = awkward_values(4 * 3 * 8), bias = awkward_values(4);
  write_sample(path, kernel, bias);
  CheckpointReader r(path, "test-format-1");
  const ArrayShape shape{4, 3, 2, 2, 2};
  EXPECT_TRUE(same_bits(r.read_array("net/conv1/kernel", &shape), kernel));
  EXPECT_TRUE(same_bits(r.read_array("/net/conv1/bias"), bias));
  EXPECT_EQ(r.shape("net/conv1/kernel"), shape);
  EXPECT_EQ(r.read_text("spec"), "{\"name\": \"t\u00e9st\"}\n");
  EXPECT_EQ(r.read_int("training/step"), -1234567890123LL);
  EXPECT_EQ(r.read_uint("training/seed"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(r.read_uints("training/rng_state"), (std::vector<std::uint64_t>{1, 2, 0xffffffffffffffffULL}));
  EXPECT_TRUE(r.read_uints("training/empty").empty());
  EXPECT_EQ(r.attribute("net", "note"), "hello");
  EXPECT_EQ(r.attribute("net", "lr"), "0.001");
  EXPECT_EQ(r.attribute("net", "absent"), "");
  EXPECT_TRUE(r.has_dataset("net/conv1/bias"));
  EXPECT_FALSE(r.has_dataset("net/conv1"));         // a group
  EXPECT_FALSE(r.has_dataset("net/conv9/kernel"));  // a missing parent
  EXPECT_EQ(r.list_datasets("net"), (std::vector<std::string>{"net/conv1/bias", "net/conv1/kernel"}));
  EXPECT_TRUE(r.list_datasets("nothing").empty());
}

TEST(CheckpointFileTest, H5pyReadsTheSameValues) {
  ScratchDirectory dir;
  const std::string path = dir.file("c.h5");
  const auto kernel = awkward_values(4 * 3 * 8), bias = awkward_values(4);
  write_sample(path, kernel, bias);
  // h5py writes the arrays back as raw bytes, compared here bit for bit.
  const std::string script =
      "import h5py, sys\n"
      "f = h5py.File(sys.argv[1], 'r')\n"
      "assert f.attrs['format'] == 'test-format-1'\n"
      "k = f['net/conv1/kernel']\n"
      "assert k.shape == (4, 3, 2, 2, 2) and k.dtype == 'float32', (k.shape, k.dtype)\n"
      "open(sys.argv[2], 'wb').write(k[()].tobytes())\n"
      "assert f['spec'].asstr()[()] == '{\"name\": \"t\\u00e9st\"}\\n'\n"
      "assert int(f['training/step'][()]) == -1234567890123\n"
      "assert int(f['training/seed'][()]) == 2**64 - 1\n"
      "assert list(f['training/rng_state'][()]) == [1, 2, 2**64 - 1]\n";
  std::ofstream(dir.file("check.py")) << script;
  const std::string raw = dir.file("kernel.raw");
  const std::string command = "/usr/bin/python3 " + dir.file("check.py") + " " + path + " " + raw + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(raw, std::ios::binary);
  std::vector<float> read(kernel.size());
  in.read(reinterpret_cast<char*>(read.data()), static_cast<std::streamsize>(read.size() * sizeof(float)));
  EXPECT_TRUE(same_bits(read, kernel));
}

TEST(CheckpointFileTest, WritesAtomicallyAndRefusesToOverwrite) {
  ScratchDirectory dir;
  const std::string path = dir.file("c.h5");
  {
    CheckpointWriter w(path, false);
    w.write_array("a", {2}, std::vector<float>{1, 2});
    EXPECT_FALSE(fs::exists(path));  // only the temporary exists until commit
  }                                  // destroyed without commit: the temporary is removed
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 0);
  write_sample(path, awkward_values(96), awkward_values(4));
  EXPECT_TRUE(contains(input_error_message([&] { CheckpointWriter(path, false); }), "exists"));
  CheckpointWriter w(path, true);
  w.write_array("b", {1}, std::vector<float>{3});
  w.commit();
  CheckpointReader r(path);
  EXPECT_FALSE(r.has_dataset("net/conv1/kernel"));
  EXPECT_EQ(r.read_array("b"), std::vector<float>{3});
}

TEST(CheckpointFileTest, RefusesBadArrays) {
  ScratchDirectory dir;
  CheckpointWriter w(dir.file("c.h5"), false);
  EXPECT_TRUE(contains(input_error_message([&] {
                         w.write_array("a", {2, 3}, std::vector<float>(5));
                       }),
                       "holds 6 values, given 5"));
  EXPECT_TRUE(contains(input_error_message([&] {
                         w.write_array("a", {2, -3}, std::vector<float>(6));
                       }),
                       "not positive"));
}

TEST(CheckpointFileTest, MissingTruncatedCorruptAndWrongFilesGiveClearErrors) {
  ScratchDirectory dir;
  const std::string path = dir.file("c.h5");
  write_sample(path, awkward_values(96), awkward_values(4));

  EXPECT_TRUE(
      contains(input_error_message([&] { CheckpointReader(dir.file("none.h5")); }), "does not exist"));
  EXPECT_TRUE(contains(input_error_message([&] { CheckpointReader(path, "other-format"); }),
                       "format is 'test-format-1' (expected 'other-format'"));
  CheckpointReader r(path);
  EXPECT_TRUE(contains(input_error_message([&] { r.read_array("net/conv2/kernel"); }),
                       "missing dataset /net/conv2/kernel"));
  const ArrayShape wrong{4, 3, 2, 2, 3};
  EXPECT_TRUE(contains(input_error_message([&] { r.read_array("net/conv1/kernel", &wrong); }),
                       "has shape (4, 3, 2, 2, 2), the model expects (4, 3, 2, 2, 3)"));
  EXPECT_TRUE(contains(input_error_message([&] { r.read_int("spec"); }), "has type string"));

  // Truncated: the first half of the file.
  const auto size = fs::file_size(path);
  const std::string truncated = dir.file("truncated.h5");
  fs::copy_file(path, truncated);
  fs::resize_file(truncated, size / 2);
  const std::string message = input_error_message([&] {
    CheckpointReader t(truncated);
    t.read_array("net/conv1/kernel");
  });
  EXPECT_TRUE(contains(message, "truncated")) << message;

  // Not HDF5 at all.
  std::ofstream(dir.file("text.h5")) << "not a checkpoint\n";
  EXPECT_TRUE(
      contains(input_error_message([&] { CheckpointReader(dir.file("text.h5")); }), "not an HDF5 file"));

  // One flipped byte inside the kernel's data: the Fletcher-32 checksum catches it.
  const std::string corrupt = dir.file("corrupt.h5");
  fs::copy_file(path, corrupt);
  std::vector<float> kernel = awkward_values(96);
  std::string bytes;
  {
    std::ifstream in(corrupt, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string needle(reinterpret_cast<const char*>(kernel.data() + 8), 16 * sizeof(float));
  const std::size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 5] ^= 0x10;
  std::ofstream(corrupt, std::ios::binary | std::ios::trunc) << bytes;
  const std::string corrupt_message =
      input_error_message([&] { CheckpointReader(corrupt).read_array("net/conv1/kernel"); });
  EXPECT_TRUE(contains(corrupt_message, "corrupt")) << corrupt_message;
}

}  // namespace
}  // namespace calo::io::test
