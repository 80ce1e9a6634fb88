"""The lecture's experiment in one call, so a notebook cell reads like the lesson.

The lecture (after the book's ch. 6.4): the first 300 training digits, a
784-100×6-10 ReLU network, SGD with lr 0.01, mini-batches of 100, 201 epochs,
accuracy measured on the 300 training digits and the test digits every epoch.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._validation import check_int
from .datasets import load_mnist
from .multi_layer_net import MultiLayerNet
from .optimizer import Optimizer
from .trainer import Augment, Callback, History, Trainer

LECTURE = {
    "n_train": 300,
    "hidden_size_list": (100, 100, 100, 100, 100, 100),
    "epochs": 201,
    "lr": 0.01,
    "mini_batch_size": 100,
    "n_test": 1000,
}


def lecture_data(n_train: int = 300, n_test: int = 1000):
    """``(x_train[:n_train], t_train[:n_train]), (x_test[:n_test], t_test[:n_test])`` from the shipped subset."""
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
    n_train = check_int(n_train, "n_train", minimum=1, maximum=len(x_train))
    n_test = check_int(n_test, "n_test", minimum=1, maximum=len(x_test))
    return (x_train[:n_train], t_train[:n_train]), (x_test[:n_test], t_test[:n_test])


def make_lecture_trainer(
    weight_decay_lambda: float = 0.0,
    regularization: str = "l2",
    use_dropout: bool = False,
    dropout_ratio: float = 0.15,
    *,
    n_train: int = LECTURE["n_train"],
    hidden_size_list: tuple[int, ...] | list[int] = LECTURE["hidden_size_list"],
    epochs: int = LECTURE["epochs"],
    lr: float = LECTURE["lr"],
    mini_batch_size: int = LECTURE["mini_batch_size"],
    optimizer: str | Optimizer = "SGD",
    optimizer_param: dict[str, Any] | None = None,
    n_test: int = LECTURE["n_test"],
    evaluate_sample_num_per_epoch: int | None = None,
    activation: str = "relu",
    augment: Augment | None = None,
    data: tuple | None = None,
    seed: int = 0,
    callback: Callback | None = None,
    verbose: bool = False,
    settings: dict[str, Any] | None = None,
) -> tuple[MultiLayerNet, Trainer]:
    """Build the lecture's network and its :class:`Trainer` without training: ``(network, trainer)``.

    Takes the arguments of :func:`train_lecture_net` (which is this plus
    ``trainer.train()``), and ``settings``: extra entries merged into
    ``history.settings`` after ``seed``.  The live explorer drives
    ``trainer.epochs_iter()`` itself.
    """
    seed = check_int(seed, "seed", minimum=0)
    if data is None:
        data = lecture_data(n_train, n_test)
    (x_train, t_train), (x_test, t_test) = data
    init_rng, train_rng = np.random.default_rng(seed).spawn(2)
    network = MultiLayerNet(
        input_size=x_train.shape[1] if x_train.ndim == 2 else int(np.prod(x_train.shape[1:])),
        hidden_size_list=list(hidden_size_list),
        output_size=10,
        activation=activation,
        weight_init_std=activation,
        weight_decay_lambda=weight_decay_lambda,
        regularization=regularization,
        use_dropout=use_dropout,
        dropout_ratio=dropout_ratio,
        rng=init_rng,
    )
    trainer = Trainer(
        network, x_train, t_train, x_test, t_test,
        epochs=epochs,
        mini_batch_size=mini_batch_size,
        optimizer=optimizer,
        # an optimizer instance carries its own lr; a name gets the lecture's (or ``lr``)
        optimizer_param=optimizer_param if optimizer_param is not None or not isinstance(optimizer, str) else {"lr": lr},
        evaluate_sample_num_per_epoch=evaluate_sample_num_per_epoch,
        verbose=verbose,
        rng=train_rng,
        callback=callback,
        augment=augment,
        settings={"seed": seed, **(settings or {})},
    )
    return network, trainer


def train_lecture_net(
    weight_decay_lambda: float = 0.0,
    regularization: str = "l2",
    use_dropout: bool = False,
    dropout_ratio: float = 0.15,
    *,
    n_train: int = LECTURE["n_train"],
    hidden_size_list: tuple[int, ...] | list[int] = LECTURE["hidden_size_list"],
    epochs: int = LECTURE["epochs"],
    lr: float = LECTURE["lr"],
    mini_batch_size: int = LECTURE["mini_batch_size"],
    optimizer: str | Optimizer = "SGD",
    optimizer_param: dict[str, Any] | None = None,
    n_test: int = LECTURE["n_test"],
    evaluate_sample_num_per_epoch: int | None = None,
    activation: str = "relu",
    augment: Augment | None = None,
    data: tuple | None = None,
    seed: int = 0,
    callback: Callback | None = None,
    verbose: bool = False,
) -> History:
    """Train the lecture's network on MNIST and return its :class:`History`.

    ``seed`` fixes everything: the initial weights and dropout masks use one
    child of ``default_rng(seed)``, the shuffling and augmentation the other.
    ``history.network`` is the trained network (for weight histograms).
    ``data`` may pass ``((x_train, t_train), (x_test, t_test))`` to use other data.
    ``optimizer`` is a name (with ``optimizer_param``, default ``{"lr": lr}``) or
    an optimizer instance such as ``ProximalSGD(lr=0.01, weight_decay_lambda=0.01)``.
    ``evaluate_sample_num_per_epoch`` scores only that many samples of each
    set per epoch (the book's option; ``None``: all of them).
    """
    _, trainer = make_lecture_trainer(
        weight_decay_lambda, regularization, use_dropout, dropout_ratio,
        n_train=n_train, hidden_size_list=hidden_size_list, epochs=epochs, lr=lr,
        mini_batch_size=mini_batch_size, optimizer=optimizer, optimizer_param=optimizer_param,
        n_test=n_test, evaluate_sample_num_per_epoch=evaluate_sample_num_per_epoch,
        activation=activation, augment=augment, data=data, seed=seed,
        callback=callback, verbose=verbose,
    )
    return trainer.train()


def sweep(name: str, values: Sequence[Any], **fixed: Any) -> dict[Any, History]:
    """Train once per value of one setting, all else fixed: ``{value: History}``.

    ``sweep('weight_decay_lambda', [0, 0.1, 0.2], seed=0)`` is the lecture's
    comparison in one line; any keyword of :func:`train_lecture_net` can be swept.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be the name of a train_lecture_net setting, got {name!r}")
    if name in fixed:
        raise ValueError(f"{name!r} is swept, so it cannot also be fixed")
    if len(values) == 0:
        raise ValueError("values must hold at least one value to try")
    return {value: train_lecture_net(**{**fixed, name: value}) for value in values}
