// The report page on its own: atomic publication, self-containment, embedded SVGs, escaping.
#include "report/html_report.hh"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "core/error.hh"
#include "report/text_format.hh"
#include "report_test_support.hh"
#include "synthetic_result.hh"

namespace fs = std::filesystem;

namespace calo::report::test {
namespace {

bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

int count_of(const std::string& text, const std::string& fragment) {
  int n = 0;
  for (std::size_t at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + 1)) ++n;
  return n;
}

/// Names in dir other than index.html (temporaries that should not be left behind).
std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename() != "index.html") names.push_back(entry.path().filename().string());
  return names;
}

/// Every image of the page as decoded SVG text.
std::vector<std::string> embedded_svgs(const std::string& html) {
  const std::string prefix = "data:image/svg+xml;base64,";
  std::vector<std::string> svgs;
  for (const std::string& src : attribute_values(html, "src")) {
    EXPECT_TRUE(src.starts_with(prefix)) << src.substr(0, 80);
    if (src.starts_with(prefix)) svgs.push_back(base64_decode(src.substr(prefix.size())));
  }
  return svgs;
}

/// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old, had_ = true;
    setenv(name, value, 1);
  }
  ~ScopedEnv() { had_ ? (void)setenv(name_, old_.c_str(), 1) : (void)unsetenv(name_); }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(TextFormat, EscapesAndEncodes) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(gnuplot_quote("it's\na \\ test"), "'it''s a \\ test'");
  for (std::string s : std::initializer_list<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                          std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(format_number(0.000123456), "0.000123");
  EXPECT_EQ(format_number(std::nan("")), "n/a");
  EXPECT_EQ(data_number(1.0 / 0.0), "NaN");
}

