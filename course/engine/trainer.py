"""``FastTrainer``: trains a ``MultiLayerNet`` like ``common.trainer.Trainer``, only faster, with the same History.

``Trainer`` is the definition, written to be read next to the book; this
trainer takes its arguments, has its interface (``epochs_iter()``,
``train()``, ``history``, ``network``, the book's ``train_loss_list`` /
``train_acc_list`` / ``test_acc_list``) and draws the same random numbers in
the same order: one permutation per epoch from the trainer's ``rng``,
``augment(x_batch, rng)`` per mini-batch, and per training forward pass one
mask per dropout layer from that layer's own ``rng``, in layer order.

It trains with the fused step of :mod:`course.engine.fused` (bit-identical
weights with one BLAS thread) and scores each epoch into buffers, on a worker
thread one epoch behind the training ("run-ahead"; not with a ``callback``,
which may stop the run or edit the weights: then each epoch is scored after
it).  ``evaluation="incremental"`` keeps ``X_eval·W1`` up to date instead of
recomputing it (exact in real arithmetic, not in float32; see
:class:`FastTrainer`).  Other optimizers and regularizers are called through
their own methods on views of the engine's buffers; a network that is not a
plain ``MultiLayerNet`` is trained by ``Trainer``'s own loop.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Future
from typing import Any, Iterator

import numpy as np

from common import regularizers
from common._validation import check_choice, check_int
from common.optimizer import Optimizer
from common.trainer import Augment, Callback, History, Trainer, WEIGHT_NORM_LIMIT

from .fused import FusedNet, ScoreGroup, supports
from .threads import one_blas_thread, worker

__all__ = ["EVALUATIONS", "FastTrainer", "REFRESH_EPOCHS"]

EVALUATIONS = ("exact", "incremental")
"""``FastTrainer(evaluation=...)``: how the per-epoch scores are computed (see :class:`FastTrainer`)."""

REFRESH_EPOCHS = 10
"""With ``evaluation="incremental"``, the kept ``X_eval·W1`` is recomputed exactly every this many epochs."""

# The Python and elementwise work around the products, in FLOP of matrix products at ~95 GFLOP/s
# (measured with the lecture's shapes): for FastTrainer._split, which spreads the work over two threads.
STEP_OVERHEAD_FLOP = 16_000_000  # one fused step's non-product work, ~0.17 ms
ROW_OVERHEAD_FLOP = 50_000  # bias, activation, softmax and bookkeeping per scored digit, ~0.5 µs

INCREMENTAL_MAX_TRAIN_FRACTION = 0.75
"""The incremental first layer pays only while ``n_train < this × input_size`` (its product is
``n_eval × n_train × width`` against ``n_eval × input_size × width``)."""


class _Blowup(Exception):
    """A divergence found while running ahead: raised as ``TrainingDiverged`` once the epoch before is out."""

    def __init__(self, epoch: int, what: str) -> None:
        super().__init__(epoch, what)
        self.epoch, self.what = epoch, what


class FastTrainer(Trainer):
    """``Trainer`` for a ``MultiLayerNet``, fused and on two threads, with the same ``History``.

    Takes :class:`~common.trainer.Trainer`'s arguments, plus keyword-only:

    - ``evaluation``: ``"exact"`` (default) computes the per-epoch scores with
      the reference's products, so the history is the reference's;
      ``"incremental"`` keeps ``X_eval·W1`` up to date instead of recomputing
      it (plain SGD with L2 or no penalty and no augmentation; elsewhere it
      falls back to ``"exact"``).  One epoch of SGD changes ``W1`` to
      ``c^S·W1 − lr·Σ_j c^(S−j)·X_jᵀ·δ_j`` (``c = 1 − lr·λ``, ``S`` steps,
      ``δ_j`` the first layer's output gradient), so ``X_eval·W1`` changes by
      one product with the precomputed ``X_eval·X_trainᵀ``.  Exact in real
      arithmetic, not in float32: losses differ from the reference's by
      rounding (< 1e-6 relative) and an accuracy can differ by one digit in a
      near-tie; the product is recomputed exactly every ``REFRESH_EPOCHS``;
    - ``threads``: 2 (default where a second CPU and threadpoolctl are there)
      scores on a worker thread; 1 runs everything on the calling thread.

    Where else results can differ from the reference: the reference run with
    more than one BLAS thread (its float32 sums change with the thread count),
    and a step whose activations already hold NaN (the fused ReLU's mask is
    taken after ``max(x, 0)``, the reference's before it); such a run diverges
    and is stopped either way, the same epoch in every case the tests cover.

    ``fused`` is ``None`` when the fused path runs, else why ``Trainer``'s own
    loop is used.  While :meth:`epochs_iter` runs without a callback, the
    engine trains one epoch ahead on its own copy of the weights and writes
    each epoch's weights into ``network.params`` before that epoch's history
    is yielded; change weights from a ``callback``, not between yields.
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
        rng: Any = None,
        callback: Callback | None = None,
        augment: Augment | None = None,
        settings: dict[str, Any] | None = None,
        evaluation: str = "exact",
        threads: int | None = None,
    ) -> None:
        super().__init__(
            network, x_train, t_train, x_test, t_test, epochs, mini_batch_size, optimizer, optimizer_param,
            evaluate_sample_num_per_epoch, verbose, rng=rng, callback=callback, augment=augment, settings=settings,
        )
        self.evaluation = check_choice(evaluation, "evaluation", EVALUATIONS)
        if threads is not None:
            threads = check_int(threads, "threads", minimum=1, maximum=2)
        self.threads = threads
        self.fused = supports(network)
        if self.fused is None and self.t_train.size and (self.t_train.min() < 0 or self.t_train.max() >= network.output_size):
            raise ValueError(
                f"t_train must hold labels in [0, {network.output_size - 1}], "
                f"got min {self.t_train.min()}, max {self.t_train.max()}"
            )

    # -- plan --------------------------------------------------------------------
    def _incremental(self, net: FusedNet) -> bool:
        """Whether ``X_eval·W1`` can be kept up to date (see the class docstring)."""
        return (
            self.evaluation == "incremental"
            and self.callback is None  # a callback may edit W1 between epochs
            and self.augment is None  # augmented batches are not rows of X_train
            and net.plain_sgd
            and net.penalty_kind in ("none", "l2")
            and self._x_train.shape[0] < INCREMENTAL_MAX_TRAIN_FRACTION * net.sizes[0]
        )

    def epochs_iter(self) -> Iterator[History]:
        """Train epoch by epoch, yielding the history after each one (as :meth:`Trainer.epochs_iter`).

        Nothing runs in the background while the generator is suspended, and
        BLAS is capped at one thread only while it runs.
        """
        if self.fused is not None:
            yield from super().epochs_iter()
            return
        started = time.perf_counter()
        with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
            net = FusedNet(self.network, self.optimizer)
            groups = [
                ScoreGroup(net, self._x_eval_train, self._t_eval_train),
                ScoreGroup(net, self._x_eval_test, self._t_eval_test),
            ]
            incremental = self._incremental(net)
            if incremental:
                for g in groups:
                    g.gram = g.x @ self._x_train.T
                    g.first = g.x @ net.W[0]
        pool = worker() if self.threads != 1 else None
        if pool is None or self.callback is not None:
            yield from self._epochs_in_step(net, groups, pool, started, incremental)
        else:
            yield from self._epochs_run_ahead(net, groups, pool, started, incremental)

    # -- training ----------------------------------------------------------------
    def _train_epoch(self, net: FusedNet, epoch: int, delta: np.ndarray | None) -> float:
        """One epoch on the engine's weights; fills ``delta`` (the incremental evaluation's D) if given."""
        x_train, t_train = self._x_train, self.t_train
        n = x_train.shape[0]
        order = self.rng.permutation(n)
        losses = []
        batches = range(0, n, self.batch_size)
        if delta is not None:
            decay = 1.0 - net.optimizer.lr * net.lam if net.penalty_kind == "l2" else 1.0
            remaining = len(batches)
        for start in batches:
            idx = order[start : start + self.batch_size]
            x_batch, t_batch = x_train[idx], t_train[idx]
            if self.augment is not None:
                x_batch = self._checked(self.augment(x_batch, self.rng), net)
            loss, first_delta = net.step(x_batch, t_batch)
            if delta is not None:
                remaining -= 1
                # this step's change of W1 is −lr·X_bᵀ·δ1, shrunk by c = 1 − lr·λ in each later step
                delta[idx] = first_delta if decay == 1.0 else first_delta * net.dtype.type(decay**remaining)
            if not math.isfinite(loss):
                raise _Blowup(epoch, "loss")
            losses.append(float(loss))
        self._epoch_losses = losses
        return float(np.mean(losses))

    def _checked(self, x: Any, net: FusedNet) -> np.ndarray:
        """An augmented batch as ``MultiLayerNet._check_x`` takes it: 2-D, the network's dtype, finite."""
        if not isinstance(x, np.ndarray):
            raise TypeError(f"x must be a numpy array, got {type(x).__name__}")
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != net.sizes[0]:
            raise ValueError(f"x must have shape (batch, {net.sizes[0]}), got {x.shape}")
        if x.dtype != net.dtype:
            x = x.astype(net.dtype)
        if not np.isfinite(x).all():
            raise ValueError("x contains NaN or inf")
        return x

    # -- evaluation --------------------------------------------------------------
    def _advance_first(self, net: FusedNet, group: ScoreGroup, delta: np.ndarray, epoch: int, steps: int) -> None:
        """``group.first`` (``x·W1``) from the epoch before to this one, or exactly every REFRESH_EPOCHS."""
        params = self.network.params
        if epoch % REFRESH_EPOCHS == 0:
            np.matmul(group.x, params["W1"], out=group.first)
            return
        lr = net.optimizer.lr
        if net.penalty_kind == "l2":
            group.first *= net.dtype.type((1.0 - lr * net.lam) ** steps)
        change = group.gram @ delta
        change *= net.dtype.type(lr)
        group.first -= change

    def _measure_groups(self, net: FusedNet, groups: list[ScoreGroup], delta: np.ndarray | None,
                        epoch: int, with_weights: bool) -> dict[str, Any]:
        """Scores of ``groups`` with ``network.params`` (and the weight statistics if ``with_weights``)."""
        out: dict[str, Any] = {}
        with np.errstate(over="ignore", invalid="ignore"):
            for group in groups:
                if group.first is not None and delta is not None:
                    self._advance_first(net, group, delta, epoch, self._steps)
                out[id(group)] = group.measure(net, self.network.params)
            if with_weights:
                weights = self.network.weights()
                out["weight_norm"] = regularizers.weight_norm(weights)
                out["sparsity"] = regularizers.sparsity(weights)
                out["penalty"] = float(self.network.penalty())
        return out

    def _record(self, epoch: int, train_loss: float, groups: list[ScoreGroup], measured: dict[str, Any],
                started: float) -> None:
        """Append epoch ``epoch`` to the history, with the reference's divergence checks in its order."""
        train, test = (measured[id(g)] for g in groups)
        if not (train["finite"] and test["finite"]):
            raise self._diverged(epoch, "outputs")
        norm = measured["weight_norm"]
        if not norm <= WEIGHT_NORM_LIMIT:
            raise self._diverged(epoch, "weights", norm)
        h = self.history
        h.epoch.append(epoch)
        h.train_acc.append(train["acc"])
        h.test_acc.append(test["acc"])
        h.train_loss.append(train_loss)
        h.train_data_loss.append(train["loss"])
        h.test_loss.append(test["loss"])
        h.penalty.append(measured["penalty"])
        h.weight_norm.append(norm)
        h.sparsity.append(measured["sparsity"])
        h.seconds.append(time.perf_counter() - started)
        self.train_acc_list.append(train["acc"])
        self.test_acc_list.append(test["acc"])
        if self.verbose:
            print(f"=== epoch:{epoch}, train acc:{train['acc']:.4f}, test acc:{test['acc']:.4f}, "
                  f"loss:{train_loss:.4f} ===")

    def _split(self, net: FusedNet, groups: list[ScoreGroup], pool: Any) -> tuple[list[ScoreGroup], list[ScoreGroup], bool]:
        """What the main thread measures and what the worker does: ``(mine, theirs, stats on the worker)``.

        Fixed per run from a count of FLOP (never from timings).  Which
        thread computes a group changes no number (the same products either
        way); this only balances the two threads.  The main thread carries an
        epoch of training; each group of digits, then the weight statistics,
        go to the thread with less work so far.  On the lecture's run: exact,
        the 1,000 test digits and the statistics on the worker, the 300
        training digits on the main thread (3.5 and 3.6 ms of CPU per epoch);
        incremental, both groups on the worker and the statistics on the main
        thread (2.8 and 2.9 ms).
        """
        if pool is None:
            return groups, [], False
        sizes = net.sizes
        forward = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        first = sizes[0] * sizes[1]
        n_train = self._x_train.shape[0]
        steps = len(range(0, n_train, self.batch_size))
        main_load = 2 * n_train * (2 * forward + forward - first) + steps * STEP_OVERHEAD_FLOP
        worker_load = 0
        mine: list[ScoreGroup] = []
        theirs: list[ScoreGroup] = []
        for group in sorted(groups, key=lambda g: -g.x.shape[0]):
            rows = group.x.shape[0]
            first_cost = n_train * sizes[1] if group.first is not None else first
            cost = 2 * rows * (forward - first + first_cost) + rows * ROW_OVERHEAD_FLOP
            if worker_load <= main_load:
                theirs.append(group)
                worker_load += cost
            else:
                mine.append(group)
                main_load += cost
        return mine, theirs, worker_load <= main_load

    def _epochs_in_step(self, net: FusedNet, groups: list[ScoreGroup], pool: Any, started: float,
                        incremental: bool) -> Iterator[History]:
        """Train an epoch, then score it (split over two threads if there are two): no run-ahead."""
        mine, theirs, stats_there = self._split(net, groups, pool)
        delta = np.empty((self._x_train.shape[0], net.sizes[1]), dtype=net.dtype) if incremental else None
        self._steps = len(range(0, self._x_train.shape[0], self.batch_size))
        for epoch in range(1, self.epochs + 1):
            with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
                try:
                    train_loss = self._train_epoch(net, epoch, delta)
                except _Blowup as blowup:
                    raise self._diverged(blowup.epoch, "loss") from None
                self.train_loss_list.extend(self._epoch_losses)
                net.push()
                future = pool.submit(self._measure_groups, net, theirs, delta, epoch, stats_there) if theirs else None
                measured = self._measure_groups(net, mine, delta, epoch, not (future is not None and stats_there))
                if future is not None:
                    measured.update(future.result())
                self._record(epoch, train_loss, groups, measured, started)
            stop = self.callback is not None and self.callback(self.history) is True
            yield self.history
            if stop:
                return
            net.pull()  # a callback (or the caller) may have changed the weights

    def _epochs_run_ahead(self, net: FusedNet, groups: list[ScoreGroup], pool: Any, started: float,
                          incremental: bool) -> Iterator[History]:
        """Epoch ``k`` is scored on the worker (with ``network.params``) while ``k + 1`` trains."""
        mine, theirs, stats_there = self._split(net, groups, pool)
        n_train = self._x_train.shape[0]
        self._steps = len(range(0, n_train, self.batch_size))
        deltas = [np.empty((n_train, net.sizes[1]), dtype=net.dtype) for _ in range(2)] if incremental else [None, None]
        with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
            try:
                train_loss = self._train_epoch(net, 1, deltas[1])
            except _Blowup as blowup:
                raise self._diverged(blowup.epoch, "loss") from None
            losses = self._epoch_losses
            net.push()
        for epoch in range(1, self.epochs + 1):
            blowup = None
            with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
                delta = deltas[epoch % 2]
                future: Future = pool.submit(self._measure_groups, net, theirs, delta, epoch, stats_there)
                try:
                    if epoch < self.epochs:
                        next_loss = self._train_epoch(net, epoch + 1, deltas[(epoch + 1) % 2])
                        next_losses = self._epoch_losses
                    measured = self._measure_groups(net, mine, delta, epoch, not stats_there)
                except _Blowup as exc:
                    blowup = exc
                    measured = self._measure_groups(net, mine, delta, epoch, not stats_there)
                finally:
                    result = future.result()  # never leave the worker running past this point
                measured.update(result)
                self.train_loss_list.extend(losses)
                self._record(epoch, train_loss, groups, measured, started)
            yield self.history
            if blowup is not None:
                raise self._diverged(blowup.epoch, "loss")
            if epoch < self.epochs:
                with one_blas_thread():
                    net.push()
                train_loss, losses = next_loss, next_losses
