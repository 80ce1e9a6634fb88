"""The one training loop: ``Trainer`` (the book's interface) and its ``History``.

Notebooks, the live explorer, the tests and the benchmarks all train through
``Trainer``.  Each epoch shuffles the training set once (a seeded
``Generator``), takes mini-batches in that order, then evaluates train and test
accuracy with a single forward pass over both sets together.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from . import regularizers
from ._blas import blas_threads_limit, second_thread
from ._validation import RngLike, check_array, check_int, make_rng
from .optimizer import Optimizer, make_optimizer

Callback = Callable[["History"], Any]
Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


WEIGHT_NORM_LIMIT = 1e8
"""A weight norm above this (or NaN/inf) counts as divergence; healthy runs here stay below ~100."""


class TrainingDiverged(FloatingPointError):
    """Raised when the loss or the scores become NaN/inf; the message says when and what to try."""


@dataclass
class History:
    """Per-epoch record of one training run, plus the settings it ran with.

    Lists are indexed by epoch (entry ``k`` is after ``k + 1`` epochs).
    ``weight_norm`` is ``sqrt(Σ W²)`` over all weight matrices; ``sparsity`` is
    the fraction of weights with ``|w| < regularizers.SPARSITY_TOL``.
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
            "test_loss": self.test_loss[-1],
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
        return cls(**json.loads(text))


