#include "dist/timeline.hh"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hh"

namespace calo::dist {

namespace {

std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

}  // namespace

void Timeline::add(std::string name, int thread, Clock::time_point begin, Clock::time_point end) {
  using us = std::chrono::duration<double, std::micro>;
  Span s{std::move(name), thread, us(begin - origin_).count(), us(end - begin).count()};
  const std::lock_guard lock(mutex_);
  spans_.push_back(std::move(s));
}

std::vector<Timeline::Span> Timeline::spans() const {
  const std::lock_guard lock(mutex_);
  return spans_;
}

std::string Timeline::json() const {
  const std::vector<Span> all = spans();
  std::string out = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n";
  char line[128];
  std::snprintf(line, sizeof line,
                "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, \"args\": {\"name\": \"rank %d\"}}",
                rank_, rank_);
  out += line;
  for (int tid : {kCompute, kCommunication}) {
    std::snprintf(
        line, sizeof line,
        ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"args\": {\"name\": "
        "\"%s\"}}",
        rank_, tid, tid == kCompute ? "compute" : "allreduce");
    out += line;
  }
  for (const Span& s : all) {
    std::snprintf(line, sizeof line,
                  "\", \"ph\": \"X\", \"pid\": %d, \"tid\": %d, \"ts\": %.3f, \"dur\": %.3f}", rank_,
                  s.thread, s.begin_us, s.duration_us);
    out += ",\n{\"name\": \"" + escaped(s.name) + line;
  }
  out += "\n]}\n";
  return out;
}

void Timeline::write(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << json();
    if (!f.flush()) throw RuntimeError("cannot write the timeline " + path + " (is its folder writable?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw RuntimeError("cannot write the timeline " + path + " (" + ec.message() + ")");
}

}  // namespace calo::dist
