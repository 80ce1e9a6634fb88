"""How much does work on the other core slow one training step?  ``python -m benchmarks.contention``.

The engine trains on one core while its worker thread scores on the other, so
its speed depends on how independent the two cores are.  This times the
lecture's training step (a 100-digit batch through 784-100×6-10, forward and
backward products, one BLAS thread) alone and next to a second *process* that
keeps the other core busy with one kind of work:

- a Python loop (registers only, no floating point, no memory traffic),
- a 64×64 ``sgemm`` that lives in the L1 cache (floating point, no memory traffic),
- copies of 64 MB arrays (memory bandwidth),
- the scoring's own first-layer product, 1,000×784×100 (what the worker does).

A separate process rules out Python's interpreter lock.  On the course's
2-core machine (a virtual machine, ``lscpu``: 2 cores, 1 thread per core, 2 MiB
L2 each, 32 MiB shared L3) the same neighbour cost the step different amounts in
rounds minutes apart, even a neighbour that touches no memory (a Python loop:
−9 to +49 % over 8 rounds; benchmarks/README.md, "The targets"): the slowdown
comes from the host the two virtual cores run on, not from anything the engine does.

``--smoke`` runs a few steps per case (what tests/test_benchmarks.py runs).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

NEIGHBOURS: dict[str, str | None] = {
    "alone": None,
    "Python loop (registers only)": "while True: pass",
    "sgemm 64x64 in L1 (floating point, no memory)": (
        "import numpy as np\nfrom threadpoolctl import threadpool_limits\nthreadpool_limits(1)\n"
        "a = np.ones((64, 64), np.float32)\nb = np.empty_like(a)\nwhile True: np.matmul(a, a, out=b)"
    ),
    "copy 64 MB arrays (memory bandwidth)": (
        "import numpy as np\na = np.ones(16_000_000, np.float32)\nb = np.empty_like(a)\n"
        "while True: np.copyto(b, a)"
    ),
    "sgemm 1000x784x100 (the scoring's first layer)": (
        "import numpy as np\nfrom threadpoolctl import threadpool_limits\nthreadpool_limits(1)\n"
        "rng = np.random.default_rng(1)\nX = rng.random((1000, 784), dtype=np.float32)\n"
        "W = rng.random((784, 100), dtype=np.float32)\nwhile True: X @ W"
    ),
}


def _step_timer(seed: int = 0):
    """One training step's matrix products on the lecture's shapes, as a function of no arguments."""
    rng = np.random.default_rng(seed)
    x = rng.random((100, 784), dtype=np.float32)
    w1 = rng.random((784, 100), dtype=np.float32)
    w = rng.random((100, 100), dtype=np.float32)
    h, h2, g = (np.empty((100, 100), np.float32) for _ in range(3))
    g1 = np.empty((784, 100), np.float32)

    def step() -> None:
        np.matmul(x, w1, out=h)
        for _ in range(5):
            np.matmul(h, w, out=h2)  # forward through the hidden layers
        np.matmul(x.T, h, out=g1)
        for _ in range(5):
            np.matmul(h.T, h2, out=g)  # dW of the hidden layers
    return step


def measure(steps: int, reps: int) -> dict[str, dict[str, float]]:
    """Per neighbour: the fastest and the median of ``reps`` averages over ``steps`` steps, in ms."""
    step = _step_timer()
    results: dict[str, dict[str, float]] = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for name, code in NEIGHBOURS.items():
            neighbour = subprocess.Popen([sys.executable, "-c", code]) if code else None
            try:
                if neighbour is not None:
                    time.sleep(0.5)  # let it start and settle on the other core
                times = []
                for _ in range(reps):
                    started = time.perf_counter()
                    for _ in range(steps):
                        step()
                    times.append((time.perf_counter() - started) / steps * 1e3)
            finally:
                if neighbour is not None:
                    neighbour.kill()
                    neighbour.wait()
            times.sort()
            results[name] = {"min_ms": times[0], "median_ms": times[len(times) // 2]}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.contention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few steps per case (for the test suite)")
    parser.add_argument("--rounds", type=int, default=3, help="repeat the whole set this many times (default 3)")
    args = parser.parse_args(argv)
    steps, reps, rounds = (5, 1, 1) if args.smoke else (400, 7, max(1, args.rounds))
    for round_ in range(1, rounds + 1):
        results = measure(steps, reps)
        alone = results["alone"]["median_ms"]
        print(f"round {round_}: one training step (median of {reps} x {steps} steps)")
        for name, r in results.items():
            print(f"  {name:48s} {r['median_ms']:6.3f} ms  ({r['median_ms'] / alone - 1:+.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
