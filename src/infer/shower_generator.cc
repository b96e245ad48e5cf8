// calo::ShowerGenerator (include/calo3dgan/generator.hh): a LoadedModel shared by a pool of
// engines, one per concurrent call.
#include <cmath>
#include <cstdio>
#include <mutex>
#include <vector>

#include "calo3dgan/generator.hh"
#include "core/error.hh"
#include "infer/folded_generator.hh"
#include "infer/latent.hh"
#include "infer/loaded_model.hh"
#include "nn/context.hh"
#include "nn/cpu_features.hh"

namespace calo {

namespace {

struct Engine {
  nn::Context ctx;
  infer::FoldedGenerator gen;
  std::vector<float> z;
  Engine(const infer::LoadedModel& m, int threads, infer::Precision p) : ctx(threads), gen(ctx, m, true, p) {}
};

}  // namespace

struct ShowerGenerator::Impl {
  infer::LoadedModel model;
  GeneratorOptions options;
  infer::Precision precision = infer::Precision::f32;
  std::mutex mutex;
  std::vector<std::unique_ptr<Engine>> idle;

  /// An engine for the caller alone, returned to the pool when the lease ends.
  class Lease {
   public:
    explicit Lease(Impl& impl) : impl_(impl) {
      {
        std::lock_guard lock(impl.mutex);
        if (!impl.idle.empty()) {
          engine_ = std::move(impl.idle.back());
          impl.idle.pop_back();
        }
      }
      if (!engine_) engine_ = std::make_unique<Engine>(impl.model, impl.options.threads, impl.precision);
    }
    ~Lease() {
      std::lock_guard lock(impl_.mutex);
      impl_.idle.push_back(std::move(engine_));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Engine& operator*() { return *engine_; }

   private:
    Impl& impl_;
    std::unique_ptr<Engine> engine_;
  };

  void check_energy(float e) const {
    char text[160];
    if (!(std::isfinite(e) && e > 0)) {
      std::snprintf(text, sizeof text, "ShowerGenerator: energy %g GeV is not a positive number", e);
      throw InputError(text);
    }
    if (options.strict && (e < model.trained_min_gev || e > model.trained_max_gev)) {
      std::snprintf(text, sizeof text,
                    "ShowerGenerator: energy %g GeV outside the trained range %g-%g GeV (strict)", e,
                    model.trained_min_gev, model.trained_max_gev);
      throw InputError(text);
    }
  }
};

ShowerGenerator::ShowerGenerator(const std::string& checkpoint, GeneratorOptions options)
    : impl_(std::make_unique<Impl>()) {
  CALO_VALIDATE(options.threads > 0, "ShowerGenerator: threads must be positive");
  impl_->model = infer::load_generator(checkpoint);
  impl_->options = options;
  if (options.bf16 && nn::bf16_convolutions_supported()) impl_->precision = infer::Precision::bf16;
  if (options.int8 && nn::int8_convolutions_supported()) impl_->precision = infer::Precision::int8;
}

bool ShowerGenerator::bf16() const { return impl_->precision == infer::Precision::bf16; }
bool ShowerGenerator::int8() const { return impl_->precision == infer::Precision::int8; }

ShowerGenerator::~ShowerGenerator() = default;
ShowerGenerator::ShowerGenerator(ShowerGenerator&&) noexcept = default;
ShowerGenerator& ShowerGenerator::operator=(ShowerGenerator&&) noexcept = default;

std::array<std::size_t, 3> ShowerGenerator::grid() const {
  const auto& s = impl_->model.spec.image_shape;
  return {static_cast<std::size_t>(s[0]), static_cast<std::size_t>(s[1]), static_cast<std::size_t>(s[2])};
}

std::size_t ShowerGenerator::cells() const {
  const auto g = grid();
  return g[0] * g[1] * g[2];
}

std::size_t ShowerGenerator::latent_size() const {
  return static_cast<std::size_t>(impl_->model.spec.latent_size);
}

std::array<double, 2> ShowerGenerator::energy_range_gev() const {
  return {impl_->model.trained_min_gev, impl_->model.trained_max_gev};
}

const std::string& ShowerGenerator::model_name() const { return impl_->model.spec.name; }

void ShowerGenerator::draw_latent(float energy_gev, std::uint64_t seed, std::uint64_t event, float* z) const {
  impl_->check_energy(energy_gev);
  infer::draw_latent(seed, event, energy_gev, {z, latent_size()});
}

void ShowerGenerator::generate(const float* energies_gev, std::size_t n, std::uint64_t seed,
                               std::uint64_t first_event, float* out) const {
  CALO_VALIDATE(n > 0, "ShowerGenerator: no showers asked for (n = 0)");
  for (std::size_t i = 0; i < n; ++i) impl_->check_energy(energies_gev[i]);
  Impl::Lease lease(*impl_);
  Engine& e = *lease;
  const std::size_t L = latent_size();
  e.z.resize(n * L);
  for (std::size_t i = 0; i < n; ++i)
    infer::draw_latent(seed, first_event + i, energies_gev[i], {e.z.data() + i * L, L});
  e.gen.run(e.z, static_cast<std::int64_t>(n), {out, n * cells()});
}

void ShowerGenerator::generate_one(float energy_gev, std::uint64_t seed, std::uint64_t event,
                                   float* out) const {
  generate(&energy_gev, 1, seed, event, out);
}

void ShowerGenerator::generate_from_latent(const float* z, std::size_t n, float* out) const {
  CALO_VALIDATE(n > 0, "ShowerGenerator: no showers asked for (n = 0)");
  Impl::Lease lease(*impl_);
  (*lease).gen.run({z, n * latent_size()}, static_cast<std::int64_t>(n), {out, n * cells()});
}

}  // namespace calo
