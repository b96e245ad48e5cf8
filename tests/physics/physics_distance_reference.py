#!/usr/bin/python3
"""Independent numpy implementation of FPD and KPD as jetnet.evaluation defines them
(normalisation, batch sizes, Fréchet distance, the bounded linear 1/N fit of scipy's curve_fit,
the unbiased polynomial-kernel MMD, median and 16.275-83.725 % inter-quantile range), and
calo3dgan's jackknife error of the sets' own fluctuation in FPD, run on
the features and batch rows that the C++ test wrote. Prints the results as JSON.

The matrix square root's trace is taken from numpy.linalg.eigvals of the (non-symmetric)
product S1 S2, a different route from the C++ code's symmetric eigen-decompositions."""
import json
import pathlib
import sys

import numpy as np


def bounded_line_fit(x, y):
    """Least squares y = a + b x with a, b >= 0; a and sqrt(cov[a][a]) as curve_fit gives them."""
    J = np.stack([np.ones_like(x), x], axis=1)
    sol = np.linalg.lstsq(J, y, rcond=None)[0]
    if sol[0] < 0 or sol[1] < 0:
        b = max(0.0, np.linalg.lstsq(x[:, None], y, rcond=None)[0][0])
        a = max(0.0, float(np.mean(y)))
        edges = [np.array([0.0, b]), np.array([a, 0.0])]
        sol = min(edges, key=lambda p: float(np.sum((y - J @ p) ** 2)))
    sse = float(np.sum((y - J @ sol) ** 2))
    cov = np.linalg.inv(J.T @ J) * sse / (len(x) - 2)
    return float(sol[0]), float(np.sqrt(cov[0, 0]))


def frechet(a, b):
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    eig = np.linalg.eigvals(s1 @ s2).astype(complex)
    tr_covmean = float(np.sum(np.sqrt(eig)).real)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * tr_covmean)


def mmd(a, b):
    gamma = 1.0 / a.shape[1]
    xx = (a @ a.T * gamma + 1.0) ** 4
    yy = (b @ b.T * gamma + 1.0) ** 4
    xy = (a @ b.T * gamma + 1.0) ** 4
    m, n = len(a), len(b)
    return float((xx.sum() - np.trace(xx)) / (m * (m - 1)) + (yy.sum() - np.trace(yy)) / (n * (n - 1))
                 - 2 * xy.mean())


def main():
    folder = pathlib.Path(sys.argv[1])
    cfg = json.loads((folder / "config.json").read_text())
    d = cfg["cols"]
    X = np.fromfile(folder / "x.bin", dtype="<f8").reshape(-1, d)
    Y = np.fromfile(folder / "y.bin", dtype="<f8").reshape(-1, d)
    maxes = np.max(np.abs(X), axis=0)
    maxes[maxes == 0] = 1
    X, Y = X / maxes, Y / maxes

    f = cfg["fpd"]
    sizes = (1 / np.linspace(1.0 / f["min_samples"], 1.0 / f["max_samples"], f["points"])).astype("int32")
    rows = np.fromfile(folder / "fpd_rows.bin", dtype="<i8")
    pos, means = 0, []
    for n in sizes:
        vals = []
        for _ in range(f["batches"]):
            rx, ry = rows[pos:pos + n], rows[pos + n:pos + 2 * n]
            pos += 2 * n
            if len(set(rx)) != n or len(set(ry)) != n:
                sys.exit("a batch repeats a row (batches are drawn without replacement)")
            vals.append(frechet(X[rx], Y[ry]))
        means.append(np.mean(vals))
    if pos != len(rows):
        sys.exit("the batch sizes differ from jetnet's int(1 / linspace(1/min, 1/max, points))")
    fpd, fpd_err = bounded_line_fit(1.0 / sizes, np.array(means))

    k = cfg["kpd"]
    rows = np.fromfile(folder / "kpd_rows.bin", dtype="<i8").reshape(k["batches"], 2, k["batch_size"])
    vals = [mmd(X[rx], Y[ry]) for rx, ry in rows]
    kpd = float(np.median(vals))
    kpd_err = float((np.percentile(vals, 83.725) - np.percentile(vals, 16.275)) / 2)

    # The sets' own fluctuation: delete-a-group jackknife of the Fréchet distance of all rows,
    # group g = the rows r with r % G == g of each set, left out of both at once (here by
    # deleting the rows; the C++ code combines the groups' moments instead).
    groups = cfg["sets_error_groups"]
    theta = []
    for g in range(groups):
        keep_x = np.arange(len(X)) % groups != g
        keep_y = np.arange(len(Y)) % groups != g
        theta.append(frechet(X[keep_x], Y[keep_y]))
    theta = np.array(theta)
    sets_error = float(np.sqrt((groups - 1) / groups * np.sum((theta - theta.mean()) ** 2)))

    fit = cfg["fit"]
    fit_a, fit_err = bounded_line_fit(np.array(fit["x"]), np.array(fit["y"]))
    print(json.dumps({"fpd": [fpd, fpd_err], "kpd": [kpd, kpd_err], "first_frechet": frechet(
        X[np.fromfile(folder / "fpd_rows.bin", dtype="<i8")[:sizes[0]]],
        Y[np.fromfile(folder / "fpd_rows.bin", dtype="<i8")[sizes[0]:2 * sizes[0]]]),
        "fit": [fit_a, fit_err], "sets_error": sets_error}))


if __name__ == "__main__":
    main()
