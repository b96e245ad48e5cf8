#!/usr/bin/python3
"""PyTorch speed comparator for `calo3dgan bench nn` (README.md, "timing.py").

Prints one JSON object per line:
  {"bench": "generator_forward", "batch": 8, "ms_per_shower": ...}          eval, no_grad
  {"bench": "discriminator_forward_backward", "batch": 8, "ms_per_sample": ...}  train mode
  {"bench": "train_iteration", "batch": 8, "s_per_sample": ...}  DESIGN.md section 7 recipe
Figures are medians over the repetitions, with the minimum beside them (`*_min`). Each line
also records variant, threads, repetitions, warm-up, torch version, CPU model and any
ONEDNN_MAX_CPU_ISA limit.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as M  # noqa: E402
import recipe as R  # noqa: E402
import weights as W  # noqa: E402


def measure(fn, warmup, min_reps, min_time):
    """Run fn `warmup` times, then at least min_reps times and min_time seconds.

    Returns (median, minimum) seconds per call and the repetition count; the machine is
    shared, so the minimum is the best estimate of the uncontended speed.
    """
    for _ in range(warmup):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), len(times)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", default=M.DEFAULT_VARIANT, choices=sorted(M.VARIANTS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--gen-batches", default="1,8,128", help="generator inference batch sizes")
    ap.add_argument("--disc-batch", type=int, default=8)
    ap.add_argument("--train-batch", type=int, default=8)
    ap.add_argument("--only", default="generator,discriminator,train",
                    help="comma list of generator, discriminator, train")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--min-reps", type=int, default=2)
    ap.add_argument("--min-time", type=float, default=3.0, help="seconds per measurement at least")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checkpoint", help="take the generator's weights from this calo3dgan checkpoint "
                    "(bench generate: the same weights as calo3dgan)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    only = set(a.only.split(","))
    common = {"variant": a.variant, "threads": torch.get_num_threads(), "warmup": a.warmup,
              "torch": str(torch.__version__), "dtype": "float32", "cpu": cpu_model(),
              "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", os.environ.get("DNNL_MAX_CPU_ISA", ""))}

    def emit(**kw):
        print(json.dumps({**kw, **common}), flush=True)

    g, d = M.Generator(a.variant), M.Discriminator(a.variant)
    W.keras_init_(g, "generator", a.seed)
    W.keras_init_(d, "discriminator", a.seed)
    if a.checkpoint:
        W.load_weights(a.checkpoint, {"generator": g})

    if "generator" in only:
        g.eval()
        for b in (int(s) for s in a.gen_batches.split(",")):
            z = torch.randn(b, M.LATENT_SIZE)
            with torch.no_grad():
                sec, best, reps = measure(lambda: g(z), a.warmup, a.min_reps, a.min_time)
            emit(bench="generator_forward", batch=b, reps=reps, ms_per_shower=1e3 * sec / b,
                 ms_per_shower_min=1e3 * best / b)

    if "discriminator" in only:
        d.train()
        images, _ = R.synthetic_batch(a.disc_batch, a.seed)

        def fwd_bwd():
            fake, aux, ecal = d(images)
            (fake.sum() + aux.sum()).backward()
        sec, best, reps = measure(fwd_bwd, a.warmup, a.min_reps, a.min_time)
        emit(bench="discriminator_forward_backward", batch=a.disc_batch, reps=reps,
             ms_per_sample=1e3 * sec / a.disc_batch, ms_per_sample_min=1e3 * best / a.disc_batch)

    if "train" in only:
        trainer = R.Trainer(g, d, seed=a.seed)
        images, energy = R.synthetic_batch(a.train_batch, a.seed)
        sec, best, reps = measure(lambda: trainer.iteration(images, energy), a.warmup, a.min_reps, a.min_time)
        emit(bench="train_iteration", batch=a.train_batch, reps=reps, s_per_sample=sec / a.train_batch,
             s_per_sample_min=best / a.train_batch, s_per_iteration=sec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
