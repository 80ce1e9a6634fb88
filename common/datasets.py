"""MNIST, offline: ``load_mnist`` in the book's shapes.

``source='subset'`` (the default) reads ``common/data/mnist_5k.npz``, package
data installed with the course: 5,000 real MNIST digits, split 4,000 train /
1,000 test so that every prefix ``x_train[:n]`` is class-balanced (see
``data/README.md``).  ``source='full'`` reads the four original files (70,000
digits) the book's way (gzip + ``np.frombuffer``) from :func:`mnist_dir`, where
``python -m course.mnist_full download`` puts them.
"""

from __future__ import annotations

import gzip
import os
import zlib
from importlib import resources
from pathlib import Path

import numpy as np

from ._validation import check_bool, check_choice

SUBSET_RESOURCE = "data/mnist_5k.npz"
"""The shipped digits, relative to the ``common`` package."""

key_file = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}
"""The full set's file names, as in the book's ``dataset/mnist.py``."""

DOWNLOAD_COMMAND = "python -m course.mnist_full download"
Split = tuple[np.ndarray, np.ndarray]
_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def mnist_dir() -> Path:
    """Folder of the full set: ``$MNIST_DIR`` if set, else ``~/.cache/overfitting-course/mnist``."""
    env = os.environ.get("MNIST_DIR", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "overfitting-course" / "mnist"


def _read_idx(path: Path, magic: int, item_size: int) -> np.ndarray:
    """One gzipped IDX file as ``(count, item_size)`` uint8 rows (labels: ``(count,)``)."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"{path.name}: not a valid gzip file ({exc}); delete it and download again") from None
    header = 8 if item_size == 1 else 16  # magic, count (, rows, columns), big-endian uint32 each
    if len(data) < header or int.from_bytes(data[:4], "big") != magic:
        raise ValueError(f"{path.name}: bad IDX magic number (expected {magic:#010x}); delete it and download again")
    count = int.from_bytes(data[4:8], "big")
    if item_size > 1 and data[8:16] != (28).to_bytes(4, "big") * 2:
        raise ValueError(f"{path.name}: images must be 28 x 28 pixels; delete it and download again")
    if len(data) != header + count * item_size:
        raise ValueError(f"{path.name}: the header says {count} items but the file holds {len(data) - header} "
                         "bytes of them: truncated or corrupt; delete it and download again")
    x = np.frombuffer(bytearray(data), np.uint8, offset=header)  # a bytearray: writable arrays
    return x if item_size == 1 else x.reshape(count, item_size)


def load_full(folder: str | os.PathLike[str] | None = None) -> tuple[Split, Split]:
    """``((x_train, t_train), (x_test, t_test))`` of the full set as uint8: images ``(N, 784)``, labels ``(N,)``."""
    folder = mnist_dir() if folder is None else Path(folder)
    missing = [name for name in key_file.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"the full MNIST files are not in {folder} (missing: {', '.join(missing)}). Download them once "
            f"(about 11 MB) with:  {DOWNLOAD_COMMAND}   or keep using the shipped subset: load_mnist()"
        )
    pairs = []
    for split in ("train", "test"):
        x = _read_idx(folder / key_file[f"{split}_img"], 2051, 784)
        t = _read_idx(folder / key_file[f"{split}_label"], 2049, 1)
        if len(x) != len(t):
            raise ValueError(f"{key_file[split + '_img']} holds {len(x)} images but "
                             f"{key_file[split + '_label']} holds {len(t)} labels")
        if t.size and t.max() > 9:
            raise ValueError(f"{key_file[split + '_label']}: labels must be digits 0-9, found {int(t.max())}")
        pairs.append((x, t))
    return pairs[0], pairs[1]


def _load_raw(source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if source not in _cache:
        if source == "subset":
            shipped = resources.files("common").joinpath(SUBSET_RESOURCE)
            if not shipped.is_file():
                raise FileNotFoundError(f"the shipped MNIST subset is missing at {shipped}; reinstall the course "
                                        "(pip install .) or rebuild it with data/build_mnist_subset.py")
            with resources.as_file(shipped) as path, np.load(path, allow_pickle=False) as data:
                arrays = (data["x_train"], data["t_train"], data["x_test"], data["t_test"])
        else:
            (x_tr, t_tr), (x_te, t_te) = load_full()
            arrays = (x_tr, t_tr, x_te, t_te)
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
) -> tuple[Split, Split]:
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
