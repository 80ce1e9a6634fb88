"""Trainer and History on a tiny slice of the shipped MNIST digits."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from common.datasets import load_mnist
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.trainer import History, Trainer, TrainingDiverged

N_TRAIN, N_TEST, BATCH, EPOCHS = 60, 40, 25, 3


@pytest.fixture(scope="module")
def data():
    (x_train, t_train), (x_test, t_test) = load_mnist()
    return x_train[:N_TRAIN], t_train[:N_TRAIN], x_test[:N_TEST], t_test[:N_TEST]


def make_net(seed=0, **kwargs):
    return MultiLayerNet(784, [20], 10, rng=seed, **kwargs)


def make_trainer(data, net=None, **kwargs):
    kwargs.setdefault("epochs", EPOCHS)
    kwargs.setdefault("mini_batch_size", BATCH)
    kwargs.setdefault("optimizer_param", {"lr": 0.1})
    kwargs.setdefault("verbose", False)
    kwargs.setdefault("rng", 0)
    return Trainer(net if net is not None else make_net(), *data, **kwargs)


def test_book_lists_have_the_right_lengths(data):
    trainer = make_trainer(data)
    history = trainer.train()
    assert len(trainer.train_acc_list) == EPOCHS
    assert len(trainer.test_acc_list) == EPOCHS
    assert len(trainer.train_loss_list) == EPOCHS * math.ceil(N_TRAIN / BATCH) == 9
    assert history is trainer.history
    assert history.epoch == [1, 2, 3]
    assert history.train_acc == trainer.train_acc_list
    assert history.test_acc == trainer.test_acc_list
    # per-epoch train_loss is the mean of that epoch's mini-batch losses
    per_epoch = np.array(trainer.train_loss_list).reshape(EPOCHS, -1).mean(axis=1)
    np.testing.assert_allclose(history.train_loss, per_epoch, rtol=1e-12)


def test_history_fields_align_and_make_sense(data):
    net = make_net()
    history = make_trainer(data, net=net, epochs=4).train()
    for name in ("epoch", "train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
                 "weight_norm", "sparsity", "seconds"):
        assert len(getattr(history, name)) == 4, name
    assert history.penalty == [0.0] * 4  # λ = 0
    assert history.train_data_loss[-1] < history.train_data_loss[0]  # it learns
    assert history.gap == pytest.approx([a - b for a, b in zip(history.train_acc, history.test_acc)])
    assert all(0.0 <= a <= 1.0 for a in history.train_acc + history.test_acc)
    assert history.seconds == sorted(history.seconds)
    assert history.train_loss[-1] < history.train_loss[0]  # it learns
    assert history.train_acc[-1] > 0.5  # 60 digits, lr 0.1, 4 epochs: well above chance (0.1)
    assert history.network is net
    # the last entries describe the trained network
    W = [net.params["W1"].astype(np.float64), net.params["W2"].astype(np.float64)]
    assert history.weight_norm[-1] == pytest.approx(math.sqrt(sum(float(np.sum(w**2)) for w in W)), rel=1e-6)
    assert history.sparsity[-1] == pytest.approx(
        sum(int(np.sum(np.abs(w) < 0.01)) for w in W) / sum(w.size for w in W)
    )
    assert history.train_acc[-1] == pytest.approx(net.accuracy(data[0], data[1]))
    assert history.test_acc[-1] == pytest.approx(net.accuracy(data[2], data[3]))
    final = history.final()
    assert final["epoch"] == 4
    assert final["gap"] == pytest.approx(history.train_acc[-1] - history.test_acc[-1])
    assert history.diverged is None


def test_settings_record_the_run(data):
    net = make_net(weight_decay_lambda=0.05, regularization="l1", use_dropout=True, dropout_ratio=0.2)
    s = make_trainer(data, net=net, optimizer="Momentum", optimizer_param={"lr": 0.03}, rng=7).history.settings
    assert s["weight_decay_lambda"] == 0.05
    assert s["regularization"] == "l1"
    assert s["use_dropout"] is True
    assert s["dropout_ratio"] == 0.2
    assert s["epochs"] == EPOCHS
    assert s["n_train"] == N_TRAIN
    assert s["n_test"] == N_TEST
    assert s["optimizer"] == "Momentum"
    assert s["lr"] == 0.03
    assert s["seed"] == 7
    assert s["hidden_size_list"] == [20]
    extra = make_trainer(data, settings={"note": "lecture"}, rng=np.random.default_rng(1)).history.settings
    assert extra["note"] == "lecture"
    assert extra["seed"] is None  # a Generator has no seed to record


def test_callback_once_per_epoch_and_true_stops(data):
    seen = []
    make_trainer(data, epochs=4, callback=lambda h: seen.append(len(h.epoch))).train()
    assert seen == [1, 2, 3, 4]

    calls = []

    def stop_after_two(h):
        calls.append(h.epoch[-1])
        return h.epoch[-1] == 2

    trainer = make_trainer(data, epochs=10, callback=stop_after_two)
    history = trainer.train()
    assert calls == [1, 2]
    assert history.epoch == [1, 2]
    assert len(trainer.train_loss_list) == 2 * math.ceil(N_TRAIN / BATCH)

    with pytest.raises(TypeError, match="callback"):
        make_trainer(data, callback="print")


def test_evaluate_sample_num_per_epoch_limits_evaluation(data):
    net = make_net()
    sizes = []
    original_predict = net.predict

    def recording_predict(x, train_flg=False):
        sizes.append(x.shape[0])
        return original_predict(x, train_flg)

    net.predict = recording_predict  # training goes through gradient(), so only the evaluation calls predict
    trainer = make_trainer(data, net=net, evaluate_sample_num_per_epoch=10)
    history = trainer.train()
    assert sizes == [10, 10] * EPOCHS  # 10 training + 10 test digits per epoch
    assert all(abs(a * 10 - round(a * 10)) < 1e-9 for a in history.train_acc + history.test_acc)
    assert history.settings["evaluate_sample_num_per_epoch"] == 10
    sizes.clear()
    make_trainer(data, net=net).train()
    assert sizes == [N_TRAIN, N_TEST] * EPOCHS
    with pytest.raises(ValueError, match="evaluate_sample_num_per_epoch"):
        make_trainer(data, evaluate_sample_num_per_epoch=0)


def numbers(h: History):
    return (h.train_acc, h.test_acc, h.train_loss, h.train_data_loss, h.test_loss, h.penalty, h.weight_norm,
            h.sparsity)


def test_same_seed_same_history_different_seed_differs(data):
    kw = dict(use_dropout=True, dropout_ratio=0.2)
    a = make_trainer(data, net=make_net(0, **kw), rng=3).train()
    b = make_trainer(data, net=make_net(0, **kw), rng=3).train()
    c = make_trainer(data, net=make_net(0, **kw), rng=4).train()
    assert numbers(a) == numbers(b)
    assert a.train_loss != c.train_loss  # same network seed, other shuffling order


def test_divergence_raises_with_advice(data):
    # two hidden layers: the scores overflow to inf/NaN.  (With a single hidden layer,
    # lr=1e6 kills every ReLU and training sits at chance with a finite loss capped
    # near -log(float32 tiny) ≈ 87, which is not reported as diverged.)
    net = MultiLayerNet(784, [50, 50], 10, rng=0)
    trainer = make_trainer(data, net=net, optimizer="SGD", optimizer_param={"lr": 1e6})
    with pytest.raises(TrainingDiverged, match="diverged") as info:
        trainer.train()
    assert "lr" in str(info.value)
    assert "1000000" in str(info.value)
    assert trainer.history.diverged is not None and "diverged" in trainer.history.diverged
    assert isinstance(info.value, FloatingPointError)


def test_huge_lambda_diverges(data):
    trainer = make_trainer(data, net=make_net(weight_decay_lambda=1e6), optimizer_param={"lr": 0.01})
    with pytest.raises(TrainingDiverged, match="weight_decay_lambda"):
        trainer.train()
    assert trainer.history.diverged


def test_bad_data_raises(data):
    x_train, t_train, x_test, t_test = data
    bad = x_train.copy()
    bad[3, 100] = np.nan
    with pytest.raises(ValueError, match="x_train"):
        Trainer(make_net(), bad, t_train, x_test, t_test, verbose=False)
    with pytest.raises(ValueError, match="t_train"):
        Trainer(make_net(), x_train, t_train[:-1], x_test, t_test, verbose=False)
    with pytest.raises(ValueError, match="t_test"):
        Trainer(make_net(), x_train, t_train, x_test, t_test[:10], verbose=False)
    with pytest.raises(ValueError, match="x_test"):
        Trainer(make_net(), x_train, t_train, x_test[:, :100], t_test, verbose=False)
    with pytest.raises(TypeError, match="t_train"):
        Trainer(make_net(), x_train, t_train.astype(np.float32), x_test, t_test, verbose=False)
    with pytest.raises(TypeError, match="network"):
        Trainer(object(), x_train, t_train, x_test, t_test, verbose=False)


@pytest.mark.parametrize("epochs, exc", [(0, ValueError), (-1, ValueError), (2.5, TypeError)])
def test_bad_epochs_raise_naming_epochs(data, epochs, exc):
    with pytest.raises(exc, match="epochs"):
        make_trainer(data, epochs=epochs)


def test_bad_batch_size_and_optimizer(data):
    with pytest.raises(ValueError, match="mini_batch_size"):
        make_trainer(data, mini_batch_size=0)
    with pytest.raises(ValueError, match="lr"):
        make_trainer(data, optimizer_param={"lr": -0.1})
    with pytest.raises(ValueError, match="optimizer"):
        make_trainer(data, optimizer="newton")


def test_one_hot_labels_and_image_shaped_input(data):
    x_train, t_train, x_test, t_test = data
    a = make_trainer(data).train()
    b = make_trainer(
        (x_train.reshape(-1, 1, 28, 28), np.eye(10)[t_train], x_test.reshape(-1, 1, 28, 28), np.eye(10)[t_test])
    ).train()
    assert numbers(a) == numbers(b)


def test_augment_is_called_on_every_mini_batch_and_its_output_used(data):
    calls = []

    def augment(x_batch, rng):
        assert isinstance(rng, np.random.Generator)
        calls.append(x_batch.shape)
        return np.zeros_like(x_batch)  # blank images: W1 then gets no gradient at all

    net = make_net()
    W1_before = net.params["W1"].copy()
    trainer = make_trainer(data, net=net, augment=augment)
    trainer.train()
    assert len(calls) == EPOCHS * math.ceil(N_TRAIN / BATCH)
    assert calls[:3] == [(25, 784), (25, 784), (10, 784)]
    np.testing.assert_array_equal(net.params["W1"], W1_before)
    assert "augment" in trainer.history.settings
    with pytest.raises(TypeError, match="augment"):
        make_trainer(data, augment=3)


def test_history_json_round_trip(data):
    history = make_trainer(data, net=make_net(weight_decay_lambda=0.1)).train()
    text = history.to_json()
    assert "network" not in json.loads(text)
    back = History.from_json(text)
    assert back == history
    assert numbers(back) == numbers(history)
    assert back.settings == history.settings
    assert back.final() == history.final()
    assert back.network is None
    changed = History.from_json(text)
    changed.test_acc[-1] += 0.01
    assert changed != history


def test_final_on_empty_history_raises():
    with pytest.raises(ValueError, match="empty"):
        History().final()
    assert History().gap == []


def test_verbose_prints_progress(data, capsys):
    make_trainer(data, verbose=True, epochs=2).train()
    out = capsys.readouterr().out
    assert out.count("=== epoch:") == 2
    assert "Final Test Accuracy" in out


def test_exploding_weights_with_a_saturated_loss_count_as_divergence():
    """One hidden layer, absurd lr: the ReLUs die, the float32 loss sits finite near 80,
    but the weights reach ~1e21 — the trainer must still stop and say so."""
    from common.datasets import load_mnist
    from common.multi_layer_net import MultiLayerNet
    from common.trainer import Trainer, TrainingDiverged

    (x, t), (xt, tt) = load_mnist()
    net = MultiLayerNet(784, [20], 10, rng=0)
    trainer = Trainer(net, x[:100], t[:100], xt[:50], tt[:50], epochs=5, optimizer_param={"lr": 1e6}, verbose=False, rng=0)
    with pytest.raises(TrainingDiverged, match="diverged"):
        trainer.train()
    assert trainer.history.diverged is not None


# -- the history describes the network ---------------------------------------------------


def test_every_yielded_history_matches_the_network_at_that_moment(data):
    """Epoch k's numbers are measured on the network right after epoch k, and nothing moves
    while the generator waits (no background work)."""
    x_train, t_train, x_test, t_test = data
    net = make_net(weight_decay_lambda=0.05, regularization="l2", use_dropout=True, dropout_ratio=0.2)
    trainer = make_trainer(data, net=net, epochs=4)
    for k, history in enumerate(trainer.epochs_iter(), start=1):
        assert history.epoch[-1] == k and len(history.train_acc) == k
        snapshot = {key: value.copy() for key, value in net.params.items()}
        assert history.train_acc[-1] == net.accuracy(x_train, t_train)
        assert history.test_acc[-1] == net.accuracy(x_test, t_test)
        penalty = net.penalty()
        assert history.penalty[-1] == penalty > 0
        # loss() = cross-entropy + penalty, dropout off by default
        assert history.train_data_loss[-1] == pytest.approx(net.loss(x_train, t_train) - penalty, rel=1e-6)
        assert history.test_loss[-1] == pytest.approx(net.loss(x_test, t_test) - penalty, rel=1e-6)
        assert history.weight_norm[-1] == pytest.approx(
            math.sqrt(sum(float(np.sum(w.astype(np.float64) ** 2)) for w in net.weights())), rel=1e-12
        )
        for key, value in net.params.items():
            np.testing.assert_array_equal(value, snapshot[key])


def test_the_loop_is_the_one_in_the_docstring(data):
    """Trainer == a hand-written loop with the documented random draws: one permutation per epoch,
    augment(x_batch, rng) per batch, one dropout mask per Dropout layer per training forward."""
    x_train, t_train, x_test, t_test = data
    kw = dict(use_dropout=True, dropout_ratio=0.2, weight_decay_lambda=0.01, regularization="l1")

    def augment(x_batch, rng):
        return x_batch + rng.normal(0.0, 0.05, size=x_batch.shape).astype(x_batch.dtype)

    net = make_net(5, **kw)
    history = make_trainer(data, net=net, rng=9, augment=augment).train()

    by_hand = make_net(5, **kw)
    rng = np.random.default_rng(9)
    optimizer = SGD(lr=0.1)
    x32 = x_train.astype(np.float32)
    for epoch in range(EPOCHS):
        order = rng.permutation(N_TRAIN)
        for start in range(0, N_TRAIN, BATCH):
            idx = order[start : start + BATCH]
            grads = by_hand.gradient(augment(x32[idx], rng), t_train[idx])
            optimizer.update(by_hand.params, grads)
    for key in net.params:
        np.testing.assert_array_equal(net.params[key], by_hand.params[key])
    assert history.test_acc[-1] == by_hand.accuracy(x_test, t_test)


def test_stopping_the_generator_early_leaves_a_consistent_history(data):
    trainer = make_trainer(data, epochs=10)
    iterator = trainer.epochs_iter()
    for _ in range(3):
        history = next(iterator)
    iterator.close()
    assert history.epoch == [1, 2, 3]
    for name in ("train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
                 "weight_norm", "sparsity", "seconds"):
        assert len(getattr(history, name)) == 3, name


def test_divergence_keeps_the_valid_epochs(data):
    # lr·λ = 2.5 > 2: every step flips and grows the weights; the outputs blow up in epoch 4
    net = MultiLayerNet(784, [50, 50], 10, rng=0, weight_decay_lambda=25.0)
    trainer = make_trainer(data, net=net, optimizer_param={"lr": 0.1}, epochs=20)
    with pytest.raises(TrainingDiverged) as info:
        trainer.train()
    assert "epoch 4" in str(info.value)
    assert trainer.history.epoch == [1, 2, 3]
    assert all(len(values) == 3 for values in numbers(trainer.history))
    assert trainer.history.diverged == str(info.value)


def test_divergence_message_follows_the_language(data):
    from course.i18n import divergence_message, get_language, set_language

    before = get_language()
    try:
        set_language("ja")
        net = MultiLayerNet(784, [50, 50], 10, rng=0)
        trainer = make_trainer(data, net=net, optimizer="SGD", optimizer_param={"lr": 1e6})
        with pytest.raises(TrainingDiverged) as info:
            trainer.train()
    finally:
        set_language(before)
    assert str(info.value) == trainer.history.diverged and "diverged" in str(info.value)
    assert (info.value.epoch, info.value.what) == (1, "loss")
    set_language("ja")
    try:
        message = divergence_message(info.value)
    finally:
        set_language(before)
    assert "発散" in message and "lr=1000000.0" in message and "weight_decay_lambda" in message


def test_history_from_old_json_without_the_new_fields(data):
    history = make_trainer(data).train()
    old = history.to_dict()
    del old["train_data_loss"], old["penalty"]
    back = History.from_json(json.dumps(old))
    assert back.epoch == history.epoch and back.test_loss == history.test_loss
    assert len(back.train_data_loss) == len(back.penalty) == EPOCHS
    assert all(math.isnan(v) for v in back.train_data_loss + back.penalty)
    with pytest.raises(ValueError, match="unknown fields"):
        History.from_json(json.dumps({**old, "bogus": 1}))


def test_removed_speed_knobs_are_gone(data):
    """The reference Trainer has no threads or BLAS settings (speed lives in course.engine)."""
    for knob in ("blas_threads", "overlap"):
        with pytest.raises(TypeError, match=knob):
            make_trainer(data, **{knob: 1})
