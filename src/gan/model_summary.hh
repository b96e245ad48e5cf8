#pragma once
// Keras-style model summary text (`calo3dgan model --summary`): per network a table of
// layer (type), output shape, parameter count (and, for the discriminator, the layer each
// one reads), then the totals trainable / non-trainable.
#include <cstdint>
#include <string>

#include "gan/model_spec.hh"

namespace calo::gan {

/// "1,042,368".
std::string thousands(std::int64_t n);

/// Both networks' tables, headed by the spec's name and origin (a file path or "built-in").
std::string format_model_summary(const ModelSpec& spec, const std::string& origin);

}  // namespace calo::gan
