"""Keep finished runs on disk, so the same settings and seed are trained once (opt-in).

Set ``COURSE_RUN_CACHE=<folder>`` and :func:`course.experiments.train_lecture_net`
(and ``sweep``, and every seed of ``seeds=``) and
:func:`course.lecture_loop.train_lecture_loop` look there before training and
store what they trained.  The test suite sets it to a fresh folder per session,
so the unit tests and both editions of every notebook share their lecture runs;
unset (the default for a learner), nothing is read or written.

A run is stored as ``<key>.json`` (the :class:`~common.trainer.History`, plain
JSON) and ``<key>.npz`` (the trained parameters, read back with
``allow_pickle=False``; no pickle anywhere).  The key (:func:`key_for`) is a
SHA-256 over everything the result depends on, the source of the modules that
train included (:data:`_SOURCES`); runs whose result cannot be pinned down are
never cached.  Files are written to a temporary name and renamed, so a reader
never sees half an entry; an unreadable entry counts as a miss and is
overwritten.  Processes sharing the folder (pytest-xdist workers, notebook
kernels) :func:`claim` a key around look-up, training and storing, so a run is
trained once even when two of them want it at the same time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover  (Windows)
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:  # everywhere but Windows
    msvcrt = None  # type: ignore[assignment]

import numpy as np

from common.trainer import History

ENV = "COURSE_RUN_CACHE"
FORMAT = 1

# the modules whose code decides a run's numbers (their source is part of the key), by path from the
# folder that holds the two packages; a package's name stands for every .py file in it
_SOURCES = (
    "common/_validation.py", "common/datasets.py", "common/functions.py", "common/layers.py", "common/multi_layer_net.py",
    "common/optimizer.py", "common/regularizers.py", "common/trainer.py",
    "course/augment.py", "course/engine", "course/experiments.py", "course/lecture_loop.py", "course/proximal.py",
    "course/run_cache.py",
)
_ROOT = Path(__file__).resolve().parent.parent

STALE_SECONDS = 600.0
"""Without ``fcntl`` or ``msvcrt``, a lock file this old is presumed left behind by a holder that died."""

_code_hash: str | None = None

stats = {"hits": 0, "misses": 0, "stored": 0, "uncacheable": 0, "waited": 0}
"""Counters for this process (tests and the curious read them)."""


def directory() -> Path | None:
    """The cache folder from ``COURSE_RUN_CACHE`` (created if missing), or ``None`` when unset or empty."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_files() -> list[Path]:
    """The files behind :data:`_SOURCES`, in a fixed order (``FileNotFoundError`` if one is missing)."""
    files: list[Path] = []
    for name in _SOURCES:
        path = _ROOT.joinpath(*name.split("/"))
        if path.is_dir():
            files.extend(sorted(path.glob("*.py")))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"run_cache._SOURCES names {name}, which is not at {path}")
    return files


