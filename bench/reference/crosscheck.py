#!/usr/bin/python3
"""Reference forward/backward of the 3DGAN networks for the C++ cross-check tests.

Runs the generator and/or the discriminator on given inputs and weights, backpropagates the
scalar loss L = sum(output * R) (R a fixed random tensor per output, written to the output
file, so every gradient is defined and exact) and writes outputs, input gradients, every
parameter gradient and the BatchNorm statistics to HDF5. README.md documents every dataset.

  crosscheck.py --variant 3dgan-16 --seed 1 --batch 2 --mode train \\
      --weights w.h5 --init --inputs in.h5 --make-inputs --dropout mask --out ref.h5

Kink-aware mode (the C++ cross-check): `--make-inputs` without `--out` only writes the
inputs; the C++ side runs its forward and writes the output of each activated layer
(`post_activation/<net>/<layer>`); `--cpp-branches FILE` then makes every LeakyReLU/ReLU
take the C++ branch (y > 0 <=> x > 0) where the reference's own pre-activation lies within
`--kink-band` * max|x| of 0, and reports the disagreements outside that band (`kinks/...`).
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
import weights as W  # noqa: E402

FORMAT = "calo3dgan-crosscheck-1"
BRANCHES_FORMAT = "calo3dgan-crosscheck-branches-1"
NETS = ("generator", "discriminator")
# Half-width of the kink band, relative to max|x| of the layer (README.md, "Kinks"): above
# the float32 error of the C++ pre-activations (sums of K = 125..15360 products, ~sqrt(K) *
# 2^-24 ~ 1e-7..1e-6 of the terms, plus what earlier layers and BatchNorm's 1/sigma carry:
# measured <= 4e-6 of max|x|, in-band flips at <= 5e-7), far below anything that could move
# a comparison at 1e-4 (a forward value in the band differs by at most (1 - alpha) * tau *
# max|x| between the two slopes).
KINK_BAND = 1e-5


def build(variant, seed=None, weights_path=None, nets=NETS):
    """{prefix: net} of `variant`, Keras-initialised from `seed` or loaded from `weights_path`."""
    out = {}
    if "generator" in nets:
        out["generator"] = M.Generator(variant)
    if "discriminator" in nets:
        out["discriminator"] = M.Discriminator(variant)
    if weights_path is not None:
        W.load_weights(weights_path, out)
    else:
        for prefix, net in out.items():
            W.keras_init_(net, prefix, seed)
    return out


def dropout_shapes(variant, batch):
    """Shapes of the four discriminator dropout masks (NCDHW)."""
    f0, fb = M.get_variant(variant).disc_filters
    s = M.IMAGE_SIZE
    return {"dropout1": (batch, f0, s, s, s), "dropout2": (batch, fb, s, s, s),
            "dropout3": (batch, fb, s, s, s), "dropout4": (batch, fb, 23, 23, 23)}


def make_inputs(variant, batch, seed):
    """Random inputs (dict name -> numpy array), reproducible from `seed`."""
    rng = np.random.default_rng([seed, 1])
    energy = rng.uniform(10.0, 500.0, batch).astype(np.float32)
    noise = rng.standard_normal((batch, M.LATENT_SIZE)).astype(np.float32)
    z = (energy / np.float32(100.0)).astype(np.float32)[:, None] * noise
    s = M.IMAGE_SIZE
    cells = rng.exponential(0.05, (batch, s, s, s)) * (rng.random((batch, s, s, s)) < 0.3)
    out = {"generator/energy": energy, "generator/noise": noise, "generator/z": z.astype(np.float32),
           "discriminator/images": cells.astype(np.float32)}
    for name, shape in dropout_shapes(variant, batch).items():
        out[f"discriminator/{name}/keep"] = (rng.random(shape) >= M.DROPOUT_P).astype(np.uint8)
    return out


def make_r(variant, batch, seed):
    """The fixed random weights R of the loss L = sum(output * R), one per output."""
    rng = np.random.default_rng([seed, 2])
    s = M.IMAGE_SIZE
    return {"generator/image": rng.standard_normal((batch, s, s, s)).astype(np.float32),
            "discriminator/generation": rng.standard_normal((batch, 1)).astype(np.float32),
            "discriminator/auxiliary": rng.standard_normal((batch, 1)).astype(np.float32),
            "discriminator/ecal": rng.standard_normal((batch,)).astype(np.float32)}


def write_h5(path, arrays, attrs):
    with h5py.File(path, "w") as f:
        for k, v in attrs.items():
            f.attrs[k] = v
        for name, a in arrays.items():
            f.create_dataset(name, data=a)


def read_h5(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, np.asarray(obj))
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def _hooks(net, prefix, record, want_activations, mode):
    """Forward hooks recording BatchNorm batch statistics and (optionally) layer outputs."""
    handles = []
    for name, layer in net.named_children():
        if isinstance(layer, torch.nn.BatchNorm3d) and mode == "train":
            def bn_hook(mod, inp, out, name=name):
                x = inp[0].detach()
                record[f"batch_stats/{prefix}/{name}/mean"] = x.mean(dim=(0, 2, 3, 4))
                record[f"batch_stats/{prefix}/{name}/variance"] = x.var(dim=(0, 2, 3, 4), unbiased=False)
            handles.append(layer.register_forward_hook(bn_hook))
        if want_activations:
            def act_hook(mod, inp, out, name=name):
                record[f"activations/{prefix}/{name}"] = out.detach()
            handles.append(layer.register_forward_hook(act_hook))
    return handles


class _KinkAware:
    """model.py's activations, taking the C++ branch near the kink.

    `posts` ({layer name: C++ post-activation, numpy NCDHW}) covers the activated layers of
    one net (model.py applies F.leaky_relu / F.relu directly to that layer's output). While
    installed (a `with` block), model.py's `F` is a shim whose leaky_relu / relu, called on
    the output of one of those layers, computes y = x * s with the slope s of the branch
    pos = (|x| <= tau max|x|) ? (C++ y > 0) : (x > 0), so forward value and derivative
    follow the same branch. Counts go to `record` under kinks/<prefix>/<layer>/.
    """

    def __init__(self, net, prefix, posts, tau, record):
        self.net, self.prefix, self.posts, self.tau, self.record = net, prefix, posts, tau, record
        self.pending = None  # (output tensor, layer name) of the last hooked layer
        self.used = set()
        self.handles = []

    def __enter__(self):
        for name in self.posts:
            layer = getattr(self.net, name, None)
            if layer is None:
                raise ValueError(f"--cpp-branches: {self.prefix} has no layer '{name}'")
            self.handles.append(layer.register_forward_hook(
                lambda mod, inp, out, name=name: setattr(self, "pending", (out, name))))
        shim = types.SimpleNamespace(**{k: getattr(torch.nn.functional, k)
                                        for k in dir(torch.nn.functional) if not k.startswith("__")})
        shim.leaky_relu = lambda x, negative_slope=0.01, **kw: self._act(x, negative_slope, kw, "leaky_relu")
        shim.relu = lambda x, **kw: self._act(x, 0.0, kw, "relu")
        self.saved_f, M.F = M.F, shim
        return self

    def __exit__(self, *exc):
        M.F = self.saved_f
        for h in self.handles:
            h.remove()
        if exc[0] is None and self.used != set(self.posts):
            raise ValueError(f"--cpp-branches: {self.prefix} layers {sorted(set(self.posts) - self.used)}"
                             " are not followed by an activation in model.py")

    def _act(self, x, slope, kw, fn):
        if self.pending is None or x is not self.pending[0]:
            return getattr(torch.nn.functional, fn)(x, **({"negative_slope": slope} if fn == "leaky_relu" else {}),
                                                    **kw)
        name = self.pending[1]
        self.pending = None
        if name in self.used:
            raise ValueError(f"--cpp-branches: {self.prefix}/{name} activated twice")
        self.used.add(name)
        post = self.posts[name]
        if tuple(post.shape) != tuple(x.shape):
            raise ValueError(f"--cpp-branches: {self.prefix}/{name} has shape {tuple(post.shape)},"
                             f" the reference's {tuple(x.shape)}")
        with torch.no_grad():
            xd = x.detach().to(torch.float64)
            cpp_pos = torch.from_numpy(np.asarray(post) > 0)
            own_pos = xd > 0
            scale = xd.abs().max()
            band = xd.abs() <= self.tau * scale
            differ = cpp_pos != own_pos
            pos = torch.where(band, cpp_pos, own_pos)
            factor = torch.full_like(x, slope)
            factor[pos] = 1.0
            # The C++ pre-activation where it can be recovered (LeakyReLU everywhere, ReLU
            # where y > 0): its error against the reference, relative to max|x|.
            y = torch.from_numpy(np.asarray(post, dtype=np.float64))
            cpp_x = torch.where(y > 0, y, y / float(np.float32(slope))) if slope > 0 else y
            known = torch.ones_like(band) if slope > 0 else y > 0
            err = ((cpp_x - xd).abs()[known].max() / scale) if known.any() and scale > 0 else torch.zeros(())
            flips = band & differ
            key = f"kinks/{self.prefix}/{name}"
            one = lambda v: torch.tensor([float(v)], dtype=torch.float64)  # noqa: E731
            self.record[f"{key}/in_band"] = one(band.sum())
            self.record[f"{key}/flips"] = one(flips.sum())
            self.record[f"{key}/outside_band"] = one((differ & ~band).sum())
            self.record[f"{key}/preact_error"] = one(err)
            self.record[f"{key}/max_flip_distance"] = one((xd.abs()[flips].max() / scale) if flips.any() else 0)
        return x * factor


def compute(nets, inputs, r, mode="train", dropout="off", dtype=torch.float32,
            activations=False, rmsprop_step=False, branches=None, tau=KINK_BAND):
    """Forward + backward of each net in `nets` ({prefix: net}); returns {dataset: tensor}.

    inputs/r: dicts as made by make_inputs/make_r (numpy). The nets are converted to `dtype`.
    branches: {"post_activation/<net>/<layer>": C++ post-activation} (--cpp-branches): the
    activations of those layers take the C++ branch within tau * max|x| of the kink
    (_KinkAware); None: plain model.py.
    """
    if mode not in ("train", "infer"):
        raise ValueError(f"invalid mode '{mode}' (must be train or infer)")
    if dropout not in ("off", "mask"):
        raise ValueError(f"invalid dropout '{dropout}' (must be off or mask)")
    res = {}
    t = lambda a: torch.from_numpy(np.asarray(a)).to(dtype)  # noqa: E731
    for prefix, net in nets.items():
        net.to(dtype)
        net.train(mode == "train")
        for p in net.parameters():
            p.grad = None
        if prefix == "generator":
            x = t(inputs["generator/z"]).requires_grad_(True)
            in_name = "z"
        else:
            x = t(inputs["discriminator/images"]).requires_grad_(True)
            in_name = "images"
            if dropout == "mask" and mode == "train":
                for name, d in zip(("dropout1", "dropout2", "dropout3", "dropout4"), net.dropouts()):
                    d.set_mask(torch.from_numpy(np.asarray(inputs[f"discriminator/{name}/keep"])))
            else:
                net.set_dropout_mode("off")
        handles = _hooks(net, prefix, res, activations, mode)
        posts = {k.split("/", 2)[2]: v for k, v in (branches or {}).items()
                 if k.startswith(f"post_activation/{prefix}/")}
        try:
            if posts:
                with _KinkAware(net, prefix, posts, tau, res):
                    out = net(x)
            else:
                out = net(x)
        finally:
            for h in handles:
                h.remove()
        if prefix == "generator":
            outs = {"image": out[:, 0]}
        else:
            outs = dict(zip(("generation", "auxiliary", "ecal"), out))
        loss = sum((o * t(r[f"{prefix}/{k}"])).sum() for k, o in outs.items())
        loss.backward()
        res[f"loss/{prefix}"] = loss.detach()
        for k, o in outs.items():
            res[f"outputs/{prefix}/{k}"] = o.detach()
            res[f"R/{prefix}/{k}"] = t(r[f"{prefix}/{k}"])
        res[f"input_grads/{prefix}/{in_name}"] = x.grad.detach()
        for name, tensor in W.named_tensors(net, prefix):
            if W.is_trainable_name(name):
                res[f"param_grads/{name}"] = tensor.grad.detach().clone()
            else:
                res[f"moving_after/{name}"] = tensor.detach().clone()
        if rmsprop_step:
            opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
            opt.step()
            for name, tensor in W.named_tensors(net, prefix):
                if W.is_trainable_name(name):
                    res[f"after_rmsprop/{name}"] = tensor.detach().clone()
        if prefix == "discriminator":
            net.set_dropout_mode("random")
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", default=M.DEFAULT_VARIANT, choices=sorted(M.VARIANTS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--mode", default="train", choices=("train", "infer"))
    ap.add_argument("--net", default="both", choices=("generator", "discriminator", "both"))
    ap.add_argument("--weights", help="weight file (read; written with --init); needed with --out")
    ap.add_argument("--init", action="store_true", help="Keras-initialise from --seed and write --weights")
    ap.add_argument("--inputs", required=True, help="input file (read; written with --make-inputs)")
    ap.add_argument("--make-inputs", action="store_true", help="draw random inputs from --seed and write --inputs")
    ap.add_argument("--dropout", default="off", choices=("off", "mask"),
                    help="discriminator dropout in train mode: off (p = 0) or the masks of --inputs")
    ap.add_argument("--out", help="result file (HDF5); without it only --make-inputs / --init run")
    ap.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    ap.add_argument("--activations", action="store_true", help="also write every layer's output")
    ap.add_argument("--rmsprop-step", action="store_true",
                    help="also write the parameters after one RMSprop step (lr 1e-3, rho 0.9, eps 1e-7)")
    ap.add_argument("--cpp-branches", metavar="FILE",
                    help="C++ post-activations (post_activation/<net>/<layer>): near a kink, take the C++ branch")
    ap.add_argument("--kink-band", type=float, default=KINK_BAND,
                    help=f"with --cpp-branches: band |x| <= TAU * max|x| of the layer (default {KINK_BAND:g})")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    if a.batch < 1:
        ap.error(f"invalid --batch {a.batch} (must be >= 1)")
    if a.out is None and not (a.make_inputs or a.init):
        ap.error("nothing to do: give --out (compute), --make-inputs or --init")
    if (a.out is not None or a.init) and a.weights is None:
        ap.error("--weights is needed with --out and --init")
    if not 0 <= a.kink_band < 1:
        ap.error(f"invalid --kink-band {a.kink_band} (must be in [0, 1))")
    torch.set_num_threads(a.threads)
    nets = NETS if a.net == "both" else (a.net,)

    if a.init:
        all_nets = build(a.variant, seed=a.seed)
        W.save_weights(a.weights, a.variant, all_nets)
        built = {k: v for k, v in all_nets.items() if k in nets}
    elif a.out is not None:
        file_variant = W.weight_variant(a.weights)
        if file_variant not in (None, a.variant):
            ap.error(f"{a.weights} holds variant {file_variant}, not --variant {a.variant}")
        built = build(a.variant, weights_path=a.weights, nets=nets)

    if a.make_inputs:
        inputs = make_inputs(a.variant, a.batch, a.seed)
        write_h5(a.inputs, inputs, {"format": FORMAT + "-inputs", "variant": a.variant,
                                    "seed": a.seed, "batch": a.batch})
    elif a.out is not None:
        inputs = read_h5(a.inputs)
    if a.out is None:
        return 0
    for key in ("generator/z", "discriminator/images"):
        if key in inputs and inputs[key].shape[0] != a.batch:
            ap.error(f"{a.inputs}: '{key}' has batch {inputs[key].shape[0]}, not --batch {a.batch}")

    branches = None
    if a.cpp_branches is not None:
        with h5py.File(a.cpp_branches, "r") as f:
            fmt = f.attrs.get("format", "")
            if (fmt.decode() if isinstance(fmt, bytes) else fmt) != BRANCHES_FORMAT:
                ap.error(f"{a.cpp_branches}: format is not {BRANCHES_FORMAT}")
        branches = {k: v for k, v in read_h5(a.cpp_branches).items() if k.startswith("post_activation/")}
    dtype = torch.float32 if a.dtype == "float32" else torch.float64
    res = compute(built, inputs, make_r(a.variant, a.batch, a.seed), a.mode, a.dropout, dtype,
                  a.activations, a.rmsprop_step, branches, a.kink_band)
    npdt = np.float32 if a.dtype == "float32" else np.float64
    arrays = {k: v.numpy().astype(npdt) for k, v in res.items()}
    write_h5(a.out, arrays, {"format": FORMAT, "variant": a.variant, "seed": a.seed, "batch": a.batch,
                             "mode": a.mode, "dropout": a.dropout, "dtype": a.dtype,
                             "threads": a.threads, "torch_version": str(torch.__version__),
                             "kink_band": a.kink_band if branches is not None else 0.0})
    return 0


if __name__ == "__main__":
    sys.exit(main())
