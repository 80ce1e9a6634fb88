"""Differential tests: ``course.engine.FastTrainer`` against the reference ``common.trainer.Trainer``.

What "same seed, same curve" promises, and what these tests hold it to:

* ``evaluation="exact"`` (the default): the engine performs the reference's
  float operations in the reference's order on arrays of the same shapes, so
  with one BLAS thread (the engine always uses one; the reference is run under
  ``threadpool_limits(1)`` here) every weight after every step and every
  number in the history is **bit-identical**, for L2, L1, no penalty,
  dropout (both styles), augmentation, sigmoid, every optimizer and uneven
  last mini-batches, on several seeds.  Asserted with ``==``, not a tolerance.
  (With OpenBLAS's own 2 threads the reference's float32 sums are ordered
  differently and its curves leave the engine's after some tens of epochs —
  a property of the reference's BLAS setting, not of the engine.)
* ``evaluation="incremental"``: the weights are still bit-identical (training
  is the same); only the scores use an ``X_eval·W1`` kept up to date by an
  exact-in-real-arithmetic update, which rounds differently.  Measured on the
  lecture's run (201 epochs, λ ∈ {0, 0.1}, seeds 0-2): losses within 7e-7
  relative, accuracies identical in every epoch with the exact refresh every
  ``REFRESH_EPOCHS`` epochs (without it, one test digit flipped once in 1,206
  epochs).  Asserted here over 12 epochs: losses within ``INCREMENTAL_RTOL``,
  accuracies within one digit of each set and identical in ≥ 11 of 12 epochs.

The runs are short (a few epochs, small hidden layers except where the
lecture's shapes are the point): the whole file takes ~10 s.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from course.augment import Augmenter
from course import engine
from course.engine import EVALUATIONS, FastTrainer, supports
from course.experiments import lecture_data
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD, AdaGrad, Adam, AdamW, Momentum, RMSprop, SGDW
from course.proximal import ProximalSGD
from common.trainer import History, Trainer, TrainingDiverged

INCREMENTAL_RTOL = 1e-5
FIELDS = ("epoch", "train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
          "weight_norm", "sparsity")


@pytest.fixture(scope="module")
def data():
    return lecture_data(300, 1000)


@pytest.fixture(autouse=True)
def default_threads(monkeypatch):
    """The engine's own default here, whatever the test session set (its workers use one thread)."""
    monkeypatch.delenv(engine.THREADS_ENV, raising=False)


def _small(data, n_train=130, n_test=200):
    (x, t), (xt, tt) = data
    return (x[:n_train], t[:n_train]), (xt[:n_test], tt[:n_test])


def _pair(data, *, seed=0, hidden=(40, 40, 40), epochs=4, batch=50, optimizer="SGD", optimizer_param=None,
          net_kwargs=None, engine_kwargs=None, **trainer_kwargs):
    """The reference and the engine, built from the same seed (networks with equal initial weights)."""
    (x, t), (xt, tt) = data
    made = []
    for cls, extra in ((Trainer, {}), (FastTrainer, engine_kwargs or {})):
        init_rng, train_rng = np.random.default_rng(seed).spawn(2)
        net = MultiLayerNet(x.shape[1], list(hidden), 10, rng=init_rng, **(net_kwargs or {}))
        opt = copy.deepcopy(optimizer) if not isinstance(optimizer, str) else optimizer
        param = None if not isinstance(optimizer, str) else (optimizer_param or {"lr": 0.05})
        made.append(cls(net, x, t, xt, tt, epochs=epochs, mini_batch_size=batch, optimizer=opt,
                        optimizer_param=param, verbose=False, rng=train_rng, **trainer_kwargs, **extra))
    return made


def _reference(trainer):
    with threadpool_limits(limits=1, user_api="blas"):
        return trainer.train()


def _assert_same(h_ref: History, h_fast: History):
    for name in FIELDS:
        assert getattr(h_fast, name) == getattr(h_ref, name), name
    assert h_fast.settings == h_ref.settings
    assert h_fast.diverged == h_ref.diverged
    for key, value in h_ref.network.params.items():
        np.testing.assert_array_equal(h_fast.network.params[key], value, err_msg=key)


# ------------------------------------------------------------------------ one step, tightly


