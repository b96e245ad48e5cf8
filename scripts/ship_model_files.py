#!/usr/bin/python3
"""The files shipped beside a model (data/models/<name>/): what the model itself was made with.

From the exported checkpoint's notes: config.json (the training configuration in force when
that checkpoint was written) and ecal_sum_fit.json; from the run's metrics log, the lines up
to the checkpoint's step (metrics.jsonl). A run resumed later with other options has a newer
config.json and a longer log; those describe later weights, not the shipped ones.
Usage: scripts/ship_model_files.py CHECKPOINT.h5 RUN_DIR OUT_DIR
"""
import json
import os
import sys

import h5py


def main(checkpoint, run_dir, out_dir):
    with h5py.File(checkpoint, "r") as f:
        step = int(f["training/step"][()])
        notes = {name: f["training/notes"][name][()].decode() for name in f["training/notes"]}
    os.makedirs(out_dir, exist_ok=True)
    for note, name in (("train_config", "config.json"), ("ecal_sum_fit", "ecal_sum_fit.json")):
        with open(os.path.join(out_dir, name), "w") as out:
            out.write(notes[note].rstrip("\n") + "\n")
    kept = 0
    with open(os.path.join(run_dir, "metrics.jsonl")) as log, open(os.path.join(out_dir, "metrics.jsonl"), "w") as out:
        for line in log:
            if json.loads(line)["step"] <= step:
                out.write(line)
                kept += 1
    print(f"ship_model_files: {out_dir}: config and fit of step {step}, {kept} metrics lines")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: ship_model_files.py CHECKPOINT.h5 RUN_DIR OUT_DIR")
    main(*sys.argv[1:])
