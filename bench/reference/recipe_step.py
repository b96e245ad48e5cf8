#!/usr/bin/python3
"""One training step of DESIGN.md section 7 in PyTorch, with given weights, optimiser state,
batch and random draws, for the C++ cross-check of train::GanStep (tests/train).

The step is recipe.py's iteration with its random draws replaced by the given ones: D on the
real batch (the given flipped labels), D on G(z0) (G in eval mode, labels given, sampled
energies given, ECAL-sum targets recipe.ecal_fit), then one G update per further latent
batch through the frozen D (recipe.Trainer._freeze_d) with labels 1. RMSprop as
recipe.rmsprop, its square averages loaded from the checkpoint's /optimizer/<net>/...
/rms. Runs in float64 (weights read as float32, as written). Dropout off.

  recipe_step.py --gen-filters 8,4,4 --disc-filters 4,4 --weights ckpt.h5 --inputs in.h5 --out ref.h5

inputs: real/images (B, X, Y, L), real/energy, draws/real_labels, draws/fake_labels,
draws/fake_energy (B), draws/latent_<k> (B, 200). out: after/<tensor> and delta/<tensor>
(after - before) for every parameter and moving statistic, losses/<pass> = [bce,
mape energy, mape ecal, total] for d_real, d_fake, g<k>.
"""
import argparse
import os
import sys
import types

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as M  # noqa: E402
import recipe as R  # noqa: E402
import weights as W  # noqa: E402


def loss_terms(outputs, labels, energy, ecal_target):
    """(bce, mape energy, mape ecal, weighted total) as recipe.gan_loss computes the total."""
    fake, aux, ecal = outputs
    terms = (R.bce(fake.view(-1), labels), R.mape(aux.view(-1), energy), R.mape(ecal.view(-1), ecal_target))
    total = sum(w * t for w, t in zip(R.LOSS_WEIGHTS, terms))
    return terms, total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gen-filters", required=True, help="generator conv1,conv2,conv3 filters")
    ap.add_argument("--disc-filters", required=True, help="discriminator conv1,blocks filters")
    ap.add_argument("--weights", required=True, help="checkpoint: weights and RMSprop state")
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)

    name = "step-crosscheck"
    M.VARIANTS[name] = M.Variant(name, tuple(map(int, a.gen_filters.split(","))),
                                 tuple(map(int, a.disc_filters.split(","))))
    g, d = M.Generator(name), M.Discriminator(name)
    nets = {"generator": g, "discriminator": d}
    W.load_weights(a.weights, nets)
    g.double()
    d.double()
    d.set_dropout_mode("off")
    before = {n: t.detach().clone() for p, net in nets.items() for n, t in W.named_tensors(net, p)}

    opt = {"generator": R.rmsprop(g.parameters(), a.lr), "discriminator": R.rmsprop(d.parameters(), a.lr)}
    with h5py.File(a.weights, "r") as f:
        for prefix, net in nets.items():
            for n, t in W.named_tensors(net, prefix):
                if W.is_trainable_name(n):
                    rms = torch.from_numpy(np.asarray(f[f"optimizer/{n}/rms"]).astype(np.float64))
                    opt[prefix].state[t] = {"step": torch.tensor(0.0), "square_avg": rms}

    with h5py.File(a.inputs, "r") as f:
        x = {k: torch.from_numpy(np.asarray(f[k]).astype(np.float64)) for k in
             ("real/images", "real/energy", "draws/real_labels", "draws/fake_labels", "draws/fake_energy")}
        latents = [torch.from_numpy(np.asarray(f[f"draws/latent_{k}"]).astype(np.float64))
                   for k in range(len([n for n in f["draws"] if n.startswith("latent_")]))]
    losses = {}

    def d_update(key, images, labels, energy, ecal_target):
        terms, total = loss_terms(d(images), labels, energy, ecal_target)
        opt["discriminator"].zero_grad(set_to_none=True)
        total.backward()
        opt["discriminator"].step()
        losses[key] = [float(t) for t in terms] + [float(total)]

    images = x["real/images"]
    g.train()
    d.train()
    d_update("d_real", images, x["draws/real_labels"], x["real/energy"], images.sum(dim=(1, 2, 3)))
    energy = x["draws/fake_energy"]
    target = R.ecal_fit(energy)
    g.eval()  # Keras generator.predict
    with torch.no_grad():
        fake = g(latents[0])
    d_update("d_fake", fake, x["draws/fake_labels"], energy, target)

    g.train()
    frozen = types.SimpleNamespace(d=d)
    R.Trainer._freeze_d(frozen, True)
    for k, z in enumerate(latents[1:], 1):
        terms, total = loss_terms(d(g(z)), torch.ones(len(energy), dtype=torch.float64), energy, target)
        opt["generator"].zero_grad(set_to_none=True)
        total.backward()
        opt["generator"].step()
        losses[f"g{k}"] = [float(t) for t in terms] + [float(total)]
    R.Trainer._freeze_d(frozen, False)

    with h5py.File(a.out, "w") as f:
        for prefix, net in nets.items():
            for n, t in W.named_tensors(net, prefix):
                f.create_dataset(f"after/{n}", data=t.detach().numpy())
                f.create_dataset(f"delta/{n}", data=(t.detach() - before[n]).numpy())
        for k, v in losses.items():
            f.create_dataset(f"losses/{k}", data=np.array(v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
