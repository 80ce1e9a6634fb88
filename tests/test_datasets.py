"""load_mnist: the shipped 5,000-digit subset in the book's shapes, offline and without pickle."""

from __future__ import annotations

import hashlib
import itertools
import socket
from importlib import resources

import numpy as np
import pytest

from common import datasets
from common.datasets import load_mnist

N_TRAIN, N_TEST = 4000, 1000


@pytest.mark.parametrize(
    "normalize, flatten, one_hot_label", list(itertools.product([True, False], repeat=3))
)
def test_shapes_and_dtypes_for_every_flag_combination(normalize, flatten, one_hot_label):
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=normalize, flatten=flatten, one_hot_label=one_hot_label
    )
    for x, t, n in ((x_train, t_train, N_TRAIN), (x_test, t_test, N_TEST)):
        assert x.shape == ((n, 784) if flatten else (n, 1, 28, 28))
        if normalize:
            assert x.dtype == np.float32
            assert x.min() == 0.0 and x.max() == 1.0
        else:
            assert x.dtype == np.uint8
            assert x.max() == 255
        if one_hot_label:
            assert t.shape == (n, 10) and t.dtype == np.float32
            np.testing.assert_array_equal(t.sum(axis=1), 1.0)
            assert set(np.unique(t)) == {0.0, 1.0}
        else:
            assert t.shape == (n,)
            assert np.issubdtype(t.dtype, np.integer)
            assert set(np.unique(t)) == set(range(10))


def test_flags_agree_with_each_other():
    (xr, tr), _ = load_mnist(normalize=False, flatten=True, one_hot_label=False)
    (xn, toh), _ = load_mnist(normalize=True, flatten=False, one_hot_label=True)
    np.testing.assert_allclose(xn.reshape(N_TRAIN, 784), xr.astype(np.float32) / 255, rtol=1e-7)
    np.testing.assert_array_equal(toh.argmax(axis=1), tr)


def test_images_look_like_digits():
    (x, t), _ = load_mnist()
    # MNIST digits are centred: the border is blank and the centre is inked
    img = x.reshape(-1, 28, 28)
    assert img[:, 0, :].max() == 0.0 and img[:, :, 0].max() == 0.0
    assert img[:, 10:18, 10:18].mean() > 0.2
    ink = img.mean(axis=(1, 2))
    assert ink[t == 1].mean() < ink[t == 0].mean()  # a "1" uses less ink than a "0"


def test_training_prefix_of_300_has_30_per_class():
    (_, t), _ = load_mnist()
    np.testing.assert_array_equal(np.bincount(t[:300], minlength=10), [30] * 10)


@pytest.mark.parametrize("split", ["train", "test"])
def test_every_prefix_is_class_balanced(split):
    (_, t_train), (_, t_test) = load_mnist()
    t = t_train if split == "train" else t_test
    counts = np.cumsum(np.eye(10, dtype=np.int64)[t], axis=0)  # counts[n-1, c] = #c in t[:n]
    n = np.arange(1, len(t) + 1)[:, None]
    lo, hi = n // 10, n // 10 + 1
    assert ((counts >= lo) & (counts <= hi)).all()
    assert (np.abs(counts - n / 10) <= 1).all()
    np.testing.assert_array_equal(counts[-1], len(t) // 10)


def _row_hashes(x):
    return {hashlib.sha1(row.tobytes()).hexdigest() for row in x}


def test_no_image_in_both_train_and_test():
    (x_train, _), (x_test, _) = load_mnist(normalize=False)
    train, test = _row_hashes(x_train), _row_hashes(x_test)
    assert len(train) > 3990 and len(test) > 990  # the hashes do tell the images apart
    assert train.isdisjoint(test)


@pytest.mark.parametrize("normalize", [True, False])
def test_returned_arrays_are_copies(normalize):
    (x1, t1), (x1_test, _) = load_mnist(normalize=normalize)
    x_ref, t_ref = x1[:5].copy(), t1[:5].copy()
    x1[:5] = 7
    t1[:5] = 3
    x1_test[:] = 0
    (x2, t2), (x2_test, _) = load_mnist(normalize=normalize)
    np.testing.assert_array_equal(x2[:5], x_ref)
    np.testing.assert_array_equal(t2[:5], t_ref)
    assert x2_test.max() > 0
    assert x2.flags.writeable and t2.flags.writeable


def test_loads_without_pickle_and_without_network(monkeypatch):
    calls = []
    real_load = np.load

    def recording_load(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle", "default"))
        return real_load(*args, **kwargs)

    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist must not touch the network")

    monkeypatch.setattr(np, "load", recording_load)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(datasets, "_cache", {})  # force a real read of common/data/mnist_5k.npz
    (x, t), _ = load_mnist()
    assert x.shape == (N_TRAIN, 784)
    assert calls == [False]  # exactly one np.load, with allow_pickle=False spelled out


def test_shipped_file_is_package_data_and_holds_no_object_arrays():
    shipped = resources.files("common") / datasets.SUBSET_RESOURCE
    assert shipped.is_file()
    with resources.as_file(shipped) as path, np.load(path, allow_pickle=False) as data:  # raises on pickles
        assert sorted(data.files) == ["t_test", "t_train", "x_test", "x_train"]
        assert all(data[k].dtype == np.uint8 for k in data.files)


def test_missing_subset_file_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_cache", {})
    monkeypatch.setattr(datasets, "SUBSET_RESOURCE", "data/nope.npz")
    with pytest.raises(FileNotFoundError, match=r"nope\.npz.*pip install \.") as info:
        load_mnist()
    assert "build_mnist_subset.py" in str(info.value)


@pytest.mark.parametrize(
    "kwargs, name",
    [(dict(normalize=1), "normalize"), (dict(flatten="yes"), "flatten"), (dict(one_hot_label=None), "one_hot_label")],
)
def test_bad_flags_raise_type_error(kwargs, name):
    with pytest.raises(TypeError, match=name):
        load_mnist(**kwargs)


def test_unknown_source_raises_naming_source():
    with pytest.raises(ValueError, match="source"):
        load_mnist(source="kaggle")
    with pytest.raises(TypeError, match="source"):
        load_mnist(source=None)
    (x, _), _ = load_mnist(source="SUBSET")  # case-insensitive like every choice in common
    assert x.shape == (N_TRAIN, 784)


def test_full_source_without_download_says_how_to_download(monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "_cache", {})
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"python -m course\.mnist_full download") as info:
        load_mnist(source="full")
    assert str(tmp_path) in str(info.value)
    assert "full" not in datasets._cache
