"""MNIST, offline: ``load_mnist`` in the book's shapes.

``source='subset'`` (the default) reads ``data/mnist_5k.npz``: 5,000 real
MNIST digits shipped with the course, split 4,000 train / 1,000 test so that
every prefix ``x_train[:n]`` is class-balanced (see ``data/README.md``).
``source='full'`` reads the 70,000-digit set fetched by
``python -m common.datasets download``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from ._validation import check_bool, check_choice

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SUBSET_FILE = DATA_DIR / "mnist_5k.npz"
_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def _subset_path() -> Path:
    # MNIST_SUBSET lets an installed (non-editable) copy find the shipped file
    return Path(os.environ.get("MNIST_SUBSET", SUBSET_FILE))


def _load_raw(source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if source not in _cache:
        if source == "subset":
            path = _subset_path()
            if not path.exists():
                raise FileNotFoundError(
                    f"the shipped MNIST subset is missing at {path}; restore data/mnist_5k.npz "
                    "from the repository (or rebuild it with data/build_mnist_subset.py)"
                )
            with np.load(path, allow_pickle=False) as data:
                arrays = (data["x_train"], data["t_train"], data["x_test"], data["t_test"])
        else:
            from .mnist_full import load_full

            (x_tr, t_tr), (x_te, t_te) = load_full()
            arrays = (x_tr.reshape(len(x_tr), -1), t_tr, x_te.reshape(len(x_te), -1), t_te)
        for a in arrays:
            a.setflags(write=False)  # the cache is shared: callers get copies
        _cache[source] = arrays
    return _cache[source]


def _convert(x: np.ndarray, t: np.ndarray, normalize: bool, flatten: bool, one_hot_label: bool):
    x = x.astype(np.float32) / np.float32(255.0) if normalize else x.copy()
    if not flatten:
        x = x.reshape(-1, 1, 28, 28)
    if one_hot_label:
        onehot = np.zeros((t.size, 10), dtype=np.float32)
        onehot[np.arange(t.size), t] = 1.0
        return x, onehot
    return x, t.copy()


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    source: str = "subset",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, t_train), (x_test, t_test)`` like the book's ``load_mnist``.

    - ``normalize``: float32 pixels in [0, 1] (else uint8 0–255).
    - ``flatten``: images as ``(N, 784)`` rows (else ``(N, 1, 28, 28)``).
    - ``one_hot_label``: labels as ``(N, 10)`` float32 one-hot rows (else uint8 0–9).
    - ``source``: ``'subset'`` (4,000 + 1,000 shipped digits) or ``'full'`` (60,000 + 10,000, downloaded).
    """
    normalize, flatten = check_bool(normalize, "normalize"), check_bool(flatten, "flatten")
    one_hot_label = check_bool(one_hot_label, "one_hot_label")
    source = check_choice(source, "source", ("subset", "full"))
    x_tr, t_tr, x_te, t_te = _load_raw(source)
    return (
        _convert(x_tr, t_tr, normalize, flatten, one_hot_label),
        _convert(x_te, t_te, normalize, flatten, one_hot_label),
    )


if __name__ == "__main__":
    from .mnist_full import main

    raise SystemExit(main(sys.argv[1:]))
