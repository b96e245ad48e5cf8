#pragma once
// Dense (Keras Dense, oneDNN inner product): y[n][o] = sum_i W[o][i] x[n][i] + b[o].
// Input must be flat: (N, IN, 1, 1, 1) (put a Flatten before it); output (N, OUT, 1, 1, 1),
// plain. Parameters: "<name>.weight" [OUT][IN] (note: Keras stores the kernel as [IN][OUT]),
// "<name>.bias" [OUT].
#include "nn/initializers.hh"
#include "nn/layer.hh"

namespace calo::nn {

struct DenseSpec {
  std::int64_t units = 0;  ///< OUT
  bool use_bias = true;
  Init kernel_init = Init::glorot_uniform;
  Init bias_init = Init::zeros;
};

class Dense : public Layer {
 public:
  Dense(Context& ctx, std::string name, DenseSpec spec);
  std::string type() const override { return "Dense"; }
  Dims output_dims(const Dims& in) const override;
  Dims declare(const Dims& in, ParameterStore& store) override;
  bool has_parameters() const override { return true; }
  const DenseSpec& spec() const { return spec_; }

 protected:
  std::unique_ptr<Plan> make_plan(const Tensor& in, Mode mode) override;
  void initialise_parameters(Rng& rng) override;

 private:
  friend class DensePlan;
  DenseSpec spec_;
  std::int64_t in_features_ = 0;
  std::size_t weight_ = 0, bias_ = 0;  // store indices
};

/// dw += scale * dy^T x and db += scale * (the sum of dy's rows) (db may be empty: no bias),
/// from sufficient factors (layer.hh, GradientFactors; e.g. every rank's, gathered), with dw
/// [out][in] as "<name>.weight". One thread (oneDNN's sgemm), so the same bits for the same
/// factors on the same CPU type whatever the thread count. Cost: n x in x out multiply-adds.
void accumulate_dense_gradients(const GradientFactors& f, float scale, std::span<float> dw,
                                std::span<float> db);

}  // namespace calo::nn
