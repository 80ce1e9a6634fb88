"""course.lecture_loop: the lecture notebook's loop, each quirk a switch that does what it claims.

Every equivalence test writes the lecture's loop out by hand (as its cells
do, with the seeded generators ``train_lecture_loop`` documents) and demands
the same numbers, so a switch that stops doing its job fails here.
Runs are cut to a few dozen iterations and 200 test digits to stay quick.
"""

from __future__ import annotations

import contextlib
import json
import math
import warnings

import numpy as np
import pytest

from common import optimizer
from course.experiments import lecture_data, make_lecture_trainer
from course.lecture_loop import LECTURE_CELLS, LoopHistory, _batches, lecture_loop_seeds, train_lecture_loop, zigzag
from common.multi_layer_net import MultiLayerNet
from course.seeds import SeedRuns
from common.trainer import History

try:  # installed with scikit-learn (requirements-test.txt)
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Batch-100 products gain nothing from BLAS threads; spinning threads slow a busy machine down."""
    with (threadpool_limits(limits=1, user_api="blas") if threadpool_limits else contextlib.nullcontext()):
        yield


@pytest.fixture(scope="module")
def data():
    return lecture_data(300, 200)


def reference_loop(data, *, seed, iters_num, regularization="none", lam=0.0, learning_rate=0.01,
                   use_dropout=False, dropout_ratio=0.15, network_lambda=0.0, use_optimizer=False,
                   with_sqrt=True, plot_interval=10):
    """The lecture's cells written out: optimizer.update over all layers, or the hand loop over hidden layers."""
    (x_train, d_train), (x_test, d_test) = data
    init_rng, batch_rng = np.random.default_rng(seed).spawn(2)
    network = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10,
                            weight_decay_lambda=network_lambda, use_dropout=use_dropout,
                            dropout_ratio=dropout_ratio, dropout_inverted=False, rng=init_rng)
    sgd = optimizer.SGD(learning_rate=learning_rate)
    train_size, batch_size = x_train.shape[0], 100
    losses, acc_train, acc_test = [], [], []
    for i in range(iters_num):
        batch_mask = batch_rng.choice(train_size, batch_size)
        x_batch, d_batch = x_train[batch_mask], d_train[batch_mask]
        grad = network.gradient(x_batch, d_batch)
        if use_optimizer:
            sgd.update(network.params, grad)
            loss = network.loss(x_batch, d_batch)
        else:
            weight_decay = 0
            for idx in range(1, network.hidden_layer_num + 1):
                penalty_grad = 0.0
                if regularization == "l2":
                    penalty_grad = lam * network.params['W' + str(idx)]
                elif regularization == "l1":
                    penalty_grad = lam * np.sign(network.params['W' + str(idx)])
                grad['W' + str(idx)] = network.layers['Affine' + str(idx)].dW + penalty_grad
                grad['b' + str(idx)] = network.layers['Affine' + str(idx)].db
                network.params['W' + str(idx)] -= learning_rate * grad['W' + str(idx)]
                network.params['b' + str(idx)] -= learning_rate * grad['b' + str(idx)]
                W = network.params['W' + str(idx)]
                if regularization == "l2":
                    weight_decay += 0.5 * lam * (np.sqrt(np.sum(W.astype(np.float64) ** 2)) if with_sqrt
                                                 else np.sum(W.astype(np.float64) ** 2))
                elif regularization == "l1":
                    weight_decay += lam * np.sum(np.abs(W.astype(np.float64)))
            loss = network.loss(x_batch, d_batch) + weight_decay
        losses.append(loss)
        if (i + 1) % plot_interval == 0:
            acc_train.append(network.accuracy(x_train, d_train))
            acc_test.append(network.accuracy(x_test, d_test))
    return network, losses, acc_train, acc_test


# ---------------------------------------------------------------- the switches reproduce the cells


