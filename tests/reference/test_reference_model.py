#!/usr/bin/python3
"""Self-test of the PyTorch reference model (bench/reference/): parameter counts and shapes,
the Keras layout conventions, the weight file round trip and crosscheck.py's gradients
against float64 finite differences. A plain script (no pytest): exits 1 on any failure."""
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.normpath(os.path.join(HERE, "..", "..", "bench", "reference"))
sys.path.insert(0, REF)
import crosscheck as C  # noqa: E402
import model as M  # noqa: E402
import weights as W  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(int(os.environ.get("REFERENCE_TEST_SEED", "0")))
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


@test
def parameter_counts():
    # DESIGN.md section 7: 3dgan-16 generator 1,042,368, discriminator 174,770.
    expected = {"3dgan-16": (1042368, 174770), "3dgan-v1": (872808, 73402)}
    for variant, (g, d) in expected.items():
        got = (M.count_trainable(M.Generator(variant)), M.count_trainable(M.Discriminator(variant)))
        expect(got == (g, d), f"{variant}: trainable parameters {got}, expected {(g, d)}")
        names = [n for n, _ in W.named_tensors(M.Generator(variant), "generator")]
        n_train = sum(t.numel() for n, t in W.named_tensors(M.Generator(variant), "generator")
                      if W.is_trainable_name(n))
        expect(n_train == g, f"{variant}: named trainable tensors hold {n_train}, expected {g}")
        expect("generator/conv4/bias" not in names, "conv4 must have no bias")


@test
def output_and_layer_shapes():
    g, d = M.Generator(), M.Discriminator()
    g.eval(), d.eval()
    shapes = {}
    hooks = [m.register_forward_hook(lambda mod, i, o, n=n: shapes.__setitem__(n, tuple(o.shape[1:])))
             for n, m in list(g.named_children()) + [("d_" + n, m) for n, m in d.named_children()]]
    with torch.no_grad():
        img = g(torch.randn(3, 200))
        fake, aux, ecal = d(img)
    for h in hooks:
        h.remove()
    expect(tuple(img.shape) == (3, 1, 25, 25, 25), f"generator output {tuple(img.shape)}")
    expect(bool((img >= 0).all()), "generator output must be >= 0 (ReLU)")
    expect(tuple(fake.shape) == (3, 1) and tuple(aux.shape) == (3, 1) and tuple(ecal.shape) == (3,),
           "discriminator output shapes")
    expect(bool(((fake >= 0) & (fake <= 1)).all()), "real/fake head must be a sigmoid")
    want = {"conv1": (64, 7, 7, 8), "conv2": (16, 13, 14, 9), "conv3": (16, 26, 26, 26),
            "conv4": (1, 25, 25, 25), "d_conv1": (32, 25, 25, 25), "d_conv2": (16, 25, 25, 25),
            "d_conv3": (16, 25, 25, 25), "d_conv4": (16, 23, 23, 23)}
    for k, v in want.items():
        expect(shapes[k] == v, f"{k}: {shapes[k]}, expected {v}")
    expect(torch.allclose(ecal, img.sum(dim=(1, 2, 3, 4))), "ECAL sum output")


