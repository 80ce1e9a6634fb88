"""Train the kernel-free explorer's grid of runs and store it in ``course/site_explorer/static/``.

::

    python -m course.site_explorer.build_grid --list        # the settings and seeds, nothing trained
    python -m course.site_explorer.build_grid               # train them all (2 processes), write the grid
    python -m course.site_explorer.build_grid --work runs/  # keep each finished run: a rerun resumes

Each run is ``course.experiments.train_lecture_net(..., seed=s)`` (the lecture's
setting, the engine) for one point of :func:`course.site_explorer.grid.grid_points`
and one seed of :data:`~course.site_explorer.grid.SEEDS`.  Two worker processes
(each the engine on one thread, ``COURSE_ENGINE_THREADS=1``) share the runs;
each writes every finished run to the work folder as a ``.npy`` file, and the
parent then writes ``grid.json`` and ``grid.bin`` (see :mod:`course.site_explorer.grid`)
and prints the training time.  Building the site does not run this: the grid
ships in the repository.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from course.experiments import LectureConfig, train_lecture_net
from course.run_cache import blas_kernel
from course.site_explorer.grid import (
    CURVES, DROPOUT_RATIOS, LAMBDAS, REGULARIZATIONS, SEEDS, STATIC, grid_points, train_settings, write_grid,
)
from common.trainer import TrainingDiverged

__all__ = ["train_run", "jobs", "main"]


def train_run(point: dict[str, Any], seed: int) -> tuple[np.ndarray, int | None]:
    """One run's curves as float64 ``(len(CURVES), epochs)`` and the epoch it diverged at (``None``: it did not);
    the epochs after a divergence are NaN."""
    epochs = LectureConfig().epochs
    diverged = None
    try:
        history = train_lecture_net(**train_settings(point, seed))
    except TrainingDiverged as error:
        history = error.history
        diverged = len(history.epoch) + 1
    out = np.full((len(CURVES), epochs), np.nan)
    for i, name in enumerate(CURVES):
        values = np.asarray(getattr(history, name), dtype=np.float64)[:epochs]
        out[i, :len(values)] = values
    return out, diverged


def jobs() -> list[tuple[int, int]]:
    """``(point index, seed)`` of every run, in the order they are trained: every point's first seed
    before any second one, so the first pass over the grid finishes early."""
    return [(p, seed) for seed in SEEDS for p in range(len(grid_points()))]


def _run_path(work: Path, point: int, seed: int) -> Path:
    """The run's file, named by its settings (so a work folder stays valid when the grid grows)."""
    p = grid_points()[point]
    ratio = f"{p['dropout_ratio']:g}" if p["use_dropout"] else "off"
    return work / f"{p['regularization']}-{p['weight_decay_lambda']:g}-dropout-{ratio}-seed{seed}.npy"


def _worker(number: int, processes: int, work: Path) -> None:
    """Train this worker's share of :func:`jobs` (every ``processes``-th), skipping runs already in ``work``."""
    points = grid_points()
    for j, (p, seed) in enumerate(jobs()):
        path = _run_path(work, p, seed)
        if j % processes != number or path.exists():
            continue
        curves, diverged = train_run(points[p], seed)
        row = np.concatenate([curves.ravel(), [np.nan if diverged is None else diverged]])
        partial = path.with_suffix(".part.npy")
        np.save(partial, row, allow_pickle=False)
        os.replace(partial, path)  # a run is in the work folder whole or not at all


def _describe() -> str:
    points = grid_points()
    config = LectureConfig()
    lines = [
        f"{len(points)} settings × {len(SEEDS)} seeds {list(SEEDS)} = {len(points) * len(SEEDS)} runs of the "
        f"lecture's setting ({config.n_train} digits, {len(config.hidden_size_list)}×{config.hidden_size_list[0]} "
        f"units, SGD lr {config.lr}, {config.epochs} epochs):",
        f"  regularization: none, or l2 / l1 with λ in {[lam for lam in LAMBDAS if lam > 0]}",
        f"  dropout: off, or on with dropout_ratio in {list(DROPOUT_RATIOS)}",
    ]
    return "\n".join(lines)


def build(processes: int = 2, work: Path | None = None, out: Path = STATIC) -> tuple[float, int]:
    """Train every run not yet in ``work`` (in ``processes`` worker processes) and write the grid to ``out``.

    Returns the seconds the training took and the number of runs trained (the others were in ``work``).
    """
    if processes not in (1, 2):
        raise ValueError(f"processes must be 1 or 2, got {processes!r}")
    points = grid_points()
    epochs = LectureConfig().epochs
    with tempfile.TemporaryDirectory(prefix="site-grid-") as scratch:
        work = Path(work) if work is not None else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        trained = sum(not _run_path(work, p, seed).exists() for p, seed in jobs())
        env = {**os.environ, "COURSE_ENGINE_THREADS": "1"}  # one core per process: the engine's own advice
        started = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-m", "course.site_explorer.build_grid", "--worker", str(k),
                                     "--processes", str(processes), "--work", str(work)], env=env)
                   for k in range(processes)]
        failed = [w.args for w in workers if w.wait() != 0]
        seconds = time.perf_counter() - started
        if failed:
            raise RuntimeError(f"a worker failed: {failed[0]}")
        values = np.empty((len(points), len(SEEDS), len(CURVES), epochs))
        diverged = []
        for p, seed in jobs():
            row = np.load(_run_path(work, p, seed), allow_pickle=False)
            s = SEEDS.index(seed)
            values[p, s] = row[:-1].reshape(len(CURVES), epochs)
            if np.isfinite(row[-1]):
                diverged.append(f"{points[p]} seed {seed} (epoch {int(row[-1])})")
    if diverged:  # the page draws finished runs only: a setting that blows up does not belong in the grid
        raise RuntimeError(f"{len(diverged)} run(s) diverged, e.g. {diverged[0]}; take such settings out of "
                           "course/site_explorer/grid.py")
    config = {k: v for k, v in LectureConfig().to_dict().items()
              if k not in ("weight_decay_lambda", "regularization", "use_dropout", "dropout_ratio", "seed")}
    index = {
        "trained_with": "course.experiments.train_lecture_net(**settings, seed=seed), engine=True",
        "blas": blas_kernel(),  # the workers inherit this environment, hence this kernel
        "lecture": config,
        "regularizations": list(REGULARIZATIONS),
        "lambdas": list(LAMBDAS),
        "dropout_ratios": list(DROPOUT_RATIOS),
        "points": points,
        "seeds": list(SEEDS),
        "curves": list(CURVES),
        "epochs": epochs,
    }
    write_grid(values, index, out)
    return seconds, trained


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.site_explorer.build_grid",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="list the settings and seeds, train nothing")
    parser.add_argument("--processes", type=int, default=2, choices=(1, 2), help="worker processes (default 2)")
    parser.add_argument("--work", type=Path, help="keep finished runs here, so an interrupted build resumes")
    parser.add_argument("--out", type=Path, default=STATIC, help=f"where grid.json and grid.bin go (default {STATIC})")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        if args.work is None:
            parser.error("--worker needs --work")
        _worker(args.worker, args.processes, args.work)
        return 0
    print(_describe())
    if args.list:
        for p, point in enumerate(grid_points()):
            print(f"  {p:3d}  {point}")
        return 0
    seconds, trained = build(args.processes, args.work, args.out)
    print(f"trained {trained} runs in {seconds:.0f} s with {args.processes} process(es) "
          f"({len(jobs()) - trained} were in {args.work}); wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
