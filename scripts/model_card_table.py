#!/usr/bin/python3
"""The shipped model's physics table (data/models/3dgan-16/README.md) from validate's metrics.json.

Per energy bin: the mean sampled fraction's relative error (GAN against Monte Carlo) and the
core mean relative error (positions holding > 1 % of the energy) of the normalised
longitudinal and transverse profiles, the figures issue 12 sets targets for (5 % and 10 %;
a cross marks a miss). Usage: scripts/model_card_table.py REPORT/metrics.json
"""
import json
import sys


def main(path):
    with open(path) as f:
        metrics = json.load(f)
    print("| bin | showers (MC / GAN) | sampled fraction, GAN / MC − 1 | longitudinal MRE>1% "
          "| transverse x MRE>1% | transverse y MRE>1% |")
    print("|---|---:|---:|---:|---:|---:|")
    for b in metrics["bins"]:
        if b["empty"]:
            print(f"| {b['label']} | too few showers | | | | |")
            continue
        o = b["observables"]
        sf = o["sampled_fraction"]["metrics"]["relative_error_of_mean"]
        shapes = [o[name]["metrics"]["core_mean_relative_error"] for name in ("longitudinal_shape", "x_shape", "y_shape")]

        def cell(value, target, sign=""):
            return f"{100 * value:{sign}.1f} %" + ("" if abs(value) <= target else " ✗")

        row = [b["label"], f"{b['reference_events']} / {b['candidate_events']}", cell(sf, 0.05, "+")]
        row += [cell(v, 0.10) for v in shapes]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: model_card_table.py REPORT/metrics.json")
    main(sys.argv[1])