@test
def keras_layout_conventions():
    g = M.Generator().eval()
    # Reshape((7,7,8,8)) channels-last: dense output index ((x*7+y)*8+z)*8+c -> h[c, x, y, z].
    with torch.no_grad():
        flat = g.dense(torch.randn(1, 200))
        h = flat.view(-1, 7, 7, 8, 8).permute(0, 4, 1, 2, 3)
    x, y, z, c = 3, 5, 6, 2
    expect(h[0, c, x, y, z] == flat[0, ((x * 7 + y) * 8 + z) * 8 + c], "Keras reshape permutation")
    # Keras 'same' pads: (k-1)//2 before, the rest after.
    expect(M.keras_same_pads((6, 6, 8)) == (3, 4, 2, 3, 2, 3), "Keras 'same' pads of (6,6,8)")
    inp = torch.randn(1, 8, 7, 7, 8)
    with torch.no_grad():
        ours = g.conv1(F.pad(inp, g.conv1_pads))
        with warnings.catch_warnings():  # "padding='same' with even kernel lengths ..." is expected
            warnings.simplefilter("ignore")
            torch_same = F.conv3d(inp, g.conv1.weight, g.conv1.bias, padding="same")
    expect(torch.allclose(ours, torch_same, atol=1e-5), "conv1 'same' padding split")
    # UpSampling3D nearest with per-dimension factors == repeat along each dimension.
    a = torch.randn(2, 3, 13, 14, 9)
    rep = a.repeat_interleave(2, 2).repeat_interleave(2, 3).repeat_interleave(3, 4)
    expect(torch.equal(M.upsample_nearest(a, (2, 2, 3)), rep), "UpSampling3D (2,2,3)")
    # ZeroPadding3D((1,0,3)) + valid conv == conv with padding (1,0,3).
    a = torch.randn(1, 16, 26, 28, 27)
    with torch.no_grad():
        explicit = F.conv3d(F.pad(a, (3, 3, 0, 0, 1, 1)), g.conv3.weight, g.conv3.bias)
        expect(torch.allclose(g.conv3(a), explicit, atol=1e-5), "ZeroPadding3D folded into conv3")
    # Discriminator Flatten is channels-last: feature ((x*11+y)*11+z)*16+c.
    d = M.Discriminator().eval()
    seen = {}
    d.dropout4.register_forward_hook(lambda mod, i, o: seen.__setitem__("h", o))
    d.generation.register_forward_hook(lambda mod, i, o: seen.__setitem__("logit", o))
    x, y, z, c = 4, 7, 9, 11
    with torch.no_grad():
        d.generation.weight.zero_()
        d.generation.bias.zero_()
        d.generation.weight[0, ((x * 11 + y) * 11 + z) * 16 + c] = 1.0
        d(torch.rand(1, 25, 25, 25))
        pooled = F.avg_pool3d(seen["h"], 2)
    expect(torch.equal(seen["logit"][0, 0], pooled[0, c, x, y, z]), "Flatten order of the discriminator heads")
    # Dropout mask: y = x * keep * 1.25.
    drop = M.MaskableDropout()
    keep = (torch.rand(4, 5) > 0.2).to(torch.uint8)
    drop.set_mask(keep)
    v = torch.randn(4, 5)
    expect(torch.equal(drop(v), v * (keep.float() * 1.25)), "dropout mask scaling")


@test
def weights_round_trip_bit_exact():
    with tempfile.TemporaryDirectory() as tmp:
        for variant in M.VARIANTS:
            nets = C.build(variant, seed=7)
            nets["generator"].train()(torch.randn(4, 200))  # moves the moving statistics
            path = os.path.join(tmp, "w.h5")
            W.save_weights(path, variant, nets)
            back = C.build(variant, seed=99)
            W.load_weights(path, back)
            expect(W.weight_variant(path) == variant, "variant attribute")
            for prefix in nets:
                a, b = W.named_tensors(nets[prefix], prefix), W.named_tensors(back[prefix], prefix)
                expect([n for n, _ in a] == [n for n, _ in b], "names")
                for (n, x), (_, y) in zip(a, b):
                    expect(x.dtype == torch.float32 and torch.equal(x, y), f"{variant} {n} not bit-exact")


@test
def keras_initialisers():
    nets = C.build("3dgan-16", seed=3)
    t = dict(W.named_tensors(nets["generator"], "generator"))
    t.update(W.named_tensors(nets["discriminator"], "discriminator"))
    lim = math.sqrt(6 / (8 * 288))  # he_uniform, fan_in = 8 * 6*6*8
    k = t["generator/conv1/kernel"]
    expect(k.abs().max() <= lim and k.abs().max() > 0.95 * lim, "generator conv1 he_uniform")
    k = t["discriminator/conv2/kernel"]
    lim = math.sqrt(6 / (32 * 125 + 16 * 125))  # glorot_uniform
    expect(k.abs().max() <= lim and k.abs().max() > 0.95 * lim, "discriminator conv2 glorot_uniform")
    std = math.sqrt(2 / (16 * 8 + 8)) / 0.87962566103423978
    expect(t["generator/conv4/kernel"].abs().max() <= 2 * std, "conv4 truncated glorot_normal")
    expect(torch.equal(t["generator/bn1/moving_variance"], torch.ones(64)), "moving variance init 1")
    expect(bool((t["discriminator/conv1/bias"] == 0).all()), "zero biases")
    again = C.build("3dgan-16", seed=3)
    expect(torch.equal(again["generator"].dense.weight, nets["generator"].dense.weight), "seeded init")


