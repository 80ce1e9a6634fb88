"""The lecture's experiment in one call, so a notebook cell reads like the lesson.

The lecture (after the book's ch. 6.4): the first 300 training digits, a
784-100×6-10 ReLU network, SGD with lr 0.01, mini-batches of 100, 201 epochs,
accuracy measured on the 300 training digits and the test digits every epoch.

:class:`LectureConfig` holds those settings in one place; every function here
(and the live explorer, the tuning code and the benchmark) starts from it::

    history = train_lecture_net(0.1)                         # L2, λ = 0.1, seed 0
    runs = train_lecture_net(0.1, seeds=[0, 1, 2, 3, 4])     # the same over five seeds: SeedRuns
    config = LectureConfig(weight_decay_lambda=0.1, use_dropout=True)
    history = train_lecture_net(config=config, epochs=51)    # a config, one field changed
    histories = sweep("weight_decay_lambda", [0, 0.1, 0.2])  # {λ: History}

``engine=True`` (the default) trains with :class:`course.engine.FastTrainer`,
which gives the same numbers as the reference :class:`common.trainer.Trainer`
(``engine=False``) several times faster.  With ``COURSE_RUN_CACHE=<folder>``
set, runs are kept there and a repeated run is read back instead of retrained
(see :mod:`course.run_cache`).
"""

from __future__ import annotations

import copy
import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from course import run_cache
from common._validation import check_bool, check_choice, check_float, check_int, is_bool
from common.datasets import load_mnist
from common.multi_layer_net import ACTIVATIONS, MultiLayerNet
from common.optimizer import OPTIMIZERS, Optimizer
from common.regularizers import REGULARIZERS
from common.trainer import Augment, Callback, History, Trainer, TrainingDiverged

__all__ = [
    "LAMBDAS",
    "LectureConfig", "LECTURE", "POSITIONAL", "lecture_config", "lecture_data",
    "make_lecture_trainer", "train_lecture_net", "sweep",
]


