"""How fast does the lecture's experiment train?  The engine vs the reference core vs textbook NumPy vs PyTorch.

Run from the repository's root (see benchmarks/README.md)::

    python -m benchmarks            # the full lecture experiment, a few minutes on 2 cores
    python -m benchmarks --smoke    # tiny sizes, a few seconds (what tests/test_benchmarks.py runs)

In one process and on the same data, it trains the lecture's network
(300 digits, 784-100×6-10 ReLU, SGD lr 0.01, batch 100, 201 epochs, L2
λ = 0.1, accuracy on the 300 training and 1,000 test digits after every epoch)
with

1. ``engine``: ``course.engine.FastTrainer`` as ``train_lecture_net`` uses it
   (exact evaluation), and its variants (incremental evaluation; one thread);
2. ``reference``: the plain, book-shaped ``common.trainer.Trainer``
   (``engine=False``), with OpenBLAS's default threads and with one;
3. ``textbook_reference`` (the book's float64 layer objects), 1 and 2 BLAS threads;
4. PyTorch on the CPU with 2 (and 1) threads, if torch is installed.

All start from the same initial weights and take the same mini-batches, so
their per-epoch accuracies can be compared.  After a warm-up, every
repetition runs each implementation once (in a rotating order); ratios are
taken pair by pair within a repetition.  It also measures the machine's peak
float32 matrix-multiply rate (large sgemm, 1 and 2 threads), the slider case
(a new λ → ``make_lecture_trainer`` → ``epochs_iter``: first point and whole
201-epoch curve) and the live explorer's own path in the kernel
(``course.explorer.TrainingExplorer``: training and drawing).

Results go to benchmarks/results.json and the table in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime as _dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import common
from course.experiments import LectureConfig, lecture_data, make_lecture_trainer

from . import textbook_reference

try:  # in requirements.txt
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
README = HERE / "README.md"
README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"

_LECTURE = LectureConfig(weight_decay_lambda=0.1)  # the lecture's run, from the one source of its settings
MODES = {
    "full": dict(
        n_train=_LECTURE.n_train, n_test=_LECTURE.n_test, hidden=list(_LECTURE.hidden_size_list),
        epochs=_LECTURE.epochs, batch=_LECTURE.mini_batch_size, lr=_LECTURE.lr, lam=_LECTURE.weight_decay_lambda,
        seed=_LECTURE.seed, reps=5, warmup=1, peak_n=2048, slider_reps=9, explorer_reps=7, contended_reps=2,
    ),
    "smoke": dict(
        n_train=60, n_test=460, hidden=[32, 32], epochs=5, batch=20, lr=0.1, lam=0.01, seed=0,
        reps=1, warmup=0, peak_n=128, slider_reps=2, explorer_reps=1, contended_reps=0,
    ),
}

# λ values a learner moves through (the explorer's log scale with an explicit 0 and the lecture's values)
SLIDER_LAMBDAS = (0.0, 0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 0.003, 0.2, 0.004, 0.005)

TARGETS = {
    # name: (bound, "min" = measured must be >= bound, "max" = measured must be <= bound)
    "torch_over_engine": (2.0, "min"),  # the engine at least 2x faster than PyTorch (2 threads)
    "textbook_over_engine": (4.0, "min"),  # and at least 4x faster than the textbook reference (2 threads)
    "reference_over_engine": (3.0, "max"),  # the plain reference core within 3x of the engine
    "slider_full_curve_s": (0.6, "max"),  # a new λ -> the whole 201-epoch curve, training only
    "slider_first_point_s": (0.15, "max"),
    "explorer_kernel_s": (0.8, "max"),  # the explorer's own path in the kernel: training + drawing
    "browser_full_curve_s": (1.0, "max"),  # 09_playground in JupyterLab + Chromium: λ one step -> curve painted
    "browser_first_points_s": (0.15, "max"),
}

# Per-epoch accuracies must be identical for the first AGREEMENT_EXACT_EPOCHS epochs and
# within AGREEMENT_TOL (absolute) throughout.  Why a tolerance: the engine and torch compute in
# float32, the textbook in float64, and OpenBLAS and MKL (torch) sum in different orders.
# The weights differ by ~1e-7 (relative) after the first step; the difference grows along
# the SGD trajectory until a digit near a decision boundary flips.  Measured over seeds 0-3
# and λ in {0, 0.1} (full lecture runs): the first differing epoch was >= 11 for the
# textbook reference and >= 3 for torch, and the largest difference over 201 epochs was
# 0.010 (3 of 300 training digits) and 0.008 (8 of 1,000 test digits).  0.02 leaves 2x room
# for other CPUs and BLAS builds and still catches a real difference in the math (a missing
# penalty or bias moves accuracies by several percent within a few epochs).
# The reference core with one BLAS thread must equal the engine exactly (EXACT below).
AGREEMENT_EXACT_EPOCHS = 2
AGREEMENT_TOL = 0.02
EXACT = ("reference_1blas", "engine_1thread", "engine_in_step")


# ---------------------------------------------------------------------------- helpers


def _load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return float("nan")


def blas_threads(threads: int | None) -> contextlib.AbstractContextManager:
    """Cap BLAS at ``threads`` threads for the duration (``None``: leave BLAS alone)."""
    if threads is None or ThreadpoolController is None:
        return contextlib.nullcontext()
    return ThreadpoolController().limit(limits=threads, user_api="blas")


def _summary(values: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": [round(v, 4) for v in values],
    }


def lecture_flops(cfg: dict[str, Any]) -> int:
    """Matrix-multiply FLOPs of one run (2 per multiply-add), the usual way of counting.

    Per epoch: forward, ``dW`` and ``dx`` (none for the first layer) over all
    training digits, plus one forward pass over train + test for the accuracies.
    """
    sizes = [784, *cfg["hidden"], 10]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(a * b for a, b in pairs)
    dx = sum(a * b for a, b in pairs[1:])
    train = 2 * cfg["n_train"] * (2 * forward + dx)
    evaluate = 2 * (cfg["n_train"] + cfg["n_test"]) * forward
    return cfg["epochs"] * (train + evaluate)


def peak_sgemm(n: int, threads: int, repeats: int = 5) -> float:
    """Best float32 ``n×n @ n×n`` rate in GFLOP/s with ``threads`` BLAS threads."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    best = float("inf")
    with blas_threads(threads):
        np.matmul(a, b, out=out)
        for _ in range(repeats):
            start = time.perf_counter()
            np.matmul(a, b, out=out)
            best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def machine_info(torch_mod: Any) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover
        usable = os.cpu_count()
    info: dict[str, Any] = {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "common": common.__version__,
    }
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            {k: lib.get(k) for k in ("internal_api", "version", "architecture", "threading_layer", "num_threads")}
            for lib in threadpool_info()
            if lib.get("user_api") == "blas"
        ]
    except ImportError:  # pragma: no cover
        info["blas"] = "threadpoolctl not installed"
    if torch_mod is not None:
        config = torch_mod.__config__.show()
        blas = next((p.split("=", 1)[1] for p in config.replace(",", " ").split() if p.startswith("BLAS_INFO=")), "?")
        info["torch"] = {"version": torch_mod.__version__, "blas": blas}
    return info


