"""Train the lecture's network once (or once per seed) and score it on named evaluation sets.

The book's recipe (ch. 6.5): choose hyperparameters on *validation* data
carved out of the training data and look at the test data once, at the end.
:func:`train_and_score` is the one place the tuning tools train::

    run = train_and_score({"val": val, "test": test}, train=train, weight_decay_lambda=0.01)
    run.scores["val"], run.gap("val")

It runs :func:`course.experiments.train_lecture_net` (same network, seeding,
engine and run cache) and returns a :class:`~course.tuning.runs.Scored`, or a
:class:`~course.tuning.runs.SeedScores` with ``seeds=[0, 1, 2]``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from common._validation import check_array, check_float, check_int
from common.optimizer import Optimizer
from common.trainer import TrainingDiverged
from course.experiments import lecture_config, make_lecture_trainer, train_lecture_net
from course.tuning.runs import Scored, SeedScores

__all__ = ["Dataset", "train_and_score"]

Dataset = tuple[np.ndarray, np.ndarray]
"""An ``(images, labels)`` pair."""


def _check_dataset(data: Any, name: str) -> Dataset:
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be an (x, t) pair of arrays, got {type(data).__name__}")
    x = check_array(data[0], f"{name}[0] (images)", ndim=(2, 4))
    t = check_array(data[1], f"{name}[1] (labels)", ndim=1)
    if x.shape[0] != t.shape[0]:
        raise ValueError(f"{name}: {x.shape[0]} images but {t.shape[0]} labels")
    return x, t


def _check_eval_sets(eval_sets: Any) -> dict[str, Dataset]:
    if not isinstance(eval_sets, Mapping) or not eval_sets:
        raise TypeError("eval_sets must be a non-empty dict like {'val': (x_val, t_val), 'test': (x_test, t_test)}")
    return {str(k): _check_dataset(v, f"eval_sets[{k!r}]") for k, v in eval_sets.items()}


def _with_dropout(settings: dict[str, Any]) -> dict[str, Any]:
    """``dropout_ratio`` given without ``use_dropout``: on iff the ratio is > 0."""
    settings = dict(settings)
    if "dropout_ratio" in settings and "use_dropout" not in settings:
        ratio = check_float(settings["dropout_ratio"], "dropout_ratio", minimum=0.0, maximum=1.0, include_max=False)
        settings["use_dropout"] = ratio > 0
        if ratio == 0:
            settings.pop("dropout_ratio")
    return settings


def _check_seed_list(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray, range)):
        raise TypeError(f"seeds must be a sequence of non-negative ints such as [0, 1, 2], got {seeds!r}")
    checked = tuple(check_int(s, f"seeds[{i}]", minimum=0) for i, s in enumerate(seeds))
    if not checked:
        raise ValueError("seeds must hold at least one seed, e.g. [0, 1, 2]")
    if len(set(checked)) != len(checked):
        raise ValueError(f"seeds must be distinct, got {list(checked)}")
    return checked


def train_and_score(
    eval_sets: Mapping[str, Dataset],
    *,
    train: Dataset,
    monitor: Dataset | None = None,
    seeds: Sequence[int] | None = None,
    **settings: Any,
) -> Scored | SeedScores:
    """Train the lecture's network on ``train`` and score the final network on every set.

    ``settings`` are :func:`~course.experiments.train_lecture_net` keywords
    (any field of :class:`~course.experiments.LectureConfig`; ``dropout_ratio``
    alone switches dropout on iff it is > 0).  The run is
    ``train_lecture_net`` itself: the same network, seeding, engine and run
    cache.  Scores are measured once, after the last epoch.  ``monitor`` is the
    set the trainer scores every epoch as its "test" curve (e.g. the validation
    split).  Without it the per-epoch evaluation is reduced to one sample
    (``evaluate_sample_num_per_epoch=1``), which makes a run about a third
    faster when only the final scores matter; ``history.train_acc`` and
    ``history.test_acc`` are then meaningless, but ``history.weight_norm`` and
    ``history.sparsity`` still cover all weights, and ``train_acc`` is measured
    on the whole training set at the end.

    ``seeds=[0, 1, 2]`` trains once per seed and returns a :class:`SeedScores`.
    An optimizer *instance* (``optimizer=Adam(lr=0.001)``) is the one that
    trains, so its state can be inspected afterwards; such a run is never
    read from the run cache.
    """
    x, t = _check_dataset(train, "train")
    sets = _check_eval_sets(eval_sets)
    if "data" in settings:
        raise ValueError("pass the data as train=(x, t) and eval_sets, not data=")
    if seeds is not None:
        if "seed" in settings:
            raise TypeError("pass either seed= (one run) or seeds= (one run per seed), not both")
        return SeedScores([train_and_score(sets, train=(x, t), monitor=monitor, seed=s, **settings)
                           for s in _check_seed_list(seeds)])
    settings = _with_dropout(settings)
    lecture_config(**settings)  # refuse unknown or bad settings before any training
    checked_monitor = _check_dataset(monitor, "monitor") if monitor is not None else (x[:1], t[:1])
    run_settings = dict(settings)
    # without a monitor set only the final scores matter: score one sample per epoch
    run_settings.setdefault("evaluate_sample_num_per_epoch", None if monitor is not None else 1)
    try:
        if isinstance(run_settings.get("optimizer"), Optimizer):
            # the caller's optimizer instance must do the training, so its state can be inspected afterwards
            # (e.g. effective_decay_rates): such a run is never read back from the run cache
            _, trainer = make_lecture_trainer(data=((x, t), checked_monitor), **run_settings)
            try:
                history = trainer.train()
            except TrainingDiverged as exc:
                exc.history = trainer.history
                raise
        else:
            history = train_lecture_net(data=((x, t), checked_monitor), **run_settings)
    except TrainingDiverged as exc:
        nan = float("nan")
        return Scored(settings, getattr(exc, "history", None), nan, {k: nan for k in sets},
                      {k: np.zeros(len(v[1]), dtype=bool) for k, v in sets.items()}, diverged=str(exc))
    network = history.network
    correct = {k: network.predict(xs).argmax(axis=1) == ts for k, (xs, ts) in sets.items()}
    return Scored(
        settings=settings,
        history=history,
        train_acc=network.accuracy(x, t) if monitor is None else history.train_acc[-1],
        scores={k: float(c.mean()) for k, c in correct.items()},
        correct=correct,
    )
