"""Checks with h5py that a file written by ShowerWriter (shower_writer.test.cc) has the 3DGAN
layout and the test's known values. Usage: check_written_file.py FILE EVENTS GZIP_LEVEL.
Prints "ok" or fails with an assertion message."""
import sys

import h5py
import numpy as np

path, events, gzip_level = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
nx = ny = nz = 25

# The pattern of shower_writer.test.cc: cell value ((i*32 + x)*32 + y)*32 + z [GeV].
i, x, y, z = np.meshgrid(np.arange(events), np.arange(nx), np.arange(ny), np.arange(nz),
                         indexing="ij")
expected_ecal = (((i * 32 + x) * 32 + y) * 32 + z).astype(np.float32)
expected_energy = (10.0 * (np.arange(events) + 1) + 0.5).astype(np.float32)
expected_pdg = np.array([[11, -11, 22][k % 3] for k in range(events)], dtype=np.float32)

with h5py.File(path, "r") as f:
    ecal, energy, target = f["ECAL"], f["energy"], f["target"]
    assert ecal.shape == (events, nx, ny, nz), ecal.shape
    assert energy.shape == (events,), energy.shape
    assert target.shape == (events, 2), target.shape
    for d in (ecal, energy, target):
        assert d.dtype == np.float32, (d.name, d.dtype)
        assert d.chunks is not None and d.maxshape[0] is None, (d.name, d.chunks, d.maxshape)
        assert d.compression == ("gzip" if gzip_level else None), (d.name, d.compression)
    assert ecal.chunks == (16, nx, ny, nz), ecal.chunks
    assert np.array_equal(ecal[...], expected_ecal), "ECAL values differ"
    assert np.array_equal(energy[...], expected_energy), "energy values differ"
    assert np.array_equal(target[:, 1], energy[...]), "target[:,1] != energy"
    assert np.array_equal(target[:, 0], expected_pdg), "target[:,0] != pdg"
    attrs = f.attrs
    assert attrs["generator"] == "calo3dgan test", attrs["generator"]
    assert isinstance(attrs["generator"], str), type(attrs["generator"])
    assert attrs["seed"] == 42 and attrs["seed"].dtype == np.int64, attrs["seed"]
    assert attrs["big_seed"] == 2**64 - 1 and attrs["big_seed"].dtype == np.uint64
    assert attrs["energy_max_gev"] == 500.5 and attrs["energy_max_gev"].dtype == np.float64
print("ok")
