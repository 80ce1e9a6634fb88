"""``course.run_cache``: a repeated run is read back, any change of what it depends on is a miss,
and nothing is read or written unless ``COURSE_RUN_CACHE`` is set."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest

from course import engine
from course import experiments
from course import run_cache
from course.augment import Augmenter
from course.experiments import LectureConfig, lecture_data, train_lecture_net
from common.multi_layer_net import MultiLayerNet
from common.optimizer import Momentum
from common.trainer import TrainingDiverged

TINY = dict(epochs=2, n_train=100, n_test=50, hidden_size_list=[20])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(run_cache.ENV, str(tmp_path))
    before = dict(run_cache.stats)
    yield tmp_path, lambda name: run_cache.stats[name] - before[name]


def _entries(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _no_training(monkeypatch):
    def refuse(self):
        raise AssertionError("trained although the run was in the cache")

    monkeypatch.setattr(engine.FastTrainer, "train", refuse)


def test_off_unless_the_variable_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv(run_cache.ENV, raising=False)
    assert run_cache.directory() is None
    before = dict(run_cache.stats)
    train_lecture_net(**TINY)
    assert run_cache.stats == before
    assert run_cache.key_for(LectureConfig(), data=lecture_data(10, 10), engine=True) is None


def test_a_repeated_run_is_read_back_with_its_network(cache, monkeypatch):
    folder, delta = cache
    first = train_lecture_net(0.1, **TINY)
    assert delta("misses") == 1 and delta("stored") == 1
    names = _entries(folder)
    assert len(names) == 2 and {n.rsplit(".", 1)[1] for n in names} == {"json", "npz"}
    _no_training(monkeypatch)
    again = train_lecture_net(0.1, **TINY)
    assert delta("hits") == 1
    assert again == first and again.seconds == first.seconds  # the stored run, not a new one
    assert isinstance(again.network, MultiLayerNet)
    for key, value in first.network.params.items():
        np.testing.assert_array_equal(again.network.params[key], value)
    # plain JSON and an npz that loads without pickle
    stored = json.loads((folder / names[0]).read_text())
    assert stored["format"] == run_cache.FORMAT and stored["history"]["test_acc"] == first.test_acc
    with np.load(folder / names[1], allow_pickle=False) as weights:
        assert sorted(weights.files) == sorted(first.network.params)


def test_every_ingredient_of_the_result_changes_the_key(cache, monkeypatch):
    config = LectureConfig(**{**TINY, "hidden_size_list": (20,)})
    data = lecture_data(100, 50)
    key = run_cache.key_for(config, data=data, engine=True)
    assert key == run_cache.key_for(LectureConfig(**TINY), data=lecture_data(100, 50), engine=True)
    other_data = ((data[0][0].copy(), data[0][1]), data[1])
    other_data[0][0][0, 300] += 0.5
    keys = {
        run_cache.key_for(config.replace(lr=0.02), data=data, engine=True),
        run_cache.key_for(config.replace(seed=1), data=data, engine=True),
        run_cache.key_for(config.replace(augment=Augmenter(shift=1)), data=data, engine=True),
        run_cache.key_for(config.replace(augment=Augmenter(shift=2)), data=data, engine=True),
        run_cache.key_for(config, data=other_data, engine=True),
        run_cache.key_for(config, data=data, engine=False),
    }
    monkeypatch.setattr(run_cache, "_code_hash", "edited")
    keys.add(run_cache.key_for(config, data=data, engine=True))
    monkeypatch.setattr("common.__version__", "9.9")
    keys.add(run_cache.key_for(config, data=data, engine=True))
    monkeypatch.setattr(run_cache, "blas_kernel", lambda: "openblas 0.3.31 SomeOtherCore")
    keys.add(run_cache.key_for(config, data=data, engine=True))  # another kernel sums float32 in another order
    assert None not in keys and key not in keys and len(keys) == 9


def test_the_blas_kernel_names_library_version_and_core():
    # e.g. "openblas 0.3.31.188.0 Haswell"; "unknown" where threadpoolctl finds no BLAS it knows
    assert re.fullmatch(r"\S+ \S+ \S+(; \S+ \S+ \S+)*|unknown", run_cache.blas_kernel()), run_cache.blas_kernel()


def test_a_changed_setting_is_a_miss(cache):
    _, delta = cache
    train_lecture_net(0.1, **TINY)
    train_lecture_net(0.2, **TINY)
    assert delta("misses") == 2 and delta("hits") == 0


def test_what_cannot_be_pinned_down_is_never_cached(cache):
    folder, delta = cache
    data = lecture_data(100, 50)
    train_lecture_net(**TINY, callback=lambda h: None)
    assert _entries(folder) == []
    assert run_cache.key_for(LectureConfig(augment=lambda x, rng: x), data=data, engine=True) is None
    used = Momentum(lr=0.1)
    used.update({"W": np.ones(2)}, {"W": np.ones(2)})
    assert run_cache.key_for(LectureConfig(optimizer=used), data=data, engine=True) is None
    assert run_cache.key_for(LectureConfig(optimizer=Momentum(lr=0.1)), data=data, engine=True) is not None
    assert delta("uncacheable") == 2


def test_a_broken_entry_is_a_miss_and_is_rewritten(cache):
    folder, delta = cache
    first = train_lecture_net(**TINY)
    json_file = next(folder.glob("*.json"))
    json_file.write_text("{not json")
    again = train_lecture_net(**TINY)
    assert delta("misses") == 2 and delta("stored") == 2
    assert again.test_acc == first.test_acc
    assert json.loads(json_file.read_text())["format"] == run_cache.FORMAT
    next(folder.glob("*.npz")).unlink()  # weights gone: a miss as well
    train_lecture_net(**TINY)
    assert delta("misses") == 3


def test_a_diverged_run_is_cached_and_raised_again(cache, monkeypatch):
    _, delta = cache
    settings = dict(lr=50.0, epochs=4, n_train=100, hidden_size_list=[30, 30])
    with pytest.raises(TrainingDiverged) as first:
        train_lecture_net(**settings)
    _no_training(monkeypatch)
    with pytest.raises(TrainingDiverged) as again:
        train_lecture_net(**settings)
    assert str(again.value) == str(first.value) and delta("hits") == 1
    assert again.value.history.epoch == first.value.history.epoch


def test_seeds_share_runs_with_single_seed_calls(cache, monkeypatch):
    _, delta = cache
    runs = train_lecture_net(0.1, **TINY, seeds=[0, 1])
    _no_training(monkeypatch)
    assert train_lecture_net(0.1, **TINY, seed=1) == runs.histories[1]
    assert delta("hits") == 1


def test_verbose_replays_the_epoch_lines(cache, capsys):
    train_lecture_net(**TINY, verbose=True)
    printed = capsys.readouterr().out
    train_lecture_net(**TINY, verbose=True)
    assert capsys.readouterr().out == printed and "epoch:2" in printed


def test_a_callers_optimizer_object_is_trained_even_when_the_run_is_cached(tmp_path, monkeypatch):
    from course.experiments import train_lecture_net
    from common.optimizer import Adam

    monkeypatch.setenv(run_cache.ENV, str(tmp_path))
    settings = dict(n_train=100, n_test=100, epochs=2, hidden_size_list=(20,), seed=0)
    train_lecture_net(optimizer=Adam(lr=0.001), **settings)
    again = Adam(lr=0.001)
    train_lecture_net(optimizer=again, **settings)
    assert again.iter > 0, "the run must train the optimizer the caller passed"


def test_the_lecture_loop_is_read_back_too_and_a_changed_switch_is_a_miss(cache, monkeypatch):
    from course import lecture_loop
    from course.lecture_loop import LoopHistory, train_lecture_loop

    _, delta = cache
    loop = dict(regularization="l2", weight_decay_lambda=0.1, iters_num=20, plot_interval=10, n_train=100, n_test=50,
                hidden_size_list=[20])
    first = train_lecture_loop(**loop)
    assert delta("stored") == 1

    def refuse(*args, **kwargs):
        raise AssertionError("trained although the run was in the cache")

    monkeypatch.setattr(lecture_loop, "_plain_loop", refuse)  # either loop, engine or not
    monkeypatch.setattr(lecture_loop, "fused_lecture_loop", refuse)
    again = train_lecture_loop(**loop)
    assert delta("hits") == 1 and isinstance(again, LoopHistory)
    assert again == first and again.displayed_loss == first.displayed_loss and again.objective == first.objective
    for key, value in first.network.params.items():
        np.testing.assert_array_equal(again.network.params[key], value)
    monkeypatch.undo()
    monkeypatch.setenv(run_cache.ENV, str(cache[0]))
    other = train_lecture_loop(**{**loop, "penalty_with_sqrt": False})  # one of the lecture's quirks switched
    assert delta("hits") == 1 and delta("stored") == 2 and other.displayed_loss != first.displayed_loss


def test_a_run_being_trained_elsewhere_is_waited_for_not_trained_again(cache, monkeypatch):
    import threading

    folder, delta = cache
    key = run_cache.key_for(LectureConfig(0.1, **TINY), data=lecture_data(100, 50), engine=True)
    holding, release, entered = threading.Event(), threading.Event(), threading.Event()

    def trainer():  # holds the claim while it trains and stores, as _train_one does on a miss
        with run_cache.claim(key):
            holding.set()
            release.wait(10)
            experiments._train_and_store(LectureConfig(0.1, **TINY), key, data=lecture_data(100, 50), callback=None,
                                         verbose=False, engine=True)

    def other():
        train_lecture_net(0.1, **TINY)
        entered.set()

    first = threading.Thread(target=trainer)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=other)
    second.start()
    assert not entered.wait(0.5), "the second caller did not wait for the run being trained"
    release.set()
    first.join(30)
    second.join(30)
    assert entered.is_set()
    assert delta("waited") == 1
    assert delta("stored") == 1 and delta("hits") == 1, "the second caller read the entry instead of training"


def test_a_claim_without_the_cache_holds_nothing(monkeypatch):
    monkeypatch.delenv(run_cache.ENV, raising=False)
    before = run_cache.stats["waited"]
    with run_cache.claim("anything"):
        with run_cache.claim("anything"):  # no folder, no lock: nothing to wait for (a lock would hang here)
            pass
    assert run_cache.stats["waited"] == before


# ---------------------------------------------------------------- what the key hashes


# imported while training but deciding no number: the package's own name (its version is in the key
# on its own), the numerical gradient (checks only), the catalogues (words) and the seed summaries
NOT_IN_THE_KEY = {"common", "common.gradient", "course", "course.i18n", "course.i18n.locale_en",
                  "course.i18n.locale_ja", "course.seeds"}


def test_every_source_of_the_key_is_there_and_every_module_that_trains_is_a_source():
    import subprocess
    import sys

    files = run_cache.source_files()
    assert len(files) == len(set(files)) and all(f.is_file() for f in files)
    hashed = {f.relative_to(run_cache._ROOT).as_posix() for f in files}
    for name in run_cache._SOURCES:  # each listed path exists (a folder stands for its .py files)
        assert name in hashed or any(h.startswith(name + "/") for h in hashed), name
    assert {"course/engine/fused.py", "course/engine/lecture.py", "course/engine/trainer.py",
            "common/layers.py", "common/trainer.py"} <= hashed
    # every module a run imports, in a fresh interpreter (this process has imported much more)
    script = (
        "import sys\n"
        "from course.experiments import train_lecture_net\n"
        "from course.lecture_loop import lecture_loop_seeds\n"
        "train_lecture_net(0.1, epochs=1, n_train=100, n_test=50, hidden_size_list=[20], seeds=[0, 1])\n"
        "lecture_loop_seeds([0, 1], iters_num=10, n_train=100, n_test=50, regularization='l1',"
        " weight_decay_lambda=0.005, use_dropout=True)\n"
        "for name, module in sorted(sys.modules.items()):\n"
        "    if name.split('.')[0] in ('common', 'course'):\n"
        "        print(name, module.__file__)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        name, path = line.split(" ", 1)
        if name not in NOT_IN_THE_KEY:
            from pathlib import Path

            assert Path(path).resolve().relative_to(run_cache._ROOT).as_posix() in hashed, name


def test_a_missing_source_is_an_error_not_a_silent_hash(monkeypatch):
    monkeypatch.setattr(run_cache, "_SOURCES", (*run_cache._SOURCES, "course/no_such_module.py"))
    with pytest.raises(FileNotFoundError, match="no_such_module"):
        run_cache.source_files()


# ---------------------------------------------------------------- claims without fcntl


class _FakeMsvcrt:
    """``msvcrt.locking``'s contract (a non-blocking byte lock per handle), built on flock for the test."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self):
        import fcntl

        self._fcntl = fcntl
        self.calls = []

    def locking(self, fd, mode, nbytes):
        assert nbytes == 1 and os.lseek(fd, 0, os.SEEK_CUR) == 0, "lock and unlock the first byte"
        self.calls.append(mode)
        flock = self._fcntl
        try:
            flock.flock(fd, flock.LOCK_UN if mode == self.LK_UNLCK else flock.LOCK_EX | flock.LOCK_NB)
        except BlockingIOError as exc:
            raise PermissionError(13, "Permission denied") from exc  # what Windows raises


