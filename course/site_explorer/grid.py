"""The precomputed grid of the lecture's runs that the kernel-free explorer draws from.

Every combination the page offers (no regularization, or L2 / L1 with each
λ > 0 of the live explorer's slider; dropout off, or on with each of
:data:`DROPOUT_RATIOS`) is trained on the lecture's setting
(:class:`course.experiments.LectureConfig`) once per seed of :data:`SEEDS`,
and its per-epoch curves (:data:`CURVES`) are stored in two files:

- ``grid.json``: the index (settings of every point, seeds, epochs, curve
  names, the binary file's shape, dtype and SHA-256);
- ``grid.bin``: the curves as little-endian float16, shape
  ``(points, seeds, curves, epochs)``.  The page draws finished runs only:
  the builder refuses a setting whose run diverges.

float16 keeps 11 significant bits: each stored value is the run's value
rounded to within a relative 2⁻¹¹ (an absolute 2⁻²⁵ below 2⁻¹⁴).  Read it
back with :func:`load_grid`; ``python -m course.site_explorer.build_grid``
rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from common._validation import check_bool, check_float

__all__ = [
    "STATIC", "INDEX_NAME", "DATA_NAME", "LAMBDAS", "DROPOUT_RATIOS", "REGULARIZATIONS", "SEEDS", "CURVES",
    "FLOAT16_MAX", "Grid", "grid_points", "point_key", "snap_settings", "train_settings", "load_grid",
    "write_grid",
]

STATIC = Path(__file__).resolve().parent / "static"
"""The folder the site copies into its ``_static/``: the JS, the CSS and the grid's two files."""
INDEX_NAME, DATA_NAME = "grid.json", "grid.bin"
FORMAT = 1

REGULARIZATIONS = ("none", "l2", "l1")
LAMBDAS = (0.0, 0.001, 0.003, 0.004, 0.005, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0)
"""The live explorer's λ slider (``course.explorer.LAMBDA_OPTIONS``), with the lecture's 0.004, 0.005, 0.1, 0.2."""
DROPOUT_RATIOS = (0.01, 0.08, 0.15, 0.2, 0.3, 0.5)
"""Points of the live explorer's dropout_ratio slider: the lecture's 0.15 (its default), 0.01 and 0.2,
the 0.08 it combines with L1, and 0.3 and 0.5, where the network hardly learns any more.  The
lecture's 0.9 is not here: with the course's inverted dropout (kept units scaled by 1/(1 − 0.9) = 10)
every seed blows up in its second epoch at lr 0.01, so there is no curve to draw; the notebook's
explorer shows that divergence live."""
SEEDS = (0, 1, 2)
CURVES = ("train_acc", "test_acc", "train_data_loss", "test_loss", "penalty", "weight_norm", "sparsity")
"""What is stored per epoch, as :class:`common.trainer.History` names it."""
FLOAT16_MAX = 65504.0


def grid_points() -> list[dict[str, Any]]:
    """Every setting the page offers, in storage order: regularization outside, dropout inside.

    λ = 0 appears only with ``'none'`` (L2 or L1 with λ = 0 is that run), and
    ``dropout_ratio`` is ``None`` with dropout off.
    """
    regs = [("none", 0.0)] + [(reg, lam) for reg in ("l2", "l1") for lam in LAMBDAS if lam > 0]
    drops = [(False, None)] + [(True, ratio) for ratio in DROPOUT_RATIOS]
    return [{"regularization": reg, "weight_decay_lambda": lam, "use_dropout": use, "dropout_ratio": ratio}
            for reg, lam in regs for use, ratio in drops]


def point_key(settings: dict[str, Any]) -> str:
    """``'l2|7|2'``: regularization, λ's index in :data:`LAMBDAS`, the ratio's in :data:`DROPOUT_RATIOS`
    (-1: dropout off).  The page's JS builds the same key from its controls."""
    reg = settings["regularization"]
    lam = 0 if reg == "none" else LAMBDAS.index(settings["weight_decay_lambda"])
    ratio = DROPOUT_RATIOS.index(settings["dropout_ratio"]) if settings["use_dropout"] else -1
    return f"{reg if lam else 'none'}|{lam}|{ratio}"


def _nearest(value: float, options: tuple[float, ...], log: bool) -> float:
    if log and value > 0:
        positive = [o for o in options if o > 0]
        return min(positive, key=lambda o: abs(math.log(o) - math.log(value)))
    return min(options, key=lambda o: abs(o - value))


def snap_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """The live explorer's keywords snapped to the grid; unknown keys are ignored.

    ``regularization`` one of none / l2 / l1 (any case), ``weight_decay_lambda``
    ≥ 0 (0 stays 0, others go to the nearest λ > 0 on a log scale),
    ``use_dropout`` a bool, ``dropout_ratio`` in [0, 1) (nearest listed
    ratio).  Missing keys take the live explorer's defaults (no
    regularization, λ = 0, dropout off with ratio 0.15).  The result keeps the
    controls' values (L2 with λ = 0 stays L2): :func:`point_key` finds the run.
    """
    out = {"regularization": "none", "weight_decay_lambda": 0.0, "use_dropout": False, "dropout_ratio": 0.15}
    if settings is None:
        return out
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of the live explorer's keywords or None, "
                        f"got {type(settings).__name__}")
    if "regularization" in settings:
        reg = settings["regularization"]
        if not isinstance(reg, str) or reg.lower() not in REGULARIZATIONS:
            raise ValueError(f"settings['regularization'] must be one of {REGULARIZATIONS}, got {reg!r}")
        out["regularization"] = reg.lower()
    if "weight_decay_lambda" in settings:
        lam = check_float(settings["weight_decay_lambda"], "settings['weight_decay_lambda']", minimum=0.0)
        out["weight_decay_lambda"] = _nearest(lam, LAMBDAS, log=True)
    if "use_dropout" in settings:
        out["use_dropout"] = check_bool(settings["use_dropout"], "settings['use_dropout']")
    if "dropout_ratio" in settings:
        ratio = check_float(settings["dropout_ratio"], "settings['dropout_ratio']", minimum=0.0, maximum=1.0,
                            include_max=False)
        out["dropout_ratio"] = _nearest(ratio, DROPOUT_RATIOS, log=False)
    return out


