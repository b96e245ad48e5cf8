#include "sim/transport/shower_transport.hh"

#include <algorithm>
#include <cmath>
#include <limits>

namespace calo::sim {

using constants::electron_mass_c2;
using constants::pi;

namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kTwoMass = 2.0 * electron_mass_c2;
}  // namespace

ShowerPhysics::ShowerPhysics(LayerStack stack, const PhysicsConfig& config)
    : stack_(std::move(stack)),
      config_(config),
      grid_(config.table_min_energy, config.table_max_energy, config.table_bins_per_decade) {
  for (const auto& m : stack_.materials)
    materials_.push_back(std::make_unique<MaterialPhysics>(m, config_, grid_));
}

ShowerTransport::ShowerTransport(const ShowerPhysics& physics, const ReadoutGrid& readout)
    : physics_(physics), readout_(readout) {
  stack_.reserve(4096);
}

void ShowerTransport::simulate(Particle type, double energy, Rng& rng, EventScore& score) {
  score.reset(readout_, physics_.stack().materials.size());
  score_ = &score;
  rng_ = &rng;
  stack_.clear();
  push(type, energy, Vec3{0, 0, 0}, Vec3{0, 0, 1}, 0);
  while (!stack_.empty()) {
    const Track t = stack_.back();
    stack_.pop_back();
    if (t.type == Particle::gamma)
      transport_photon(t);
    else
      transport_charged(t);
  }
}

void ShowerTransport::push(Particle type, double energy, const Vec3& pos, const Vec3& dir, int slab) {
  if (energy <= physics_.config().tracking_cut) {
    deposit(slab, pos, energy);
    if (type == Particle::positron) annihilate_at_rest(Track{type, 0.0, pos, dir, slab});
    return;
  }
  stack_.push_back(Track{type, energy, pos, dir, slab});
}

void ShowerTransport::deposit(int slab_index, const Vec3& where, double energy) {
  const Slab& slab = physics_.stack().slabs[slab_index];
  score_->material_deposit[slab.material] += energy;
  if (slab.readout_layer < 0) return;
  score_->sensitive_deposit += energy;
  const double inv_cell = 1.0 / readout_.cell_size;
  const double ix = std::floor(where.x * inv_cell + 0.5 * readout_.nx);
  const double iy = std::floor(where.y * inv_cell + 0.5 * readout_.ny);
  if (ix < 0 || iy < 0 || ix >= readout_.nx || iy >= readout_.ny) return;
  const std::size_t cell =
      (std::size_t(ix) * readout_.ny + std::size_t(iy)) * readout_.layers + slab.readout_layer;
  score_->cells[cell] += energy;
}

void ShowerTransport::annihilate_at_rest(const Track& t) {
  score_->rest_mass_balance -= kTwoMass;
  const double cos_theta = 2.0 * rng_->uniform() - 1.0;
  const double phi = 2.0 * pi * rng_->uniform();
  const double sin_theta = std::sqrt(std::max(0.0, 1.0 - cos_theta * cos_theta));
  const Vec3 d{sin_theta * std::cos(phi), sin_theta * std::sin(phi), cos_theta};
  push(Particle::gamma, electron_mass_c2, t.pos, d, t.slab);
  push(Particle::gamma, electron_mass_c2, t.pos, Vec3{-d.x, -d.y, -d.z}, t.slab);
}

double ShowerTransport::distance_to_slab_boundary(const Track& t) const {
  const Slab& s = physics_.stack().slabs[t.slab];
  if (t.dir.z > 0) return (s.z_end - t.pos.z) / t.dir.z;
  if (t.dir.z < 0) return (s.z_begin - t.pos.z) / t.dir.z;
  return kInfinity;
}