# ---------------------------------------------------------------------- the contenders


class Experiment:
    """The lecture's data, the engine's initial weights and mini-batch order, and one runner per contender."""

    def __init__(self, cfg: dict[str, Any], torch_ref: Any) -> None:
        self.cfg = cfg
        self.data = lecture_data(cfg["n_train"], cfg["n_test"])
        self.config = LectureConfig(
            weight_decay_lambda=cfg["lam"], n_train=cfg["n_train"], n_test=cfg["n_test"],
            hidden_size_list=cfg["hidden"], epochs=cfg["epochs"], lr=cfg["lr"], mini_batch_size=cfg["batch"],
            seed=cfg["seed"],
        )
        self.kwargs = dict(config=self.config, data=self.data)
        network, trainer = make_lecture_trainer(**self.kwargs)
        self.init_params = {key: value.copy() for key, value in network.params.items()}
        # the trainers draw one permutation of the training set per epoch from trainer.rng;
        # a copy of that generator replays the same order (the agreement check would catch a change)
        rng = copy.deepcopy(trainer.rng)
        self.orders = [rng.permutation(cfg["n_train"]) for _ in range(cfg["epochs"])]
        self.torch_ref = torch_ref

    def _train(self, *, engine: bool = True, **options: Any) -> tuple[list[float], list[float]]:
        # make_lecture_trainer + train(), not train_lecture_net: never the run cache (COURSE_RUN_CACHE)
        threads = options.pop("threads", None)
        _, trainer = make_lecture_trainer(engine=engine, **options, **self.kwargs)
        if threads is not None:
            trainer.threads = threads
        history = trainer.train()
        return history.train_acc, history.test_acc

    # the engine --------------------------------------------------------------
    def engine(self):
        """As train_lecture_net runs it: exact evaluation, scoring on a second thread."""
        return self._train()

    def engine_incremental(self):
        """The explorer's option: the evaluation digits' first-layer product kept up to date."""
        return self._train(evaluation="incremental")

    def engine_in_step(self):
        """With a (no-op) callback: no run-ahead; each epoch is scored after it, split over the two threads."""
        return self._train(callback=lambda history: None)

    def engine_1thread(self):
        """Everything on the calling thread (a browser kernel without threads, a busy machine)."""
        return self._train(threads=1)

    # the reference core ---------------------------------------------------------
    def reference(self):
        """The plain Trainer as a learner runs it (OpenBLAS's default threads)."""
        return self._train(engine=False)

    def reference_1blas(self):
        """The plain Trainer with one BLAS thread (then its numbers equal the engine's exactly)."""
        with blas_threads(1):
            return self._train(engine=False)

    # other implementations --------------------------------------------------------
    def _textbook(self, threads: int):
        (x_train, t_train), (x_test, t_test) = self.data
        with blas_threads(threads):
            return textbook_reference.train(
                self.init_params, x_train, t_train, x_test, t_test, self.orders,
                lr=self.cfg["lr"], weight_decay_lambda=self.cfg["lam"], batch_size=self.cfg["batch"],
            )

    def textbook_1thread(self):
        return self._textbook(1)

    def textbook_2threads(self):
        return self._textbook(2)

    def _torch(self, threads: int):
        (x_train, t_train), (x_test, t_test) = self.data
        return self.torch_ref.train(
            self.init_params, x_train, t_train, x_test, t_test, self.orders,
            lr=self.cfg["lr"], weight_decay_lambda=self.cfg["lam"], batch_size=self.cfg["batch"], threads=threads,
        )

    def torch_2threads(self):
        return self._torch(2)

    def torch_1thread(self):
        return self._torch(1)