@pytest.mark.parametrize("cell", ["l2", "l1", "dropout_l1"])
def test_hand_written_cells_are_reproduced(data, cell):
    settings = LECTURE_CELLS[cell]
    history = train_lecture_loop(**settings, seed=3, data=data, iters_num=30)
    network, losses, acc_train, acc_test = reference_loop(
        data, seed=3, iters_num=30, regularization=settings["regularization"],
        lam=settings["weight_decay_lambda"], learning_rate=settings["learning_rate"],
        use_dropout=settings.get("use_dropout", False), dropout_ratio=settings.get("dropout_ratio", 0.15),
    )
    assert history.train_acc == acc_train and history.test_acc == acc_test
    np.testing.assert_allclose(history.displayed_loss, losses, rtol=1e-6)
    for key, value in network.params.items():
        np.testing.assert_array_equal(history.network.params[key], value)


@pytest.mark.parametrize("cell", ["no_regularization", "dropout"])
def test_optimizer_cells_are_reproduced(data, cell):
    """optimizer.SGD.update over every layer, with the network's own λ (the dropout cell's leftover)."""
    settings = LECTURE_CELLS[cell]
    history = train_lecture_loop(**settings, seed=4, data=data, iters_num=30)
    network, losses, acc_train, acc_test = reference_loop(
        data, seed=4, iters_num=30, use_optimizer=True, learning_rate=settings["learning_rate"],
        network_lambda=settings.get("weight_decay_lambda", 0.0), use_dropout=settings.get("use_dropout", False),
        dropout_ratio=settings.get("dropout_ratio", 0.15),
    )
    assert history.train_acc == acc_train and history.test_acc == acc_test
    # the displayed loss is network.loss: ½·λ·ΣW² over all seven layers, no square root
    np.testing.assert_allclose(history.displayed_loss, losses, rtol=1e-6)
    for key, value in network.params.items():
        np.testing.assert_allclose(history.network.params[key], value, rtol=1e-6, atol=1e-7)


def test_every_lecture_cell_runs():
    assert set(LECTURE_CELLS) == {"no_regularization", "l2", "l1", "dropout", "dropout_l1"}
    for settings in LECTURE_CELLS.values():
        history = train_lecture_loop(**settings, seed=0, iters_num=10, n_test=100)
        assert history.epoch == [10] and history.diverged is None


# ---------------------------------------------------------------- each switch


def test_update_output_layer_false_leaves_the_output_layer_at_its_initial_values(data):
    history = train_lecture_loop(regularization="l2", weight_decay_lambda=0.1, seed=2, data=data, iters_num=40)
    initial, _ = make_lecture_trainer(seed=2, data=data)  # the same initial weights for the same seed
    np.testing.assert_array_equal(history.network.params["W7"], initial.params["W7"])
    np.testing.assert_array_equal(history.network.params["b7"], 0.0)
    assert not np.array_equal(history.network.params["W6"], initial.params["W6"])
    moved = train_lecture_loop(regularization="l2", weight_decay_lambda=0.1, seed=2, data=data,
                               update_output_layer=True, iters_num=40)
    assert not np.array_equal(moved.network.params["W7"], initial.params["W7"])
    assert np.any(moved.network.params["b7"] != 0)


def test_penalty_with_sqrt_shows_a_different_loss_than_the_one_minimized(data):
    shown = train_lecture_loop(regularization="l2", weight_decay_lambda=0.1, seed=1, data=data, iters_num=20)
    network = shown.network
    hidden = [network.params[f"W{i}"].astype(np.float64) for i in range(1, 7)]
    with_sqrt = sum(0.5 * 0.1 * math.sqrt(float(np.sum(w**2))) for w in hidden)
    minimized = sum(0.5 * 0.1 * float(np.sum(w**2)) for w in hidden)
    assert shown.displayed_loss[-1] - shown.objective[-1] == pytest.approx(with_sqrt - minimized, rel=1e-5)
    assert shown.objective[-1] - shown.displayed_loss[-1] > 5.0  # ΣW² ≫ sqrt(ΣW²) for these weights
    assert shown.penalty[-1] == pytest.approx(minimized, rel=1e-5)
    plain = train_lecture_loop(regularization="l2", weight_decay_lambda=0.1, seed=1, data=data, iters_num=20,
                               penalty_with_sqrt=False)
    assert plain.displayed_loss == plain.objective
    # the switch changes only what is shown, never the training
    assert plain.train_acc == shown.train_acc and plain.objective == shown.objective
    l1 = train_lecture_loop(regularization="l1", weight_decay_lambda=0.005, seed=1, data=data, iters_num=20)
    assert l1.displayed_loss == l1.objective  # no square root in the L1 cells


