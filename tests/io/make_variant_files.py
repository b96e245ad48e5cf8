"""Writes with h5py the original 3DGAN file variants (and broken files) that
shower_reader.test.cc and inspect.test.cc read. Usage: make_variant_files.py OUTDIR.

Pattern files hold EVENTS events with cell value ((i*64 + x)*64 + y)*32 + z (exact in float32)
and primary energy 10*(i+1) + 0.25 GeV; decoy values (-1) sit where a reader must not look."""
import os
import sys

import h5py
import numpy as np

EVENTS = 4
out = sys.argv[1]


def pattern_ecal(width, dtype):
    i, x, y, z = np.meshgrid(np.arange(EVENTS), np.arange(width), np.arange(width),
                             np.arange(25), indexing="ij")
    return (((i * 64 + x) * 64 + y) * 32 + z).astype(dtype)


ENERGY = 10.0 * (np.arange(EVENTS) + 1) + 0.25


def target_rows(shape):
    """A target array of the given shape whose element 1 of the last axis is the energy."""
    target = -np.ones(shape, dtype=np.float32)
    target[..., 1] = ENERGY.reshape((EVENTS,) + (1,) * (len(shape) - 2))
    return target


def write(name, **datasets):
    attrs = datasets.pop("attrs", {})
    with h5py.File(os.path.join(out, name), "w") as f:
        for key, value in datasets.items():
            f[key] = value
        for key, value in attrs.items():
            f.attrs[key] = value


# Accepted variants.
write("wide_f64_energy_n1.h5", ECAL=pattern_ecal(51, np.float64),
      energy=ENERGY.reshape(EVENTS, 1), target=target_rows((EVENTS, 1, 5)),
      HCAL=np.zeros((EVENTS, 5, 5, 60), np.float32),
      attrs={"generator": "Geant4 10.4", "seed": np.int64(7), "cut_mm": 0.7,
             "layers": np.array([17, 8], np.int32), "fixed": np.bytes_("fixed-length")})
energy_n1k = -np.ones((EVENTS, 1, 3), np.float32)
energy_n1k[:, 0, 0] = ENERGY
write("energy_n1k.h5", ECAL=pattern_ecal(25, np.float32), energy=energy_n1k)
write("target_only_n1k.h5", ECAL=pattern_ecal(51, np.float32), target=target_rows((EVENTS, 1, 5)))
write("target_only_nk.h5", ECAL=pattern_ecal(25, np.float32), target=target_rows((EVENTS, 3)))

# Rejected files.
ecal = np.zeros((EVENTS, 25, 25, 25), np.float32)
write("no_ecal.h5", energy=ENERGY, target=target_rows((EVENTS, 2)))
write("ecal_rank3.h5", ECAL=np.zeros((EVENTS, 25, 25), np.float32), energy=ENERGY)
write("no_energy_source.h5", ECAL=ecal, HCAL=ecal)
write("mismatched_rows.h5", ECAL=ecal, energy=ENERGY[:3])
write("narrow_target.h5", ECAL=ecal, target=np.ones((EVENTS, 1), np.float32))
write("string_ecal.h5", ECAL=np.array([b"a", b"b"]).reshape(2, 1, 1, 1), energy=ENERGY[:2])

# Inspect: a sparse random 51x51x25 float64 file and one with non-finite cells.
rng = np.random.default_rng(2024)
n = 10
sample = rng.exponential(0.01, (n, 51, 51, 25)) * (rng.random((n, 51, 51, 25)) < 0.2)
energies = rng.uniform(2, 500, n)
write("inspect_sample.h5", ECAL=sample, energy=energies.reshape(n, 1),
      target=np.stack([np.full(n, 11.0), energies], axis=1)[:, None, :],
      attrs={"particle": "e-", "seed": np.int64(2024)})
bad = np.ones((6, 25, 25, 25), np.float32)
bad[2, 3, 4, 5] = np.nan
bad[4, 0, 0, 0] = np.inf
bad[4, 0, 0, 1] = -np.inf
write("nonfinite_cells.h5", ECAL=bad, energy=np.full(6, 50.0))
write("zero_energy.h5", ECAL=np.ones((3, 25, 25, 25), np.float32),
      energy=np.array([10.0, 0.0, 5.0]))

with open(os.path.join(out, "not_hdf5.h5"), "w") as f:
    f.write("ECAL,energy\n1,2\n")
with open(os.path.join(out, "wide_f64_energy_n1.h5"), "rb") as f:
    head = f.read(4096)
with open(os.path.join(out, "truncated.h5"), "wb") as f:
    f.write(head)
print("ok")
