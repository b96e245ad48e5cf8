#include "nn/sequential.hh"

#include "core/error.hh"
#include "nn/plan.hh"

namespace calo::nn {

Sequential::Sequential(Context& ctx, std::string name) : Layer(ctx, std::move(name)) {}

Layer& Sequential::add(std::unique_ptr<Layer> layer) {
  CALO_VALIDATE(!declared_, name() + ": layer " + layer->name() + " added after declare()");
  layers_.push_back(std::move(layer));
  return *layers_.back();
}

Dims Sequential::declare(const Dims& in, ParameterStore& store) {
  CALO_VALIDATE(!declared_, name() + ": declare() called twice");
  if (folding_) {
    for (std::size_t i = 0; i + 1 < layers_.size(); ++i) {
      Layer& a = *layers_[i];
      Layer& b = *layers_[i + 1];
      if (a.folded() || b.folded()) continue;
      if (b.absorb_previous(a)) {
        a.set_folded(true);
        // Keep absorbing backwards: UpSampling3D -> ZeroPad3D -> Conv3D folds into the conv.
        for (std::size_t k = i; k-- > 0 && !layers_[k]->folded() && b.absorb_previous(*layers_[k]);)
          layers_[k]->set_folded(true);
      } else if (a.absorb_next(b)) {
        b.set_folded(true);
      }
    }
  }
  store_ = &store;
  Dims d = in;
  for (auto& l : layers_)
    if (!l->folded()) d = l->declare(d, store);
  declared_ = true;
  return d;
}

Dims Sequential::output_dims(const Dims& in) const {
  Dims d = in;
  for (const auto& l : layers_)
    if (!l->folded()) d = l->output_dims(d);
  return d;
}

void Sequential::initialise_parameters(Rng& rng) {
  for (auto& l : layers_) l->initialise(rng);
}

const Tensor& Sequential::forward(const Tensor& in, Mode mode) {
  CALO_VALIDATE(declared_, name() + ": forward before declare()");
  const Tensor* x = &in;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    // A fused pair with the next layer (Layer::forward_through); off with folding, so that an
    // unfolded chain is the layers one by one.
    if (mode == Mode::infer && folding_ && !layers_[i]->folded()) {
      std::size_t j = i + 1;
      while (j < layers_.size() && layers_[j]->folded()) ++j;
      if (j < layers_.size())
        if (const Tensor* y = layers_[i]->forward_through(*layers_[j], *x, mode)) {
          x = y;
          i = j;
          continue;
        }
    }
    x = &layers_[i]->forward(*x, mode);
  }
  return *x;
}

const Tensor* Sequential::backward(const Tensor& diff_out, const BackwardOptions& opt) {
  const Tensor* d = &diff_out;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    BackwardOptions o = opt;
    o.need_diff_in = i > 0 || opt.need_diff_in;
    d = layers_[i]->backward(*d, o);
    report_parameters_final(opt, *layers_[i]);
  }
  return d;
}

void Sequential::set_constant_weights(bool on) {
  Layer::set_constant_weights(on);
  for (auto& l : layers_) l->set_constant_weights(on);
}

void Sequential::set_weight_grads(bool on) {
  Layer::set_weight_grads(on);
  for (auto& l : layers_) l->set_weight_grads(on);
}

void Sequential::set_frozen(bool on) {
  Layer::set_frozen(on);
  for (auto& l : layers_) l->set_frozen(on);
}

std::unique_ptr<Plan> Sequential::make_plan(const Tensor&, Mode) {
  throw std::logic_error("Sequential has no plan of its own");
}

}  // namespace calo::nn