@pytest.mark.parametrize("net_kwargs", [
    dict(weight_decay_lambda=0.1, regularization="l2"),
    dict(weight_decay_lambda=0.01, regularization="l1"),
    dict(use_dropout=True, dropout_ratio=0.3, dropout_inverted=False, activation="sigmoid", weight_init_std="sigmoid"),
])
def test_one_step_gives_the_reference_gradients_and_weights(data, net_kwargs):
    from course.engine import FusedNet

    (x, t), _ = _small(data)
    ref = MultiLayerNet(784, [30, 20], 10, rng=3, **net_kwargs)
    fast = MultiLayerNet(784, [30, 20], 10, rng=3, **net_kwargs)
    xb, tb = x[:25], t[:25]
    opt = SGD(lr=0.1)
    net = FusedNet(fast, SGD(lr=0.1))
    with threadpool_limits(limits=1, user_api="blas"):
        grads = ref.gradient(xb, tb)
        loss, _ = net.step(xb, tb)
        for key, g in grads.items():  # the engine's gradient buffer holds the data + penalty gradient
            np.testing.assert_array_equal(net.grads[key], g, err_msg=key)
        opt.update(ref.params, grads)
    assert loss == ref.last_loss
    for key in ref.params:
        np.testing.assert_array_equal(net.params[key], ref.params[key], err_msg=key)
    # and they also match the float64 numerical gradient, so both are right, not just equal
    ref64 = MultiLayerNet(784, [6, 5], 10, rng=4, dtype=np.float64, **net_kwargs)
    net64 = FusedNet(ref64, SGD(lr=0.1))
    x64 = x[:4].astype(np.float64)
    net64.step(x64, t[:4])
    numeric = ref64.numerical_gradient(x64, t[:4]) if not ref64.use_dropout else None
    if numeric is not None:
        for key in ("W2", "b3"):
            np.testing.assert_allclose(net64.grads[key], numeric[key], rtol=1e-4, atol=1e-7)


# ------------------------------------------------------------------------ whole histories, exactly


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", ["l2", "l1", "none", "dropout", "dropout_book", "augment"])
def test_histories_are_identical(data, seed, case):
    kwargs = {
        "l2": dict(net_kwargs=dict(weight_decay_lambda=0.1)),
        "l1": dict(net_kwargs=dict(weight_decay_lambda=0.01, regularization="l1")),
        "none": dict(net_kwargs=dict(regularization="none")),
        "dropout": dict(net_kwargs=dict(use_dropout=True, dropout_ratio=0.15, weight_decay_lambda=0.05)),
        "dropout_book": dict(net_kwargs=dict(use_dropout=True, dropout_ratio=0.3, dropout_inverted=False)),
        "augment": dict(augment=Augmenter(shift=2, noise_std=0.05)),
    }[case]
    ref, fast = _pair(_small(data), seed=seed, **kwargs)
    assert fast.fused is None
    _assert_same(_reference(ref), fast.train())


@pytest.mark.parametrize("seed", [0, 1])
def test_the_lecture_run_is_identical_on_its_own_shapes(data, seed):
    """784-100×6-10, 300 digits, batch 100, 1,000 test digits: the products the notebooks run."""
    ref, fast = _pair(data, seed=seed, hidden=(100,) * 6, epochs=3, batch=100, optimizer_param={"lr": 0.01},
                      net_kwargs=dict(weight_decay_lambda=0.1))
    _assert_same(_reference(ref), fast.train())


@pytest.mark.parametrize("optimizer", [
    Momentum(lr=0.05), AdaGrad(lr=0.05), RMSprop(lr=0.005), Adam(lr=0.002), AdamW(lr=0.002, weight_decay=0.1),
    SGDW(lr=0.05, weight_decay=0.1), ProximalSGD(lr=0.05, weight_decay_lambda=0.01),
], ids=lambda o: type(o).__name__)
def test_every_optimizer_gives_the_reference_history(data, optimizer):
    reg = "none" if isinstance(optimizer, ProximalSGD) else "l2"
    ref, fast = _pair(_small(data), optimizer=optimizer, epochs=3,
                      net_kwargs=dict(weight_decay_lambda=0.01, regularization=reg))
    _assert_same(_reference(ref), fast.train())


def test_sigmoid_uneven_batches_and_few_evaluation_digits(data):
    ref, fast = _pair(_small(data, n_train=110), batch=40, evaluate_sample_num_per_epoch=7,
                      net_kwargs=dict(activation="sigmoid", weight_init_std="sigmoid", use_dropout=True,
                                      dropout_ratio=0.2, weight_decay_lambda=0.01))
    _assert_same(_reference(ref), fast.train())


@pytest.mark.parametrize("threads", [1, 2])
def test_one_or_two_threads_give_the_same_history(data, threads):
    ref, fast = _pair(_small(data), engine_kwargs=dict(threads=threads), net_kwargs=dict(weight_decay_lambda=0.1))
    _assert_same(_reference(ref), fast.train())


# ------------------------------------------------------------------ the generator, callbacks, errors