def _loss(net, prefix, x, r):
    out = net(x)
    outs = {"image": out[:, 0]} if prefix == "generator" else dict(zip(("generation", "auxiliary", "ecal"), out))
    return sum((o * torch.from_numpy(r[f"{prefix}/{k}"]).double()).sum() for k, o in outs.items())


def _loss_and_signs(net, prefix, x, r):
    """The loss and the sign pattern of every convolution output (each feeds a (Leaky)ReLU)."""
    pattern = []
    hooks = [m.register_forward_hook(lambda mod, i, o: pattern.append(o > 0))
             for m in net.modules() if isinstance(m, torch.nn.Conv3d)]
    try:
        return _loss(net, prefix, x, r), pattern
    finally:
        for hk in hooks:
            hk.remove()


def _fd_check(net, prefix, x_name, inputs, r, mode, dropout, batch):
    """Directional central differences in float64, one random direction per layer and one for the input."""
    res = C.compute({prefix: net}, inputs, r, mode, dropout, torch.float64)
    net.train(mode == "train")
    if prefix == "discriminator" and dropout == "mask" and mode == "train":
        for name, d in zip(("dropout1", "dropout2", "dropout3", "dropout4"), net.dropouts()):
            d.set_mask(torch.from_numpy(inputs[f"discriminator/{name}/keep"]))
    elif prefix == "discriminator":
        net.set_dropout_mode("off")
    x0 = torch.from_numpy(inputs[f"{prefix}/{x_name}"]).double()
    gen = torch.Generator().manual_seed(5)
    groups = {}
    for name, t in W.named_tensors(net, prefix):
        if W.is_trainable_name(name):
            groups.setdefault(name.split("/")[1], []).append((name, t))
    groups["<input>"] = [(f"input_grads/{prefix}/{x_name}", None)]
    with torch.no_grad():
        loss_scale = abs(float(_loss(net, prefix, x0, r))) + 1.0
    worst, retries = 0.0, 0
    for layer, members in groups.items():
        dirs = [torch.randn(x0.shape if t is None else t.shape, generator=gen, dtype=torch.float64)
                for _, t in members]
        analytic = sum(float((res[n if t is None else f"param_grads/{n}"] * v).sum())
                       for (n, t), v in zip(members, dirs))
        # The (Leaky)ReLU kinks are dense (upsampled activations, many near-zero output cells):
        # shrink the step until no pre-activation changes sign between the two evaluations.
        h = 1e-8
        while True:
            vals, signs = [], []
            for sign in (1, -1):
                with torch.no_grad():
                    for (_, t), v in zip(members, dirs):
                        if t is not None:
                            t.add_(sign * h * v)
                    xs = x0 + sign * h * dirs[0] if members[0][1] is None else x0
                    loss, pattern = _loss_and_signs(net, prefix, xs, r)
                    vals.append(float(loss))
                    signs.append(pattern)
                    for (_, t), v in zip(members, dirs):
                        if t is not None:
                            t.sub_(sign * h * v)
            crossed = any(not torch.equal(p, m) for p, m in zip(*signs))
            if not crossed or h < 1e-10:
                break
            h /= 8
            retries += 1
        expect(not crossed, f"{prefix} {mode} {layer}: a kink is crossed even with step {h:.1e}")
        fd = (vals[0] - vals[1]) / (2 * h)
        # Rounding: the loss sums ~1e4-1e5 float64 terms, about 1e-14 of its magnitude each side.
        tol = 1e-5 * abs(analytic) + 1e-13 * loss_scale / h
        worst = max(worst, abs(fd - analytic) / tol)
        expect(abs(fd - analytic) < tol,
               f"{prefix} {mode} {layer}: finite difference {fd:.9g} vs gradient {analytic:.9g} (tol {tol:.2g})")
    net.set_dropout_mode("random") if prefix == "discriminator" else None
    return res, worst, retries


