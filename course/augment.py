"""Data augmentation (データ集合の拡張 / 水増し) for MNIST-sized images, in pure NumPy.

Augmentation fights overfitting by showing the network slightly different
versions of the same training digits, so it cannot memorise exact pixels:
``x' = T(x)`` with a random transform ``T`` that keeps the label ``t``.

Two families live here:

- :func:`random_crop` / :func:`random_crop_lecture` work on one ``(H, W, C)``
  image, exactly as in the lecture's snippet (the lecture version keeps its
  off-by-one so notebook 05 can show it).
- :func:`random_shift`, :func:`random_rotation`, :func:`gaussian_noise`,
  :func:`horizontal_flip` work on batches of digits shaped ``(N, 784)``,
  ``(N, 1, 28, 28)`` (the book's layout), ``(N, 28, 28)`` or a single
  ``(28, 28)`` image, and return the same shape and dtype.

:class:`Augmenter` bundles the batch transforms for on-the-fly use in the
training loop; :func:`augment_dataset` makes static pre-augmented copies.
Every random draw goes through a seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from common._validation import RngLike, check_array, check_bool, check_float, check_float_array, check_int, make_rng

__all__ = [
    "random_crop",
    "random_crop_lecture",
    "random_shift",
    "rotate",
    "random_rotation",
    "gaussian_noise",
    "horizontal_flip",
    "Augmenter",
    "augment_dataset",
]

_MNIST_SIDE = 28
_MNIST_PIXELS = _MNIST_SIDE * _MNIST_SIDE


# ---------------------------------------------------------------------------
# random crop (lecture specification: one (height, width, channels) image)
# ---------------------------------------------------------------------------


def _check_crop_args(image: Any, crop_size: Any) -> tuple[np.ndarray, int, int]:
    img = check_array(image, "image", ndim=3)
    # A str is a Sequence too, and "ab" would otherwise unpack into two "sizes".
    if isinstance(crop_size, (str, bytes)) or not isinstance(crop_size, (Sequence, np.ndarray)):
        raise TypeError(
            "crop_size must be a (crop_h, crop_w) tuple of ints, "
            f"got {type(crop_size).__name__} {crop_size!r}"
        )
    if len(crop_size) != 2:
        raise ValueError(f"crop_size must have exactly 2 entries (crop_h, crop_w), got {crop_size!r}")
    crop_h = check_int(crop_size[0], "crop_size[0] (crop_h)", minimum=1)
    crop_w = check_int(crop_size[1], "crop_size[1] (crop_w)", minimum=1)
    h, w = img.shape[:2]
    if crop_h > h or crop_w > w:
        raise ValueError(
            f"crop_size {(crop_h, crop_w)} is larger than the image (height, width) = {(h, w)}; "
            f"need crop_h <= {h} and crop_w <= {w}"
        )
    return img, crop_h, crop_w


def random_crop(image: np.ndarray, crop_size: Sequence[int], rng: RngLike = None) -> np.ndarray:
    """Cut a random ``(crop_h, crop_w)`` window out of an ``(H, W, C)`` image.

    ``top ~ U{0, ..., H - crop_h}``, ``left ~ U{0, ..., W - crop_w}``: every one of the
    ``(H - crop_h + 1) * (W - crop_w + 1)`` positions can occur, and
    ``crop_size == (H, W)`` returns a copy of the image.

    Unlike the lecture's ``np.random.randint(0, h - crop_h)`` (upper bound
    exclusive, see :func:`random_crop_lecture`) the upper bound here is
    ``h - crop_h + 1``.

    Returns a new ``(crop_h, crop_w, C)`` array with the dtype of ``image``.
    """
    img, crop_h, crop_w = _check_crop_args(image, crop_size)
    gen = make_rng(rng)
    h, w = img.shape[:2]
    # integers() excludes its upper bound, hence the +1 to reach the last offset.
    top = int(gen.integers(0, h - crop_h + 1))
    left = int(gen.integers(0, w - crop_w + 1))
    # copy so that editing the crop never writes back into the caller's image
    return img[top : top + crop_h, left : left + crop_w, :].copy()


def random_crop_lecture(image: np.ndarray, crop_size: Sequence[int], rng: RngLike = None) -> np.ndarray:
    """The lecture's random crop, off-by-one included (for notebook 05's lesson).

    The lecture draws ``top = np.random.randint(0, h - crop_h)``. ``randint``
    excludes its upper bound, so ``top`` only reaches ``h - crop_h - 1``: the
    last row/column offset is never chosen, and ``crop_h == h`` asks for a draw
    from the empty range ``[0, 0)`` and crashes. This function reproduces that
    behaviour with ``rng.integers(0, h - crop_h)`` but, instead of NumPy's terse
    ``low >= high``, raises a ``ValueError`` explaining the off-by-one.
    Use :func:`random_crop` for real work.
    """
    img, crop_h, crop_w = _check_crop_args(image, crop_size)
    gen = make_rng(rng)
    h, w = img.shape[:2]
    if crop_h == h or crop_w == w:
        raise ValueError(
            f"random_crop_lecture: crop_size {(crop_h, crop_w)} equals the image size {(h, w)} in at least "
            f"one axis, so the lecture's np.random.randint(0, h - crop_h) draws from the empty range [0, 0) "
            f"(the upper bound is exclusive: an off-by-one). random_crop uses h - crop_h + 1 and returns "
            f"the image itself in this case"
        )
    # Deliberately exclusive upper bound, as in the lecture: the last offset is unreachable.
    top = int(gen.integers(0, h - crop_h))
    left = int(gen.integers(0, w - crop_w))
    return img[top : top + crop_h, left : left + crop_w, :].copy()


# ---------------------------------------------------------------------------
# batch layout helpers
# ---------------------------------------------------------------------------


def _as_nchw(images: Any, name: str) -> np.ndarray:
    """Return a 4-D ``(N, C, H, W)`` view of ``images`` (no copy) after validating it."""
    arr = check_float_array(images, name, ndim=(2, 3, 4))
    if arr.ndim == 2:
        if arr.shape[1] == _MNIST_PIXELS:
            return arr.reshape(arr.shape[0], 1, _MNIST_SIDE, _MNIST_SIDE)
        if arr.shape == (_MNIST_SIDE, _MNIST_SIDE):
            return arr.reshape(1, 1, _MNIST_SIDE, _MNIST_SIDE)
        raise ValueError(
            f"{name} as a 2-D array must be flattened digits (N, {_MNIST_PIXELS}) or one "
            f"({_MNIST_SIDE}, {_MNIST_SIDE}) image, got shape {arr.shape}; reshape other sizes to (N, H, W)"
        )
    if arr.ndim == 3:
        return arr.reshape(arr.shape[0], 1, arr.shape[1], arr.shape[2])
    return arr


def _per_image_degrees(degrees: Any, n: int) -> np.ndarray:
    if np.isscalar(degrees) and not isinstance(degrees, (str, bytes)):
        return np.full(n, check_float(degrees, "degrees"))
    deg = check_array(degrees, "degrees", ndim=(0, 1))
    if deg.ndim == 0:
        return np.full(n, check_float(deg.item(), "degrees"))
    if deg.shape[0] != n:
        raise ValueError(f"degrees must be a scalar or have one angle per image ({n}), got shape {deg.shape}")
    return deg.astype(np.float64)


# ---------------------------------------------------------------------------
# batch transforms
# ---------------------------------------------------------------------------


def _check_shift(max_shift: Any, shape: tuple[int, ...], name: str = "max_shift") -> int:
    s = check_int(max_shift, name, minimum=0)
    h, w = shape[-2:]
    if s >= min(h, w):
        raise ValueError(f"{name} must be < min(height, width) = {min(h, w)} of the images, got {s}")
    return s


def random_shift(images: np.ndarray, max_shift: int = 2, rng: RngLike = None) -> np.ndarray:
    """Translate each image by a random integer offset in ``[-max_shift, max_shift]`` per axis.

    Pad-and-crop: zero-pad by ``max_shift`` on every side, then cut a random
    ``H x W`` window, i.e. ``out[i, j] = x[i + dy, j + dx]`` (0 outside) with
    independent ``dy, dx`` for every image. Ink pushed past the edge is lost;
    MNIST digits sit mostly in the central 20x20 box, so ``max_shift=2`` loses
    0.06 % of the ink on average (about 2 % for the worst 1 % of digits).

    Accepts ``(N, 784)``, ``(N, 1, 28, 28)``, ``(N, H, W)``, ``(N, C, H, W)`` or one
    ``(28, 28)`` image; returns a new array of the same shape and dtype.
    """
    x4 = _as_nchw(images, "images")
    n, c, h, w = x4.shape
    s = _check_shift(max_shift, x4.shape)
    gen = make_rng(rng)
    if s == 0:
        return np.array(images, copy=True)
    padded = np.zeros((n, c, h + 2 * s, w + 2 * s), dtype=x4.dtype)
    padded[:, :, s : s + h, s : s + w] = x4
    # All (2s+1)^2 candidate windows as a strided view (no copy); one fancy index
    # then gathers each image's own window in a single vectorised copy.
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))
    top = gen.integers(0, 2 * s + 1, size=n)
    left = gen.integers(0, 2 * s + 1, size=n)
    out = windows[np.arange(n), :, top, left]  # -> (N, C, H, W)
    return out.reshape(np.shape(images))


def _warp_nchw(
    x4: np.ndarray,
    degrees: np.ndarray,
    offset_i: np.ndarray | None = None,
    offset_j: np.ndarray | None = None,
) -> np.ndarray:
    """Rotate every ``(C, H, W)`` image about its centre, then read it at ``+ offset`` (bilinear, zero fill).

    ``out[p] = x[c + R(-theta) (p + o - c)]`` with per-image angle ``theta`` and
    read offset ``o = (offset_i, offset_j)``; ``o = 0`` is a pure rotation and
    an integer ``o`` adds the translation of :func:`random_shift` in the same pass.
    """
    n, c, h, w = x4.shape
    dt = x4.dtype
    m = n * c
    if c > 1:
        # Every channel of an image moves the same way: treat channels as images.
        degrees = np.repeat(degrees, c)
        offset_i = None if offset_i is None else np.repeat(offset_i, c)
        offset_j = None if offset_j is None else np.repeat(offset_j, c)
    # Zero frame: 1 pixel before and 2 after each axis, so that the four
    # bilinear neighbours (i, j), (i, j+1), (i+1, j), (i+1, j+1) of any source
    # clamped to [-1, h] x [-1, w] are valid indices and read 0 off the image.
    hp, wp = h + 3, w + 3
    padded = np.zeros((m, hp, wp), dtype=dt)
    padded[:, 1 : h + 1, 1 : w + 1] = x4.reshape(m, h, w)
    flat = padded.reshape(-1)

    rad = np.deg2rad(degrees)
    cos = np.cos(rad)[:, None, None]
    sin = np.sin(rad)[:, None, None]
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    # Per-image constants (tiny arrays, float64): centre, +1 for the padded
    # frame, and the read offset turned by the same rotation.
    const_i = np.full((m, 1, 1), cy + 1.0)
    const_j = np.full((m, 1, 1), cx + 1.0)
    if offset_i is not None and offset_j is not None:
        oi = np.asarray(offset_i, dtype=np.float64)[:, None, None]
        oj = np.asarray(offset_j, dtype=np.float64)[:, None, None]
        const_i += sin * oj + cos * oi
        const_j += cos * oj - sin * oi
    di = (np.arange(h) - cy)[None, :, None]
    dj = (np.arange(w) - cx)[None, None, :]
    # Inverse mapping: each output pixel looks up where it came from, so the
    # result has no holes. With y pointing up this is R(-theta), i.e. a
    # positive angle turns the picture counter-clockwise like np.rot90.
    # The (m, h, w) work arrays are few and reused through out=: fresh
    # temporaries of a few hundred kB can cost more in page faults than the
    # arithmetic itself.
    shape = (m, h, w)
    src_i = np.multiply(sin.astype(dt), dj.astype(dt), out=np.empty(shape, dtype=dt))
    src_i += (cos * di + const_i).astype(dt)
    src_j = np.multiply(cos.astype(dt), dj.astype(dt), out=np.empty(shape, dtype=dt))
    src_j += (const_j - sin * di).astype(dt)
    np.clip(src_i, 0.0, h + 1.0, out=src_i)
    np.clip(src_j, 0.0, w + 1.0, out=src_j)
    buf_a = np.floor(src_i)
    buf_b = np.floor(src_j)
    src_i -= buf_a  # now the row fraction f_i
    src_j -= buf_b  # now the column fraction f_j
    buf_a *= wp
    buf_a += buf_b  # flat index inside one padded image (small integers: exact)
    idx = buf_a.astype(np.intp)
    idx += (np.arange(m, dtype=np.intp) * (hp * wp))[:, None, None]
    # Shifted views of the flat buffer give the other three neighbours without
    # more index arrays. The indices are valid by construction; mode="clip"
    # only lets take() write straight into out= instead of buffering.
    v00 = flat.take(idx, out=buf_a, mode="clip")
    v01 = flat[1:].take(idx, out=buf_b, mode="clip")
    v01 -= v00
    v01 *= src_j
    v01 += v00  # top edge, interpolated along j
    v10 = flat[wp:].take(idx, out=buf_a, mode="clip")
    v11 = flat[wp + 1 :].take(idx)
    v11 -= v10
    v11 *= src_j
    v11 += v10  # bottom edge
    v11 -= v01
    v11 *= src_i
    v11 += v01  # between the two edges, along i
    return v11.reshape(n, c, h, w)


def rotate(images: np.ndarray, degrees: float | np.ndarray) -> np.ndarray:
    """Rotate images counter-clockwise by ``degrees`` about their centre (deterministic).

    Bilinear interpolation, pixels that come from outside the image are 0.
    ``degrees`` is one angle for all images or an array with one angle per
    image. ``rotate(x, 90)`` matches ``np.rot90(x, axes=(-2, -1))`` on square
    images up to float rounding.

    Accepts the same layouts as :func:`random_shift`; returns the same shape and dtype.
    """
    x4 = _as_nchw(images, "images")
    deg = _per_image_degrees(degrees, x4.shape[0])
    return _warp_nchw(x4, deg).reshape(np.shape(images))


def random_rotation(images: np.ndarray, max_degrees: float = 10.0, rng: RngLike = None) -> np.ndarray:
    """Rotate each image by its own angle ``~ U(-max_degrees, max_degrees)`` (bilinear, zero fill).

    Small angles (about 10-15 degrees) mimic how people slant their digits;
    large ones turn a 6 into a 9 and stop preserving the label.
    """
    x4 = _as_nchw(images, "images")
    max_deg = check_float(max_degrees, "max_degrees", minimum=0.0, maximum=180.0)
    gen = make_rng(rng)
    if max_deg == 0.0:
        return np.array(images, copy=True)
    deg = gen.uniform(-max_deg, max_deg, size=x4.shape[0])
    return _warp_nchw(x4, deg).reshape(np.shape(images))


def gaussian_noise(
    images: np.ndarray, std: float = 0.1, rng: RngLike = None, clip: bool = True
) -> np.ndarray:
    """Add pixel noise ``x + e`` with ``e ~ N(0, std^2)``; clip to ``[0, 1]`` by default.

    Accepts any float array (the noise is element-wise, no layout needed);
    returns a new array of the same shape and dtype.
    """
    arr = check_float_array(images, "images", ndim=None)
    sd = check_float(std, "std", minimum=0.0)
    clip = check_bool(clip, "clip")
    gen = make_rng(rng)
    # Draw directly in the image dtype: no float64 temporary, no cast back.
    out = gen.standard_normal(arr.shape, dtype=arr.dtype)
    out *= arr.dtype.type(sd)
    out += arr
    if clip:
        np.clip(out, 0.0, 1.0, out=out)
    return out


def horizontal_flip(images: np.ndarray, p: float = 0.5, rng: RngLike = None) -> np.ndarray:
    """Mirror each image left-right with probability ``p``.

    A trap for digits: a mirrored 2, 3, 4, 7 or 9 is no longer that digit
    (label noise), only symmetric ones like 0, 1, 8 survive. Useful for natural
    photos, shown here as a counter-example.
    For ``(N, 784)`` input the flip acts on the 28x28 picture, not on the flat vector.
    """
    x4 = _as_nchw(images, "images")
    prob = check_float(p, "p", minimum=0.0, maximum=1.0)
    gen = make_rng(rng)
    out = x4.copy()
    if prob > 0.0:
        flip = gen.random(x4.shape[0]) < prob
        out[flip] = x4[flip][..., ::-1]
    return out.reshape(np.shape(images))


# ---------------------------------------------------------------------------
# on-the-fly augmentation for the training loop
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Augmenter:
    """Random transforms applied to every mini-batch, ``x_batch -> T(x_batch)``.

    ``shift`` (pixels), ``rotation`` (max degrees), ``noise_std`` (Gaussian
    pixel noise) and ``flip_p`` (left-right flip probability). All zero is the
    identity. Order: rotate and shift (one bilinear pass when both are on),
    flip, then noise (so the noise is not blurred by interpolation).
    Call as ``augment(x_batch, rng)``: the input is never modified and the
    result has its shape and dtype; ``as_dict()`` gives the settings for a
    training history.
    """

    shift: int = 0
    rotation: float = 0.0
    noise_std: float = 0.0
    flip_p: float = 0.0

    def __post_init__(self) -> None:
        # frozen dataclass: store the normalised values through object.__setattr__
        object.__setattr__(self, "shift", check_int(self.shift, "shift", minimum=0))
        object.__setattr__(
            self, "rotation", check_float(self.rotation, "rotation", minimum=0.0, maximum=180.0)
        )
        object.__setattr__(self, "noise_std", check_float(self.noise_std, "noise_std", minimum=0.0))
        object.__setattr__(self, "flip_p", check_float(self.flip_p, "flip_p", minimum=0.0, maximum=1.0))

    @property
    def is_identity(self) -> bool:
        """True when no transform is active (the augmenter returns a copy of its input)."""
        return self.shift == 0 and self.rotation == 0.0 and self.noise_std == 0.0 and self.flip_p == 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Settings as plain Python numbers, for the training history."""
        return {
            "shift": self.shift,
            "rotation": self.rotation,
            "noise_std": self.noise_std,
            "flip_p": self.flip_p,
        }

    def __call__(self, x_batch: np.ndarray, rng: RngLike = None) -> np.ndarray:
        """Return an augmented copy of ``x_batch`` (e.g. ``(B, 784)`` float32 -> ``(B, 784)`` float32)."""
        x4 = _as_nchw(x_batch, "x_batch")
        _check_shift(self.shift, x4.shape, "shift")
        gen = make_rng(rng)
        # Each step returns a new array, so x_batch itself is never written to.
        out = x4
        if self.rotation > 0.0:
            n = x4.shape[0]
            deg = gen.uniform(-self.rotation, self.rotation, size=n)
            if self.shift > 0:
                # Fold the shift into the rotation's single bilinear pass: one
                # gather instead of two. Same offsets as random_shift draws, and
                # integer offsets keep the translation itself loss-free.
                offset_i = gen.integers(-self.shift, self.shift + 1, size=n)
                offset_j = gen.integers(-self.shift, self.shift + 1, size=n)
                out = _warp_nchw(x4, deg, offset_i, offset_j)
            else:
                out = _warp_nchw(x4, deg)
        elif self.shift > 0:
            out = random_shift(out, self.shift, gen)
        if self.flip_p > 0.0:
            out = horizontal_flip(out, self.flip_p, gen)
        if self.noise_std > 0.0:
            out = gaussian_noise(out, self.noise_std, gen)
        if out is x4:
            out = x4.copy()
        return out.reshape(np.shape(x_batch))