def test_record_displayed_loss_false_skips_only_the_record(data):
    """The switch saves the extra forward pass; the training and every scored number stay the same."""
    kept = train_lecture_loop(**LECTURE_CELLS["dropout_l1"], seed=2, data=data, iters_num=30)
    skipped = train_lecture_loop(**LECTURE_CELLS["dropout_l1"], seed=2, data=data, iters_num=30,
                                 record_displayed_loss=False)
    assert skipped.displayed_loss == [] and skipped.objective == []
    assert len(kept.displayed_loss) == 30
    for key in ("train_acc", "test_acc", "train_loss", "penalty", "weight_norm", "sparsity"):
        assert getattr(skipped, key) == getattr(kept, key), key
    for name, value in kept.network.params.items():
        np.testing.assert_array_equal(skipped.network.params[name], value)
    assert skipped.settings["record_displayed_loss"] is False


def test_plot_interval_does_not_change_the_training(data):
    """Scoring draws no random numbers: a run scored every 10 or every 30 iterations trains the same."""
    fine = train_lecture_loop(**LECTURE_CELLS["dropout"], seed=1, data=data, iters_num=30, plot_interval=10)
    coarse = train_lecture_loop(**LECTURE_CELLS["dropout"], seed=1, data=data, iters_num=30, plot_interval=30)
    assert coarse.epoch == [30] and coarse.test_acc == fine.test_acc[-1:]
    for name, value in fine.network.params.items():
        np.testing.assert_array_equal(coarse.network.params[name], value)


def test_zigzag_measures_the_jumps_of_the_second_half():
    h = History(train_acc=[0.0, 0.0, 0.5, 0.4, 0.6])
    assert zigzag(h) == pytest.approx(0.15)          # |0.4 − 0.5| and |0.6 − 0.4| from the middle on
    assert zigzag(h, second_half=False) == pytest.approx((0.0 + 0.5 + 0.1 + 0.2) / 4)
    assert zigzag(History(train_acc=[0.3] * 10)) == 0.0
    assert math.isnan(zigzag(History(train_acc=[0.5])))
    assert math.isnan(zigzag(History(train_acc=[0.1, 0.9, 0.1, 0.9], diverged="blew up")))
    with pytest.raises(TypeError, match="history"):
        zigzag([0.1, 0.2])


def test_zigzag_of_the_l1_cell_beats_the_no_regularization_cell(data):
    """The lecture's L1 cell (lr 0.1) jumps between points; the plain cell's curve is smooth (see notebook 10)."""
    l1 = train_lecture_loop(**LECTURE_CELLS["l1"], seed=0, data=data, iters_num=300, record_displayed_loss=False)
    plain = train_lecture_loop(**LECTURE_CELLS["no_regularization"], seed=0, data=data, iters_num=300,
                               record_displayed_loss=False)
    assert zigzag(l1) > 0.05 > zigzag(plain)


def test_batches_with_and_without_replacement():
    rng = np.random.default_rng(0)
    with_replacement = _batches(rng, 300, 100, True)
    batches = [next(with_replacement) for _ in range(3)]
    # 100 draws out of 300 with replacement repeat a digit with probability 1 - 300!/(200!·300^100) ≈ 1
    assert all(len(np.unique(b)) < 100 for b in batches)
    np.testing.assert_array_equal(batches[0], np.random.default_rng(0).choice(300, 100))
    without = _batches(np.random.default_rng(0), 300, 100, False)
    for _ in range(2):  # every pass of three batches uses each digit exactly once
        epoch = np.concatenate([next(without) for _ in range(3)])
        np.testing.assert_array_equal(np.sort(epoch), np.arange(300))
    uneven = _batches(np.random.default_rng(0), 250, 100, False)
    assert [len(next(uneven)) for _ in range(4)] == [100, 100, 50, 100]