@pytest.mark.parametrize("fallback", ["msvcrt", "lock file"])
def test_two_claimants_wait_for_each_other_without_fcntl(cache, monkeypatch, fallback):
    """Where fcntl is missing (Windows, or nowhere at all) a second claimant still waits for the first."""
    import threading
    import time

    folder, delta = cache
    fake = _FakeMsvcrt() if fallback == "msvcrt" else None
    monkeypatch.setattr(run_cache, "fcntl", None)
    monkeypatch.setattr(run_cache, "msvcrt", fake)
    holding, release = threading.Event(), threading.Event()
    events = []

    def first():
        with run_cache.claim("k"):
            events.append("first in")
            holding.set()
            release.wait(10)
            events.append("first out")

    def second():
        with run_cache.claim("k"):
            events.append("second in")

    a = threading.Thread(target=first)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=second)
    b.start()
    time.sleep(0.5)
    assert events == ["first in"], "the second claimant did not wait"
    release.set()
    a.join(10)
    b.join(10)
    assert events == ["first in", "first out", "second in"]
    assert delta("waited") == 1
    with run_cache.claim("other"):  # a different key is not held up
        pass
    if fake is not None:
        assert fake.calls.count(_FakeMsvcrt.LK_UNLCK) == 3  # every lock taken was given back
    else:
        assert not list(folder.glob(".*.lock")), "a lock file was left behind"


def test_a_lock_file_left_by_a_dead_holder_is_taken_over(cache, monkeypatch):
    import threading

    folder, delta = cache
    monkeypatch.setattr(run_cache, "fcntl", None)
    monkeypatch.setattr(run_cache, "msvcrt", None)
    lock = folder / ".k.lock"
    lock.write_text("")
    old = lock.stat().st_mtime - run_cache.STALE_SECONDS - 1
    os.utime(lock, (old, old))
    done = threading.Event()

    def claimant():
        with run_cache.claim("k"):
            done.set()

    threading.Thread(target=claimant, daemon=True).start()
    assert done.wait(10), "a stale lock file was not taken over"
    assert delta("waited") == 1
    fresh = folder / ".j.lock"
    fresh.write_text("")  # a fresh one is someone training right now: it is waited for
    entered = threading.Event()

    def waiter():
        with run_cache.claim("j"):
            entered.set()

    threading.Thread(target=waiter, daemon=True).start()
    assert not entered.wait(0.5)
    fresh.unlink()
    assert entered.wait(10)