@dataclass(frozen=True)
class LectureConfig:
    """Every setting of one run of the lecture's experiment; the defaults are the lecture's.

    Network: ``hidden_size_list`` (ReLU or sigmoid ``activation``; He/Xavier
    initial weights), ``weight_decay_lambda`` (λ) with ``regularization``
    (``'l2'``: ``E + ½λΣW²``, ``'l1'``: ``E + λΣ|W|``, ``'none'``; any name in
    :data:`common.regularizers.REGULARIZERS`), ``use_dropout`` with
    ``dropout_ratio`` (probability of dropping a unit) and ``dropout_inverted``
    (``False``: the lecture's class, scaled by ``1 − p`` at test time).
    Data: the first ``n_train`` training and ``n_test`` test digits of the
    shipped subset.  Training: ``epochs`` passes over the training digits in
    mini-batches of ``mini_batch_size``, with ``optimizer`` (a name with
    ``optimizer_param``, default ``{"lr": lr}``, or an optimizer instance such
    as ``ProximalSGD(...)``, which carries its own ``lr``), ``augment`` applied
    to each mini-batch, accuracy on ``evaluate_sample_num_per_epoch`` digits of
    each set per epoch (``None``: all).  ``seed`` fixes everything random.

    Frozen: change a copy with ``config.replace(lr=0.1)``.
    """

    weight_decay_lambda: float = 0.0
    regularization: str = "l2"
    use_dropout: bool = False
    dropout_ratio: float = 0.15
    dropout_inverted: bool = True
    n_train: int = 300
    hidden_size_list: tuple[int, ...] = (100, 100, 100, 100, 100, 100)
    epochs: int = 201
    lr: float = 0.01
    mini_batch_size: int = 100
    optimizer: str | Optimizer = "SGD"
    optimizer_param: dict[str, Any] | None = field(default=None, hash=False)
    n_test: int = 1000
    evaluate_sample_num_per_epoch: int | None = None
    activation: str = "relu"
    augment: Augment | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalised values are stored this way, once
        set_(self, "weight_decay_lambda", check_float(self.weight_decay_lambda, "weight_decay_lambda", minimum=0.0))
        set_(self, "regularization", check_choice(self.regularization, "regularization", tuple(REGULARIZERS)))
        set_(self, "use_dropout", check_bool(self.use_dropout, "use_dropout"))
        set_(self, "dropout_ratio", check_float(self.dropout_ratio, "dropout_ratio", minimum=0.0, maximum=1.0,
                                                include_max=False))
        set_(self, "dropout_inverted", check_bool(self.dropout_inverted, "dropout_inverted"))
        set_(self, "n_train", check_int(self.n_train, "n_train", minimum=1))
        hidden = self.hidden_size_list
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence) or not hidden:
            raise TypeError(f"hidden_size_list must be a non-empty list of positive ints, got {hidden!r}")
        set_(self, "hidden_size_list", tuple(check_int(h, f"hidden_size_list[{i}]", minimum=1)
                                             for i, h in enumerate(hidden)))
        set_(self, "epochs", check_int(self.epochs, "epochs", minimum=1))
        set_(self, "lr", check_float(self.lr, "lr", minimum=0.0, include_min=False))
        set_(self, "mini_batch_size", check_int(self.mini_batch_size, "mini_batch_size", minimum=1))
        if isinstance(self.optimizer, str):
            check_choice(self.optimizer, "optimizer", tuple(OPTIMIZERS))
        elif not isinstance(self.optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be a name in {tuple(OPTIMIZERS)} or an optimizer instance, "
                f"got {type(self.optimizer).__name__}"
            )
        if self.optimizer_param == {} and not isinstance(self.optimizer, str):
            set_(self, "optimizer_param", None)  # an empty dict next to an instance: nothing to pass (as Trainer)
        if self.optimizer_param is not None:
            if not isinstance(self.optimizer_param, dict):
                raise TypeError(f"optimizer_param must be a dict or None, got {type(self.optimizer_param).__name__}")
            if not isinstance(self.optimizer, str):
                raise ValueError("optimizer_param must be None when optimizer is an instance (it carries its own)")
            set_(self, "optimizer_param", dict(self.optimizer_param))
        set_(self, "n_test", check_int(self.n_test, "n_test", minimum=1))
        if self.evaluate_sample_num_per_epoch is not None:
            set_(self, "evaluate_sample_num_per_epoch", check_int(
                self.evaluate_sample_num_per_epoch, "evaluate_sample_num_per_epoch", minimum=1))
        set_(self, "activation", check_choice(self.activation, "activation", tuple(ACTIVATIONS)))
        if self.augment is not None and not callable(self.augment):
            raise TypeError(f"augment must be callable(x_batch, rng) or None, got {type(self.augment).__name__}")
        set_(self, "seed", check_int(self.seed, "seed", minimum=0))

    def replace(self, **changes: Any) -> "LectureConfig":
        """A copy with ``changes`` applied (and checked), e.g. ``config.replace(weight_decay_lambda=0.1)``."""
        _check_names(changes, "LectureConfig.replace")
        return dataclasses.replace(self, **changes)

    def optimizer_arguments(self) -> tuple[str | Optimizer, dict[str, Any] | None]:
        """``(optimizer, optimizer_param)`` for ``Trainer``: a name gets ``{"lr": lr}`` unless given params."""
        if not isinstance(self.optimizer, str):
            return self.optimizer, None
        return self.optimizer, self.optimizer_param if self.optimizer_param is not None else {"lr": self.lr}

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON-able values (an optimizer instance by its class and settings,
        ``augment`` by ``as_dict()`` if it has one, else its ``repr``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "optimizer" and not isinstance(value, str):
                value = {"class": type(value).__name__, **value.settings()}
            elif f.name == "augment" and value is not None:
                value = value.as_dict() if hasattr(value, "as_dict") else repr(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


FIELDS = tuple(f.name for f in dataclasses.fields(LectureConfig))
POSITIONAL = ("weight_decay_lambda", "regularization", "use_dropout", "dropout_ratio")
"""The settings :func:`train_lecture_net` and friends also take positionally, in this order."""

LAMBDAS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0)
"""A log grid of λ with an explicit 0, which notebook 02 sweeps (a subset of the explorer's slider)."""

def _check_names(settings: dict[str, Any], where: str) -> None:
    unknown = sorted(set(settings) - set(FIELDS))
    if unknown:
        raise TypeError(f"{where} got unknown setting(s) {unknown}; the settings are {list(FIELDS)}")


_DEFAULT = LectureConfig()
LECTURE = {
    "n_train": _DEFAULT.n_train,
    "hidden_size_list": _DEFAULT.hidden_size_list,
    "epochs": _DEFAULT.epochs,
    "lr": _DEFAULT.lr,
    "mini_batch_size": _DEFAULT.mini_batch_size,
    "n_test": _DEFAULT.n_test,
}
"""The lecture's sizes as a dict (kept for older code; :class:`LectureConfig` is the source)."""


def lecture_config(*args: Any, config: LectureConfig | None = None, **settings: Any) -> LectureConfig:
    """The :class:`LectureConfig` that ``train_lecture_net(*args, config=config, **settings)`` runs.

    ``args`` are the first settings in the order of :data:`POSITIONAL`
    (``weight_decay_lambda, regularization, use_dropout, dropout_ratio``);
    ``settings`` are any fields of :class:`LectureConfig`; both override
    ``config`` (default: the lecture's ``LectureConfig()``).
    """
    if len(args) > len(POSITIONAL):
        raise TypeError(f"at most {len(POSITIONAL)} settings can be given by position ({', '.join(POSITIONAL)}), "
                        f"got {len(args)}")
    for name, value in zip(POSITIONAL, args):
        if name in settings:
            raise TypeError(f"{name} was given both by position and as a keyword")
        settings[name] = value
    _check_names(settings, "the lecture's experiment")
    if config is None:
        return LectureConfig(**settings)
    if not isinstance(config, LectureConfig):
        raise TypeError(f"config must be a LectureConfig or None, got {type(config).__name__}")
    return config.replace(**settings) if settings else config


def lecture_data(n_train: int = 300, n_test: int = 1000):
    """``(x_train[:n_train], t_train[:n_train]), (x_test[:n_test], t_test[:n_test])`` from the shipped subset."""
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
    n_train = check_int(n_train, "n_train", minimum=1, maximum=len(x_train))
    n_test = check_int(n_test, "n_test", minimum=1, maximum=len(x_test))
    return (x_train[:n_train], t_train[:n_train]), (x_test[:n_test], t_test[:n_test])


def _build(
    config: LectureConfig,
    *,
    data: tuple | None,
    callback: Callback | None,
    verbose: bool,
    settings: dict[str, Any] | None,
    engine: bool,
    evaluation: str = "exact",
) -> tuple[MultiLayerNet, Trainer]:
    if not is_bool(engine):
        raise TypeError(f"engine must be True (course.engine.FastTrainer) or False (the reference Trainer), "
                        f"got {engine!r}")
    if data is None:
        data = lecture_data(config.n_train, config.n_test)
    (x_train, t_train), (x_test, t_test) = data
    init_rng, train_rng = np.random.default_rng(config.seed).spawn(2)
    network = MultiLayerNet(
        input_size=x_train.shape[1] if x_train.ndim == 2 else int(np.prod(x_train.shape[1:])),
        hidden_size_list=list(config.hidden_size_list),
        output_size=10,
        activation=config.activation,
        weight_init_std=config.activation,
        weight_decay_lambda=config.weight_decay_lambda,
        regularization=config.regularization,
        use_dropout=config.use_dropout,
        dropout_ratio=config.dropout_ratio,
        dropout_inverted=config.dropout_inverted,
        rng=init_rng,
    )
    extra: dict[str, Any] = {}
    if engine:
        from course.engine import FastTrainer as trainer_class

        extra["evaluation"] = evaluation
    elif evaluation != "exact":
        raise ValueError(f"evaluation={evaluation!r} needs engine=True (the reference Trainer always scores exactly)")
    else:
        trainer_class = Trainer
    optimizer, optimizer_param = config.optimizer_arguments()
    trainer = trainer_class(
        network, x_train, t_train, x_test, t_test,
        epochs=config.epochs,
        mini_batch_size=config.mini_batch_size,
        optimizer=optimizer,
        optimizer_param=optimizer_param,
        evaluate_sample_num_per_epoch=config.evaluate_sample_num_per_epoch,
        verbose=verbose,
        rng=train_rng,
        callback=callback,
        augment=config.augment,
        settings={"seed": config.seed, **(settings or {})},
        **extra,
    )
    return network, trainer


def make_lecture_trainer(
    *args: Any,
    config: LectureConfig | None = None,
    data: tuple | None = None,
    callback: Callback | None = None,
    verbose: bool = False,
    settings: dict[str, Any] | None = None,
    engine: bool = True,
    evaluation: str = "exact",
    **config_settings: Any,
) -> tuple[MultiLayerNet, Trainer]:
    """Build the lecture's network and its trainer without training: ``(network, trainer)``.

    Settings as for :func:`train_lecture_net` (positional
    ``weight_decay_lambda, regularization, use_dropout, dropout_ratio``, any
    field of :class:`LectureConfig` as a keyword, or ``config=``), plus
    ``settings``: extra entries merged into ``history.settings`` after
    ``seed``.  ``engine=True`` gives a :class:`course.engine.FastTrainer`,
    ``False`` the reference :class:`common.trainer.Trainer`.
    ``evaluation="incremental"`` (engine only) keeps the evaluation digits'
    first-layer product up to date instead of recomputing it: ~20 % faster
    for plain SGD with L2 or no penalty, accuracies equal up to near-ties
    (see :mod:`course.engine`).  The live explorer drives
    ``trainer.epochs_iter()`` itself.
    """
    cfg = lecture_config(*args, config=config, **config_settings)
    return _build(cfg, data=data, callback=callback, verbose=verbose, settings=settings, engine=engine,
                  evaluation=evaluation)


def train_lecture_net(
    *args: Any,
    config: LectureConfig | None = None,
    seeds: Sequence[int] | None = None,
    data: tuple | None = None,
    callback: Callback | None = None,
    verbose: bool = False,
    engine: bool = True,
    **config_settings: Any,
) -> Any:
    """Train the lecture's network on MNIST and return its :class:`History`.

    Settings: the first four by position (``weight_decay_lambda,
    regularization, use_dropout, dropout_ratio``), any field of
    :class:`LectureConfig` by keyword (``n_train``, ``hidden_size_list``,
    ``epochs``, ``lr``, ``mini_batch_size``, ``optimizer``, ``optimizer_param``,
    ``n_test``, ``evaluate_sample_num_per_epoch``, ``activation``, ``augment``,
    ``dropout_inverted``, ``seed``), or a whole ``config=LectureConfig(...)``
    (keywords then override its fields).

    ``seed`` fixes everything: the initial weights and dropout masks use one
    child of ``default_rng(seed)``, the shuffling and augmentation the other.
    ``seeds=[0, 1, 2, 3, 4]`` trains once per seed instead and returns a
    :class:`course.seeds.SeedRuns` (per-epoch mean, sd, min, max over the
    seeds; a diverged seed is recorded, not raised).  ``history.network`` is
    the trained network (for weight histograms).  ``data`` may pass
    ``((x_train, t_train), (x_test, t_test))`` to use other data.
    ``evaluate_sample_num_per_epoch`` scores only that many samples of each
    set per epoch (the book's option).  ``engine``: see :func:`make_lecture_trainer`.
    Raises :class:`~common.trainer.TrainingDiverged` (with the partial history
    as ``err.history``) if a single run blows up.
    """
    cfg = lecture_config(*args, config=config, **config_settings)
    if seeds is None:
        # a caller's own optimizer object must end up trained, so such a run is never read from the cache
        return _train_one(cfg, data=data, callback=callback, verbose=verbose, engine=engine,
                          cacheable=isinstance(cfg.optimizer, str))
    if "seed" in config_settings:
        raise TypeError("pass either seed= (one run) or seeds= (one run per seed), not both")
    if callback is not None:
        raise TypeError("a callback watches one run: pass seed= instead of seeds=, or call train_lecture_net per seed")
    from course.seeds import run_seeds

    def train_one(seed: int) -> History:
        one = cfg.replace(seed=seed)
        if not isinstance(one.optimizer, str):  # an optimizer instance keeps state: a fresh copy per seed
            one = one.replace(optimizer=copy.deepcopy(one.optimizer))
        return _train_one(one, data=data, callback=None, verbose=verbose, engine=engine)

    return run_seeds(train_one, seeds)


def _train_one(config: LectureConfig, *, data: tuple | None, callback: Callback | None, verbose: bool,
               engine: bool, cacheable: bool = True) -> History:
    """One run, read from the run cache when it holds it (and stored there afterwards)."""
    key = None
    if cacheable and callback is None and run_cache.directory() is not None:
        if data is None:
            data = lecture_data(config.n_train, config.n_test)
        key = run_cache.key_for(config, data=data, engine=bool(engine))
    if key is None:
        return _train_and_store(config, None, data=data, callback=callback, verbose=verbose, engine=engine)
    with run_cache.claim(key):  # another process training the same run right now: wait for its entry
        cached = run_cache.load(key, lambda: _build(config, data=data, callback=None, verbose=False,
                                                    settings=None, engine=engine)[0])
        if cached is None:
            return _train_and_store(config, key, data=data, callback=callback, verbose=verbose, engine=engine)
    if verbose:
        run_cache.replay(cached)
    if cached.diverged:
        error = TrainingDiverged(cached.diverged)
        error.history = cached
        raise error
    return cached


def _train_and_store(config: LectureConfig, key: str | None, *, data: tuple | None, callback: Callback | None,
                     verbose: bool, engine: bool) -> History:
    """Train one run and, with a ``key``, store it in the run cache (a run that diverged too)."""
    _, trainer = _build(config, data=data, callback=callback, verbose=verbose, settings=None, engine=engine)
    try:
        history = trainer.train()
    except TrainingDiverged as error:
        error.history = trainer.history  # the epochs before the blow-up (run_seeds keeps them)
        if key is not None:
            run_cache.store(key, trainer.history)
        raise
    if key is not None:
        run_cache.store(key, history)
    return history


def sweep(
    name: str,
    values: Sequence[Any],
    *,
    seeds: Sequence[int] | None = None,
    config: LectureConfig | None = None,
    data: tuple | None = None,
    callback: Callback | None = None,
    verbose: bool = False,
    engine: bool = True,
    **fixed: Any,
) -> dict[Any, Any]:
    """Train once per value of one setting, all else fixed: ``{value: History}``.

    ``sweep('weight_decay_lambda', [0, 0.1, 0.2], seed=0)`` is the lecture's
    comparison in one line; any field of :class:`LectureConfig` can be swept
    (``fixed`` and ``config`` set the others).  With ``seeds=[...]`` each value
    is trained once per seed: ``{value: SeedRuns}``.
    """
    if not isinstance(name, str) or name not in FIELDS:
        raise TypeError(f"name must be the name of a LectureConfig setting ({', '.join(FIELDS)}), got {name!r}")
    if name in fixed:
        raise ValueError(f"{name!r} is swept, so it cannot also be fixed")
    if seeds is not None and name == "seed":
        raise ValueError("sweeping 'seed' and passing seeds= both vary the seed: use one")
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) and not isinstance(values, np.ndarray):
        raise TypeError(f"values must be a list of values of {name!r}, got {type(values).__name__}")
    if len(values) == 0:
        raise ValueError("values must hold at least one value to try")
    base = lecture_config(config=config, **fixed)
    return {
        value: train_lecture_net(config=base.replace(**{name: _plain(value)}), seeds=seeds, data=data,
                                 callback=callback, verbose=verbose, engine=engine)
        for value in values
    }


def _plain(value: Any) -> Any:
    """NumPy scalars from ``np.linspace`` etc. as Python numbers (they are dict keys and JSON)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value