def augment_dataset(
    x: np.ndarray,
    t: np.ndarray,
    copies: int,
    augmenter: Augmenter | Callable[[np.ndarray, np.random.Generator], np.ndarray],
    rng: RngLike = None,
    *,
    chunk_size: int = 4096,
) -> tuple[np.ndarray, np.ndarray]:
    """Static augmentation: the originals plus ``copies`` augmented versions, made once.

    ``x_aug = [x; T_1(x); ...; T_copies(x)]`` and ``t_aug = [t; t; ...; t]``, so
    row ``k * N + i`` is a version of sample ``i``. The data set grows to
    ``(copies + 1) * N`` rows (memory!), unlike :class:`Augmenter`, which draws
    fresh transforms for every mini-batch of every epoch.
    """
    x_arr = check_float_array(x, "x", ndim=(2, 3, 4))
    t_arr = check_array(t, "t", ndim=(1, 2))
    if t_arr.shape[0] != x_arr.shape[0]:
        raise ValueError(
            f"t must have one label per sample: x has {x_arr.shape[0]} rows, t has shape {t_arr.shape}"
        )
    k = check_int(copies, "copies", minimum=0)
    size = check_int(chunk_size, "chunk_size", minimum=1)
    if not callable(augmenter):
        raise TypeError(
            "augmenter must be an Augmenter or a callable (x_batch, rng) -> array, "
            f"got {type(augmenter).__name__}"
        )
    gen = make_rng(rng)
    n = x_arr.shape[0]
    x_aug = np.empty((n * (k + 1),) + x_arr.shape[1:], dtype=x_arr.dtype)
    x_aug[:n] = x_arr
    for copy_index in range(1, k + 1):
        # Chunks bound the temporary memory of rotation on all 60 000 digits.
        for start in range(0, n, size):
            stop = min(start + size, n)
            block = augmenter(x_arr[start:stop], gen)
            if np.shape(block) != x_arr[start:stop].shape:
                raise ValueError(
                    f"augmenter must return the shape it was given {x_arr[start:stop].shape}, "
                    f"got {np.shape(block)}"
                )
            x_aug[copy_index * n + start : copy_index * n + stop] = block
    t_aug = np.concatenate([t_arr] * (k + 1), axis=0)
    return x_aug, t_aug
