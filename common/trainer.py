"""The reference training loop: ``Trainer`` (the book's interface, ch. 6) and its ``History``.

One epoch, exactly as a learner would write it::

    order = rng.permutation(n)                      # shuffle once per epoch
    for each mini-batch of indices in that order:
        x_batch = augment(x_batch, rng)             # only if augment is given
        grads = network.gradient(x_batch, t_batch)  # forward (training mode) + backprop
        optimizer.update(network.params, grads)
    evaluate (dropout off): train/test accuracy, train/test cross-entropy,
    penalty, weight norm, sparsity  ->  one more entry in History

Nothing runs in the background: when :meth:`Trainer.epochs_iter` yields the
history after epoch ``k``, every number in it was measured on the network
exactly as it is at that moment.  ``course.engine`` trains the same network
faster and must produce the same ``History``; this module is the definition.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable, Iterator

import numpy as np

from . import regularizers
from ._validation import RngLike, check_array, check_int, make_rng
from .functions import cross_entropy_error, softmax
from .optimizer import Optimizer, make_optimizer

Callback = Callable[["History"], Any]
Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


WEIGHT_NORM_LIMIT = 1e8
"""A weight norm above this (or NaN/inf) counts as divergence; healthy runs here stay below ~100."""


class TrainingDiverged(FloatingPointError):
    """Raised when the loss, the scores or the weights blow up; the message says when and what to try.

    ``epoch``, ``what`` (``'loss'``, ``'outputs'`` or ``'weights'``), ``lr`` and ``norm``
    say the same in fields, for a caller that words it in another language.
    """

    def __init__(self, message: str, *, epoch: int | None = None, what: str | None = None,
                 lr: float | None = None, norm: float | None = None) -> None:
        super().__init__(message)
        self.epoch, self.what, self.lr, self.norm = epoch, what, lr, norm


_BLEW_UP = {"loss": "the training loss", "outputs": "the network's outputs", "weights": "the weights (norm {norm:.3g})"}


@dataclass
class History:
    """Per-epoch record of one training run, plus the settings it ran with.

    Lists are indexed by epoch (entry ``k`` is after ``k + 1`` epochs):

    - ``train_acc``, ``test_acc``: accuracy on the evaluation digits (dropout off);
    - ``train_loss``: the training objective ``E + penalty`` averaged over the
      epoch's mini-batches, each measured in the forward pass of its own
      gradient step (training mode, so with dropout; the book's ``train_loss_list``);
    - ``train_data_loss``, ``test_loss``: cross-entropy ``E`` alone on the
      evaluation training / test digits after the epoch (dropout off), so
      these two compare like with like;
    - ``penalty``: the penalty term ``λ·Σ_l R(W_l)`` after the epoch (NaN if
      the network does not say, i.e. has no ``penalty()``);
    - ``weight_norm``: ``sqrt(Σ W²)`` over all weight matrices; ``sparsity``:
      the fraction of weights with ``|w| < regularizers.SPARSITY_TOL``;
    - ``seconds``: time since training started.

    A history saved before ``train_data_loss`` and ``penalty`` existed loads
    with those filled with NaN (not measured).
    """

    settings: dict[str, Any] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    weight_norm: list[float] = field(default_factory=list)
    sparsity: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    diverged: str | None = None
    network: Any = field(default=None, repr=False, compare=False)
    train_data_loss: list[float] = field(default_factory=list)
    penalty: list[float] = field(default_factory=list)

    @property
    def gap(self) -> list[float]:
        """Train minus test accuracy per epoch: the size of the overfitting."""
        return [a - b for a, b in zip(self.train_acc, self.test_acc)]

    def final(self) -> dict[str, float]:
        """The last epoch's numbers (what a status line shows)."""
        if not self.epoch:
            raise ValueError("the history is empty: no epoch has finished yet")
        return {
            "epoch": self.epoch[-1],
            "train_acc": self.train_acc[-1],
            "test_acc": self.test_acc[-1],
            "gap": self.train_acc[-1] - self.test_acc[-1],
            "train_loss": self.train_loss[-1],
            "train_data_loss": self.train_data_loss[-1],
            "test_loss": self.test_loss[-1],
            "penalty": self.penalty[-1],
            "weight_norm": self.weight_norm[-1],
            "sparsity": self.sparsity[-1],
            "seconds": self.seconds[-1],
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("network")
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> "History":
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"not a History: unknown fields {unknown}")
        n = len(data.get("epoch", []))
        for name in ("train_data_loss", "penalty"):  # added later: older files lack them
            data.setdefault(name, [math.nan] * n)
        return cls(**data)


def _labels(t: np.ndarray, name: str, n: int) -> np.ndarray:
    t = check_array(t, name, ndim=(1, 2))
    if t.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows to match the images, got {t.shape[0]}")
    if t.ndim == 2:
        return t.argmax(axis=1)
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"{name} must hold integer labels or one-hot rows, got dtype {t.dtype}")
    return t


