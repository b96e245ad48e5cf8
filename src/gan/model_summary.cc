#include "gan/model_summary.hh"

#include <algorithm>

#include "gan/model_shapes.hh"

namespace calo::gan {

std::string thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text + " ";
}

/// "name (Type)" or "name (Type) -> role" (built by appends: GCC 12 warns falsely on
/// string concatenations that start with a literal).
std::string label_of(const LayerRow& r) {
  std::string label = r.name;
  label.append(" (").append(r.type).append(")");
  if (!r.output_role.empty()) label.append(" -> ").append(r.output_role);
  return label;
}

std::string trimmed(std::string text) {
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string format_network(const NetworkSummary& s, const std::string& title) {
  const bool connections = s.net == "discriminator";
  std::size_t w_layer = 12, w_shape = 12, w_param = 7;
  for (const auto& r : s.rows) {
    w_layer = std::max(w_layer, label_of(r).size());
    w_shape = std::max(w_shape, keras_shape_text(r.output).size());
    w_param = std::max(w_param, thousands(r.trainable + r.non_trainable).size());
  }
  std::string header(" ");
  header.append(pad("Layer (type)", w_layer + 2)).append(pad("Output Shape", w_shape + 2));
  header.append(pad("Param #", w_param + 2)).append(connections ? "Connected to" : "");
  std::size_t width = std::max<std::size_t>(65, header.size() + (connections ? 4 : 0));
  const std::string line(width, '_'), double_line(width, '=');
  std::string out("Model: \"");
  out.append(title).append("\"\n").append(line).append("\n").append(trimmed(header)).append("\n");
  out.append(double_line).append("\n");
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const auto& r = s.rows[i];
    std::string row(" ");
    row.append(pad(label_of(r), w_layer + 2)).append(pad(keras_shape_text(r.output), w_shape + 2));
    row.append(pad(thousands(r.trainable + r.non_trainable), w_param + 2)).append(r.connected_to);
    out.append(trimmed(row)).append(i + 1 < s.rows.size() ? "\n\n" : "\n");
  }
  out.append(double_line).append("\n");
  out.append("Total params: ").append(thousands(s.trainable + s.non_trainable)).append("\n");
  out.append("Trainable params: ").append(thousands(s.trainable)).append("\n");
  out.append("Non-trainable params: ").append(thousands(s.non_trainable)).append("\n");
  out.append(line).append("\n");
  return out;
}

}  // namespace

std::string format_model_summary(const ModelSpec& spec, const std::string& origin) {
  std::string out("Model spec: ");
  out.append(spec.name).append(" (").append(origin).append(")\n");
  if (!spec.description.empty()) out.append(spec.description).append("\n");
  out.append("\n").append(format_network(summarise_generator(spec), "generator")).append("\n");
  out.append(format_network(summarise_discriminator(spec), "discriminator"));
  return out;
}

}  // namespace calo::gan
