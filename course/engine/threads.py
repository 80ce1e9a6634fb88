"""Threads and BLAS for the engine: one BLAS thread per run, a second core for a second piece of work.

The engine's products are small (batch 100, width 100), so each run caps BLAS
at one thread (:func:`one_blas_thread`) and uses the second core for other
work instead: the scoring thread of :class:`course.engine.FastTrainer`
(:func:`worker`), or a second independent run (:func:`map_in_parallel`, for
the seeds of :func:`course.lecture_loop.lecture_loop_seeds`).  Capping BLAS
also makes float32 sums independent of the core count, so which thread
computes what changes no number.

``COURSE_ENGINE_THREADS=1`` (:data:`THREADS_ENV`) keeps everything on the
calling thread, for processes that already keep every core busy (the test
suite's pytest-xdist workers set it).  Where a second thread cannot start (one
usable CPU, no threadpoolctl, a browser-based kernel) the same work runs on
the calling thread, with the same numbers.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

try:  # in requirements.txt; without it BLAS keeps its own thread count and no worker thread is used
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

__all__ = ["THREADS_ENV", "helper", "map_in_parallel", "one_blas_thread", "threads_allowed", "worker"]

THREADS_ENV = "COURSE_ENGINE_THREADS"
"""Set to ``1`` to keep the engine on one thread (no scoring thread, seeds one after another in
:func:`map_in_parallel`) where other processes already keep every core busy (two one-thread runs
side by side beat two two-thread runs one after another; benchmarks/README.md).  The test suite
sets it in its pytest-xdist workers.  Unset or ``2``: the default.  The numbers of a run do not
depend on it."""

_helper: contextvars.ContextVar[ThreadPoolExecutor | None] = contextvars.ContextVar("course_engine_helper",
                                                                                     default=None)
_controller: Any = None
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_failed = False
_lock = threading.Lock()


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it, else the CPU count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def threads_allowed() -> int:
    """The cap from ``COURSE_ENGINE_THREADS``: 1 or 2 (2 when unset)."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if value in ("", "2"):
        return 2
    if value == "1":
        return 1
    raise ValueError(f"{THREADS_ENV} must be 1 or 2 (or unset), got {value!r}")


def one_blas_thread() -> contextlib.AbstractContextManager:
    """Cap BLAS at one thread for the duration (a no-op without threadpoolctl)."""
    global _controller
    if ThreadpoolController is None:
        return contextlib.nullcontext()
    if _controller is None:
        _controller = ThreadpoolController()  # scanning the loaded libraries is slow: once per process
    return _controller.limit(limits=1, user_api="blas")


def map_in_parallel(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """``[function(item) for item in items]``, two items at a time on the two cores.

    For independent runs that each use one core (``course.lecture_loop``'s
    seeds): each run is single-threaded with BLAS capped at one thread, so a
    run gives the same numbers on a worker thread as alone, and NumPy
    releases the GIL inside its products and element-wise loops.  Falls back
    to the plain loop with one usable CPU, with ``COURSE_ENGINE_THREADS=1`` or
    where threads cannot start.  Inside ``function``, :func:`helper` is the pool.  The first exception raised by ``function``
    is raised again here.
    """
    items = list(items)
    if len(items) < 2 or usable_cpus() < 2 or threads_allowed() < 2:
        return [function(item) for item in items]
    with one_blas_thread():  # held by the caller's thread: the workers' own caps nest inside it
        try:
            pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="course-map")
        except RuntimeError:  # no threads (e.g. a browser-based kernel)
            return [function(item) for item in items]

        def run(item: Any) -> Any:
            _helper.set(pool)  # in this item's own copy of the context
            return function(item)

        with pool:
            futures = [pool.submit(contextvars.copy_context().run, run, item) for item in items]
            return [future.result() for future in futures]


def helper() -> ThreadPoolExecutor | None:
    """The pool of the :func:`map_in_parallel` call this code runs in (``None`` outside one).

    A run may hand it side work (the lecture loop hands it the scoring of a
    copy of its weights): the pool takes the items first, so a worker takes
    side work only once no item is left to start, e.g. while the fifth of five
    seeds trains alone.  Whoever hands work over must take back what no worker
    has started (``Future.cancel()``) and do it itself, so nothing waits on a
    busy pool.
    """
    return _helper.get()


def worker() -> ThreadPoolExecutor | None:
    """The engine's one worker thread, or ``None`` where a second thread cannot help.

    ``None`` with one usable CPU, with ``COURSE_ENGINE_THREADS=1``, without
    threadpoolctl (two threads would then each run a full set of BLAS threads),
    or where threads cannot be started (a browser-based Python kernel).
    """
    global _pool, _pool_pid, _pool_failed
    if threads_allowed() < 2:
        return None
    with _lock:
        if _pool is not None and _pool_pid != os.getpid():
            _pool = None  # a forked child: the parent's thread does not exist here
        if _pool is None and not _pool_failed:
            if ThreadpoolController is None or usable_cpus() < 2:
                _pool_failed = True
            else:
                try:
                    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="course-engine")
                    pool.submit(int).result()  # fails here, not later, where threads are unavailable
                except RuntimeError:
                    _pool_failed = True
                else:
                    _pool, _pool_pid = pool, os.getpid()
        return _pool
