#include "gan/generator.hh"

#include <stdexcept>

#include "gan/layer_factory.hh"

namespace calo::gan {

Generator::Generator(nn::Context& ctx, const ModelSpec& spec)
    : latent_size_(spec.latent_size), image_(spec.image_shape), net_(ctx, "generator") {
  validate_model_spec(spec);
  std::vector<nn::Dropout*> dropouts;
  append_layers(net_, spec.generator.layers, "generator", dropouts);
  const nn::Dims out = net_.declare(input_dims(1), store_);
  store_.finalize();
  if (out != output_dims(1))  // the spec's shape arithmetic and nn disagree: a bug
    throw std::logic_error("generator: nn output " + nn::to_string(out) + " differs from the spec's " +
                           nn::to_string(output_dims(1)));
}

nn::Dims Generator::input_dims(std::int64_t batch) const { return {.n = batch, .c = latent_size_}; }

nn::Dims Generator::output_dims(std::int64_t batch) const {
  return {.n = batch, .c = 1, .d = image_[0], .h = image_[1], .w = image_[2]};
}

}  // namespace calo::gan
