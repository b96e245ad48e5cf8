// The training report (src/report/training_report.hh) from a metrics log written in the test:
// one plot per panel, each a real SVG drawing the logged values; the summary's best validation
// is the line with the lowest score; an empty log still gives a page; the page loads in
// headless Chromium with every image and no error; a missing log is named.
#include "report/training_report.hh"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.hh"
#include "report_test_support.hh"
#include "scratch_directory.hh"

namespace calo::report::test {
namespace {

std::string step_line(int step, double total) {
  const std::string loss = "{\"total\":" + std::to_string(total) +
                           ",\"bce\":0.7,\"energy_mape\":40,\"ecal_mape\":" + std::to_string(step) + "}";
  return "{\"kind\":\"step\",\"step\":" + std::to_string(step) + ",\"epoch\":" + std::to_string(step / 10.0) +
         ",\"samples\":" + std::to_string(8 * step) + ",\"d_real\":" + loss + ",\"d_fake\":" + loss +
         ",\"g\":" + loss + ",\"samples_per_s\":" + std::to_string(100 + step) + "}\n";
}

std::string validation_line(int step, double score) {
  return "{\"kind\":\"validation\",\"step\":" + std::to_string(step) +
         ",\"sampled_fraction_error\":" + std::to_string(score / 2) +
         ",\"longitudinal_error\":" + std::to_string(score / 4) +
         ",\"transverse_error\":" + std::to_string(score / 4) + ",\"score\":" + std::to_string(score) + "}\n";
}

TEST(TrainingReport, OnePlotPerPanelAndTheBestValidationInTheSummary) {
  calo::test::ScratchDirectory dir;
  std::string log;
  for (int s = 1; s <= 30; ++s) {
    log += step_line(s, 100.0 / s);
    if (s % 10 == 0) log += validation_line(s, s == 20 ? 0.125 : 0.5);
  }
  write_text(dir.file("metrics.jsonl"), log);
  const std::string page = render_training_report(dir.file("metrics.jsonl"), "runs/demo");
  const auto images = attribute_values(page, "src");
  ASSERT_EQ(images.size(), 5u);
  for (const std::string& src : images) {
    const std::string prefix = "data:image/svg+xml;base64,";
    ASSERT_EQ(src.rfind(prefix, 0), 0u);
    const std::string svg = base64_decode(src.substr(prefix.size()));
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("<path"), std::string::npos) << "a panel without a curve";
  }
  EXPECT_NE(page.find("runs/demo"), std::string::npos);
  EXPECT_NE(page.find("30 steps"), std::string::npos);
  EXPECT_NE(page.find("at step 20"), std::string::npos);  // the lowest score, not the last
  EXPECT_NE(page.find("12.5 %"), std::string::npos);      // its score in percent
}

TEST(TrainingReport, EmptyLogGivesAPageAndMissingLogIsNamed) {
  calo::test::ScratchDirectory dir;
  write_text(dir.file("metrics.jsonl"), "");
  EXPECT_EQ(attribute_values(render_training_report(dir.file("metrics.jsonl"), "new"), "src").size(), 5u);
  try {
    render_training_report(dir.file("none.jsonl"), "x");
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("none.jsonl"), std::string::npos);
  }
}

TEST(TrainingReport, LoadsInChromiumWithEveryImage) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium not installed";
  calo::test::ScratchDirectory dir;
  std::string log;
  for (int s = 1; s <= 12; ++s) log += step_line(s, 50.0 / s) + (s % 6 == 0 ? validation_line(s, 0.3) : "");
  write_text(dir.file("metrics.jsonl"), log);
  write_training_report(dir.file("metrics.jsonl"), "run", dir.file("training.html"));
  const BrowserCheck check = check_in_chromium(chromium, dir.file("training.html"), dir.path());
  ASSERT_TRUE(check.probed) << check.dom;
  EXPECT_EQ(check.images_ok, 5);
  EXPECT_EQ(check.images, 5);
  EXPECT_EQ(check.errors, 0) << check.error_text;
}

}  // namespace
}  // namespace calo::report::test
