#pragma once
#include <cmath>

namespace calo {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};

inline Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Vec3 operator*(double s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }

/// Turns unit vector `dir` by polar angle acos(cos_theta) and azimuth phi about itself
/// (the frame rotation of Geant4's G4ThreeVector::rotateUz).
inline Vec3 rotate(const Vec3& dir, double cos_theta, double phi) {
  const double sin_theta = std::sqrt(std::fmax(0.0, (1.0 - cos_theta) * (1.0 + cos_theta)));
  const double lx = sin_theta * std::cos(phi), ly = sin_theta * std::sin(phi), lz = cos_theta;
  const double perp2 = dir.x * dir.x + dir.y * dir.y;
  if (perp2 < 1e-20) {
    // dir = -z: a half turn about y keeps the frame right-handed.
    return dir.z >= 0 ? Vec3{lx, ly, lz} : Vec3{-lx, ly, -lz};
  }
  const double perp = std::sqrt(perp2);
  return {(dir.x * dir.z * lx - dir.y * ly) / perp + dir.x * lz,
          (dir.y * dir.z * lx + dir.x * ly) / perp + dir.y * lz, -perp * lx + dir.z * lz};
}

}  // namespace calo

namespace calo {

/// Expresses `local`, given in the frame whose z axis is unit vector `dir`, in the global
/// frame (the same rotation as rotate(); used for displacements and directions alike).
inline Vec3 to_global_frame(const Vec3& dir, const Vec3& local) {
  const double perp2 = dir.x * dir.x + dir.y * dir.y;
  if (perp2 < 1e-20) return dir.z >= 0 ? local : Vec3{-local.x, local.y, -local.z};
  const double perp = std::sqrt(perp2);
  return {(dir.x * dir.z * local.x - dir.y * local.y) / perp + dir.x * local.z,
          (dir.y * dir.z * local.x + dir.x * local.y) / perp + dir.y * local.z,
          -perp * local.x + dir.z * local.z};
}

}  // namespace calo
