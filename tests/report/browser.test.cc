// The acceptance: the report opens in headless Chromium without errors and every plot
// image loads; a broken page is caught; a screenshot shows real content.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "report/html_report.hh"
#include "report_test_support.hh"
#include "synthetic_result.hh"

namespace fs = std::filesystem;

namespace calo::report::test {
namespace {

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty())
      GTEST_SKIP() << "chromium is not installed (apt-get install chromium; scripts/setup.sh does it)";
  }
  std::string chromium_;
  ScratchDirectory scratch_;
};

std::string describe(const BrowserCheck& c) {
  return "probed=" + std::to_string(c.probed) + " images " + std::to_string(c.images_ok) + "/" +
         std::to_string(c.images) + " errors=" + std::to_string(c.errors) + " [" + c.error_text +
         "] dom: " + c.dom.substr(0, 300);
}

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return v;
}

TEST_F(BrowserTest, OpensWithoutErrorsAndEveryPlotLoads) {
  auto result = synthetic_result();
  fs::path out = scratch_.path() / "report";
  write_html_report(result, out.string());
  BrowserCheck check = check_in_chromium(chromium_, out / "index.html", scratch_.path());
  ASSERT_TRUE(check.probed) << describe(check);
  EXPECT_EQ(check.images, static_cast<int>(plot_count(result))) << describe(check);
  EXPECT_EQ(check.images_ok, check.images) << describe(check);
  EXPECT_EQ(check.errors, 0) << describe(check);
}

TEST_F(BrowserTest, OpensWithoutErrorsWhenTheClassifierTestWasSkipped) {
  auto result = synthetic_result({.bins = 1, .classifier = false});
  fs::path out = scratch_.path() / "report";
  write_html_report(result, out.string());
  BrowserCheck check = check_in_chromium(chromium_, out / "index.html", scratch_.path());
  ASSERT_TRUE(check.probed) << describe(check);
  EXPECT_EQ(check.images, static_cast<int>(plot_count(result))) << describe(check);
  EXPECT_EQ(check.images_ok, check.images) << describe(check);
  EXPECT_EQ(check.errors, 0) << describe(check);
}

TEST_F(BrowserTest, CatchesABrokenAndAnExternalImage) {
  auto result = synthetic_result({.bins = 1});
  fs::path out = scratch_.path() / "report";
  write_html_report(result, out.string());
  std::string html = read_text(out / "index.html");
  // Corrupt the first plot (valid base64 of a truncated SVG) and add an image from the network.
  const std::string prefix = "data:image/svg+xml;base64,";
  std::size_t start = html.find(prefix);
  ASSERT_NE(start, std::string::npos);
  start += prefix.size();
  std::size_t end = html.find('"', start);
  html.replace(start, end - start, "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciPjxyZWN0");
  std::size_t body = html.find("<main>");
  html.insert(body, "<img src=\"http://127.0.0.1:9/external.png\" width=\"10\" height=\"10\">");
  write_text(out / "index.html", html);

  BrowserCheck check = check_in_chromium(chromium_, out / "index.html", scratch_.path());
  ASSERT_TRUE(check.probed) << describe(check);
  EXPECT_EQ(check.images, static_cast<int>(plot_count(result)) + 1) << describe(check);
  EXPECT_EQ(check.images_ok, check.images - 2) << describe(check);
  EXPECT_GE(check.errors, 2) << describe(check);
}

TEST_F(BrowserTest, ScreenshotShowsThePage) {
  auto result = synthetic_result({.bins = 2});
  fs::path out = scratch_.path() / "report";
  write_html_report(result, out.string());
  const int width = 1280, height = 1800;
  fs::path png = scratch_.path() / "screenshot.png";
  ASSERT_EQ(screenshot_in_chromium(chromium_, out / "index.html", png, scratch_.path(), width, height), 0);
  std::string bytes = read_text(png);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian(bytes, 16), static_cast<std::uint32_t>(width));
  EXPECT_EQ(big_endian(bytes, 20), static_cast<std::uint32_t>(height));
  // A blank page of this size compresses to a few kB; text, a table and plots do not.
  EXPECT_GT(bytes.size(), 60000u) << "screenshot looks empty";
}

/// Not a check: with CALO_REPORT_EXAMPLE_DIR set, leaves an example page and its screenshot.
TEST_F(BrowserTest, WritesExampleWhenAsked) {
  const char* dir = std::getenv("CALO_REPORT_EXAMPLE_DIR");
  if (!dir) GTEST_SKIP() << "set CALO_REPORT_EXAMPLE_DIR to write an example report";
  write_html_report(synthetic_result({.bins = 5}), dir);
  ASSERT_EQ(screenshot_in_chromium(chromium_, fs::path(dir) / "index.html", fs::path(dir) / "screenshot.png",
                                   scratch_.path(), 1400, 2600),
            0);
}

}  // namespace
}  // namespace calo::report::test
