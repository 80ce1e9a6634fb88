"""BLAS thread limits and a second thread: NOT used by the reference core any more.

``layers``, ``multi_layer_net`` and ``trainer`` are plain since issue 11 (no
threads, no buffers); speed lives in :mod:`common.engine`.  This module stays
only while ``benchmarks/lecture_benchmark.py`` still imports
:func:`blas_threads_limit`; delete it once nothing imports it.

What it measured, for the record (the course's 2-core machine, medians of a
full lecture run with the old Trainer):

===============================================  ==============  ==========================
configuration                                    idle machine    one other busy process
===============================================  ==============  ==========================
OpenBLAS with 2 threads for every product        1.17 s          3.82 s (its threads spin)
1 BLAS thread                                    1.60 s          1.60 s
1 BLAS thread + accuracy pass split in 2         1.27 s          1.67 s
1 BLAS thread + overlapped accuracy pass         0.96 s          1.68 s
===============================================  ==============  ==========================

threadpoolctl (in requirements.txt) sets the thread count; without it BLAS
keeps its own setting and nothing runs on a second thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, ContextManager

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

_controller = None  # made on first use: scanning the loaded libraries takes ~5 ms
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_failed = False


def blas_threads_limit(threads: int | None) -> ContextManager[Any]:
    """A context that caps BLAS (OpenBLAS/MKL) at ``threads`` threads; ``None`` (or no threadpoolctl) does nothing."""
    global _controller
    if threads is None or ThreadpoolController is None:
        return contextlib.nullcontext()
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller.limit(limits=threads, user_api="blas")


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def second_thread() -> ThreadPoolExecutor | None:
    """A one-worker pool for :func:`in_two_halves`, or ``None`` where that cannot help.

    ``None`` with a single usable CPU, without threadpoolctl (two threads
    would each start a full set of BLAS threads), or where threads cannot be
    started (e.g. a browser-based Python kernel).
    """
    global _pool, _pool_pid, _pool_failed
    if _pool is not None and _pool_pid != os.getpid():
        _pool = None  # a forked child: the parent's worker thread does not exist here
    if _pool is None and not _pool_failed:
        if ThreadpoolController is None or _usable_cpus() < 2:
            _pool_failed = True
        else:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="common-predict")
            _pool_pid = os.getpid()
    return _pool


def in_two_halves(compute: Callable[[Any, int], Any], rows: Any, join: Callable[[list], Any]) -> Any:
    """``join([compute(rows[:h], 0), compute(rows[h:], 1)])``, the halves on two threads with one BLAS thread each.

    Falls back to ``join([compute(rows, 0)])`` when no second thread is
    available.  The two calls must not write to shared state.  The second
    thread runs in a copy of the caller's context (``np.errstate`` included).
    """
    global _pool_failed
    pool = second_thread()
    if pool is None:
        return join([compute(rows, 0)])
    half = len(rows) // 2
    with blas_threads_limit(1):
        try:
            # run in a copy of the caller's context: NumPy's errstate lives in a context variable
            top = pool.submit(contextvars.copy_context().run, compute, rows[:half], 0)
        except RuntimeError:  # threads unavailable (or the interpreter is shutting down)
            _pool_failed = True
            return join([compute(rows, 0)])
        bottom = compute(rows[half:], 1)
        return join([top.result(), bottom])