def train_settings(point: dict[str, Any], seed: int) -> dict[str, Any]:
    """The keywords of ``course.experiments.train_lecture_net`` for one point and seed."""
    ratio = point["dropout_ratio"] if point["use_dropout"] else 0.15  # unused with dropout off: the default
    return {"weight_decay_lambda": point["weight_decay_lambda"], "regularization": point["regularization"],
            "use_dropout": point["use_dropout"], "dropout_ratio": ratio, "seed": seed}


@dataclass(frozen=True)
class Grid:
    """The grid as stored: ``index`` (the JSON) and ``values`` (float16, ``(points, seeds, curves, epochs)``)."""

    index: dict[str, Any]
    values: np.ndarray

    def run(self, point: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
        """One stored run: ``{curve name: per-epoch float16 values}`` of ``point`` (a :func:`grid_points`
        entry or snapped settings) and ``seed``."""
        keys = [point_key(p) for p in self.index["points"]]
        key = point_key(point)
        if key not in keys:
            raise ValueError(f"no point {point!r} in the grid")
        if seed not in self.index["seeds"]:
            raise ValueError(f"seed must be one of {self.index['seeds']}, got {seed!r}")
        row = self.values[keys.index(key), self.index["seeds"].index(seed)]
        return dict(zip(self.index["curves"], row))


def _corrupt(path: Path, what: str) -> ValueError:
    return ValueError(f"{path}: {what}; the grid is corrupt or stale: rebuild it with "
                      "`python -m course.site_explorer.build_grid`")


def load_grid(folder: Path | str = STATIC) -> Grid:
    """Read and check ``grid.json`` and ``grid.bin`` in ``folder``; ``ValueError`` saying what is wrong."""
    folder = Path(folder)
    index_path, data_path = folder / INDEX_NAME, folder / DATA_NAME
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(index_path, f"cannot read the index ({exc})") from None
    required = ("format", "points", "seeds", "curves", "epochs", "dtype", "shape", "sha256", "file")
    missing = [key for key in required if not isinstance(index, dict) or key not in index]
    if missing:
        raise _corrupt(index_path, f"the index lacks {missing}")
    if index["format"] != FORMAT or index["dtype"] != "<f2" or index["file"] != DATA_NAME:
        raise _corrupt(index_path, f"format {index['format']!r}, dtype {index['dtype']!r}, file {index['file']!r}; "
                                   f"this code reads format {FORMAT}, '<f2', {DATA_NAME!r}")
    shape = (len(index["points"]), len(index["seeds"]), len(index["curves"]), index["epochs"])
    if list(shape) != index["shape"]:
        raise _corrupt(index_path, f"shape {index['shape']} does not match its points, seeds, curves and "
                                   f"epochs {list(shape)}")
    try:
        raw = data_path.read_bytes()
    except OSError as exc:
        raise _corrupt(data_path, f"cannot read the curves ({exc})") from None
    if len(raw) != 2 * math.prod(shape):
        raise _corrupt(data_path, f"{len(raw):,d} bytes, but the index says {math.prod(shape):,d} float16 values")
    if hashlib.sha256(raw).hexdigest() != index["sha256"]:
        raise _corrupt(data_path, "its SHA-256 differs from the index's")
    return Grid(index, np.frombuffer(raw, dtype="<f2").reshape(shape))


def write_grid(values: np.ndarray, index: dict[str, Any], folder: Path | str = STATIC) -> tuple[Path, Path]:
    """Store ``values`` (float, ``(points, seeds, curves, epochs)``) as float16 plus ``index`` (extended
    with shape, dtype and hash).  ``ValueError`` if a finite value would not fit in float16."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size and np.abs(finite).max() > FLOAT16_MAX:
        raise ValueError(f"values must fit in float16 (|x| <= {FLOAT16_MAX}), the largest is {np.abs(finite).max():g}")
    if not isinstance(index, dict) or not all(isinstance(index.get(k), list) for k in ("points", "seeds", "curves")):
        raise TypeError("index must be a dict with lists 'points', 'seeds' and 'curves'")
    shape = (len(index["points"]), len(index["seeds"]), len(index["curves"]), index["epochs"])
    if values.shape != shape:
        raise ValueError(f"values must have shape {shape} (points, seeds, curves, epochs), got {values.shape}")
    raw = values.astype("<f2").tobytes()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    full = {**index, "format": FORMAT, "file": DATA_NAME, "dtype": "<f2", "shape": list(shape),
            "sha256": hashlib.sha256(raw).hexdigest()}
    data_path, index_path = folder / DATA_NAME, folder / INDEX_NAME
    data_path.write_bytes(raw)
    index_path.write_text(json.dumps(full, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return index_path, data_path

