"""Grader for the learner's ``random_crop(image, crop_size)`` on ``(height, width, channel)`` images.

:func:`check_random_crop` checks the shape, that the output is a window of
the image, that every offset ``0 … h − crop_h`` occurs over many calls (the
lecture's snippet misses the last one), that a crop as large as the image
returns the image, and that the input stays unchanged.  The learner's function
may draw from the global ``np.random`` as the lecture's does: the grader never
seeds or reads that state, it counts the offsets it sees.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from course.exercises.grades import GradeResult, _check_callable, _crashed, _failed, _not_solved, _passed
from course.i18n import t

__all__ = ["CROP_TRIALS", "check_random_crop"]

CROP_TRIALS = 600
"""Calls per reachability check.  With at most 4 offsets per axis, a correct
uniform crop misses a given offset with probability (3/4)^600 < 1e-74."""


def _position_image(h: int, w: int, c: int) -> np.ndarray:
    """``image[i, j, k] = 1000·i + 10·j + k``: every pixel tells where it came from."""
    i, j, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return (1000 * i + 10 * j + k).astype(np.float64)


def _call_crop(func: Callable, image: np.ndarray, crop_size: tuple[int, int]):
    return func(image.copy(), crop_size)


def _crop_offset(out: Any, image: np.ndarray, crop: tuple[int, int]) -> tuple[int, int] | str:
    """The (top, left) this crop was cut from, or a message saying what is wrong with it."""
    if not isinstance(out, np.ndarray):
        return t("exercises.crop_not_array", type=type(out).__name__)
    ch, cw = crop
    c = image.shape[2]
    if out.shape != (ch, cw, c):
        if out.shape == (cw, ch, c):
            return t("exercises.crop_swapped", got=out.shape, want=(ch, cw, c))
        if out.ndim == 2:
            return t("exercises.crop_no_channel", got=out.shape, want=(ch, cw, c))
        if out.ndim == 3 and out.shape[0] == image.shape[0] and out.shape != image.shape:
            return t("exercises.crop_channels_first", got=out.shape, want=(ch, cw, c))
        if out.shape == image.shape:
            return t("exercises.crop_whole", got=out.shape, want=(ch, cw, c))
        return t("exercises.crop_bad_shape", got=out.shape, want=(ch, cw, c))
    corner = float(out[0, 0, 0])
    top, left = int(corner // 1000), int(round(corner % 1000)) // 10
    h, w = image.shape[:2]
    if not (0 <= top <= h - ch and 0 <= left <= w - cw) or not np.array_equal(
        out, image[top : top + ch, left : left + cw, :]
    ):
        return t("exercises.crop_not_window")
    return top, left


def check_random_crop(func: Callable[[np.ndarray, tuple[int, int]], np.ndarray]) -> GradeResult:
    """Grade a learner's ``random_crop(image, crop_size)`` for ``(H, W, C)`` images.

    Checks the output shape ``(crop_h, crop_w, C)``, that it is a window of the
    image, that over :data:`CROP_TRIALS` calls every offset
    ``top ∈ {0, …, H − crop_h}``, ``left ∈ {0, …, W − crop_w}`` occurs (none
    drastically rarer than the rest), that ``crop_size == (H, W)`` returns the
    image, and that the input image is left unchanged.  Works whatever random
    source the function uses (``np.random`` included).
    """
    _check_callable(func)
    name = "random_crop"
    image = _position_image(6, 5, 2)  # non-square, two channels
    crop = (3, 2)
    h, w = image.shape[:2]
    # 1. the first call: unimplemented? crashing? right shape and contents?
    try:
        out = _call_crop(func, image, crop)
    except NotImplementedError:
        return _not_solved(name)
    except ValueError as exc:
        if "unpack" in str(exc):
            return _failed(name, t("exercises.crop_unpack", crop=crop, detail=exc))
        return _crashed(name, exc, f"random_crop(image of shape {image.shape}, {crop})")
    except Exception as exc:
        return _crashed(name, exc, f"random_crop(image of shape {image.shape}, {crop})")
    where = _crop_offset(out, image, crop)
    if isinstance(where, str):
        return _failed(name, t("exercises.crop_call_result", shape=image.shape, crop=crop, where=where))
    # 2. many calls: every offset reachable, none far too rare, input untouched
    tops = np.zeros(h - crop[0] + 1, dtype=int)
    lefts = np.zeros(w - crop[1] + 1, dtype=int)
    tops[where[0]] += 1
    lefts[where[1]] += 1
    for _ in range(CROP_TRIALS - 1):
        original = image.copy()
        try:
            out = func(image, crop)
        except Exception as exc:
            return _crashed(name, exc, t("exercises.crop_later_call", crop=crop))
        if not np.array_equal(image, original):
            return _failed(name, t("exercises.crop_image_changed"))
        where = _crop_offset(out, image, crop)
        if isinstance(where, str):
            return _failed(name, t("exercises.crop_one_of_calls", n=CROP_TRIALS, where=where))
        tops[where[0]] += 1
        lefts[where[1]] += 1
    for axis, counts, size, cut, letter in (("top", tops, h, crop[0], "h"), ("left", lefts, w, crop[1], "w")):
        last = size - cut
        seen = t("exercises.crop_seen", axis=axis, n=CROP_TRIALS,
                 counts=", ".join(f"{k}×{n}" for k, n in enumerate(counts)))
        if counts.sum() and np.count_nonzero(counts) == 1:
            return _failed(name, t("exercises.crop_never_moves", axis=axis, offset=int(np.argmax(counts))), seen)
        if counts[last] == 0 and np.all(counts[:last] > 0):
            edge = t("exercises.edge_bottom" if axis == "top" else "exercises.edge_right")
            return _failed(name, t("exercises.crop_last_offset", axis=axis, last=last, letter=letter, edge=edge),
                           seen)
        missing = [k for k, n in enumerate(counts) if n == 0]
        if missing:
            return _failed(name, t("exercises.crop_missing", axis=axis, missing=missing, last=last), seen)
        expected = CROP_TRIALS / counts.size
        rare = [k for k, n in enumerate(counts) if n < expected / 4]
        if rare:
            return _failed(name, t("exercises.crop_rare", axis=axis, rare=rare), seen)
    # 3. crop as large as the image: the only window is the image itself
    for size in ((h, w), (h, 1), (1, w)):
        try:
            out = _call_crop(func, image, size)
        except Exception as exc:
            letter = "h" if size[0] == h else "w"
            return _failed(name, t("exercises.crop_full_size_raised", shape=image.shape, crop=size,
                                   error=type(exc).__name__, detail=exc, letter=letter))
        where = _crop_offset(out, image, size)
        if isinstance(where, str):
            return _failed(name, t("exercises.crop_call_result", shape=image.shape, crop=size, where=where))
    return _passed(
        name,
        t("exercises.crop_passed", n=CROP_TRIALS),
        t("exercises.crop_passed_seen", tops=", ".join(f"{k}×{n}" for k, n in enumerate(tops)),
          lefts=", ".join(f"{k}×{n}" for k, n in enumerate(lefts))),
    )
