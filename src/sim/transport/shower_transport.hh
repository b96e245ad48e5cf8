#pragma once
// Condensed-history transport of one shower through a planar stack (class II: continuous
// sub-threshold losses, discrete hard interactions; DESIGN.md section 6). One instance per
// thread: it owns the particle stack; the physics it reads is shared and immutable.
#include <memory>
#include <vector>

#include "core/rng.hh"
#include "sim/transport/event_score.hh"
#include "sim/transport/material_physics.hh"
#include "sim/transport/particle.hh"

namespace calo::sim {

/// The immutable per-run physics: geometry, configuration and per-material tables.
class ShowerPhysics {
 public:
  ShowerPhysics(LayerStack stack, const PhysicsConfig& config);
  const LayerStack& stack() const { return stack_; }
  const PhysicsConfig& config() const { return config_; }
  const LogGrid& grid() const { return grid_; }
  const MaterialPhysics& material(int i) const { return *materials_[i]; }

 private:
  LayerStack stack_;
  PhysicsConfig config_;
  LogGrid grid_;
  std::vector<std::unique_ptr<MaterialPhysics>> materials_;
};

class ShowerTransport {
 public:
  ShowerTransport(const ShowerPhysics& physics, const ReadoutGrid& readout);

  /// Simulates one primary of kinetic energy `energy` [MeV] entering the front face on the
  /// axis at normal incidence; the score is reset first.
  void simulate(Particle type, double energy, Rng& rng, EventScore& score);

 private:
  void transport_photon(Track track);
  void transport_charged(Track track);
  void deposit(int slab, const Vec3& where, double energy);
  void escape(const Track& t, Exit where) {
    score_->escaped += t.energy;
    score_->escaped_by_exit[static_cast<int>(where)] += t.energy;
    if (score_->record_exits) score_->exits.push_back(ExitRecord{t.type, where, t.energy, t.dir});
  }
  void push(Particle type, double energy, const Vec3& pos, const Vec3& dir, int slab);
  void annihilate_at_rest(const Track& track);
  /// Distance along dir to leave the slab through its z faces (infinity if parallel).
  double distance_to_slab_boundary(const Track& t) const;
  /// Distance along dir to leave the stack sideways.
  double distance_to_side(const Track& t) const;

  const ShowerPhysics& physics_;
  ReadoutGrid readout_;
  std::vector<Track> stack_;
  EventScore* score_ = nullptr;
  Rng* rng_ = nullptr;
};

}  // namespace calo::sim
