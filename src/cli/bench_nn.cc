// calo3dgan bench nn: speed of the 3dgan networks in calo::nn beside the PyTorch reference
// (bench/reference/timing.py, run as a subprocess in the same run with the same threads)
// and beside the machine's oneDNN sgemm rate. A Markdown table, one row per figure.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/bench_support.hh"
#include "cli/commands.hh"
#include "cli/nn_options.hh"
#include "core/data_path.hh"
#include "core/rng.hh"
#include "gan/discriminator.hh"
#include "gan/generator.hh"
#include "gan/model_shapes.hh"
#include "nn/conv3d.hh"
#include "nn/optimizer.hh"
#include "nn/sgemm_rate.hh"
#include "train/gan_step.hh"

namespace calo::cli {
namespace {

struct NnBenchOptions {
  std::string model = gan::kDefaultModel;
  int threads = 2;
  double min_time = 2.0;  // [s] per figure
  bool reference = true;
};

/// Forward FLOPs per sample of the convolutions of a network (as written: the upsampled,
/// padded input), from the spec's shapes.
double conv_flops(const gan::NetworkSummary& net, const std::vector<gan::LayerSpec>& layers) {
  double flops = 0;
  std::int64_t channels = 1;
  for (std::size_t i = 0; i < net.rows.size(); ++i) {
    const gan::LayerRow& row = net.rows[i];
    if (row.type == "Conv3D") {
      for (const auto& l : layers)
        if (l.name == row.name)
          flops += nn::conv_flops(row.output.elements(), channels,
                                  l.kernel_size[0] * l.kernel_size[1] * l.kernel_size[2]);
    }
    if (!row.output.flat) channels = row.output.c;
  }
  return flops;
}

/// Sparse shower-like images [GeV] (70 % zeros), as the reference's: `dims` of a batch.
std::vector<float> synthetic_images(const nn::Dims& dims, Rng& rng) {
  std::vector<float> v(dims.elements());
  for (float& x : v) x = rng.uniform() < 0.3 ? static_cast<float>(0.05 * rng.exponential()) : 0.f;
  return v;
}

nn::Tensor like(const nn::Tensor& t, const std::vector<float>& v) {
  nn::Tensor out = nn::Tensor::zeros_like(t);
  out.assign(v);
  return out;
}

/// PyTorch figures: {"gen/<batch>": ms, "disc": ms, "train": s}, empty when it cannot run.
std::map<std::string, double> reference_figures(const NnBenchOptions& o, std::string* torch_version) {
  std::map<std::string, double> out;
  for (const auto& j :
       run_reference_timing("--variant " + o.model + " --threads " + std::to_string(o.threads) +
                            " --min-time " + std::to_string(o.min_time))) {
    *torch_version = j.value("torch", "");
    const std::string b = j["bench"];
    if (b == "generator_forward") out["gen/" + std::to_string(j["batch"].get<int>())] = j["ms_per_shower"];
    if (b == "discriminator_forward_backward") out["disc"] = j["ms_per_sample"];
    if (b == "train_iteration") out["train"] = j["s_per_sample"];
  }
  return out;
}

void run_bench_nn(const NnBenchOptions& o) {
  nn::ContextOptions options = nn_options_from_environment();
  options.threads = o.threads;
  gan::ModelSpec spec = gan::load_model_spec(o.model);
  nn::Context ctx(options);
  const double sgemm = nn::sgemm_gflops(ctx);
  gan::Generator gen(ctx, spec);
  gan::Discriminator disc(ctx, spec);
  Rng rng(12345, 0);
  gen.initialise(rng);
  disc.initialise(rng);
  const double gen_written = conv_flops(gan::summarise_generator(spec), spec.generator.layers);
  const double disc_written = conv_flops(gan::summarise_discriminator(spec), spec.discriminator.layers);
  const double gen_flops = executed_conv_flops(gen.network(), gen.input_dims(1));
  const double disc_flops = executed_conv_flops(disc.trunk(), disc.input_dims(1));

  std::printf("calo3dgan %s  bench nn: model %s, %d threads, float32, oneDNN sgemm 2048^3 %.1f GFLOP/s\n\n",
              version(), spec.name.c_str(), ctx.threads(), sgemm);
  std::fflush(stdout);

  struct Row {
    std::string what, mode, key;
    std::int64_t batch;
    double value, flops;  // value: ms/sample (s/sample for train); flops: conv FLOPs per sample
    std::string unit;
  };
  std::vector<Row> rows;
  auto z_for = [&](std::int64_t b) {
    std::vector<float> z(b * gen.latent_size());
    for (float& x : z) x = static_cast<float>(rng.normal());
    return nn::Tensor::from_host(ctx, gen.input_dims(b), z);
  };
  for (std::int64_t b : {1, 8, 128}) {
    const nn::Tensor z = z_for(b);
    const double s = median_seconds([&] { gen.forward(z, nn::Mode::infer).to_host(); }, o.min_time);
    rows.push_back(
        {"generator forward", "infer", "gen/" + std::to_string(b), b, 1e3 * s / b, gen_flops, "ms/shower"});
  }
  {
    const std::int64_t b = 8;
    const nn::Dims dims = disc.input_dims(b);
    const nn::Tensor x = nn::Tensor::from_host(ctx, dims, synthetic_images(dims, rng));
    const double s = median_seconds(
        [&] {
          const auto out = disc.forward(x, nn::Mode::train);
          const nn::Tensor g1 = like(*out.real_fake, std::vector<float>(b, 1.f));
          const nn::Tensor g2 = like(*out.energy, std::vector<float>(b, 1.f));
          disc.backward({.real_fake = &g1, .energy = &g2}, false);
        },
        o.min_time);
    // backward: data and weight gradients (2x forward) except conv1's data gradient
    rows.push_back(
        {"discriminator forward+backward", "train", "disc", b, 1e3 * s / b, 3 * disc_flops, "ms/sample"});
  }
  {
    // DESIGN.md section 7 as the trainer runs it (train::GanStep): D on a real batch, D on a
    // generated batch, 2 G updates through the frozen D, label flips and sampled energies,
    // as bench/reference/recipe.py does.
    const std::int64_t b = 8;
    nn::RMSprop opt_g(gen.store()), opt_d(disc.store());
    train::GanStep step(ctx, gen, disc, opt_g, opt_d);
    const std::vector<float> real = synthetic_images(disc.input_dims(b), rng);
    std::vector<float> energy(b);
    for (auto& e : energy) e = static_cast<float>(0.1 + 4.9 * rng.uniform());
    const double s = median_seconds([&] { step.step(real, energy, rng); }, o.min_time);
    // D: 2 x (fwd + bwd); G updates: 2 x (G fwd+bwd 3x, D fwd + data bwd 2x); generated batch: G fwd
    const double flops = 2 * 3 * disc_flops + 2 * (3 * gen_flops + 2 * disc_flops) + gen_flops;
    rows.push_back(
        {"training iteration (D real, D fake, 2 G)", "train", "train", b, s / b, flops, "s/sample"});
  }

  std::string torch_version;
  const auto ref = o.reference ? reference_figures(o, &torch_version) : std::map<std::string, double>{};
  std::printf(
      "| model | threads | test | mode | batch | calo::nn | PyTorch %s | speed-up | conv GFLOP/s | %% of "
      "sgemm |\n",
      torch_version.empty() ? "(not run)" : torch_version.c_str());
  std::printf("|---|---:|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const double seconds = r.unit == "s/sample" ? r.value : r.value / 1e3;
    const double gflops = r.flops / seconds / 1e9;
    const auto it = ref.find(r.key);
    char theirs[64] = "-", speedup[32] = "-";
    if (it != ref.end()) {
      std::snprintf(theirs, sizeof theirs, "%.3f %s", it->second, r.unit.c_str());
      std::snprintf(speedup, sizeof speedup, "%.2fx", it->second / r.value);
    }
    std::printf("| %s | %d | %s | %s | %lld | %.3f %s | %s | %s | %.1f | %.0f |\n", spec.name.c_str(),
                ctx.threads(), r.what.c_str(), r.mode.c_str(), static_cast<long long>(r.batch), r.value,
                r.unit.c_str(), theirs, speedup, gflops, 100 * gflops / sgemm);
  }
  std::printf(
      "\nconv GFLOP/s: the FLOPs the convolutions execute (generator %.0f, discriminator %.0f MFLOP forward "
      "per "
      "sample; backward 2x) over the whole network's time. As written the generator has %.0f MFLOP: its "
      "up-samplings fold into the next convolution, which runs polyphase (docs/nn.md); the discriminator "
      "%.0f.%s\n",
      gen_flops / 1e6, disc_flops / 1e6, gen_written / 1e6, disc_written / 1e6,
      ctx.options().conv.fft == nn::AlgorithmSwitch::off
          ? " CALO_NN_CONV_FFT=off: every convolution direct."
          : " The discriminator's 5^3 convolutions on 16-32 channels run through the FFT (docs/nn.md, "
            "CALO_NN_CONV_FFT): they count as the direct convolutions they replace, so a rate above "
            "sgemm's is the transform's saving, not faster multiply-adds.");
}

}  // namespace

void add_bench_nn_command(CLI::App& bench) {
  auto opts = std::make_shared<NnBenchOptions>();
  CLI::App* cmd = bench.add_subcommand("nn", "3DGAN network speed vs the PyTorch reference and sgemm");
  cmd->add_option("--model", opts->model, "Model spec name or JSON file")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "Threads (oneDNN and PyTorch)")->capture_default_str();
  cmd->add_option("--min-time", opts->min_time, "Seconds per figure at least")->capture_default_str();
  cmd->add_flag("!--no-reference", opts->reference, "Skip the PyTorch reference");
  cmd->callback([opts] { run_bench_nn(*opts); });
}

}  // namespace calo::cli
