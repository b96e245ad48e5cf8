"""Independent numpy reference for inspect_file (inspect.test.cc). Usage:
inspect_reference.py FILE. Prints one JSON line with the figures of io/inspect.hh."""
import json
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    ecal = f["ECAL"][...].astype(np.float32)  # the reader hands out float32
    if "energy" in f:
        energy = f["energy"][...].reshape(len(ecal), -1)[:, 0]
    else:
        energy = f["target"][...].reshape(len(ecal), -1, f["target"].shape[-1])[:, 0, 1]
energy = energy.astype(np.float32).astype(np.float64)
if ecal.shape[1:] == (51, 51, 25):
    ecal = ecal[:, 13:38, 13:38, :]
ecal = ecal.astype(np.float64)
fraction = ecal.sum(axis=(1, 2, 3)) / energy
print(json.dumps({
    "events": len(ecal),
    "energy_min_gev": energy.min(),
    "energy_max_gev": energy.max(),
    "energy_mean_gev": energy.mean(),
    "sampled_fraction_mean": fraction.mean(),
    "sampled_fraction_std": fraction.std(),
    "mean_layer_energy_gev": ecal.sum(axis=(1, 2)).mean(axis=0).tolist(),
    "mean_cells_above_zero": float((ecal > 0).sum(axis=(1, 2, 3)).mean()),
}))
