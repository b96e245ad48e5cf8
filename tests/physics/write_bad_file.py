"""Writes shower files that lack a dataset, for the bad-input tests of validate.

usage: write_bad_file.py KIND OUT   (KIND: no-ecal | no-energy)
"""
import sys

import h5py
import numpy as np

kind, out = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(1)
with h5py.File(out, "w") as f:
    if kind != "no-ecal":
        f["ECAL"] = rng.random((20, 25, 25, 25), dtype=np.float32) * 1e-3
    if kind != "no-energy":
        f["energy"] = np.full(20, 100.0, dtype=np.float32)