def code_hash() -> str:
    """SHA-256 of the source of the modules that take part in training (once per process)."""
    global _code_hash
    if _code_hash is None:
        digest = hashlib.sha256()
        for path in source_files():
            digest.update(path.relative_to(_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
        _code_hash = digest.hexdigest()
    return _code_hash


def data_hash(data: tuple) -> str:
    """SHA-256 of ``((x_train, t_train), (x_test, t_test))``: dtype, shape and bytes of each array."""
    digest = hashlib.sha256()
    (x_train, t_train), (x_test, t_test) = data
    for array in (x_train, t_train, x_test, t_test):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _fresh(optimizer: Any) -> bool:
    """An optimizer instance that has not stepped yet: only numbers and strings, no state arrays."""
    if getattr(optimizer, "iter", 0):
        return False
    return all(v is None or isinstance(v, (bool, int, float, str)) for v in vars(optimizer).values())


@functools.lru_cache(maxsize=1)  # the kernel is chosen once, when the library loads
def blas_kernel() -> str:
    """The BLAS library and the kernel family it chose for this CPU, e.g. ``"openblas 0.3.31 Haswell"``.

    Float32 sums differ in their last bits between kernel families (Haswell's vs
    SkylakeX's, say), and over 200 epochs of SGD such bits grow into different
    curves, so a run's numbers belong to the kernel that produced them.
    """
    found = [f"{lib.get('internal_api')} {lib.get('version')} {lib.get('architecture')}" for lib in _blas_libraries()]
    return "; ".join(found) or "unknown"


def _blas_libraries() -> list[dict[str, Any]]:
    """threadpoolctl's description of each loaded BLAS (none without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return []
    return [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in _blas_libraries()]


def key_for(config: Any, *, data: tuple, engine: bool, extra: dict[str, Any] | None = None) -> str | None:
    """The cache key of one run, or ``None`` when caching is off or the run cannot be cached.

    The key is a SHA-256 over everything the result depends on: every setting of
    the :class:`~course.experiments.LectureConfig`, a hash of the training and
    test arrays themselves (the shipped digits or any ``data=`` passed), which
    trainer ran it (engine or reference; for the reference also its BLAS thread
    count, which changes its float32 sums), the BLAS kernel (:func:`blas_kernel`),
    the package version, NumPy's version,
    and a hash of the source of every module that takes part in training.  A
    change to any of them is a different key (the old entry is simply not read
    again).  Runs whose result cannot be pinned down are never cached: a
    ``callback`` (it may do anything), an ``augment`` without ``as_dict()``, or an
    optimizer instance that has already taken steps.
    """
    if directory() is None:
        return None
    if config.augment is not None and not hasattr(config.augment, "as_dict"):
        stats["uncacheable"] += 1
        return None
    if not isinstance(config.optimizer, str) and not _fresh(config.optimizer):
        stats["uncacheable"] += 1
        return None
    return _key({
        "config": config.to_dict(),
        "augment_class": None if config.augment is None else type(config.augment).__qualname__,
        "data": data_hash(data),
        "trainer": "engine" if engine else {"reference": True, "blas_threads": _blas_threads()},
        **(extra or {}),
    })


def key_for_settings(kind: str, settings: dict[str, Any], *, data: tuple) -> str | None:
    """The cache key of a run described by plain ``settings`` (e.g. ``course.lecture_loop``'s), or ``None``."""
    if directory() is None:
        return None
    return _key({"kind": kind, "settings": settings, "data": data_hash(data)})


def _key(parts: dict[str, Any]) -> str | None:
    """SHA-256 of ``parts`` plus the format and the package, NumPy and code versions; ``None`` if not plain data."""
    from common import __version__

    parts = {"format": FORMAT, "common": __version__, "numpy": np.__version__, "code": code_hash(),
             "blas": blas_kernel(), **parts}
    try:
        text = json.dumps(parts, sort_keys=True, allow_nan=True)
    except (TypeError, ValueError):  # a setting that is not plain data
        stats["uncacheable"] += 1
        return None
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _paths(key: str) -> tuple[Path, Path]:
    folder = directory()
    assert folder is not None
    return folder / f"{key}.json", folder / f"{key}.npz"


def load(key: str, make_network: Callable[[], Any], history_class: type[History] = History) -> History | None:
    """The stored history of ``key`` with ``history.network`` rebuilt, or ``None`` (a miss).

    ``make_network()`` builds the untrained network of the same settings; its
    parameters are overwritten with the stored ones.  ``history_class``: the
    ``History`` subclass that was stored (e.g. ``LoopHistory``).
    """
    json_path, npz_path = _paths(key)
    try:
        entry = json.loads(json_path.read_text(encoding="utf-8"))
        if entry.get("format") != FORMAT:
            raise ValueError("another format")
        history = history_class.from_json(json.dumps(entry["history"]))
        network = make_network()
        if not history.diverged:
            with np.load(npz_path, allow_pickle=False) as stored:
                if sorted(stored.files) != sorted(network.params):
                    raise ValueError("the stored parameters do not fit the network")
                for name, value in network.params.items():
                    np.copyto(value, stored[name])
    except (OSError, ValueError, KeyError, TypeError):
        stats["misses"] += 1
        return None
    history.network = network
    stats["hits"] += 1
    return history


@contextlib.contextmanager
def claim(key: str) -> Iterator[None]:
    """Hold ``key`` for this thread: look it up, and train and store it on a miss, inside.

    Another process or thread that claims the same key waits here until this
    one leaves, and then finds the stored entry (``stats["waited"]`` counts
    such waits).  Claims are not re-entrant: hold one key at a time.

    The lock is ``.<key>.lock`` in the folder: an exclusive ``fcntl.flock``
    where there is ``fcntl`` (Linux, macOS), a ``msvcrt.locking`` byte lock on
    Windows (both dropped by the system if the holder dies), and elsewhere the
    lock file itself, created with ``O_EXCL`` and taken over once it is older
    than :data:`STALE_SECONDS` (its holder is then presumed dead; at worst a
    run is trained twice, as without a lock).
    """
    folder = directory()
    if folder is None:
        yield
        return
    path = folder / f".{key}.lock"
    if fcntl is not None:
        hold = _flock
    elif msvcrt is not None:
        hold = _msvcrt_lock
    else:
        hold = _lock_file
    with hold(path):
        yield


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # someone is training this run right now
            stats["waited"] += 1
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor drops the lock


def _pause(waited: int) -> None:
    time.sleep(min(0.5, 0.01 * 2 ** min(waited, 6)))  # 10 ms, 20 ms, ... at most half a second


@contextlib.contextmanager
def _msvcrt_lock(path: Path) -> Iterator[None]:
    """Windows: a lock on the file's first byte (per handle, so threads wait for each other too)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        waited = 0
        while True:
            os.lseek(fd, 0, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                break
            except OSError:  # held elsewhere (LK_LOCK would give up after 10 s: poll instead)
                if waited == 0:
                    stats["waited"] += 1
                _pause(waited)
                waited += 1
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _lock_file(path: Path) -> Iterator[None]:
    """Anywhere: the lock file exists while held (``O_CREAT | O_EXCL`` creates it for one claimant only)."""
    waited = 0
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            if waited == 0:
                stats["waited"] += 1
            _take_over_if_stale(path)
            _pause(waited)
            waited += 1
    os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _take_over_if_stale(path: Path) -> None:
    """Remove a lock file older than ``STALE_SECONDS`` (renamed first, so only one waiter removes it)."""
    try:
        if time.time() - path.stat().st_mtime < STALE_SECONDS:
            return
        stale = path.with_name(f"{path.name}.stale-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(path, stale)
    except FileNotFoundError:  # released (or taken over) meanwhile
        return
    stale.unlink(missing_ok=True)


def _write_atomic(path: Path, write: Callable[[Any], None], mode: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    try:
        with os.fdopen(fd, mode) as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(key: str, history: History) -> bool:
    """Store ``history`` (and its network's parameters) under ``key``; ``False`` if it cannot be stored."""
    json_path, npz_path = _paths(key)
    try:
        text = json.dumps({"format": FORMAT, "history": history.to_dict()}, allow_nan=True)
    except (TypeError, ValueError):
        stats["uncacheable"] += 1
        return False
    network = history.network
    if not history.diverged:
        params = {name: np.asarray(value) for name, value in network.params.items()}
        # the weights first: an entry exists once its .json does
        _write_atomic(npz_path, lambda handle: np.savez(handle, **params), "wb")
    _write_atomic(json_path, lambda handle: handle.write(text), "w")
    stats["stored"] += 1
    return True


def replay(history: History) -> None:
    """Print what ``verbose=True`` would have printed while training ``history``."""
    for epoch, train_acc, test_acc, loss in zip(history.epoch, history.train_acc, history.test_acc,
                                                history.train_loss):
        print(f"=== epoch:{epoch}, train acc:{train_acc:.4f}, test acc:{test_acc:.4f}, loss:{loss:.4f} ===")
    if history.epoch and not history.diverged:
        print(f"=============== Final Test Accuracy ===============\ntest acc:{history.test_acc[-1]:.4f}")