double ShowerTransport::distance_to_side(const Track& t) const {
  const double h = physics_.stack().half_width;
  double d = kInfinity;
  if (t.dir.x > 0) d = std::min(d, (h - t.pos.x) / t.dir.x);
  if (t.dir.x < 0) d = std::min(d, (-h - t.pos.x) / t.dir.x);
  if (t.dir.y > 0) d = std::min(d, (h - t.pos.y) / t.dir.y);
  if (t.dir.y < 0) d = std::min(d, (-h - t.pos.y) / t.dir.y);
  return std::max(d, 0.0);
}

// ---------------------------------------------------------------------------------------
// Photons: straight flights, slab by slab, until the sampled number of mean free paths is
// used up; then Compton, pair or photoelectric by their share of the cross section.
void ShowerTransport::transport_photon(Track t) {
  const auto& slabs = physics_.stack().slabs;
  const int n_slabs = static_cast<int>(slabs.size());
  while (true) {
    double mfp_left = rng_->exponential();
    const GridPoint gp = physics_.grid().locate(t.energy);
    const double side = distance_to_side(t);
    double travelled = 0;
    const MaterialPhysics* mp;
    double mu;
    while (true) {  // fly through slabs until the interaction point
      mp = &physics_.material(slabs[t.slab].material);
      mu = mp->photon.xs_total(gp);
      const double boundary = distance_to_slab_boundary(t);
      const double to_interaction = mu > 0 ? mfp_left / mu : kInfinity;
      if (to_interaction < boundary) {
        if (travelled + to_interaction >= side) return escape(t, Exit::side);
        t.pos = t.pos + to_interaction * t.dir;
        break;
      }
      if (travelled + boundary >= side) return escape(t, Exit::side);
      mfp_left -= mu * boundary;
      travelled += boundary;
      t.pos = t.pos + boundary * t.dir;
      const Slab& s = slabs[t.slab];
      t.pos.z = t.dir.z > 0 ? s.z_end : s.z_begin;
      t.slab += t.dir.z > 0 ? 1 : -1;
      if (t.slab < 0 || t.slab >= n_slabs) return escape(t, t.slab < 0 ? Exit::front : Exit::back);
    }
    ++score_->steps;

    const double u = rng_->uniform() * mu;
    const double phi = 2.0 * pi * rng_->uniform();
    const double mu_compton = mp->photon.xs_compton(gp);
    if (u < mu_compton) {
      const ComptonSample s = mp->compton.sample(t.energy, *rng_);
      push(Particle::electron, s.electron_energy, t.pos, rotate(t.dir, s.electron_cos, phi + pi), t.slab);
      t.dir = rotate(t.dir, s.photon_cos, phi);
      t.energy = s.photon_energy;
      if (t.energy <= physics_.config().tracking_cut) return deposit(t.slab, t.pos, t.energy);
      continue;
    }
    if (u < mu_compton + mp->photon.xs_pair(gp)) {
      // The tables are interpolated linearly between grid points, so just below the threshold
      // 2 m c^2 the pair cross section read from them is not zero. Such an interaction is a
      // null collision (the flight used a total a little too large there; nothing happens and
      // the flight goes on), which is exact; creating the pair would make energy.
      if (t.energy <= kTwoMass) continue;
      const PairSample s = mp->pair.sample(t.energy, *rng_);
      score_->rest_mass_balance += kTwoMass;
      push(Particle::electron, s.electron_energy, t.pos, rotate(t.dir, s.electron_cos, phi), t.slab);
      push(Particle::positron, s.positron_energy, t.pos, rotate(t.dir, s.positron_cos, phi + pi), t.slab);
      return;
    }
    const PhotoelectricSample s = mp->photoelectric.sample(t.energy, *rng_);
    deposit(t.slab, t.pos, s.local_deposit);
    push(Particle::electron, s.electron_energy, t.pos, rotate(t.dir, s.electron_cos, phi), t.slab);
    return;
  }
}