CONTENDERS = {
    "engine": "course.engine.FastTrainer as train_lecture_net runs it (fused float32, 1 BLAS thread, "
              "epoch k scored on a 2nd thread while k+1 trains; exact evaluation)",
    "engine_incremental": "the engine with evaluation='incremental' (X_eval·W1 kept up to date; the explorer's option)",
    "engine_in_step": "the engine with a callback: no run-ahead, each epoch's scoring split over 2 threads after it",
    "engine_1thread": "the engine on one thread (no worker: a browser kernel without threads)",
    "reference": "the plain reference core (common.trainer.Trainer, engine=False), OpenBLAS's default threads",
    "reference_1blas": "the plain reference core with 1 BLAS thread",
    "textbook_1thread": "textbook float64 reference, 1 BLAS thread",
    "textbook_2threads": "textbook float64 reference, 2 BLAS threads (NumPy's default here)",
    "torch_2threads": "PyTorch CPU, torch.set_num_threads(2)",
    "torch_1thread": "PyTorch CPU, torch.set_num_threads(1)",
}
BASE = "engine"
TORCH = ("torch_2threads", "torch_1thread")


def agreement(base: tuple[list[float], list[float]], other: tuple[list[float], list[float]],
              exact: bool = False) -> dict[str, Any]:
    """How closely ``other``'s per-epoch (train_acc, test_acc) follow ``base``'s (``exact``: identical throughout)."""
    pairs = list(zip(zip(*base), zip(*other)))
    identical = next((i for i, (a, b) in enumerate(pairs) if a != b), len(pairs))
    diff_train = max(abs(a[0] - b[0]) for a, b in pairs)
    diff_test = max(abs(a[1] - b[1]) for a, b in pairs)
    need = min(AGREEMENT_EXACT_EPOCHS, len(pairs))
    return {
        "identical_leading_epochs": identical,
        "epochs": len(pairs),
        "max_abs_diff_train_acc": round(diff_train, 6),
        "max_abs_diff_test_acc": round(diff_test, 6),
        "final": {"train_acc": other[0][-1], "test_acc": other[1][-1]},
        "exact_required": exact,
        "ok": identical == len(pairs) if exact else (
            identical >= need and diff_train <= AGREEMENT_TOL and diff_test <= AGREEMENT_TOL),
    }


