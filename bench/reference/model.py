"""The 3DGAN generator and discriminator of DESIGN.md section 7 in PyTorch, with Keras semantics.

This is calo3dgan's independent numerical reference (README.md in this folder has the
contract the C++ side follows). Layout: tensors are NCDHW with D = x, H = y, W = layer, so a
shower image [x][y][layer] of the 3DGAN files is (N, 1, 25, 25, 25); kernel sizes (6, 6, 8)
are (x, y, layer).

Keras semantics reproduced here:
- Conv3D 'same' (stride 1): total padding k-1, pad_before = (k-1)//2, pad_after = the rest
  (more on the right for even k) -- PyTorch's padding='same' computes exactly this split.
- ZeroPadding3D((a, b, c)): a zeros on both sides of x, b on both sides of y, c on both
  sides of layer. Each ZeroPadding3D is followed by a 'valid' Conv3D, so it is folded into
  that convolution's (symmetric) padding: identical values.
- UpSampling3D(size): nearest, each value repeated size[i] times along dimension i.
- Reshape((7, 7, 8, 8)) of the Dense output is channels-last: flat index
  ((x*7 + y)*8 + z)*8 + c. Flatten before the discriminator heads is channels-last too:
  ((x*11 + y)*11 + z)*16 + c. Dense weights are therefore indexed in Keras order (see README).
- LeakyReLU alpha 0.3; BatchNormalization momentum 0.99 (PyTorch 0.01), epsilon 1e-3;
  Dropout 0.2 (inverted: kept values scaled by 1/(1-p)).
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT_SIZE = 200
IMAGE_SIZE = 25
LEAKY_SLOPE = 0.3
BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # = 1 - Keras momentum 0.99
DROPOUT_P = 0.2


@dataclass(frozen=True)
class Variant:
    """Filter counts of one model variant."""

    name: str
    gen_filters: tuple  # conv1, conv2, conv3 (conv4 always has 1)
    disc_filters: tuple  # conv1, then the three blocks


VARIANTS = {
    "3dgan-16": Variant("3dgan-16", (64, 16, 16), (32, 16)),
    "3dgan-v1": Variant("3dgan-v1", (64, 6, 6), (32, 8)),
}
DEFAULT_VARIANT = "3dgan-16"


def get_variant(name):
    """The Variant called `name` (ValueError listing the known ones otherwise)."""
    if name not in VARIANTS:
        raise ValueError(f"unknown variant '{name}' (known: {', '.join(VARIANTS)})")
    return VARIANTS[name]


def upsample_nearest(x, factors):
    """Keras UpSampling3D: repeat each value factors[i] times along spatial dimension i."""
    size = [s * f for s, f in zip(x.shape[2:], factors)]
    return F.interpolate(x, size=size, mode="nearest")


def keras_same_pads(kernel):
    """F.pad argument for Keras 'same' (stride 1): per dimension (k-1)//2 before, the rest after."""
    pads = []
    for k in reversed(kernel):  # F.pad lists the last dimension first
        before = (k - 1) // 2
        pads += [before, k - 1 - before]
    return tuple(pads)


def batch_norm(channels):
    """Keras BatchNormalization(momentum=0.99, epsilon=1e-3) over the channel axis."""
    return nn.BatchNorm3d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MaskableDropout(nn.Module):
    """Dropout whose mask can be imposed (cross-check) or switched off.

    mode "random": torch's inverted dropout (training only); "off": identity;
    "mask": y = x * (keep * scale) with keep in {0, 1} of x's shape and scale =
    float32(1 / (1 - p)) (1.25 for p = 0.2), applied in training and inference alike.
    """

    def __init__(self, p=DROPOUT_P):
        super().__init__()
        self.p = p
        self.mode = "random"
        self.keep = None

    def set_mask(self, keep):
        self.mode, self.keep = "mask", keep

    def forward(self, x):
        if self.mode == "off":
            return x
        if self.mode == "mask":
            if self.keep is None or tuple(self.keep.shape) != tuple(x.shape):
                raise ValueError(f"dropout mask shape {None if self.keep is None else tuple(self.keep.shape)}"
                                 f" does not match activation {tuple(x.shape)}")
            scale = torch.tensor(1.0 / (1.0 - self.p), dtype=torch.float32).to(x.dtype)
            return x * (self.keep.to(x.dtype) * scale)
        return F.dropout(x, self.p, self.training)


