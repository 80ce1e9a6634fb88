"""The explorer's runs: building the engine's trainer for a setting, stepping seeds, pins, the look-ahead's λ.

A run is one setting trained for ``n_seeds`` seeds (``seed``, ``seed + 1``, …),
interleaved epoch by epoch so that a ±1 sd band grows live; :func:`aggregate`
turns their histories into the curves drawn (mean, and sd for ≥ 2 seeds)::

    from course.explorer.runs import build_trainer, next_epochs, aggregate
    trainers = [build_trainer(settings, seed, data, "exact") for seed in (0, 1)]
    iterators = [trainer.epochs_iter() for trainer in trainers]
    active = [0, 1]
    while active:
        next_epochs(trainers, iterators, active, None)   # one epoch of each seed still going
    aggregate([trainer.history for trainer in trainers])["test_acc"]

:class:`Pin` is a run kept as a faded reference; :func:`neighbours` lists the
settings one λ step away, which the explorer trains ahead while the learner looks.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from common.trainer import History, TrainingDiverged
from course.experiments import make_lecture_trainer
from course.i18n import divergence_message, t

from .settings import LAMBDA_OPTIONS, N_TEST, Refused, decoupled, optimizer_key

CURVE_KEYS = ("train_acc", "test_acc", "train_data_loss", "test_loss", "penalty")
SUMMARY_KEYS = CURVE_KEYS + ("gap", "weight_norm", "sparsity")
MAX_PINS = 3
"""Pins an explorer keeps; pinning one more drops the oldest."""


def snapshot(history: History) -> History:
    """A copy of ``history`` whose lists no longer grow with the run (the network is shared, not copied)."""
    clone = copy.copy(history)
    for f in dataclasses.fields(history):
        value = getattr(history, f.name)
        if isinstance(value, list):
            setattr(clone, f.name, list(value))
        elif isinstance(value, dict):
            setattr(clone, f.name, dict(value))
    return clone


def aggregate(histories: Sequence[History]) -> dict[str, Any]:
    """Per-epoch curves of one or more seeds: mean (and, for ≥ 2 seeds, sample sd) of each key.

    Epochs run to the longest seed still training (a diverged seed stops
    contributing at its last epoch, like ``SeedRuns``' NaN padding).
    Returns ``{'epoch': ..., 'n_seeds': n, key: mean, key + '_sd': sd or None}``.
    """
    running = [len(h.epoch) for h in histories if h.diverged is None]
    n = min(running) if running else max(len(h.epoch) for h in histories)
    out: dict[str, Any] = {"epoch": np.arange(1, n + 1, dtype=float), "n_seeds": len(histories)}
    for key in SUMMARY_KEYS:
        rows = np.full((len(histories), n), np.nan)
        for i, h in enumerate(histories):
            values = h.gap if key == "gap" else getattr(h, key)
            m = min(n, len(values))
            rows[i, :m] = values[:m]
        if len(histories) == 1:
            out[key], out[key + "_sd"] = rows[0], None
            continue
        counts = np.sum(np.isfinite(rows), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.nansum(rows, axis=0)
            mean = np.where(counts > 0, total / np.maximum(counts, 1), np.nan)
            dev = np.nansum((rows - mean) ** 2, axis=0)
            sd = np.where(counts > 1, np.sqrt(dev / np.maximum(counts - 1, 1)), np.nan)
        out[key], out[key + "_sd"] = mean, sd
    return out


def at_epoch(agg: dict[str, Any], key: str, epoch: int) -> float:
    """``agg[key]`` after ``epoch`` epochs, or at its last epoch if it has fewer."""
    values = agg[key]
    if not len(values):
        return math.nan
    return float(values[min(epoch, len(values)) - 1])


@dataclass(frozen=True)
class Pin:
    """A run kept as a faded reference: its number, label, settings and the histories of its seeds."""

    number: int
    label: str
    settings: dict[str, Any]
    histories: tuple[History, ...]
    complete: bool

    @property
    def history(self) -> History:
        """The first seed's history (the only one with ``n_seeds == 1``)."""
        return self.histories[0]

    def curves(self) -> dict[str, Any]:
        """The pinned curves as drawn (mean over seeds): ``epoch`` and the :data:`CURVE_KEYS`."""
        return aggregate(self.histories)

    def final(self) -> dict[str, float]:
        """Last epoch's mean over seeds: ``epoch``, ``train_acc``, ``test_acc``, ``gap``, … ."""
        agg = self.curves()
        n = len(agg["epoch"])
        return {"epoch": n, **{key: at_epoch(agg, key, n) for key in SUMMARY_KEYS}}


class Run:
    """The run on screen: its settings, the seeds' histories as they grow, and how it ended."""

    def __init__(self, number: int, settings: dict[str, Any], requested: float) -> None:
        self.number = number
        self.settings = settings
        self.requested = requested  # perf_counter() of the change that started it
        self.histories: list[History] = []
        self.finished = False
        self.errors: dict[int, str] = {}  # seed -> why it stopped early

    def epochs_done(self) -> int:
        return len(aggregate(self.histories)["epoch"]) if self.histories else 0


def proximal(s: dict[str, Any]) -> bool:
    """Whether ``s`` trains L1 with the proximal step (:class:`course.proximal.ProximalSGD`)."""
    return s["regularization"] == "l1" and s["l1_update"] == "proximal"


def build_trainer(s: dict[str, Any], seed: int, data: tuple, evaluation: str) -> Any:
    """The engine's trainer for settings ``s`` and one seed: ``make_lecture_trainer(..., engine=True)``.

    The L1 update 'proximal' trains with :class:`course.proximal.ProximalSGD`
    on the data loss (the network gets no penalty term: the optimizer applies
    λ).  An optimizer with decoupled weight decay (AdamW, SGDW) takes L2's λ as
    its ``weight_decay`` (again no term in the loss: that is its point).
    """
    reg, lam, name, lr = s["regularization"], s["weight_decay_lambda"], s["optimizer"], s["lr"]
    optimizer: Any = optimizer_key(name)
    optimizer_param: dict[str, Any] | None = {"lr": lr}
    if proximal(s):
        if optimizer != "sgd":
            raise Refused(t("explorer.refused.proximal_needs_sgd", optimizer=name))
        from course.proximal import ProximalSGD  # lazily: only when chosen

        optimizer, optimizer_param = ProximalSGD(lr=lr, weight_decay_lambda=lam), None
        reg, lam = "none", 0.0
    elif decoupled(name):
        optimizer_param = {"lr": lr, "weight_decay": lam if reg == "l2" else 0.0}
        if reg == "l2":
            reg, lam = "none", 0.0
    augment = None
    if s["augment_shift"] or s["augment_rotation"] or s["augment_noise"]:
        from course.augment import Augmenter  # lazily: only when augmentation is switched on

        augment = Augmenter(shift=s["augment_shift"], rotation=s["augment_rotation"], noise_std=s["augment_noise"])
    _, trainer = make_lecture_trainer(
        lam, reg, s["use_dropout"], s["dropout_ratio"],
        dropout_inverted=s["dropout_inverted"],
        n_train=s["n_train"],
        hidden_size_list=[s["hidden_size"]] * s["hidden_layers"],
        epochs=s["epochs"],
        lr=lr,
        optimizer=optimizer,
        optimizer_param=optimizer_param,
        n_test=N_TEST,
        augment=augment,
        data=data,
        seed=seed,
        settings={**s, "seed": seed, "evaluation": evaluation},
        engine=True,
        evaluation=evaluation,
    )
    return trainer


def record_l1_penalty(trainer: Any, lam: float) -> None:
    """Set the last epoch's ``history.penalty`` to ``λ·Σ_l Σ|W_l|`` of the trainer's network."""
    history = trainer.history
    if history.penalty and len(history.penalty) == len(history.epoch):
        weights = [w for key, w in trainer.network.params.items() if key.startswith("W")]
        history.penalty[-1] = lam * float(sum(np.abs(w).sum(dtype=np.float64) for w in weights))


def next_epochs(trainers: list[Any], iterators: list[Any], active: list[int], l1_lam: float | None) -> dict[int, str]:
    """One more epoch of every seed in ``active`` (interleaved, so a band grows live); a finished or
    diverged seed leaves ``active``.  Returns ``{index: why}`` for the seeds that diverged."""
    diverged = {}
    for i in list(active):
        try:
            next(iterators[i])
            if l1_lam is not None:
                record_l1_penalty(trainers[i], l1_lam)
        except StopIteration:
            active.remove(i)
        except TrainingDiverged as exc:
            active.remove(i)
            diverged[i] = divergence_message(exc)
    return diverged


class Ahead:
    """A run trained ahead: its trainers, their suspended ``epochs_iter()`` and the seeds still going."""

    def __init__(self, key: tuple, trainers: list[Any]) -> None:
        self.key = key
        self.trainers = trainers
        self.iterators = [trainer.epochs_iter() for trainer in trainers]
        self.active = list(range(len(trainers)))

    def close(self) -> None:
        for iterator in self.iterators:
            iterator.close()


def run_key(s: dict[str, Any]) -> tuple:
    """A run's identity: every setting (the data and the engine's evaluation are fixed per explorer)."""
    return tuple(sorted(s.items()))


def neighbours(s: dict[str, Any], step: int) -> list[dict[str, Any]]:
    """The settings one λ step up and one down, as the slider would make them (λ > 0 turns 'none' into L2).

    The one in the direction of the last move (``step``: +1 or −1) comes first.
    """
    lam = s["weight_decay_lambda"]
    if lam not in LAMBDA_OPTIONS:
        return []
    i = LAMBDA_OPTIONS.index(lam)
    out = []
    for j in (i + step, i - step):
        if 0 <= j < len(LAMBDA_OPTIONS):
            n = dict(s, weight_decay_lambda=LAMBDA_OPTIONS[j])
            if LAMBDA_OPTIONS[j] > 0 and n["regularization"] == "none":
                n["regularization"] = "l2"
            out.append(n)
    return out