def slider_case(exp: Experiment, reps: int, evaluation: str = "exact") -> dict[str, Any]:
    """A new λ → ``make_lecture_trainer`` → ``epochs_iter``: time to the first point and to the full curve.

    Training only, as the explorer drives it (the data already loaded); drawing is the explorer row's.
    """
    first, full = [], []
    lambdas = [SLIDER_LAMBDAS[i % len(SLIDER_LAMBDAS)] for i in range(reps)]
    for lam in lambdas:
        start = time.perf_counter()
        _, trainer = make_lecture_trainer(lam, evaluation=evaluation, **exp.kwargs)  # λ overrides the config's
        epochs = trainer.epochs_iter()
        next(epochs)
        first.append(time.perf_counter() - start)
        for _ in epochs:
            pass
        full.append(time.perf_counter() - start)
    return {"evaluation": evaluation, "lambdas": lambdas, "first_point_s": _summary(first),
            "full_curve_s": _summary(full)}


def explorer_case(cfg: dict[str, Any], reps: int) -> dict[str, Any]:
    """The live explorer's own path in the kernel: ``TrainingExplorer.set(λ)`` → curve trained and drawn.

    Driven programmatically (``explorer.set(...)`` then ``await explorer.wait()``),
    so it measures the kernel's side only: training, the redraws and the widget
    updates, not the browser's rendering.  Reports the wall time from the change
    to the last redraw, and the explorer's own ``last_timing`` split if it has one.
    """
    try:
        from course.explorer import TrainingExplorer

        overrides: dict[str, Any] = {"regularization": "l2"}
        if cfg["epochs"] != 201:  # smoke mode: the explorer's smallest settings
            overrides.update(epochs=cfg["epochs"], n_train=100, hidden_layers=len(cfg["hidden"]),
                             hidden_size=cfg["hidden"][0])
        explorer = TrainingExplorer(**overrides)
        asyncio.run(explorer.wait())  # the first run (and the figure) before timing
    except Exception as exc:  # the explorer is optional for the benchmark: say why the row is missing
        return {"skipped": f"TrainingExplorer could not run: {type(exc).__name__}: {exc}"}
    total, first, train, draw = [], [], [], []
    lambdas = [lam for lam in SLIDER_LAMBDAS if lam > 0][: max(reps, 1)]
    for lam in lambdas:
        start = time.perf_counter()
        explorer.set(weight_decay_lambda=lam)
        history = asyncio.run(explorer.wait())
        total.append(time.perf_counter() - start)
        timing = getattr(explorer, "last_timing", {}) or {}
        if "first_draw" in timing:
            first.append(timing["first_draw"])
        if "train" in timing and "draw" in timing:
            train.append(timing["train"])
            draw.append(timing["draw"])
        if history is None or len(history.epoch) != explorer.settings()["epochs"]:
            return {"skipped": f"the explorer did not finish its run for λ = {lam}"}
    out: dict[str, Any] = {"lambdas": lambdas, "total_s": _summary(total)}
    if first:
        out["first_draw_s"] = _summary(first)
    if train:
        out["train_s"], out["draw_s"] = _summary(train), _summary(draw)
    return out