class Generator(nn.Module):
    """z (N, 200) -> shower (N, 1, 25, 25, 25) [x][y][layer], energies in GeV per cell."""

    def __init__(self, variant=DEFAULT_VARIANT):
        super().__init__()
        self.variant = get_variant(variant)
        f1, f2, f3 = self.variant.gen_filters
        self.dense = nn.Linear(LATENT_SIZE, 7 * 7 * 8 * 8)
        self.conv1 = nn.Conv3d(8, f1, (6, 6, 8))  # Keras 'same': F.pad (2,3),(2,3),(3,4) first
        self.conv1_pads = keras_same_pads((6, 6, 8))
        self.bn1 = batch_norm(f1)
        self.conv2 = nn.Conv3d(f1, f2, (6, 5, 8), padding=(2, 2, 0))  # ZeroPad (2,2,0) + valid
        self.bn2 = batch_norm(f2)
        self.conv3 = nn.Conv3d(f2, f3, (3, 3, 8), padding=(1, 0, 3))  # ZeroPad (1,0,3) + valid
        self.conv4 = nn.Conv3d(f3, 1, (2, 2, 2), bias=False)

    def forward(self, z):
        h = self.dense(z)
        # Keras Reshape((7,7,8,8)), channels last -> NCDHW (N, 8, 7, 7, 8).
        h = h.view(-1, 7, 7, 8, 8).permute(0, 4, 1, 2, 3)
        h = self.bn1(F.leaky_relu(self.conv1(F.pad(h, self.conv1_pads)), LEAKY_SLOPE))  # (N, f1, 7, 7, 8)
        h = upsample_nearest(h, (2, 2, 2))  # (N, f1, 14, 14, 16)
        h = self.bn2(F.leaky_relu(self.conv2(h), LEAKY_SLOPE))  # (N, f2, 13, 14, 9)
        h = upsample_nearest(h, (2, 2, 3))  # (N, f2, 26, 28, 27)
        h = F.leaky_relu(self.conv3(h), LEAKY_SLOPE)  # (N, f3, 26, 26, 26)
        return F.relu(self.conv4(h))  # (N, 1, 25, 25, 25)


class Discriminator(nn.Module):
    """Image (N, 1, 25, 25, 25) or (N, 25, 25, 25) -> (real/fake (N,1), energy/100 GeV (N,1), ECAL sum (N,))."""

    def __init__(self, variant=DEFAULT_VARIANT):
        super().__init__()
        self.variant = get_variant(variant)
        f0, fb = self.variant.disc_filters
        self.conv1 = nn.Conv3d(1, f0, 5, padding=2)  # 'same'
        self.dropout1 = MaskableDropout()
        self.conv2 = nn.Conv3d(f0, fb, 5, padding=2)  # ZeroPad 2 + valid: 25 -> 25
        self.bn2 = batch_norm(fb)
        self.dropout2 = MaskableDropout()
        self.conv3 = nn.Conv3d(fb, fb, 5, padding=2)  # 25 -> 25
        self.bn3 = batch_norm(fb)
        self.dropout3 = MaskableDropout()
        self.conv4 = nn.Conv3d(fb, fb, 5, padding=1)  # ZeroPad 1 + valid: 25 -> 23
        self.bn4 = batch_norm(fb)
        self.dropout4 = MaskableDropout()
        features = fb * 11 * 11 * 11
        self.generation = nn.Linear(features, 1)
        self.auxiliary = nn.Linear(features, 1)

    def dropouts(self):
        return [self.dropout1, self.dropout2, self.dropout3, self.dropout4]

    def set_dropout_mode(self, mode):
        """'random' (normal training), 'off' (p = 0) for every dropout layer."""
        for d in self.dropouts():
            d.mode, d.keep = mode, None

    def forward(self, image):
        x = image if image.dim() == 5 else image.unsqueeze(1)
        h = self.dropout1(F.leaky_relu(self.conv1(x), LEAKY_SLOPE))
        h = self.dropout2(self.bn2(F.leaky_relu(self.conv2(h), LEAKY_SLOPE)))
        h = self.dropout3(self.bn3(F.leaky_relu(self.conv3(h), LEAKY_SLOPE)))
        h = self.dropout4(self.bn4(F.leaky_relu(self.conv4(h), LEAKY_SLOPE)))
        h = F.avg_pool3d(h, 2)  # 23 -> 11 (floor, Keras 'valid')
        feat = h.permute(0, 2, 3, 4, 1).flatten(1)  # Keras Flatten of channels-last
        fake = torch.sigmoid(self.generation(feat))
        aux = self.auxiliary(feat)
        ecal = x.sum(dim=(1, 2, 3, 4))
        return fake, aux, ecal


def count_trainable(module):
    """Trainable parameters as Keras counts them (BatchNorm gamma/beta yes, moving stats no)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
