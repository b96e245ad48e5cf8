#include "nn/layer.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

Layer::Layer(Context& ctx, std::string name) : ctx_(&ctx), name_(std::move(name)) {
  CALO_VALIDATE(!name_.empty(), "layer: empty name (every layer needs a unique name)");
}

Layer::~Layer() = default;

Dims Layer::declare(const Dims& in, ParameterStore& store) {
  store_ = &store;
  return output_dims(in);
}

void Layer::initialise(Rng&) {}

Plan& Layer::plan_for(const Tensor& in, Mode mode) {
  CALO_VALIDATE(static_cast<bool>(in), name_ + ": empty input tensor");
  for (auto& p : plans_)
    if (p->matches(in, mode)) return *p;
  output_dims(in.dims());  // InputError on impossible shapes, before oneDNN sees them
  plans_.push_back(make_plan(in, mode));
  return *plans_.back();
}

void Layer::build(const Tensor& example, Mode mode) {
  if (!folded_) plan_for(example, mode);
}

const Tensor& Layer::forward(const Tensor& in, Mode mode) {
  if (folded_) return in;
  Plan& plan = plan_for(in, mode);
  if (mode == Mode::train) last_train_ = &plan;
  return plan.forward(in);
}

const Tensor* Layer::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  if (folded_) return &diff_out;
  CALO_VALIDATE(last_train_ != nullptr, name_ + ": backward before a Mode::train forward");
  return last_train_->backward(diff_out, opt);
}

}  // namespace calo::nn
