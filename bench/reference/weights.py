"""Parameter names, Keras initialisers and the HDF5 weight exchange format (README.md).

Every trainable parameter and BatchNorm moving statistic has a stable name
"<net>/<layer>/<tensor>", e.g. "generator/conv1/kernel"; the C++ side uses the same names.
Tensors are float32, C order, in PyTorch's shapes: conv kernels (out, in, kx, ky, layer),
dense kernels (out, in) with Keras channels-last feature order (README.md).
"""
import math

import h5py
import numpy as np
import torch
import torch.nn as nn

FORMAT = "calo3dgan-weights-1"

# PyTorch tensor attribute -> exchange name of the tensor (Keras' names).
_CONV_DENSE = {"weight": "kernel", "bias": "bias"}
_BN = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}


def named_tensors(net, prefix):
    """[(exchange name, tensor)] for every parameter and BatchNorm moving statistic of `net`.

    `prefix` is "generator" or "discriminator". Order: layer order of the network, inside
    a layer kernel, bias / gamma, beta, moving_mean, moving_variance.
    """
    out = []
    for layer_name, layer in net.named_children():
        if isinstance(layer, (nn.Conv3d, nn.Linear)):
            table = _CONV_DENSE
        elif isinstance(layer, nn.BatchNorm3d):
            table = _BN
        else:
            continue
        tensors = dict(layer.named_parameters(recurse=False))
        tensors.update(dict(layer.named_buffers(recurse=False)))
        for attr, name in table.items():
            if attr in tensors and tensors[attr] is not None:
                out.append((f"{prefix}/{layer_name}/{name}", tensors[attr]))
    return out


def is_trainable_name(name):
    return not name.endswith(("/moving_mean", "/moving_variance"))


# ---------------------------------------------------------------- Keras initialisers

def _fans(shape):
    """Keras fan_in, fan_out of a kernel given in PyTorch shape (out, in, *receptive)."""
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _uniform(t, limit, gen):
    with torch.no_grad():
        t.copy_((torch.rand(t.shape, generator=gen, dtype=torch.float64) * 2 - 1) * limit)


def he_uniform_(t, gen):
    fan_in, _ = _fans(t.shape)
    _uniform(t, math.sqrt(6.0 / fan_in), gen)


def glorot_uniform_(t, gen):
    fan_in, fan_out = _fans(t.shape)
    _uniform(t, math.sqrt(6.0 / (fan_in + fan_out)), gen)


def glorot_normal_(t, gen):
    """Keras 2 glorot_normal: normal truncated at 2 sigma, sigma = sqrt(2/(in+out))/0.8796..."""
    fan_in, fan_out = _fans(t.shape)
    std = math.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
    n = t.numel()
    values = torch.empty(0, dtype=torch.float64)
    while values.numel() < n:
        draw = torch.randn(2 * n + 16, generator=gen, dtype=torch.float64)
        values = torch.cat([values, draw[draw.abs() <= 2.0]])
    with torch.no_grad():
        t.copy_((values[:n] * std).view(t.shape))


# The original 3DGAN Keras code: generator convolutions he_uniform, the last one
# glorot_normal, Dense and every discriminator layer Keras' default glorot_uniform.
GENERATOR_INIT = {"dense": glorot_uniform_, "conv1": he_uniform_, "conv2": he_uniform_,
                  "conv3": he_uniform_, "conv4": glorot_normal_}


def keras_init_(net, prefix, seed):
    """Initialise `net` as Keras would (biases 0, gamma 1, beta 0, moving mean 0, variance 1)."""
    gen = torch.Generator().manual_seed(seed * 2 + (0 if prefix == "generator" else 1))
    for name, t in named_tensors(net, prefix):
        layer, kind = name.split("/")[1:]
        with torch.no_grad():
            if kind == "kernel":
                init = GENERATOR_INIT[layer] if prefix == "generator" else glorot_uniform_
                init(t, gen)
            elif kind in ("bias", "beta", "moving_mean"):
                t.zero_()
            else:  # gamma, moving_variance
                t.fill_(1.0)


# ---------------------------------------------------------------- HDF5 exchange

def save_weights(path, variant, nets):
    """Write {prefix: net} (prefix "generator"/"discriminator") to HDF5 `path`."""
    with h5py.File(path, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["variant"] = variant
        f.attrs["layout"] = ("NCDHW with D=x, H=y, W=layer; conv kernel (out,in,kx,ky,klayer); "
                             "dense kernel (out,in), features in Keras channels-last order")
        for prefix, net in nets.items():
            for name, t in named_tensors(net, prefix):
                f.create_dataset(name, data=t.detach().cpu().numpy().astype(np.float32))


def load_weights(path, nets, strict=True):
    """Read every named tensor of {prefix: net} from `path` (bit-exact copy, shapes checked)."""
    with h5py.File(path, "r") as f:
        for prefix, net in nets.items():
            if prefix not in f:
                if strict:
                    raise KeyError(f"{path}: no group '{prefix}'")
                continue
            for name, t in named_tensors(net, prefix):
                if name not in f:
                    raise KeyError(f"{path}: missing dataset '{name}'")
                data = np.asarray(f[name])
                if tuple(data.shape) != tuple(t.shape):
                    raise ValueError(f"{path}: '{name}' has shape {data.shape}, expected {tuple(t.shape)}")
                with torch.no_grad():
                    t.copy_(torch.from_numpy(data.astype(np.float32)))
        return f.attrs.get("variant", None)


def weight_variant(path):
    """The variant recorded in a weight file (None if absent)."""
    with h5py.File(path, "r") as f:
        v = f.attrs.get("variant", None)
        return v.decode() if isinstance(v, bytes) else v
