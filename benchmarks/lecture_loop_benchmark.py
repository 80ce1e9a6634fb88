"""The lecture notebook's own loop: the plain loop against the engine's fast path (notebook 10's runs).

``python -m benchmarks.lecture_loop_benchmark [--smoke] [--reps N]`` trains each of
the lecture's five cells (``course.lecture_loop.LECTURE_CELLS``) with
``train_lecture_loop(engine=False)`` (the loop as the cells write it) and
``engine=True`` (``course.engine.lecture_loop``), as notebook 10 does: 1,000
iterations, scored every 50 (and every 10 with the displayed loss), checks
that the two give the same history bit for bit, and prints the CPU time of one
run (the thread's, minimum over ``--reps``: a busy machine disturbs it far
less than wall time) and the wall and CPU time of five seeds side by side
(``lecture_loop_seeds``, two at a time).  Nothing is asserted about speed; the
numbers go to benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from course.experiments import lecture_data
from course.lecture_loop import LECTURE_CELLS, lecture_loop_seeds, train_lecture_loop

FIELDS = ("epoch", "train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
          "weight_norm", "sparsity", "displayed_loss", "objective")


def _same(a, b) -> bool:
    return a.diverged == b.diverged and all(
        np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS
    ) and all(np.array_equal(a.network.params[k], b.network.params[k]) for k in a.network.params)


def _one_run(settings: dict, engine: bool, reps: int):
    best, history = float("inf"), None
    for _ in range(reps):
        started = time.thread_time()
        history = train_lecture_loop(**settings, engine=engine)
        best = min(best, time.thread_time() - started)
    return best, history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: check that it runs")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.pop("COURSE_RUN_CACHE", None)  # every run must really train
    iters, seeds, reps = (20, [0, 1, 2], 1) if args.smoke else (1000, [0, 1, 2, 3, 4], max(1, args.reps))
    data = lecture_data(300, 1000)
    print(f"load average before: {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "")
    print("| cell | scored every | plain loop | engine | plain / engine | same numbers |")
    print("|---|---|---|---|---|---|")
    all_same = True
    for cell, cell_settings in LECTURE_CELLS.items():
        for interval, record in ((50, False), (10, True)):
            settings = dict(cell_settings, seed=0, data=data, iters_num=iters, plot_interval=min(interval, iters),
                            record_displayed_loss=record)
            plain, plain_history = _one_run(settings, False, reps)
            fast, fast_history = _one_run(settings, True, reps)
            same = _same(plain_history, fast_history)
            all_same &= same
            shown = f"{interval}" + (" + displayed loss" if record else "")
            print(f"| {cell} | {shown} | {plain:.3f} s | {fast:.3f} s | {plain / fast:.2f} | {'yes' if same else 'NO'} |")
    print(f"\n{len(seeds)} seeds side by side (lecture_loop_seeds, the L2 cell, scored every 50):")
    for engine in (False, True):
        wall, cpu = time.perf_counter(), time.process_time()
        lecture_loop_seeds(seeds, **LECTURE_CELLS["l2"], data=data, iters_num=iters, plot_interval=min(50, iters),
                           record_displayed_loss=False, engine=engine)
        print(f"- engine={engine}: wall {time.perf_counter() - wall:.2f} s, CPU {time.process_time() - cpu:.2f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "")
    return 0 if all_same else 1


if __name__ == "__main__":
    raise SystemExit(main())