TEST(HtmlReport, PublishesIndexByRenameAndReplacesAnOldPage) {
  ScratchDirectory scratch;
  fs::path out = scratch.path() / "report";  // not there yet: created
  write_html_report(synthetic_result(), out.string());
  ASSERT_TRUE(fs::is_regular_file(out / "index.html"));
  EXPECT_TRUE(leftovers(out).empty());
  std::string first = read_text(out / "index.html");
  EXPECT_TRUE(first.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(first.ends_with("</html>\n"));

  auto other = synthetic_result({.bins = 1});
  write_html_report(other, out.string());
  std::string second = read_text(out / "index.html");
  EXPECT_TRUE(second.ends_with("</html>\n"));
  EXPECT_LT(second.size(), first.size());
  EXPECT_TRUE(leftovers(out).empty());
}

TEST(HtmlReport, MissingGnuplotIsOneLineErrorAndLeavesTheOldPage) {
  ScratchDirectory scratch;
  write_text(scratch.path() / "index.html", "old page");
  std::string message;
  {
    ScopedEnv path("PATH", (scratch.path() / "no-such-bin").c_str());
    try {
      write_html_report(synthetic_result(), scratch.path().string());
      ADD_FAILURE() << "expected calo::RuntimeError";
    } catch (const RuntimeError& e) {
      message = e.what();
    }
  }
  EXPECT_TRUE(contains(message, "gnuplot-nox")) << message;
  EXPECT_FALSE(contains(message, "\n")) << message;
  EXPECT_EQ(read_text(scratch.path() / "index.html"), "old page");
  EXPECT_TRUE(leftovers(scratch.path()).empty());
}

TEST(HtmlReport, UncreatableFolderIsInputError) {
  ScratchDirectory scratch;
  write_text(scratch.path() / "file", "x");
  EXPECT_THROW(write_html_report(synthetic_result({.bins = 1}), (scratch.path() / "file" / "sub").string()),
               InputError);
  EXPECT_THROW(write_html_report(synthetic_result({.bins = 1}), ""), InputError);
}

TEST(HtmlReport, IsSelfContainedWithOneValidSvgPerPlot) {
  auto result = synthetic_result();
  std::string html = render_html_report(result);
  // Nothing is fetched: no URL schemes anywhere (base64 has no ':'), only in-page links, no
  // external scripts, styles or fonts, and a policy that would block them anyway.
  for (const char* scheme :
       {"http:", "https:", "file:", "ftp:", "//cdn", "@import", "url(", "<link", "<script"})
    EXPECT_FALSE(contains(html, scheme)) << scheme;
  for (const std::string& href : attribute_values(html, "href")) EXPECT_TRUE(href.starts_with("#")) << href;
  EXPECT_TRUE(contains(html, "Content-Security-Policy\" content=\"default-src 'none'; img-src data:"));

  auto svgs = embedded_svgs(html);
  ASSERT_EQ(svgs.size(), plot_count(result));
  // The first plot is the classifier test's ROC curves, the others the observables.
  EXPECT_TRUE(contains(svgs.front(), "false-positive rate"));
  EXPECT_TRUE(contains(svgs.front(), "reference halves, AUC 0.505"));
  for (const std::string& svg : svgs) {
    EXPECT_TRUE(contains(svg.substr(0, 200), "<svg")) << svg.substr(0, 200);
    EXPECT_EQ(count_of(svg, "<svg"), 1);
    EXPECT_TRUE(svg.find("</svg>") != std::string::npos && svg.find("</svg>") > svg.size() - 20);
    EXPECT_FALSE(contains(svg, "<script"));
    EXPECT_FALSE(contains(svg, "<image"));
    EXPECT_FALSE(contains(svg, "href='http") || contains(svg, "href=\"http"));
    // the two panels: the main one and the ratio below it, each with its axis labels
    if (&svg != &svgs.front()) {
      EXPECT_TRUE(contains(svg, "cand. / ref."));
    }
  }
  // Every anchor in the summary table points at a figure of the page.
  for (const std::string& href : attribute_values(html, "href"))
    EXPECT_TRUE(contains(html, "id=\"" + href.substr(1) + "\"")) << href;
}

TEST(HtmlReport, ShowsFilesCountsScoresTableAndNotes) {
  auto result = synthetic_result();
  std::string html = render_html_report(result);
  EXPECT_TRUE(contains(html, "/data/geant4-electrons.h5"));
  EXPECT_TRUE(contains(html, "/data/gan-epoch30.h5"));
  EXPECT_TRUE(contains(html, std::to_string(result.reference_events) + " events"));
  EXPECT_TRUE(contains(html, ">0.084<"));  // score
  EXPECT_TRUE(contains(html, "0.031"));    // baseline score
  EXPECT_TRUE(contains(html, "two halves") || contains(html, "two random halves"));
  // One coloured cell per observable and compared bin; the empty bin noted, not plotted.
  std::size_t cells = 0;
  for (const auto& bin : result.bins) cells += bin.empty ? 0 : bin.observables.size();
  std::size_t coloured = count_of(html, "<td class=\"green\"") + count_of(html, "<td class=\"amber\"") +
                         count_of(html, "<td class=\"red\"");
  EXPECT_EQ(coloured, cells);
  EXPECT_GT(count_of(html, "<td class=\"red\""), 0);
  EXPECT_TRUE(contains(html, "Bins not compared"));
  EXPECT_TRUE(contains(html, "450 GeV (445–455 GeV): 4 reference, 0 candidate events"));
  for (const auto& bin : result.bins) EXPECT_TRUE(contains(html, ">" + bin.bin.label)) << bin.bin.label;
  EXPECT_TRUE(contains(html, "Longitudinal profile"));
  EXPECT_TRUE(contains(html, "KS p-value"));
}

TEST(HtmlReport, ShowsTheTwoSampleTestsBesideTheirBaselineAndSeparationPowers) {
  auto result = synthetic_result({.bins = 1});
  std::string html = render_html_report(result);
  const auto& low = result.classifier.variants[0].candidate;
  EXPECT_TRUE(contains(html, "<td>AUC, low level (cells)</td><td>" + format_number(low.auc) +
                                 " ± 0.006</td><td>" +
                                 format_number(result.classifier.variants[0].baseline.auc) + " ± 0.006</td>"))
      << html.substr(html.find("Two-sample"), 2000);
  EXPECT_TRUE(contains(html, "<td>AUC, high level (features)</td>"));
  EXPECT_TRUE(contains(html, "<td>FPD × 10³</td><td>21.3 ± 1.1</td><td>2.1 ± 0.7</td>"));
  EXPECT_TRUE(contains(html, "<td>KPD × 10³</td><td>0.42 ± 0.08</td>"));
  EXPECT_TRUE(contains(html, "6000 train / 2000 test / 2000 evaluation"));
  EXPECT_TRUE(contains(html, "alt=\"ROC curves"));
  // Separation power beside every histogram (with the reference halves'), none beside profiles.
  std::size_t histograms = 0;
  for (const auto& bin : result.bins)
    for (const auto& o : bin.observables) histograms += bin.empty ? 0 : !o.is_profile;
  EXPECT_EQ(count_of(html, "<span class=\"sp\""), histograms);
  EXPECT_TRUE(contains(html, ">SP 0.004 (0.0041)</span>"));
  EXPECT_TRUE(contains(html, "<td>separation power</td>"));
}

TEST(HtmlReport, AClassifierTestSkippedForTooFewShowersIsSaidAndTheRestShown) {
  auto result = synthetic_result({.bins = 1, .classifier = false});
  std::string html = render_html_report(result);
  EXPECT_TRUE(contains(html, "<b>Classifier test skipped</b>: too few showers for the classifier split"));
  EXPECT_FALSE(contains(html, "AUC, low level"));
  EXPECT_FALSE(contains(html, "ROC curves"));
  EXPECT_TRUE(contains(html, "<td>FPD × 10³</td>"));
  EXPECT_EQ(embedded_svgs(html).size(), plot_count(result));
  EXPECT_TRUE(contains(html, "Longitudinal profile"));
}

TEST(HtmlReport, EscapesTextForHtmlAndGnuplot) {
  auto result = synthetic_result({.bins = 1, .awkward_text = true, .classifier = false});
  std::string html = render_html_report(result);  // gnuplot would fail on a broken string
  EXPECT_FALSE(contains(html, "<script>alert"));
  EXPECT_FALSE(contains(html, "<b>title</b>"));
  EXPECT_TRUE(contains(html, "gan&#39;s &lt;script&gt;alert(1)&lt;/script&gt;.h5"));
  EXPECT_TRUE(contains(html, "Odd &lt;b&gt;title&lt;/b&gt; &amp; &#39;quotes&#39; &quot;double&quot;"));
  auto svgs = embedded_svgs(html);
  ASSERT_FALSE(svgs.empty());
  // gnuplot wrote the labels literally (no enhanced-text markup), escaped for XML
  EXPECT_TRUE(contains(svgs.front(), "x_{label} with 'quote' \\n and {braces} ^ @ &amp; ~")) << svgs.front();
  EXPECT_TRUE(contains(svgs.front(), "line break 'y' &lt;label>"));
}

TEST(HtmlReport, SurvivesDegenerateSeries) {
  auto result = synthetic_result({.bins = 1});
  auto& observables = result.bins[0].observables;
  observables[0].reference = {};                                              // nothing at all
  observables[1].candidate.y.assign(observables[1].candidate.y.size(), 0.0);  // all zero
  observables[2].candidate.x.resize(3);                                       // shorter than y
  observables[3].reference.y[5] = std::nan("");                               // NaN, on log axes
  observables[3].candidate.x[0] = -1;                                         // negative edge on a log x axis
  observables[7].candidate.error.clear();                                     // profile without errors
  observables[8].reference.x.clear();
  observables[8].candidate.x.clear();
  observables[8].baseline_a.x.clear();
  observables[8].baseline_b.x.clear();  // a profile with no positions
  std::string html = render_html_report(result);
  EXPECT_EQ(embedded_svgs(html).size(), plot_count(result));
}

TEST(HtmlReport, NoComparedBinStillMakesAPage) {
  physics::ValidationResult result;
  result.reference_path = "a.h5";
  result.candidate_path = "b.h5";
  result.bins.push_back({{"all", 0, 1.0 / 0.0}, 3, 2, true, {}});
  std::string html = render_html_report(result);
  EXPECT_TRUE(contains(html, "nothing was compared"));
  EXPECT_TRUE(attribute_values(html, "src").empty());
}

}  // namespace
}  // namespace calo::report::test
