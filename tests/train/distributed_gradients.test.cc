// DistributedGradients' layout of the collectives (src/train/distributed_gradients.hh) for the
// 3dgan-16 networks over a stand-in communicator of R ranks: which Dense layers exchange
// sufficient factors under each rule, and how many floats a round sends. Whether the averaged
// gradients are right is distributed_step.test.cc's part (two real ranks).
#include "train/distributed_gradients.hh"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.hh"
#include "gan/discriminator.hh"
#include "gan/generator.hh"
#include "gan/model_spec.hh"

namespace calo::train {
namespace {

/// R ranks in name only: no thread (no collective runs here), the collectives do nothing.
class Ranks final : public dist::Communicator {
 public:
  explicit Ranks(int size) : size_(size) {}
  int rank() const override { return 0; }
  int size() const override { return size_; }
  void allreduce_sum(std::span<float>) override {}
  void allreduce_sum(std::span<double>) override {}
  void allgather(std::span<const float>, std::span<float>) override {}
  void broadcast(std::span<float>, int) override {}
  void broadcast(std::string&, int) override {}
  [[noreturn]] void abort(int) override { std::abort(); }
  bool calls_from_another_thread() const override { return false; }

 private:
  int size_;
};

struct Networks {
  gan::ModelSpec spec = gan::load_model_spec("3dgan-16");
  nn::Context ctx{1};
  gan::Generator gen{ctx, spec};
  gan::Discriminator disc{ctx, spec};
};

/// The factor layers of both networks after a round is opened on each.
std::vector<std::string> factor_layers(Networks& n, int ranks, DenseFactors rule, std::int64_t batch = 8) {
  Ranks comm(ranks);
  DistributedGradients sync(comm, kDefaultFusionBytes, nullptr, true, batch, rule);
  sync.set_batches(0, ranks * batch);  // no events here: no backward, nothing to hand over
  std::vector<std::string> names;
  for (nn::ParameterStore* store : {&n.gen.store(), &n.disc.store()}) {
    sync.begin(*store);
    sync.finish(*store);
    for (const auto& name : sync.factor_layers(*store)) names.push_back(name);
  }
  return names;
}

TEST(DistributedGradients, AutomaticallyTheGeneratorsDenseLayerExchangesFactorsWhileTheyAreFewerFloats) {
  // generator/dense: 3,136 x 200 weights; factors R x 8 x (200 + 3,136): fewer up to R = 23.
  Networks n;
  const std::vector<std::string> dense = {"generator/dense"};
  EXPECT_EQ(factor_layers(n, 2, DenseFactors::automatic), dense);
  EXPECT_EQ(factor_layers(n, 23, DenseFactors::automatic), dense);     // 613,824 < 627,200
  EXPECT_TRUE(factor_layers(n, 24, DenseFactors::automatic).empty());  // 640,512
  EXPECT_TRUE(factor_layers(n, 2, DenseFactors::never).empty());
  EXPECT_TRUE(factor_layers(n, 1, DenseFactors::always).empty());  // one rank exchanges nothing
  // The discriminator's heads (21,296 -> 1) have far fewer weights than factors: only "always".
  EXPECT_EQ(
      factor_layers(n, 2, DenseFactors::always),
      (std::vector<std::string>{"generator/dense", "discriminator/auxiliary", "discriminator/generation"}));
}

TEST(DistributedGradients, ARoundSendsTheFactorsInPlaceOfTheDenseGradient) {
  Networks n;
  Ranks comm(2);
  DistributedGradients with(comm, kDefaultFusionBytes, nullptr, true, 8, DenseFactors::automatic);
  DistributedGradients without(comm, kDefaultFusionBytes, nullptr, true, 8, DenseFactors::never);
  for (DistributedGradients* s : {&with, &without}) {
    s->set_batches(0, 16);
    s->begin(n.gen.store());
    s->finish(n.gen.store());
  }
  EXPECT_EQ(without.exchanged_floats(n.gen.store()), n.gen.store().size());
  EXPECT_EQ(with.exchanged_floats(n.gen.store()),
            n.gen.store().size() - (3136 * 200 + 3136) + 8 * (200 + 3136));
  // The factor layer is a bucket of its own, the rest as before.
  EXPECT_EQ(with.buckets(n.gen.store()), without.buckets(n.gen.store()));
}

TEST(DistributedGradients, AnUnknownRuleIsRefusedByName) {
  EXPECT_EQ(parse_dense_factors("auto"), DenseFactors::automatic);
  EXPECT_EQ(to_string(parse_dense_factors("never")), "never");
  try {
    parse_dense_factors("sometimes");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--dense-factors 'sometimes'"), std::string::npos);
  }
}

}  // namespace
}  // namespace calo::train