def test_each_yield_sees_the_network_of_that_epoch(data):
    """Run-ahead trains epoch k+1 before epoch k is yielded; network.params still hold epoch k."""
    ref, fast = _pair(_small(data), epochs=5, net_kwargs=dict(weight_decay_lambda=0.1))
    with threadpool_limits(limits=1, user_api="blas"):
        ref_epochs = [{k: v.copy() for k, v in h.network.params.items()} for h in ref.epochs_iter()]
    for epoch, history in enumerate(fast.epochs_iter()):
        assert history.epoch[-1] == epoch + 1
        for key, value in ref_epochs[epoch].items():
            np.testing.assert_array_equal(history.network.params[key], value, err_msg=f"{key}, epoch {epoch + 1}")


def test_a_callback_stops_early_like_the_reference(data):
    def stop_at_3(history):
        return history.epoch[-1] == 3

    seen = []

    def watch(history):  # sees the network exactly as the reference's callback does
        seen.append(history.network.params["W2"].copy())
        return stop_at_3(history)

    ref, fast = _pair(_small(data), epochs=8, callback=stop_at_3)
    h_ref = _reference(ref)
    _, fast = _pair(_small(data), epochs=8, callback=watch)
    h_fast = fast.train()
    assert h_fast.epoch == [1, 2, 3]
    _assert_same(h_ref, h_fast)
    np.testing.assert_array_equal(seen[-1], h_ref.network.params["W2"])


def test_a_callback_that_edits_the_weights_is_honoured(data):
    def prune(history):  # set small first-layer weights to 0 after every epoch, as a learner might
        w = history.network.params["W1"]
        w[np.abs(w) < 0.02] = 0.0

    ref, fast = _pair(_small(data), epochs=3, callback=prune)
    _assert_same(_reference(ref), fast.train())


@pytest.mark.parametrize("callback", [None, lambda h: None], ids=["run-ahead", "in-step"])
def test_divergence_raises_the_reference_error_after_the_same_epochs(data, callback):
    kwargs = dict(optimizer_param={"lr": 3.0}, epochs=6, callback=callback, net_kwargs=dict(weight_decay_lambda=0.0))
    ref, fast = _pair(_small(data), **kwargs)
    with pytest.raises(TrainingDiverged) as ref_error:
        _reference(ref)
    with pytest.raises(TrainingDiverged) as fast_error:
        fast.train()
    assert str(fast_error.value) == str(ref_error.value)
    for name in FIELDS:
        assert getattr(fast.history, name) == getattr(ref.history, name), name
    assert fast.history.diverged == ref.history.diverged and fast.train_loss_list == ref.train_loss_list


def test_closing_the_generator_early_leaves_a_consistent_history(data):
    ref, fast = _pair(_small(data), epochs=6)
    with threadpool_limits(limits=1, user_api="blas"):
        ref_iter = ref.epochs_iter()
        for _ in range(2):
            next(ref_iter)
    it = fast.epochs_iter()
    next(it)
    next(it)
    it.close()
    for name in FIELDS:
        assert getattr(fast.history, name) == getattr(ref.history, name), name
    for key, value in ref.network.params.items():
        np.testing.assert_array_equal(fast.network.params[key], value)
    assert fast.train_acc_list == ref.train_acc_list and fast.train_loss_list == ref.train_loss_list


def test_a_network_the_engine_does_not_know_is_trained_by_the_reference_loop(data):
    class Custom(MultiLayerNet):
        pass

    (x, t), (xt, tt) = _small(data)
    net = Custom(784, [20], 10, rng=0)
    trainer = FastTrainer(net, x, t, xt, tt, epochs=2, verbose=False, rng=0)
    assert trainer.fused is not None and "MultiLayerNet" in trainer.fused
    assert len(trainer.train().epoch) == 2
    edited = MultiLayerNet(784, [20], 10, rng=0)
    edited.layers.popitem(last=False)
    assert "layers" in supports(edited)
    assert supports(MultiLayerNet(784, [20], 10, rng=0)) is None


def test_bad_engine_arguments_are_refused(data):
    (x, t), (xt, tt) = _small(data)
    net = MultiLayerNet(784, [20], 10, rng=0)
    with pytest.raises(ValueError, match="evaluation"):
        FastTrainer(net, x, t, xt, tt, evaluation="fast")
    assert EVALUATIONS == ("exact", "incremental")
    with pytest.raises(ValueError, match="threads"):
        FastTrainer(net, x, t, xt, tt, threads=3)
    with pytest.raises(TypeError, match="threads"):
        FastTrainer(net, x, t, xt, tt, threads=1.5)
    with pytest.raises(ValueError, match="t_train"):
        FastTrainer(net, x, np.full_like(t, 10), xt, tt)