def explorer_rows(mode: str, cfg: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The explorer's rows: ``(kernel side, browser, both after a look)``.

    The first two are moves made at once after a curve completes (the
    targets); the third holds the same after the learner looked at the curve
    for ``browser_benchmark.LOOK_SECONDS`` (the neighbouring λ trained ahead).

    ``benchmarks/browser_benchmark.py`` (moving the λ slider of
    ``09_playground`` in JupyterLab + Chromium, and the same in the kernel
    alone) when it is there; otherwise the kernel side from
    :func:`explorer_case` and the browser row skipped.
    """
    try:
        from . import browser_benchmark
    except ImportError:
        missing = {"skipped": "benchmarks/browser_benchmark.py is missing"}
        return explorer_case(cfg, cfg["explorer_reps"]), missing, {"kernel": missing, "browser": missing}
    try:
        result = browser_benchmark.run(moves=max(cfg["explorer_reps"], 1), browser=mode == "full",
                                       smoke=mode == "smoke")
    except Exception as exc:  # a broken browser setup must not cost the other rows
        failed = {"skipped": f"{type(exc).__name__}: {exc}"}
        return explorer_case(cfg, cfg["explorer_reps"]), failed, {"kernel": failed, "browser": failed}
    kernel = result["kernel"]
    explorer = {
        "via": "benchmarks/browser_benchmark.py (λ control moved, await explorer.wait())",
        "lambdas": kernel["lambdas"],
        "total_s": kernel["total"],
        "first_draw_s": kernel["first_draw"],
        "train_s": kernel["train"],
        "draw_s": kernel["draw"],
    }
    after = {"look_seconds": result["kernel_after_look"]["look_seconds"], "kernel": result["kernel_after_look"],
             "browser": result["browser_after_look"]}
    return explorer, result["browser"], after


CONTENDED = ("engine", "engine_1thread", "reference", "reference_1blas", "torch_2threads")


def contended_case(exp: Experiment, names: list[str], reps: int) -> dict[str, Any]:
    """The same runs while another process keeps one core busy (a browser redrawing, a second kernel).

    The busy process is a plain Python loop started and stopped here.
    """
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        times: dict[str, list[float]] = {n: [] for n in names}
        for rep in range(reps):
            shift = rep % len(names)
            for name in names[shift:] + names[:shift]:
                start = time.perf_counter()
                getattr(exp, name)()
                times[name].append(time.perf_counter() - start)
        load = _load()
    finally:
        busy.kill()
        busy.wait()
    return {
        "what": "one extra busy process (a Python loop) on the 2 cores",
        "seconds": {n: _summary(v) for n, v in times.items()},
        "load": load,
    }


# ------------------------------------------------------------------------------ main


def run(mode: str, *, reps: int | None = None, use_torch: bool = True, log: Callable[[str], None] = print) -> dict[str, Any]:
    cfg = dict(MODES[mode])
    if reps is not None:
        cfg["reps"] = reps
    torch_ref, torch_mod, torch_skip = None, None, None
    if use_torch:
        try:
            from . import torch_reference

            if torch_reference.available():
                torch_ref, torch_mod = torch_reference, torch_reference.torch
            else:
                torch_skip = "torch is not installed (pip install -r benchmarks/requirements.txt)"
        except Exception as exc:  # pragma: no cover - a broken torch install
            torch_skip = f"torch failed to import: {exc}"
    else:
        torch_skip = "--no-torch"

    results: dict[str, Any] = {
        "schema": 2,
        "mode": mode,
        "when": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m benchmarks" + (" --smoke" if mode == "smoke" else ""),
        "machine": machine_info(torch_mod),
        "load_start": _load(),
        "experiment": {k: cfg[k] for k in ("n_train", "n_test", "hidden", "epochs", "batch", "lr", "lam", "seed")},
        "flops_per_run": lecture_flops(cfg),
    }
    log(f"machine: {results['machine']['cpu']}, {results['machine']['usable_cpus']} usable CPUs, "
        f"numpy {np.__version__}, load {results['load_start']}")
    if results["load_start"] > 0.5 * (results["machine"]["usable_cpus"] or 1) and mode == "full":
        log("warning: the machine is busy; timings (2-thread ones above all) will suffer")

    peaks = {str(t): peak_sgemm(cfg["peak_n"], t) for t in (1, 2)}
    results["peak_sgemm_gflops"] = {**{k: round(v, 1) for k, v in peaks.items()}, "machine": round(max(peaks.values()), 1)}
    log(f"peak sgemm {cfg['peak_n']}³: 1 thread {peaks['1']:.1f} GFLOP/s, 2 threads {peaks['2']:.1f} GFLOP/s")

    exp = Experiment(cfg, torch_ref)
    names = [n for n in CONTENDERS if torch_ref is not None or n not in TORCH]
    times: dict[str, list[float]] = {n: [] for n in names}
    warm: dict[str, float] = {}
    curves: dict[str, tuple[list[float], list[float]]] = {}
    loads = []
    for rep in range(cfg["warmup"] + cfg["reps"]):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:  # rotate, so no one always runs first or last
            start = time.perf_counter()
            curve = getattr(exp, name)()
            seconds = time.perf_counter() - start
            curves.setdefault(name, curve)
            if rep < cfg["warmup"]:
                warm[name] = seconds
            else:
                times[name].append(seconds)
        loads.append(_load())
        if rep >= cfg["warmup"]:
            log(f"rep {rep - cfg['warmup'] + 1}/{cfg['reps']} (load {loads[-1]}): "
                + ", ".join(f"{n} {times[n][-1]:.3f}s" for n in names))

    flops = results["flops_per_run"]
    runs: dict[str, Any] = {}
    for name in names:
        s = _summary(times[name])
        gflops = flops / s["median"] / 1e9
        runs[name] = {
            "what": CONTENDERS[name],
            "seconds": s,
            "warmup_seconds": round(warm[name], 4) if name in warm else None,
            "gflops": round(gflops, 1),
            "pct_of_machine_peak": round(100 * gflops / results["peak_sgemm_gflops"]["machine"], 1),
            "pct_of_one_core_peak": round(100 * gflops / results["peak_sgemm_gflops"]["1"], 1),
            "final": {"train_acc": curves[name][0][-1], "test_acc": curves[name][1][-1]},
        }
    for name in TORCH:
        if name not in runs:
            runs[name] = {"what": CONTENDERS[name], "skipped": torch_skip}
    results["runs"] = runs

    def ratio(other: str) -> dict[str, Any] | None:
        if other not in times:
            return None
        return _summary([o / c for o, c in zip(times[other], times[BASE])])

    results["ratios"] = {f"{n}/{BASE}": ratio(n) for n in names if n != BASE}
    results["agreement_vs_engine"] = {
        n: agreement(curves[BASE], curves[n], exact=n in EXACT) for n in names if n != BASE
    }
    results["curves"] = {n: {"train_acc": list(c[0]), "test_acc": list(c[1])} for n, c in curves.items()}

    log("slider case ...")
    results["slider"] = slider_case(exp, cfg["slider_reps"])
    results["slider_incremental"] = slider_case(exp, cfg["slider_reps"], evaluation="incremental")
    log("the explorer: kernel side (and the browser, if Chromium is there) ...")
    results["explorer"], results["browser"], results["explorer_after_look"] = explorer_rows(mode, cfg)
    if cfg["contended_reps"]:
        log("the same with another process keeping a core busy ...")
        results["contended"] = contended_case(exp, [n for n in CONTENDED if n in names], cfg["contended_reps"])
    results["load_during"] = loads
    results["load_end"] = _load()

    def median_ratio(name: str) -> float | None:
        r = results["ratios"].get(f"{name}/{BASE}")
        return None if r is None else r["median"]

    reference = min(("reference", "reference_1blas"), key=lambda n: runs[n]["seconds"]["median"])
    explorer, browser = results["explorer"], results["browser"]
    measured = {
        "torch_over_engine": median_ratio("torch_2threads"),
        "textbook_over_engine": median_ratio("textbook_2threads"),
        "reference_over_engine": median_ratio(reference),
        "slider_full_curve_s": results["slider"]["full_curve_s"]["median"],
        "slider_first_point_s": results["slider"]["first_point_s"]["median"],
        "explorer_kernel_s": None if "skipped" in explorer else explorer["total_s"]["median"],
        "browser_full_curve_s": None if "skipped" in browser else browser["full_curve"]["median"],
        "browser_first_points_s": None if "skipped" in browser else browser["first_points"]["median"],
    }
    results["targets"] = {
        key: {
            "target": bound,
            "kind": kind,
            "measured": None if measured[key] is None else round(measured[key], 3),
            "met": None if measured[key] is None else (measured[key] >= bound if kind == "min" else measured[key] <= bound),
        }
        for key, (bound, kind) in TARGETS.items()
    }
    results["targets"]["reference_over_engine"]["against"] = f"{reference} (the faster reference setting)"
    results["targets"]["textbook_over_engine"]["against"] = "textbook_2threads"
    results["accuracies_agree"] = all(a["ok"] for a in results["agreement_vs_engine"].values())
    return results


def _range(summary: dict[str, Any], fmt: str = ".3f") -> str:
    return f"{summary['median']:{fmt}} s median ({summary['min']:{fmt}}–{summary['max']:{fmt}})"


def report(results: dict[str, Any]) -> str:
    """The results as text tables (printed, and pasted into benchmarks/README.md)."""
    m = results["machine"]
    blas = m["blas"][0] if isinstance(m["blas"], list) and m["blas"] else {}
    lines = [
        f"Machine: {m['cpu']}, {m['usable_cpus']} usable CPUs; Python {m['python']}, NumPy {m['numpy']} "
        f"({blas.get('internal_api', '?')} {blas.get('version', '?')}, {blas.get('architecture', '?')})"
        + (f", torch {m['torch']['version']} ({m['torch']['blas']})" if "torch" in m else "")
        + f"; load average {results['load_start']} at start, {results['load_end']} at end "
        f"(per repetition: {', '.join(str(x) for x in results['load_during'])}).",
        f"Peak float32 GEMM (sgemm {MODES[results['mode']]['peak_n']}³): {results['peak_sgemm_gflops']['1']} GFLOP/s "
        f"on 1 thread, {results['peak_sgemm_gflops']['2']} GFLOP/s on 2.  "
        f"One run = {results['flops_per_run'] / 1e9:.1f} GFLOP of matrix products "
        "(the incremental evaluation does less; its GFLOP/s use the same count).",
        "",
        f"| implementation | median s | min–max s | ×{BASE} (median, min–max) | GFLOP/s | % of machine peak "
        "| final train / test acc |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results["runs"].items():
        if "skipped" in r:
            lines.append(f"| {name} | skipped: {r['skipped']} | | | | | |")
            continue
        s = r["seconds"]
        ratio = results["ratios"].get(f"{name}/{BASE}")
        ratio_text = "1" if name == BASE else f"{ratio['median']:.2f} ({ratio['min']:.2f}–{ratio['max']:.2f})"
        lines.append(
            f"| {name} | {s['median']:.3f} | {s['min']:.3f}–{s['max']:.3f} | {ratio_text} | {r['gflops']} | "
            f"{r['pct_of_machine_peak']} | {r['final']['train_acc']:.3f} / {r['final']['test_acc']:.3f} |"
        )
    epochs = results["experiment"]["epochs"]
    lines.append("")
    for key, what in (("slider", "exact"), ("slider_incremental", "incremental evaluation")):
        sl = results[key]
        lines.append(
            f"Slider case, {what} (new λ → `make_lecture_trainer` → `epochs_iter`, training only, "
            f"{len(sl['lambdas'])} values of λ): first point {_range(sl['first_point_s'])}, "
            f"complete {epochs}-epoch curve {_range(sl['full_curve_s'])}."
        )
        lines.append("")
    ex = results["explorer"]
    if "skipped" in ex:
        lines.append(f"Explorer (kernel side): skipped: {ex['skipped']}")
    else:
        parts = [f"complete curve trained and drawn {_range(ex['total_s'])}"]
        if "first_draw_s" in ex:
            parts.insert(0, f"first redraw {_range(ex['first_draw_s'])}")
        if "train_s" in ex:
            parts.append(f"of which training {_range(ex['train_s'])} and drawing {_range(ex['draw_s'])}")
        lines.append(
            f"Explorer, kernel side (`TrainingExplorer.set(weight_decay_lambda=λ)` → `await wait()`, "
            f"{len(ex['lambdas'])} values of λ): " + ", ".join(parts) + "."
        )
    br = results["browser"]
    if "skipped" in br:
        lines.append(f"Explorer in the browser (`09_playground`, JupyterLab + Chromium): skipped: {br['skipped']}.")
    else:
        lines.append(
            f"Explorer in the browser (`{br.get('notebook', '09_playground')}` in JupyterLab + headless Chromium, "
            f"λ moved one step by keyboard, from the key press to the curve painted): first redrawn points "
            f"{_range(br['first_points'])}, complete curve {_range(br['full_curve'])} "
            f"(load {br.get('load_before')} → {br.get('load_after')})."
        )
    after = results.get("explorer_after_look")
    if after is not None and "skipped" not in after["kernel"]:
        ab = after["browser"]
        lines.append(
            f"The same moves made after looking at each finished curve for {after['look_seconds']:g} s (the explorer "
            f"trains the neighbouring λ meanwhile): kernel side {_range(after['kernel']['total'])}"
            + ("" if "skipped" in ab else f", in the browser complete curve {_range(ab['full_curve'])}")
            + "."
        )
    lines.append("")
    if "contended" in results:
        c = results["contended"]
        lines.append(
            f"With {c['what']} (load {c['load']}): "
            + ", ".join(f"{n} {v['median']:.2f} s ({v['min']:.2f}–{v['max']:.2f})" for n, v in c["seconds"].items())
            + "."
        )
        lines.append("")
    lines += [
        "| target | wanted | measured | met |",
        "|---|---|---|---|",
    ]
    for key, t in results["targets"].items():
        wanted = f"≥ {t['target']}" if t["kind"] == "min" else f"≤ {t['target']}"
        against = f" (against {t['against']})" if "against" in t else ""
        met = "n/a" if t["met"] is None else ("yes" if t["met"] else "**no**")
        lines.append(f"| {key}{against} | {wanted} | {t['measured']} | {met} |")
    lines += ["", f"Agreement with {BASE} (per-epoch accuracies, same initial weights and batches):", ""]
    for name, a in results["agreement_vs_engine"].items():
        need = "must be identical" if a["exact_required"] else f"tolerance {AGREEMENT_TOL}"
        lines.append(
            f"- {name}: identical for the first {a['identical_leading_epochs']} of {a['epochs']} epochs; "
            f"max |Δ| train {a['max_abs_diff_train_acc']}, test {a['max_abs_diff_test_acc']} "
            f"({need}: {'ok' if a['ok'] else 'DISAGREES'})"
        )
    return "\n".join(lines)


def update_readme(text: str, results: dict[str, Any], path: Path = README) -> None:
    content = path.read_text(encoding="utf-8")
    if README_START not in content or README_END not in content:
        raise SystemExit(f"{path} lacks the {README_START} … {README_END} markers")
    head, rest = content.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    block = f"{README_START}\n_Measured {results['when']} with `{results['command']}`._\n\n{text}\n{README_END}"
    path.write_text(head + block + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition (for the test suite)")
    parser.add_argument("--reps", type=int, default=None, help="timed repetitions (default 5; smoke 1)")
    parser.add_argument("--out", type=Path, default=None, help=f"JSON results (default {RESULTS.relative_to(HERE.parent)}; smoke: none)")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the table in benchmarks/README.md")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "full"
    results = run(mode, reps=args.reps, use_torch=not args.no_torch)
    text = report(results)
    print()
    print(text)
    out = args.out if args.out is not None else (None if args.smoke else RESULTS)
    if out is not None:
        text_json = json.dumps(results, indent=1, ensure_ascii=False)
        # lists of numbers on one line each (the per-epoch curves would take thousands of lines)
        text_json = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text_json)
        out.write_text(text_json + "\n", encoding="utf-8")
        print(f"\nwrote {out}")
    if mode == "full" and not args.no_readme:
        update_readme(text, results)
        print(f"updated {README}")
    if not results["accuracies_agree"]:
        print("ERROR: the implementations' accuracies disagree beyond float rounding", file=sys.stderr)
        return 1
    return 0