def test_sample_with_replacement_switch_changes_the_run(data):
    a = train_lecture_loop(seed=0, data=data, iters_num=30)
    b = train_lecture_loop(seed=0, data=data, iters_num=30, sample_with_replacement=False)
    assert a.displayed_loss != b.displayed_loss


def test_dropout_inverted_switch(data):
    book = train_lecture_loop(use_dropout=True, dropout_ratio=0.15, seed=0, data=data, iters_num=20)
    inverted = train_lecture_loop(use_dropout=True, dropout_ratio=0.15, dropout_inverted=True, seed=0, data=data,
                                  iters_num=20)
    assert book.network.layers["Dropout1"].inverted is False
    assert inverted.network.layers["Dropout1"].inverted is True
    assert book.settings["dropout_inverted"] is False and inverted.settings["dropout_inverted"] is True
    assert book.displayed_loss != inverted.displayed_loss
    off = train_lecture_loop(seed=0, data=data, iters_num=20)
    assert "Dropout1" not in off.network.layers


def test_regularization_switch(data):
    runs = {reg: train_lecture_loop(regularization=reg, weight_decay_lambda=0.0 if reg == "none" else 0.05,
                                    learning_rate=0.1, seed=0, data=data, iters_num=40)
            for reg in ("none", "l2", "l1")}
    # same seed, same batches: only the penalty differs, and it pulls the weights in
    norms = {reg: h.weight_norm[-1] for reg, h in runs.items()}
    assert norms["l1"] < norms["none"] and norms["l2"] < norms["none"]
    assert runs["none"].penalty == [0.0] * 4
    assert runs["l1"].sparsity[-1] > runs["none"].sparsity[-1]


# ---------------------------------------------------------------- the record


def test_history_layout_and_determinism(data, monkeypatch):
    monkeypatch.delenv("COURSE_RUN_CACHE", raising=False)  # the second run must really train
    a = train_lecture_loop(seed=5, data=data, iters_num=50, plot_interval=10)
    assert isinstance(a, LoopHistory)
    assert a.epoch == [10, 20, 30, 40, 50]
    for key in ("train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
                "weight_norm", "sparsity", "seconds"):
        assert len(getattr(a, key)) == 5, key
    assert len(a.displayed_loss) == len(a.objective) == 50
    assert a.settings["seed"] == 5 and a.settings["loop"] == "lecture" and a.settings["n_train"] == 300
    b = train_lecture_loop(seed=5, data=data, iters_num=50, plot_interval=10)
    assert (a.train_acc, a.test_acc, a.displayed_loss) == (b.train_acc, b.test_acc, b.displayed_loss)
    c = train_lecture_loop(seed=6, data=data, iters_num=50, plot_interval=10)
    assert c.displayed_loss != a.displayed_loss
    restored = LoopHistory.from_json(a.to_json())
    assert restored.displayed_loss == a.displayed_loss and restored.epoch == a.epoch
    json.loads(a.to_json())  # plain JSON, no pickle


def test_train_data_loss_matches_the_networks_loss(data):
    h = train_lecture_loop(seed=0, data=data, iters_num=10)
    (x_train, t_train), (x_test, t_test) = data
    assert h.train_data_loss[-1] == pytest.approx(h.network.loss(x_train, t_train), rel=1e-5)
    assert h.test_loss[-1] == pytest.approx(h.network.loss(x_test, t_test), rel=1e-5)
    assert h.train_acc[-1] == h.network.accuracy(x_train, t_train)