def test_blas_is_capped_only_while_an_epoch_runs(data):
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    seen = []

    def spy(x_batch, rng):  # an augment hook runs inside the epoch
        seen.append(blas_threads())
        return x_batch

    (x, t), (xt, tt) = _small(data, n_train=40, n_test=40)
    trainer = FastTrainer(MultiLayerNet(784, [10], 10, rng=0), x, t, xt, tt, epochs=2, mini_batch_size=20,
                          verbose=False, rng=0, augment=spy)
    epochs = trainer.epochs_iter()
    next(epochs)
    assert blas_threads() == before  # not held while the generator is suspended
    list(epochs)
    assert seen == [[1] * len(before)] * 4
    assert blas_threads() == before


# ------------------------------------------------------------------ the incremental evaluation


@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_incremental_evaluation_keeps_the_weights_and_the_curve(data, lam):
    ref, fast = _pair(data, hidden=(100,) * 6, epochs=12, batch=100, optimizer_param={"lr": 0.01},
                      net_kwargs=dict(weight_decay_lambda=lam), engine_kwargs=dict(evaluation="incremental"))
    h_ref, h_fast = _reference(ref), fast.train()
    for key, value in h_ref.network.params.items():  # training itself is untouched
        np.testing.assert_array_equal(h_fast.network.params[key], value)
    assert h_fast.train_loss == h_ref.train_loss and h_fast.weight_norm == h_ref.weight_norm
    for name in ("test_loss", "train_data_loss"):
        np.testing.assert_allclose(getattr(h_fast, name), getattr(h_ref, name), rtol=INCREMENTAL_RTOL)
    for name, n in (("train_acc", 300), ("test_acc", 1000)):
        diff = np.abs(np.subtract(getattr(h_fast, name), getattr(h_ref, name)))
        assert diff.max() <= 1 / n + 1e-12, name  # at most one digit, in a near-tie
        assert np.count_nonzero(diff) <= 1, name


def test_incremental_falls_back_to_exact_where_it_does_not_apply(data):
    """L1, augmentation, other optimizers and callbacks: "incremental" silently computes exactly."""
    for kwargs in (dict(net_kwargs=dict(weight_decay_lambda=0.01, regularization="l1")),
                   dict(augment=Augmenter(shift=1)),
                   dict(optimizer=Momentum(lr=0.05)),
                   dict(callback=lambda h: None)):
        ref, fast = _pair(_small(data), epochs=2, engine_kwargs=dict(evaluation="incremental"), **kwargs)
        _assert_same(_reference(ref), fast.train())


# --- map_in_parallel: independent one-core runs, two at a time ---------------------------


def test_map_in_parallel_keeps_order_and_numbers(monkeypatch):
    monkeypatch.delenv("COURSE_RUN_CACHE", raising=False)  # both ways must really train
    from course.engine import map_in_parallel
    from course.lecture_loop import LECTURE_CELLS, train_lecture_loop

    settings = dict(LECTURE_CELLS["dropout"], iters_num=40, plot_interval=20, n_train=100, n_test=100)
    alone = [train_lecture_loop(**settings, seed=seed) for seed in (3, 1, 2)]
    together = map_in_parallel(lambda seed: train_lecture_loop(**settings, seed=seed), (3, 1, 2))
    for a, b in zip(alone, together):
        assert a.settings["seed"] == b.settings["seed"]
        assert a.train_acc == b.train_acc and a.test_acc == b.test_acc
        for key in a.network.params:
            np.testing.assert_array_equal(a.network.params[key], b.network.params[key])


def test_map_in_parallel_raises_the_first_error():
    from course.engine import map_in_parallel

    def fail_on_two(x):
        if x == 2:
            raise ValueError("two")
        return x * 10

    assert map_in_parallel(fail_on_two, [0, 1]) == [0, 10]
    assert map_in_parallel(fail_on_two, [5]) == [50]
    with pytest.raises(ValueError, match="two"):
        map_in_parallel(fail_on_two, [0, 1, 2, 3])


def test_course_engine_threads_1_keeps_everything_on_the_calling_thread(data, monkeypatch):
    import threading

    seen = []
    monkeypatch.setenv(engine.THREADS_ENV, "1")
    assert engine.worker() is None
    assert engine.map_in_parallel(lambda i: (seen.append(threading.current_thread()), i)[1], [0, 1]) == [0, 1]
    assert seen == [threading.current_thread()] * 2
    ref, fast = _pair(_small(data), net_kwargs=dict(weight_decay_lambda=0.1))  # the same numbers on one thread
    _assert_same(_reference(ref), fast.train())
    monkeypatch.setenv(engine.THREADS_ENV, "4")
    with pytest.raises(ValueError, match="COURSE_ENGINE_THREADS must be 1 or 2"):
        engine.worker()