// ---------------------------------------------------------------------------------------
// e+-: steps limited by the next discrete interaction, the continuous loss (dR/R with a
// final range), multiple scattering near boundaries (Urban's UseSafety) and the slab faces.
void ShowerTransport::transport_charged(Track t) {
  const PhysicsConfig& cfg = physics_.config();
  const auto& slabs = physics_.stack().slabs;
  const int n_slabs = static_cast<int>(slabs.size());
  const bool positron = t.type == Particle::positron;
  double mfp_left = rng_->exponential();
  double range_at_entry = -1;  // range when the track entered the current slab (msc limit)

  while (true) {
    const Slab& slab = slabs[t.slab];
    const MaterialPhysics& mp = physics_.material(slab.material);
    const ChargedTables& tab = positron ? mp.positron : mp.electron;
    const MscModel& msc = positron ? mp.msc_positron : mp.msc_electron;
    const GridPoint gp = physics_.grid().locate(t.energy);
    const double range = tab.range(gp);
    const double safety = std::min(t.pos.z - slab.z_begin, slab.z_end - t.pos.z);

    if (t.energy < cfg.range_rejection_energy && range < safety) {
      deposit(t.slab, t.pos, t.energy);
      if (positron) annihilate_at_rest(t);
      return;
    }

    // --- step limitation (true path length)
    const double xs_total = tab.xs_total(gp);
    const double step_discrete = xs_total > 0 ? mfp_left / xs_total : kInfinity;
    const double step_loss =
        range > cfg.final_range ? std::max(cfg.dr_over_range * range, cfg.final_range) : range;
    if (range_at_entry < 0) range_at_entry = range;
    const double lambda1 = tab.lambda1(gp);
    const double step_msc = std::max({cfg.msc_range_factor * std::max(range_at_entry, lambda1),
                                      cfg.msc_safety_factor * safety, cfg.msc_min_step});
    double step = std::min({step_discrete, step_loss, step_msc});
    const bool discrete = step == step_discrete;

    // --- geometry: the straight-line length of that path, cut at the slab face
    double geom = msc.true_to_geom(step, t.energy);
    const double boundary = distance_to_slab_boundary(t);
    const bool crosses = geom >= boundary;
    if (crosses) {
      geom = boundary;
      step = std::min(step, msc.geom_to_true(geom, t.energy));
    }
    if (geom >= distance_to_side(t)) return escape(t, Exit::side);  // leaves sideways (1 m wide)

    // --- continuous energy loss with fluctuations
    double loss;
    if (step >= range) {
      loss = t.energy;
    } else if (step < cfg.linear_loss_limit * range) {
      loss = tab.dedx(gp) * step;
    } else {
      loss = t.energy - mp.energy_from_range(positron, range - step);
    }
    if (loss < t.energy) {
      // the largest energy transfer that stays continuous: Moller's is at most T/2
      const double cut =
          positron ? std::min(mp.positron_cut, t.energy) : std::min(mp.electron_cut, 0.5 * t.energy);
      loss = std::min(t.energy, mp.fluctuation.sample(loss, t.energy, step, cut, *rng_));
    }
    const double energy_after = t.energy - loss;

    // --- multiple scattering: new direction and lateral displacement
    const MscSample ms = msc.sample(step, t.energy, energy_after, *rng_);
    const Vec3 start = t.pos;
    const bool leaving_forward = t.dir.z > 0;
    t.pos = t.pos + geom * t.dir;
    Vec3 lateral = to_global_frame(t.dir, Vec3{ms.displacement.x, ms.displacement.y, 0.0});
    if (crosses) {
      lateral.z = 0;  // the track ends on the face
      t.pos.z = t.dir.z > 0 ? slab.z_end : slab.z_begin;
    } else {
      // The displacement is a mean-field correction that knows nothing of the boundaries: as in
      // Geant4 (G4VMultipleScattering::AlongStepDoIt) it is applied in full only if it stays
      // within the post-step safety (the distance to the nearest face), otherwise it is
      // shortened to 0.99 of that safety, so a track ending near a face is not pushed along it.
      const double post_safety = 0.99 * std::min(t.pos.z - slab.z_begin, slab.z_end - t.pos.z);
      const double d2 = lateral.x * lateral.x + lateral.y * lateral.y + lateral.z * lateral.z;
      if (d2 > post_safety * post_safety)
        lateral = (post_safety > 0 ? post_safety / std::sqrt(d2) : 0.0) * lateral;
    }
    t.pos = t.pos + lateral;
    t.dir = to_global_frame(t.dir, ms.direction);
    const double norm = 1.0 / std::sqrt(t.dir.x * t.dir.x + t.dir.y * t.dir.y + t.dir.z * t.dir.z);
    t.dir = norm * t.dir;
    deposit(t.slab, 0.5 * (start + t.pos), loss);
    t.energy = energy_after;
    ++score_->steps;

    if (t.energy <= cfg.tracking_cut) {
      deposit(t.slab, t.pos, t.energy);
      if (positron) annihilate_at_rest(t);
      return;
    }

    // --- discrete interaction at the end of the step (integral rejection with the
    // post-step cross sections against the pre-step total)
    if (discrete && !crosses) {
      mfp_left = rng_->exponential();
      const GridPoint gq = physics_.grid().locate(t.energy);
      const double u = rng_->uniform() * xs_total;
      const double phi = 2.0 * pi * rng_->uniform();
      const double xs_ion = tab.xs_ionisation(gq);
      const double xs_brems = tab.xs_brems(gq);
      if (u < xs_ion) {
        const IonisationModel& ion = positron ? mp.ionisation_positron : mp.ionisation_electron;
        const double w = ion.sample_delta_energy(t.energy, *rng_);
        const double tt = t.energy;
        const double cos_delta = std::sqrt(w * (tt + kTwoMass) / (tt * (w + kTwoMass)));
        const double cos_primary = std::sqrt((tt - w) * (tt + kTwoMass) / (tt * (tt - w + kTwoMass)));
        push(Particle::electron, w, t.pos, rotate(t.dir, std::min(1.0, cos_delta), phi), t.slab);
        t.dir = rotate(t.dir, std::min(1.0, cos_primary), phi + pi);
        t.energy -= w;
      } else if (u < xs_ion + xs_brems) {
        const BremsstrahlungModel& br = positron ? mp.brems_positron : mp.brems_electron;
        const BremsSample s = br.sample(t.energy, *rng_);
        push(Particle::gamma, s.photon_energy, t.pos, rotate(t.dir, s.photon_cos, phi), t.slab);
        t.energy -= s.photon_energy;
      } else if (positron && u < xs_ion + xs_brems + tab.xs_annihilation(gq)) {
        const AnnihilationSample s = mp.annihilation.sample(t.energy, *rng_);
        score_->rest_mass_balance -= kTwoMass;
        push(Particle::gamma, s.photon1_energy, t.pos, rotate(t.dir, s.photon1_cos, phi), t.slab);
        push(Particle::gamma, s.photon2_energy, t.pos, rotate(t.dir, s.photon2_cos, phi + pi), t.slab);
        return;
      }
      if (t.energy <= cfg.tracking_cut) {
        deposit(t.slab, t.pos, t.energy);
        if (positron) annihilate_at_rest(t);
        return;
      }
    } else {
      mfp_left -= step * xs_total;
    }

    // On a face: enter the neighbour unless the deflection turned the track back inside.
    if (crosses && (leaving_forward ? t.dir.z > 0 : t.dir.z < 0)) {
      t.slab += leaving_forward ? 1 : -1;
      range_at_entry = -1;
      if (t.slab < 0 || t.slab >= n_slabs) return escape(t, t.slab < 0 ? Exit::front : Exit::back);
    }
  }
}

}  // namespace calo::sim