def test_a_blown_up_run_stops_with_a_note_and_no_warning(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train_lecture_loop(regularization="l2", weight_decay_lambda=0.1, learning_rate=30.0, seed=0,
                               data=data, iters_num=200, update_output_layer=True)
    assert h.diverged is not None and "learning_rate" in h.diverged
    assert len(h.epoch) < 20


def test_run_seeds_compatible(data):
    runs = lecture_loop_seeds([0, 1, 2], data=data, iters_num=20, regularization="l1", weight_decay_lambda=0.005)
    assert isinstance(runs, SeedRuns)
    assert runs.seeds == (0, 1, 2) and runs.values("test_acc").shape == (3, 2)
    assert runs.settings["regularization"] == "l1" and "seed" not in runs.settings
    np.testing.assert_array_equal(runs.epoch, [10, 20])
    assert runs.values("train_acc")[1].tolist() == train_lecture_loop(
        seed=1, data=data, iters_num=20, regularization="l1", weight_decay_lambda=0.005).train_acc
    with pytest.raises(TypeError, match="seeds="):
        lecture_loop_seeds([0], seed=1)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(regularization="l3"), ValueError, "regularization"),
        (dict(weight_decay_lambda=0.1), ValueError, "regularization='none'"),
        (dict(learning_rate=0.0), ValueError, "learning_rate"),
        (dict(use_dropout="yes"), TypeError, "use_dropout"),
        (dict(update_output_layer=1), TypeError, "update_output_layer"),
        (dict(record_displayed_loss=None), TypeError, "record_displayed_loss"),
        (dict(iters_num=0), ValueError, "iters_num"),
        (dict(dropout_ratio=1.0, use_dropout=True), ValueError, "dropout_ratio"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        train_lecture_loop(**{"iters_num": 1, "n_test": 10, **kwargs})


# ---------------------------------------------------------------- the engine's fast path, held to the plain loop

_RECORDED = ("epoch", "train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
             "weight_norm", "sparsity", "displayed_loss", "objective", "diverged")


def _assert_bit_identical(plain: LoopHistory, fused: LoopHistory) -> None:
    assert fused.diverged == plain.diverged
    for key in _RECORDED[:-1]:  # exact equality, not a tolerance (a NaN where the plain loop has one)
        assert len(getattr(fused, key)) == len(getattr(plain, key)), key
        np.testing.assert_array_equal(getattr(fused, key), getattr(plain, key), err_msg=key, strict=True)
    assert list(fused.network.params) == list(plain.network.params)
    for name, value in plain.network.params.items():
        np.testing.assert_array_equal(fused.network.params[name], value, err_msg=name)
    assert fused.settings["engine"] is True and plain.settings["engine"] is False


def _both(monkeypatch, **settings) -> tuple[LoopHistory, LoopHistory]:
    monkeypatch.delenv("COURSE_RUN_CACHE", raising=False)  # both must really train
    return train_lecture_loop(**settings, engine=False), train_lecture_loop(**settings, engine=True)


@pytest.mark.parametrize("cell", sorted(LECTURE_CELLS))
@pytest.mark.parametrize("record", [True, False])
def test_the_engine_runs_every_cell_bit_for_bit_as_the_plain_loop(data, monkeypatch, cell, record):
    """course.engine.lecture_loop: the same weights and every recorded number, for every cell of the lecture."""
    plain, fused = _both(monkeypatch, **LECTURE_CELLS[cell], seed=7, data=data, iters_num=60, plot_interval=20,
                         record_displayed_loss=record)
    assert len(plain.epoch) == 3 and (len(plain.displayed_loss) == 60) is record
    _assert_bit_identical(plain, fused)


@pytest.mark.parametrize("settings", [
    dict(sample_with_replacement=False, n_train=250, batch_size=100),  # uneven batches: 100, 100, 50, ...
    dict(use_dropout=True, dropout_ratio=0.3, dropout_inverted=True, regularization="l1",
         weight_decay_lambda=0.01, update_output_layer=True),
    dict(hidden_size_list=(40, 30), regularization="l2", weight_decay_lambda=0.05, learning_rate=0.1,
         penalty_with_sqrt=False, plot_interval=7),
])
def test_the_engine_follows_every_switch(monkeypatch, settings):
    settings = {"n_train": 300, "n_test": 200, "seed": 2, "iters_num": 45, **settings}
    plain, fused = _both(monkeypatch, **settings)
    _assert_bit_identical(plain, fused)


def test_the_engine_takes_one_hot_labels_and_stops_a_blown_up_run_where_the_plain_loop_does(data, monkeypatch):
    (x_train, t_train), (x_test, t_test) = data
    one_hot = ((x_train, np.eye(10, dtype=np.float32)[t_train]), (x_test, np.eye(10, dtype=np.float32)[t_test]))
    plain, fused = _both(monkeypatch, seed=0, data=one_hot, iters_num=30, regularization="l1",
                         weight_decay_lambda=0.005, learning_rate=0.1)
    _assert_bit_identical(plain, fused)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain, fused = _both(monkeypatch, regularization="l2", weight_decay_lambda=0.1, learning_rate=30.0, seed=0,
                             data=data, iters_num=200, update_output_layer=True)
    assert plain.diverged is not None and fused.diverged == plain.diverged
    _assert_bit_identical(plain, fused)


def test_engine_switch_chooses_the_loop(data, monkeypatch):
    """engine=True (the default) runs course.engine.lecture_loop, engine=False the plain loop, nothing else."""
    from course import lecture_loop as module

    monkeypatch.delenv("COURSE_RUN_CACHE", raising=False)
    calls = []
    for name in ("_plain_loop", "fused_lecture_loop"):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _n=name, **k: (calls.append(_n), _f(*a, **k))[1])
    train_lecture_loop(seed=0, data=data, iters_num=10)
    train_lecture_loop(seed=0, data=data, iters_num=10, engine=False)
    assert calls == ["fused_lecture_loop", "_plain_loop"]
    with pytest.raises(TypeError, match="engine"):
        train_lecture_loop(seed=0, data=data, iters_num=10, engine="yes")


