"""The 3DGAN training iteration of DESIGN.md section 7 in PyTorch (losses, RMSprop, D/G steps).

Energies are in units of 100 GeV, shower cells in GeV. One iteration on a batch of B:
D on the real batch (labels 1, each flipped with p 0.05), D on a generated batch (labels 0,
flipped likewise; energies U(0.1, 5); ECAL-sum targets from the polynomial fit), then two
generator updates through the frozen D with labels 1. Losses BCE, MAPE (energy), MAPE (ECAL
sum) weighted 6 : 0.2 : 0.1; RMSprop lr 1e-3, rho 0.9, eps 1e-7 (Keras' update rule, which
is PyTorch's RMSprop with alpha = rho).
"""
import numpy as np
import torch

LOSS_WEIGHTS = (6.0, 0.2, 0.1)
ECAL_FIT = (0.0018, -0.023, 0.11, -0.28, 2.21)  # ratio(E), highest power first
LABEL_FLIP_P = 0.05
KERAS_EPS = 1e-7


def ecal_fit(energy):
    """ECAL-sum target [GeV] of primaries of `energy` [100 GeV]: polyval(ECAL_FIT, E) * E."""
    ratio = torch.zeros_like(energy)
    for c in ECAL_FIT:
        ratio = ratio * energy + c
    return ratio * energy


def bce(p, y):
    """Keras binary_crossentropy on probabilities (clipped to [1e-7, 1 - 1e-7])."""
    p = p.clamp(KERAS_EPS, 1 - KERAS_EPS)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def mape(pred, y):
    """Keras mean_absolute_percentage_error: 100 * mean(|y - pred| / max(|y|, 1e-7))."""
    return 100.0 * ((y - pred).abs() / y.abs().clamp(min=KERAS_EPS)).mean()


def gan_loss(outputs, labels, energy, ecal_target):
    fake, aux, ecal = outputs
    w_bce, w_e, w_ecal = LOSS_WEIGHTS
    return (w_bce * bce(fake.view(-1), labels) + w_e * mape(aux.view(-1), energy)
            + w_ecal * mape(ecal.view(-1), ecal_target))


def rmsprop(params, lr=1e-3):
    return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=KERAS_EPS)


class Trainer:
    """Holds G, D and their optimisers; iteration() runs one training iteration."""

    def __init__(self, generator, discriminator, lr=1e-3, seed=0):
        self.g, self.d = generator, discriminator
        self.opt_g, self.opt_d = rmsprop(self.g.parameters(), lr), rmsprop(self.d.parameters(), lr)
        self.rng = torch.Generator().manual_seed(seed)

    def _flip(self, labels):
        flip = torch.rand(labels.shape, generator=self.rng) < LABEL_FLIP_P
        return torch.where(flip, 1 - labels, labels)

    def _d_step(self, images, labels, energy, ecal_target):
        loss = gan_loss(self.d(images), self._flip(labels), energy, ecal_target)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        return float(loss)

    def _freeze_d(self, frozen):
        """Keras trainable=False on the combined model: no D updates, BatchNorm in inference
        mode (moving statistics, not updated); dropout stays active."""
        for p in self.d.parameters():
            p.requires_grad_(not frozen)
        for m in self.d.modules():
            if isinstance(m, torch.nn.BatchNorm3d):
                m.train(not frozen)

    def iteration(self, images, energy):
        """images (B, 25, 25, 25) [GeV], energy (B,) [100 GeV]; returns the four losses."""
        b = images.shape[0]
        self.d.train()
        losses = {"d_real": self._d_step(images, torch.ones(b), energy, images.sum(dim=(1, 2, 3)))}

        sampled = 0.1 + 4.9 * torch.rand(b, generator=self.rng)
        target = ecal_fit(sampled)
        self.g.eval()  # Keras generator.predict: inference mode
        with torch.no_grad():
            fake = self.g(sampled[:, None] * torch.randn(b, 200, generator=self.rng))
        losses["d_fake"] = self._d_step(fake[:, 0], torch.zeros(b), sampled, target)

        self.g.train()
        self._freeze_d(True)
        try:
            for i in range(2):
                z = sampled[:, None] * torch.randn(b, 200, generator=self.rng)
                loss = gan_loss(self.d(self.g(z)), torch.ones(b), sampled, target)
                self.opt_g.zero_grad(set_to_none=True)
                loss.backward()
                self.opt_g.step()
                losses[f"g{i + 1}"] = float(loss)
        finally:
            self._freeze_d(False)
        return losses


def synthetic_batch(batch, seed=0):
    """Shower-like stand-in data for timing: sparse positive cells [GeV], energies [100 GeV]."""
    rng = np.random.default_rng(seed)
    energy = rng.uniform(0.02, 5.0, batch).astype(np.float32)
    cells = rng.exponential(0.05, (batch, 25, 25, 25)) * (rng.random((batch, 25, 25, 25)) < 0.3)
    return torch.from_numpy(cells.astype(np.float32)), torch.from_numpy(energy)