@test
def gradients_match_finite_differences_float64():
    variant, seed = "3dgan-16", 11
    for prefix, x_name, batch, mode, dropout in (("generator", "z", 2, "train", "off"),
                                                 ("generator", "z", 1, "infer", "off"),
                                                 ("discriminator", "images", 1, "train", "mask")):
        inputs, r = C.make_inputs(variant, batch, seed), C.make_r(variant, batch, seed)
        net = C.build(variant, seed=seed, nets=(prefix,))[prefix]
        # Keep off the kinks: zero biases on zero input cells put pre-activations exactly at 0,
        # where finite differences see the mean of both slopes while autograd (like TF) takes
        # the left one. Dense positive images and random biases avoid exact zeros.
        inputs["discriminator/images"] = inputs["discriminator/images"] + np.float32(0.01)
        with torch.no_grad():
            for name, t in W.named_tensors(net, prefix):
                if name.endswith(("/bias", "/beta")):
                    t.uniform_(-0.05, 0.05)
                elif name.endswith("/gamma"):
                    t.uniform_(0.8, 1.2)
        if mode == "infer":  # non-trivial moving statistics
            with torch.no_grad():
                for m in net.modules():
                    if isinstance(m, torch.nn.BatchNorm3d):
                        m.running_mean.uniform_(-0.1, 0.1)
                        m.running_var.uniform_(0.5, 2.0)
        _, worst, retries = _fd_check(net, prefix, x_name, inputs, r, mode, dropout, batch)
        print(f"  {prefix} {mode} batch {batch}: worst |FD - gradient| / tolerance {worst:.4f}"
              f" ({retries} steps shrunk for kinks)")


@test
def crosscheck_cli_float32_matches_float64():
    variant, seed, batch = "3dgan-16", 5, 2
    with tempfile.TemporaryDirectory() as tmp:
        w, i, o = (os.path.join(tmp, n) for n in ("w.h5", "in.h5", "out.h5"))
        cmd = [sys.executable, os.path.join(REF, "crosscheck.py"), "--variant", variant, "--seed", str(seed),
               "--batch", str(batch), "--mode", "train", "--weights", w, "--init", "--inputs", i,
               "--make-inputs", "--dropout", "mask", "--out", o]
        subprocess.run(cmd, check=True)
        got = C.read_h5(o)
        inputs = C.read_h5(i)
        nets = C.build(variant, weights_path=w)
        ref = C.compute(nets, inputs, C.make_r(variant, batch, seed), "train", "mask", torch.float64)
    expect(set(got) == set(ref), f"datasets differ: {sorted(set(got) ^ set(ref))}")
    for name, want in ref.items():
        a, b = got[name].astype(np.float64), want.numpy()
        expect(a.dtype == np.float64 and got[name].dtype == np.float32, f"{name} must be float32")
        err = np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)
        expect(err < 2e-4, f"{name}: float32 vs float64 relative error {err:.2e}")
    # BatchNorm moving statistics: Keras momentum 0.99, the moving variance takes the unbiased variance.
    for prefix, bn, n in (("generator", "bn1", batch * 7 * 7 * 8), ("discriminator", "bn4", batch * 23 ** 3)):
        mean, var = got[f"batch_stats/{prefix}/{bn}/mean"], got[f"batch_stats/{prefix}/{bn}/variance"]
        mm, mv = got[f"moving_after/{prefix}/{bn}/moving_mean"], got[f"moving_after/{prefix}/{bn}/moving_variance"]
        expect(np.allclose(mm, 0.01 * mean, rtol=1e-4, atol=1e-7), f"{prefix}/{bn} moving mean update")
        expect(np.allclose(mv, 0.99 + 0.01 * var * n / (n - 1), rtol=1e-5), f"{prefix}/{bn} moving variance update")


def main():
    failed = 0
    for fn in TESTS:
        try:
            start = time.time()
            fn()
            print(f"[  OK  ] {fn.__name__} ({time.time() - start:.1f} s)")
        except Exception:  # noqa: BLE001 -- report every failure, then exit non-zero
            failed += 1
            print(f"[FAILED] {fn.__name__}")
            traceback.print_exc()
    print(f"{len(TESTS) - failed}/{len(TESTS)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