def test_scoring_on_another_thread_changes_nothing(data, monkeypatch):
    """Scored by a free worker (a copy of the weights) or taken back and scored here: the same numbers."""
    import threading
    from concurrent.futures import Executor, Future, ThreadPoolExecutor

    from course.engine import lecture as fused

    settings = dict(LECTURE_CELLS["dropout_l1"], seed=3, data=data, iters_num=60, plot_interval=10)
    monkeypatch.delenv("COURSE_RUN_CACHE", raising=False)
    plain = train_lecture_loop(**settings, engine=False)
    where = []
    job = fused._Scorer._job
    monkeypatch.setattr(fused._Scorer, "_job", lambda self, b: (where.append(threading.current_thread()), job(self, b))[1])
    class OtherThread(Executor):
        """Every job done at once on a thread of its own: the free worker, without timing."""

        def submit(self, fn, *args):
            future = Future()
            thread = threading.Thread(target=lambda: future.set_result(fn(*args)))
            thread.start()
            thread.join()
            return future

    monkeypatch.setattr(fused, "helper", OtherThread)
    on_a_worker = train_lecture_loop(**settings)
    with ThreadPoolExecutor(1) as pool:
        monkeypatch.setattr(fused, "helper", lambda: pool)
        busy = threading.Event()
        pool.submit(busy.wait, 30)  # the worker is busy: every job is taken back and scored by the run itself
        taken_back = train_lecture_loop(**{**settings, "plot_interval": 11})
        busy.set()
    assert len(where) == 6 + 5 and threading.current_thread() not in where[:6] and set(where[6:]) == {
        threading.current_thread()}
    _assert_bit_identical(plain, on_a_worker)
    coarse = train_lecture_loop(**{**settings, "plot_interval": 11}, engine=False)
    _assert_bit_identical(coarse, taken_back)


def test_seeds_side_by_side_with_the_engine_give_each_seeds_plain_run(data, monkeypatch):
    from course.engine import THREADS_ENV

    monkeypatch.delenv(THREADS_ENV, raising=False)  # two at a time, whatever the test session set
    monkeypatch.delenv("COURSE_RUN_CACHE", raising=False)
    settings = dict(LECTURE_CELLS["l2"], data=data, iters_num=40, plot_interval=10)
    runs = lecture_loop_seeds([0, 1, 2], **settings)
    for seed in (0, 1, 2):
        _assert_bit_identical(train_lecture_loop(**settings, seed=seed, engine=False), runs[seed])


def test_the_lecture_loop_benchmark_runs_and_finds_the_same_numbers(capsys):
    """``python -m benchmarks.lecture_loop_benchmark --smoke``: every cell, both loops, equal (no timings asserted)."""
    from benchmarks import lecture_loop_benchmark

    assert lecture_loop_benchmark.main(["--smoke"]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and " s |" in line]
    assert len(table) == 2 * len(LECTURE_CELLS) and all(line.endswith("| yes |") for line in table)