def _cross_entropy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean ``-log softmax(scores)[label]``, as ``layers.cross_entropy_error(softmax(scores), labels)``.

    Works on the transpose, shape (classes, n): the max and the sum over each
    digit's 10 scores become element-wise operations across 10 contiguous rows,
    ~4x faster in NumPy than reducing 1,000 rows of 10 (the per-epoch test loss).
    """
    z = scores.T.copy()
    z -= z.max(axis=0)
    np.exp(z, out=z)
    probs = z[labels, np.arange(z.shape[1])] / z.sum(axis=0)
    return float(-np.log(probs + np.finfo(probs.dtype).tiny).mean())


def _weight_stats(weights: list[np.ndarray]) -> dict[str, float]:
    return {"weight_norm": regularizers.weight_norm(weights), "sparsity": regularizers.sparsity(weights)}


TRAIN_ROW_COST = 3.0
"""A training row (forward, backward, update) costs about this many test-mode scoring rows
(measured on the lecture's run: 10 µs against 3.5 µs per row with one BLAS thread)."""


def _main_thread_rows(n_train: int, n_eval: int) -> int:
    """How many evaluation rows the main thread scores after its training epoch.

    The worker scores the rest while the epoch trains; balancing the two
    halves of ``TRAIN_ROW_COST·n_train + n_eval`` keeps both cores busy (the
    lecture's run: 216 of 1,300 rows; with 4,000 training digits: none).
    """
    total = TRAIN_ROW_COST * n_train + n_eval
    return int(min(n_eval, max(0.0, total / 2 - TRAIN_ROW_COST * n_train)))


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

    Book-compatible arguments; keyword-only extras: ``rng`` (seed or Generator
    for shuffling and augmentation), ``callback(history)`` called after every
    epoch (return ``True`` to stop early), ``augment(x_batch, rng)`` applied to
    each training mini-batch, ``settings`` merged into ``history.settings``, and
    ``blas_threads``: BLAS threads while an epoch runs (default 1: within ~10 % of 2
    threads on an idle 2-core machine, ~3x faster on a busy one, and makes float32 results
    independent of the core count; ``None`` leaves BLAS alone; see
    ``common._blas``), and ``overlap``: score epoch ``k`` on a second thread
    while epoch ``k + 1`` trains (default; same numbers, ~1.35x faster on the
    lecture's run; see :meth:`epochs_iter`).  After :meth:`train`, ``train_loss_list`` (per
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
        blas_threads: int | None = 1,
        overlap: bool = True,
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
        self.blas_threads = None if blas_threads is None else check_int(blas_threads, "blas_threads", minimum=1)
        if not isinstance(overlap, (bool, np.bool_)):
            raise TypeError(f"overlap must be True or False, got {overlap!r}")
        self.overlap = bool(overlap)

        n_eval = evaluate_sample_num_per_epoch
        dtype = network.params["W1"].dtype if "W1" in network.params else np.float32
        self._x_train = self.x_train.astype(dtype, copy=False)
        x_eval_train = self._x_train[:n_eval]
        x_eval_test = self.x_test[:n_eval].astype(dtype, copy=False)
        # one forward pass per epoch scores both sets: one large product per layer
        self._x_eval = np.concatenate([x_eval_train, x_eval_test])
        self._t_eval_train = self.t_train[:n_eval]
        self._t_eval_test = self.t_test[:n_eval]

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

    def _diverged(self, epoch: int, what: str) -> TrainingDiverged:
        lr = getattr(self.optimizer, "lr", None)
        message = (
            f"training diverged in epoch {epoch}: {what} blew up (NaN, inf or huge). "
            f"Try a smaller learning rate (lr={lr}) or a smaller weight_decay_lambda."
        )
        self.history.diverged = message
        return TrainingDiverged(message)

    def _train_one_epoch(self, epoch: int) -> float:
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
            loss = getattr(self.network, "last_loss", None)
            if loss is None:
                loss = self.network.loss(x_batch, t_batch)
            if not math.isfinite(loss):
                raise self._diverged(epoch, "the training loss")
            losses.append(float(loss))
        self.train_loss_list.extend(losses)
        return float(np.mean(losses))

    def _measure(self, scores: np.ndarray, weights: list[np.ndarray]) -> dict[str, Any]:
        """The per-epoch numbers from the scores of the evaluation rows and the weights."""
        return {**self._score_stats(scores), **_weight_stats(weights)}

    def _score_stats(self, scores: np.ndarray) -> dict[str, Any]:
        if not np.isfinite(scores).all():
            return {"finite": False}
        n_tr = self._t_eval_train.shape[0]
        pred = scores.argmax(axis=1)
        return {
            "finite": True,
            "train_acc": float(np.mean(pred[:n_tr] == self._t_eval_train)),
            "test_acc": float(np.mean(pred[n_tr:] == self._t_eval_test)),
            "test_loss": _cross_entropy(scores[n_tr:], self._t_eval_test),
        }

    def _evaluate(self, epoch: int, train_loss: float, started: float) -> None:
        measured = self._measure(self.network.predict(self._x_eval), self._weights())
        self._record(epoch, train_loss, measured, started)

    def _record(self, epoch: int, train_loss: float, measured: dict[str, Any], started: float) -> None:
        if not measured["finite"]:
            raise self._diverged(epoch, "the network's outputs")
        norm = measured["weight_norm"]
        if not norm <= WEIGHT_NORM_LIMIT:
            # float32 cross-entropy saturates near -log(tiny) ≈ 87, so a run whose
            # weights blew up can keep a finite loss; the norm still gives it away
            raise self._diverged(epoch, f"the weights (norm {norm:.3g})")
        train_acc, test_acc = measured["train_acc"], measured["test_acc"]
        h = self.history
        h.epoch.append(epoch)
        h.train_acc.append(train_acc)
        h.test_acc.append(test_acc)
        h.train_loss.append(train_loss)
        h.test_loss.append(measured["test_loss"])
        h.weight_norm.append(norm)
        h.sparsity.append(measured["sparsity"])
        h.seconds.append(time.perf_counter() - started)
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        if self.verbose:
            print(f"=== epoch:{epoch}, train acc:{train_acc:.4f}, test acc:{test_acc:.4f}, loss:{train_loss:.4f} ===")

    def _background(self) -> Any:
        """The worker thread for overlapped evaluation, or ``None`` to evaluate in line.

        Overlap needs ``overlap=True``, a network that can score a snapshot (``test_scores_with``),
        a second CPU with BLAS capped at one thread, and no callback: a callback
        (early stopping, weight trackers) must see the network exactly as it
        was at the end of the epoch it is told about.
        """
        if not self.overlap or self.callback is not None or self.blas_threads != 1:
            return None
        if not hasattr(self.network, "test_scores_with"):
            return None
        return second_thread()

    def epochs_iter(self) -> Iterator[History]:
        """Train epoch by epoch, yielding the history after each one.

        The live explorer drives this generator in chunks and yields to the
        event loop in between; :meth:`train` simply exhausts it.  Where a
        second CPU is free (see :meth:`_background`), epoch ``k``'s accuracy
        pass runs on a snapshot of its weights while epoch ``k + 1`` trains;
        the history holds the same numbers either way, and nothing runs in the
        background while the generator is suspended.
        """
        started = time.perf_counter()
        pool = self._background()
        with np.errstate(over="ignore", invalid="ignore"):
            if pool is None:
                for epoch in range(1, self.epochs + 1):
                    with blas_threads_limit(self.blas_threads):  # not held across the yield
                        train_loss = self._train_one_epoch(epoch)
                        self._evaluate(epoch, train_loss, started)
                    stop = self.callback is not None and self.callback(self.history) is True
                    yield self.history
                    if stop:
                        return
            else:
                yield from self._overlapped_epochs(pool, started)

    def _overlapped_epochs(self, pool: Any, started: float) -> Iterator[History]:
        weight_keys = [key for key in self.network.params if key.startswith("W")]
        x_eval = self._x_eval
        # rows the main thread scores itself after its epoch, so both threads finish together
        n_main = _main_thread_rows(self._x_train.shape[0], x_eval.shape[0])
        previous = None  # (epoch, train loss, snapshot of the parameters) of the epoch before
        for epoch in range(1, self.epochs + 1):
            # submitted inside the one-thread BLAS limit (the worker's products then run on one
            # thread, as in line), and only after the yield: nothing runs while the generator waits
            with blas_threads_limit(1):
                future = None
                if previous is not None:
                    future = pool.submit(self._background_part, previous[2], x_eval[n_main:], weight_keys)
                try:
                    train_loss = self._train_one_epoch(epoch)
                except TrainingDiverged:
                    if future is not None:  # the epoch before is valid: record it first
                        self._record(previous[0], previous[1], self._join(previous[2], n_main, future), started)
                    raise
                snapshot = {key: value.copy() for key, value in self.network.params.items()}
                if future is not None:
                    self._record(previous[0], previous[1], self._join(previous[2], n_main, future), started)
            if future is not None:
                yield self.history
            previous = (epoch, train_loss, snapshot)
        with blas_threads_limit(1):  # the last epoch: nothing left to overlap with
            scores = self.network.test_scores_with(previous[2], x_eval)
            measured = self._measure(scores, [previous[2][key] for key in weight_keys])
            self._record(previous[0], previous[1], measured, started)
        yield self.history

    def _background_part(self, params: dict[str, np.ndarray], rows: np.ndarray, weight_keys: list[str]) -> tuple:
        """On the worker thread: the scores of ``rows`` (copied) and the weight statistics."""
        with np.errstate(over="ignore", invalid="ignore"):
            scores = self.network.test_scores_with(params, rows, buffer=3).copy() if len(rows) else None
            return scores, _weight_stats([params[key] for key in weight_keys])

    def _join(self, params: dict[str, np.ndarray], n_main: int, future: Any) -> dict[str, Any]:
        """On the main thread: score the first ``n_main`` rows, then combine with the worker's part."""
        head = self.network.test_scores_with(params, self._x_eval[:n_main], buffer=4) if n_main else None
        tail, weight_stats = future.result()
        parts = [part for part in (head, tail) if part is not None]
        scores = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return {**self._score_stats(scores), **weight_stats}

    def train(self) -> History:
        """Run all epochs and return the :class:`History` (raises ``TrainingDiverged`` on NaN/inf)."""
        for _ in self.epochs_iter():
            pass
        if self.verbose and self.history.epoch:
            final = self.history.final()
            print(f"=============== Final Test Accuracy ===============\ntest acc:{final['test_acc']:.4f}")
        return self.history