def _images(x: np.ndarray, name: str) -> np.ndarray:
    x = check_array(x, name, ndim=(2, 4))
    return x.reshape(x.shape[0], -1)


class Trainer:
    """Train ``network`` with mini-batch gradient descent, recording a :class:`History`.

    The positional arguments are the book's ``Trainer``'s.  Keyword-only:
    ``rng`` (seed or Generator for the shuffling and the augmentation),
    ``callback(history)`` called after every epoch (return ``True`` to stop
    early), ``augment(x_batch, rng)`` applied to each training mini-batch, and
    ``settings`` merged into ``history.settings``.

    Each epoch visits every training digit once, in the order of
    ``rng.permutation(n)``, in mini-batches of ``mini_batch_size`` (the last
    one smaller if it does not divide ``n``).  Evaluation after each epoch
    uses the first ``evaluate_sample_num_per_epoch`` training and test digits
    (all of them if ``None``).  After :meth:`train`, ``train_loss_list`` (per
    iteration), ``train_acc_list`` and ``test_acc_list`` (per epoch) hold the
    book's lists.
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray,
        t_test: np.ndarray,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str | Optimizer = "SGD",
        optimizer_param: dict[str, Any] | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        verbose: bool = True,
        *,
        rng: RngLike = None,
        callback: Callback | None = None,
        augment: Augment | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        for attr in ("params", "gradient", "predict"):
            if not hasattr(network, attr):
                raise TypeError(f"network must provide .{attr} (like MultiLayerNet), got {type(network).__name__}")
        self.network = network
        self.x_train = _images(x_train, "x_train")
        self.t_train = _labels(t_train, "t_train", self.x_train.shape[0])
        self.x_test = _images(x_test, "x_test")
        self.t_test = _labels(t_test, "t_test", self.x_test.shape[0])
        if self.x_test.shape[1] != self.x_train.shape[1]:
            raise ValueError(
                f"x_test has {self.x_test.shape[1]} values per sample but x_train has {self.x_train.shape[1]}"
            )
        self.epochs = check_int(epochs, "epochs", minimum=1)
        self.batch_size = min(check_int(mini_batch_size, "mini_batch_size", minimum=1), self.x_train.shape[0])
        self.optimizer = make_optimizer(optimizer, optimizer_param)
        if evaluate_sample_num_per_epoch is not None:
            evaluate_sample_num_per_epoch = check_int(
                evaluate_sample_num_per_epoch, "evaluate_sample_num_per_epoch", minimum=1
            )
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose = bool(verbose)
        self.seed = rng if isinstance(rng, int) and not isinstance(rng, bool) else None
        self.rng = make_rng(rng)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be callable(x_batch, rng) or None, got {type(augment).__name__}")
        self.callback = callback
        self.augment = augment

        # the data in the network's dtype once, rather than a cast in every mini-batch
        dtype = network.params["W1"].dtype if "W1" in network.params else np.float32
        self._x_train = self.x_train.astype(dtype, copy=False)
        n_eval = evaluate_sample_num_per_epoch
        self._x_eval_train, self._t_eval_train = self._x_train[:n_eval], self.t_train[:n_eval]
        self._x_eval_test, self._t_eval_test = self.x_test[:n_eval].astype(dtype, copy=False), self.t_test[:n_eval]

        self.train_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.test_acc_list: list[float] = []
        self.history = History(settings=self._settings(settings), network=network)

    def _settings(self, extra: dict[str, Any] | None) -> dict[str, Any]:
        base = dict(self.network.settings()) if hasattr(self.network, "settings") else {}
        base.update(
            n_train=int(self.x_train.shape[0]),
            n_test=int(self.x_test.shape[0]),
            epochs=self.epochs,
            mini_batch_size=self.batch_size,
            **self.optimizer.settings(),
            evaluate_sample_num_per_epoch=self.evaluate_sample_num_per_epoch,
            seed=self.seed,
        )
        if self.augment is not None:
            base["augment"] = self.augment.as_dict() if hasattr(self.augment, "as_dict") else repr(self.augment)
        base.update(extra or {})
        return base

    def _weights(self) -> list[np.ndarray]:
        if hasattr(self.network, "weights"):
            return self.network.weights()
        return [w for k, w in self.network.params.items() if k.startswith("W")]

    def _diverged(self, epoch: int, what: str, norm: float | None = None) -> TrainingDiverged:
        """Record and return the error for a run whose ``what`` (a key of ``_BLEW_UP``) blew up in ``epoch``."""
        lr = getattr(self.optimizer, "lr", None)
        message = (f"training diverged in epoch {epoch}: {_BLEW_UP[what].format(norm=norm)} blew up "
                   f"(NaN, inf or huge). Try a smaller learning rate (lr={lr}) or a smaller weight_decay_lambda.")
        self.history.diverged = message
        return TrainingDiverged(message, epoch=epoch, what=what, lr=lr, norm=norm)

    def _train_one_epoch(self, epoch: int) -> float:
        """One pass over the shuffled training set; returns the mean training objective of its batches."""
        n = self._x_train.shape[0]
        order = self.rng.permutation(n)
        losses = []
        for start in range(0, n, self.batch_size):
            idx = order[start : start + self.batch_size]
            x_batch, t_batch = self._x_train[idx], self.t_train[idx]
            if self.augment is not None:
                x_batch = self.augment(x_batch, self.rng)
            grads = self.network.gradient(x_batch, t_batch)
            self.optimizer.update(self.network.params, grads)
            # the loss of the forward pass inside gradient(), before this update
            loss = getattr(self.network, "last_loss", None)
            if loss is None:  # a network without last_loss (e.g. the book's): measure it
                loss = self.network.loss(x_batch, t_batch)
            if not math.isfinite(loss):
                raise self._diverged(epoch, "loss")
            losses.append(float(loss))
        self.train_loss_list.extend(losses)
        return float(np.mean(losses))

    def _evaluate(self, epoch: int, train_loss: float, started: float) -> None:
        """Measure the network as it is now (dropout off) and append one entry to the history."""
        scores_train = self.network.predict(self._x_eval_train)
        scores_test = self.network.predict(self._x_eval_test)
        if not (np.isfinite(scores_train).all() and np.isfinite(scores_test).all()):
            raise self._diverged(epoch, "outputs")
        weights = self._weights()
        norm = regularizers.weight_norm(weights)
        if not norm <= WEIGHT_NORM_LIMIT:
            # float32 cross-entropy saturates near -log(tiny) ≈ 87, so a run whose
            # weights blew up can keep a finite loss; the norm still gives it away
            raise self._diverged(epoch, "weights", norm)
        train_acc = float(np.mean(scores_train.argmax(axis=1) == self._t_eval_train))
        test_acc = float(np.mean(scores_test.argmax(axis=1) == self._t_eval_test))
        penalty = float(self.network.penalty()) if hasattr(self.network, "penalty") else math.nan

        h = self.history
        h.epoch.append(epoch)
        h.train_acc.append(train_acc)
        h.test_acc.append(test_acc)
        h.train_loss.append(train_loss)
        h.train_data_loss.append(cross_entropy_error(softmax(scores_train), self._t_eval_train))
        h.test_loss.append(cross_entropy_error(softmax(scores_test), self._t_eval_test))
        h.penalty.append(penalty)
        h.weight_norm.append(norm)
        h.sparsity.append(regularizers.sparsity(weights))
        h.seconds.append(time.perf_counter() - started)
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        if self.verbose:
            print(f"=== epoch:{epoch}, train acc:{train_acc:.4f}, test acc:{test_acc:.4f}, loss:{train_loss:.4f} ===")

    def epochs_iter(self) -> Iterator[History]:
        """Train epoch by epoch, yielding the history after each one.

        The live explorer drives this generator in chunks and yields to the
        event loop in between; :meth:`train` simply exhausts it.  Stopping
        early (``close()``, or a callback returning ``True``) leaves a history
        of the epochs that finished.
        """
        started = time.perf_counter()
        for epoch in range(1, self.epochs + 1):
            # overflow to inf/NaN is caught and reported as TrainingDiverged, not as warnings
            with np.errstate(over="ignore", invalid="ignore"):
                train_loss = self._train_one_epoch(epoch)
                self._evaluate(epoch, train_loss, started)
            stop = self.callback is not None and self.callback(self.history) is True
            yield self.history
            if stop:
                return

    def train(self) -> History:
        """Run all epochs and return the :class:`History` (raises ``TrainingDiverged`` if the run blows up)."""
        for _ in self.epochs_iter():
            pass
        if self.verbose and self.history.epoch:
            final = self.history.final()
            print(f"=============== Final Test Accuracy ===============\ntest acc:{final['test_acc']:.4f}")
        return self.history
