#include "nn/layer.hh"

#include <stdexcept>

#include "core/error.hh"
#include "nn/plan.hh"
#include "nn/thread_scope.hh"

namespace calo::nn {

Layer::Layer(Context& ctx, std::string name) : ctx_(&ctx), name_(std::move(name)) {
  CALO_VALIDATE(!name_.empty(), "layer: empty name (every layer needs a unique name)");
}

Layer::~Layer() = default;

Dims Layer::declare(const Dims& in, ParameterStore& store) {
  store_ = &store;
  return output_dims(in);
}

void Layer::require_finalized_store(const char* call) const {
  if (has_parameters() && !(store_ && store_->finalized()))
    throw std::logic_error(name_ + ": " + call + " before declare() and the store's finalize()");
}

void Layer::initialise(Rng& rng) {
  require_finalized_store("initialise");
  initialise_parameters(rng);
}

Plan& Layer::plan_for(const Tensor& in, Mode mode) {
  CALO_VALIDATE(static_cast<bool>(in), name_ + ": empty input tensor");
  for (auto& p : plans_)
    if (p->matches(in, mode)) return *p;
  require_finalized_store("forward");
  output_dims(in.dims());  // InputError on impossible shapes, before oneDNN sees them
  plans_.push_back(make_plan(in, mode));
  return *plans_.back();
}

void Layer::build(const Tensor& example, Mode mode) {
  const ThreadScope threads(ctx_->threads());  // oneDNN sizes primitives for them at creation
  if (!folded_) plan_for(example, mode);
}

const Tensor& Layer::forward(const Tensor& in, Mode mode) {
  if (folded_) return in;
  const ThreadScope threads(ctx_->threads());
  Plan& plan = plan_for(in, mode);
  if (mode == Mode::train) last_train_ = &plan;
  const Tensor& out = plan.forward(in);
  if (mode == Mode::train) last_out_ = out;
  return out;
}

namespace {

/// What forward_through remembers for inputs that no fused plan takes.
class DeclinedPlan : public Plan {
 public:
  using Plan::Plan;
  const Tensor& forward(const Tensor&) override { throw std::logic_error("nn: a declined fused plan ran"); }
  const Tensor* backward(const Tensor&, const BackwardOptions&) override {
    throw std::logic_error("nn: a declined fused plan ran");
  }
};

}  // namespace

std::unique_ptr<Plan> Layer::make_fused_plan(Layer&, const Tensor&, Mode) { return nullptr; }

const Tensor* Layer::forward_through(Layer& next, const Tensor& in, Mode mode) {
  if (folded_ || next.folded_ || mode == Mode::train || !fuses_with(next)) return nullptr;
  const ThreadScope threads(ctx_->threads());
  for (std::size_t i = 0; i < fused_plans_.size(); ++i)
    if (fused_next_[i] == &next && fused_plans_[i]->matches(in, mode))
      return dynamic_cast<DeclinedPlan*>(fused_plans_[i].get()) ? nullptr : &fused_plans_[i]->forward(in);
  CALO_VALIDATE(static_cast<bool>(in), name_ + ": empty input tensor");
  require_finalized_store("forward");
  output_dims(in.dims());
  auto plan = make_fused_plan(next, in, mode);
  const bool declined = !plan;
  if (declined) plan = std::make_unique<DeclinedPlan>(*this, in, mode);
  fused_plans_.push_back(std::move(plan));
  fused_next_.push_back(&next);
  return declined ? nullptr : &fused_plans_.back()->forward(in);
}

const Tensor* Layer::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  if (folded_) return &diff_out;
  const ThreadScope threads(ctx_->threads());
  CALO_VALIDATE(last_train_ != nullptr, name_ + ": backward before a Mode::train forward");
  if (!diff_out) throw std::logic_error(name_ + ": backward given an empty diff_out tensor");
  if (diff_out.dims() != last_out_.dims())
    throw std::logic_error(name_ + ": backward given diff_out of dims " + to_string(diff_out.dims()) +
                           ", but the last training forward's output has dims " +
                           to_string(last_out_.dims()) + " (the gradient must match the output)");
  if (desc_of(diff_out) != desc_of(last_out_)) {
    // Another layout (e.g. a plain diff for a blocked output): the primitives were built
    // for the output's layout, so reorder into it (oneDNN would read past the buffer).
    if (!diff_fix_ || desc_of(diff_fix_) != desc_of(last_out_)) diff_fix_ = Tensor::zeros_like(last_out_);
    diff_fix_.copy_from(diff_out);
    return last_train_->backward(diff_fix_, opt);
  }
  return last_train_->backward(diff_out, opt);
}

}  // namespace calo::nn
