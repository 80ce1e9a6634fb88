"""The lecture notebook's hand-written loop, fused: what ``train_lecture_loop`` runs by default.

:func:`course.lecture_loop.train_lecture_loop` keeps the lecture's loop as the
cells write it (``engine=False``); :func:`lecture_loop` runs the same
iterations on :class:`course.engine.fused.FusedNet`'s buffers and is held to
it by ``tests/test_lecture_loop.py``: the same weights and the same history,
bit for bit (with one BLAS thread, which both use).  Per iteration, with the
cell's ``λ``, learning rate ``lr`` and the ``n_updated`` layers it updates::

    grads  = network.gradient(x_batch, t_batch)           # data gradient only (λ = 0 inside the network)
    W_l   ← W_l − lr·(dW_l + λ·W_l)     or  ... + λ·sign(W_l)     for l = 1 … n_updated
    b_l   ← b_l − lr·db_l

What it saves: the layers write into buffers kept between iterations, the
update is one operation per kind over the updated layers' slice of the flat
parameter vector, each layer's penalty is measured once per iteration (after
the step; the next step's objective reuses it), and scoring the training and
test digits writes into buffers too.  Run by ``map_in_parallel`` (the seeds of
``lecture_loop_seeds``), the scoring of a copy of the weights goes to a worker
that has no seed left to train (the fifth of five seeds no longer trains
alone on one core).  The random numbers (batches, dropout masks) are drawn
from the same generators in the same order.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Executor, Future
from typing import Any, Iterator

import numpy as np

from common import regularizers
from common.layers import cross_entropy_error, softmax
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.trainer import WEIGHT_NORM_LIMIT, History
from course.i18n import t

from .fused import FusedNet, supports
from .threads import helper, one_blas_thread

__all__ = ["lecture_loop"]


def _labels(t_data: np.ndarray) -> np.ndarray:
    return t_data.argmax(axis=1) if t_data.ndim == 2 else t_data


def lecture_loop(network: MultiLayerNet, history: History, batches: Iterator[np.ndarray],
                 x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray, t_test: np.ndarray, *,
                 regularization: str, lam: float, lr: float, n_updated: int, penalty_with_sqrt: bool,
                 record_displayed_loss: bool, iters_num: int, plot_interval: int) -> None:
    """Train ``network`` with the lecture's loop, appending to ``history`` (a ``LoopHistory``).

    The arguments are those of ``course.lecture_loop``'s plain loop (already
    checked there); ``batches`` yields each iteration's indices into
    ``x_train``.  On return ``network.params`` holds the last weights (also
    after a divergence, which sets ``history.diverged``).
    """
    reason = supports(network)
    if reason is not None:
        raise ValueError(f"network: the fused lecture loop needs a plain MultiLayerNet ({reason})")
    if network.weight_decay_lambda != 0.0:
        raise ValueError("network: the lecture loop adds its penalty itself; build the network with λ = 0")
    dtype = network.dtype
    lam_t, lr_t = dtype.type(lam), dtype.type(lr)
    t_train_labels, t_test_labels = _labels(t_train), _labels(t_test)
    x_train = x_train.reshape(x_train.shape[0], -1)
    x_test = x_test.reshape(x_test.shape[0], -1)
    if x_train.dtype != dtype:  # as MultiLayerNet._check_x converts each batch
        x_train = x_train.astype(dtype)
    if x_test.dtype != dtype:
        x_test = x_test.astype(dtype)
    started = time.perf_counter()

    with np.errstate(over="ignore", invalid="ignore"), one_blas_thread():
        net = FusedNet(network, SGD(learning_rate=lr))
        # the updated layers' weights and biases are two contiguous slices of the flat vector
        w_end = sum(w.size for w in net.W[:n_updated])
        b_start = net.n_weights
        b_end = b_start + sum(b.size for b in net.b[:n_updated])
        theta_w, grad_w, tmp_w = net.theta[:w_end], net.grad[:w_end], net.tmp[:w_end]
        theta_b, grad_b, tmp_b = net.theta[b_start:b_end], net.grad[b_start:b_end], net.tmp[b_start:b_end]
        abs_w = [np.empty_like(w) for w in net.W[:n_updated]]
        penalties = [_penalty(net.W[k], abs_w[k], regularization, lam, False)[1] for k in range(n_updated)]
        batch_buffers: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}  # rows → (x_batch, test-mode scores)
        scorer = _Scorer(net, x_train, t_train_labels, x_test, t_test_labels, helper())
        interval_objectives: list[float] = []

        for i in range(iters_num):
            batch_mask = next(batches)
            rows = batch_mask.shape[0]
            if rows not in batch_buffers:
                batch_buffers[rows] = (np.empty((rows, x_train.shape[1]), dtype=dtype),
                                       [np.empty((rows, w), dtype=dtype) for w in net.sizes[1:]])
            x_batch, batch_scores = batch_buffers[rows]
            np.take(x_train, batch_mask, axis=0, out=x_batch)
            t_batch = t_train_labels[batch_mask]
            loss, _ = net.forward_backward(x_batch, t_batch)
            step_objective = loss  # E on this batch, training mode (before the step)
            for k in range(n_updated):
                step_objective += penalties[k]  # each layer's penalty before the step: measured after the last one

            # W ← W − lr·(dW + λ·W or λ·sign(W)), b ← b − lr·db: the plain loop's operations, per element
            if regularization == "l2":
                np.multiply(theta_w, lam_t, out=tmp_w)
                grad_w += tmp_w
            elif regularization == "l1":
                np.sign(theta_w, out=tmp_w)
                tmp_w *= lam_t
                grad_w += tmp_w
            np.multiply(grad_w, lr_t, out=tmp_w)
            theta_w -= tmp_w
            np.multiply(grad_b, lr_t, out=tmp_b)
            theta_b -= tmp_b

            shown_penalty = true_penalty = 0.0
            for k in range(n_updated):
                shown, true = _penalty(net.W[k], abs_w[k], regularization, lam, penalty_with_sqrt)
                penalties[k] = true
                shown_penalty += shown
                true_penalty += true
            if record_displayed_loss:
                # network.loss(x_batch, t_batch): test mode, after the step, as the cells do (λ = 0 inside)
                scores = net.scores(x_batch, batch_scores, net.params)
                data_loss = cross_entropy_error(softmax(scores), t_batch) + 0.0
                history.displayed_loss.append(data_loss + shown_penalty)
                history.objective.append(data_loss + true_penalty)
                watched = data_loss + true_penalty
            else:
                watched = step_objective + true_penalty
            interval_objectives.append(step_objective)

            evaluate = (i + 1) % plot_interval == 0
            norm = regularizers.weight_norm(net.W) if evaluate else 0.0
            if not (math.isfinite(watched) and norm <= WEIGHT_NORM_LIMIT):
                history.diverged = t("lecture_loop.diverged", iteration=i + 1, limit=f"{WEIGHT_NORM_LIMIT:g}",
                                     lr=lr, lam=lam)
                break
            if evaluate:
                scorer.submit(dict(epoch=i + 1, train_loss=float(np.mean(interval_objectives)),
                                   penalty=true_penalty, weight_norm=norm,
                                   seconds=time.perf_counter() - started))
                interval_objectives = []
        for record in scorer.results():  # in order, also after a divergence
            for name, value in record.items():
                getattr(history, name).append(value)
        net.push()


class _Scorer:
    """Scores the training and test digits at each evaluation point: here, or on a free worker.

    With a ``pool`` (:func:`course.engine.threads.helper`), each point's
    weights are copied and scored as a job of the pool, which a worker takes
    only when it has no run left to start; a job still waiting at the next
    point (or at the end) is taken back and done here.  Either way the same
    products on the same numbers: which thread scores changes nothing.
    """

    def __init__(self, net: FusedNet, x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray,
                 t_test: np.ndarray, pool: Executor | None) -> None:
        self.net, self.pool = net, pool
        self.groups = ((x_train, t_train), (x_test, t_test))
        self.pending: list[tuple[dict[str, Any], Future | None, Any]] = []
        self.spare: list[tuple[np.ndarray, dict[str, np.ndarray], list[list[np.ndarray]]]] = []
        self.own = self._buffers(copy=False)  # for scoring here, on the engine's own weights

    def _buffers(self, copy: bool) -> tuple[np.ndarray, dict[str, np.ndarray], list[list[np.ndarray]]]:
        net = self.net
        theta = np.empty_like(net.theta) if copy else net.theta
        bufs = [[np.empty((x.shape[0], w), dtype=net.dtype) for w in net.sizes[1:]] for x, _ in self.groups]
        return theta, (net.views(theta) if copy else net.params), bufs

    def _score(self, buffers: tuple[np.ndarray, dict[str, np.ndarray], list[list[np.ndarray]]]) -> dict[str, Any]:
        """``_record``'s numbers: accuracy and cross-entropy of both groups, sparsity of the weights."""
        _, params, bufs = buffers
        out: dict[str, Any] = {}
        with np.errstate(over="ignore", invalid="ignore"):
            for (x, t_labels), group_bufs, name in zip(self.groups, bufs, ("train", "test")):
                scores = self.net.scores(x, group_bufs, params)
                out[f"{name}_acc"] = float(np.mean(scores.argmax(axis=1) == t_labels))
                out["train_data_loss" if name == "train" else "test_loss"] = cross_entropy_error(
                    softmax(scores), t_labels)
            out["sparsity"] = regularizers.sparsity([params[f"W{i}"] for i in range(1, self.net.n_layers + 1)])
        return out

    def _job(self, buffers: Any) -> dict[str, Any]:
        try:
            return self._score(buffers)
        finally:
            self.spare.append(buffers)

    def _take_back(self) -> None:
        for k, (record, future, buffers) in enumerate(self.pending):
            if future is not None and future.cancel():  # no worker took it: score it here
                record.update(self._job(buffers))
                self.pending[k] = (record, None, None)

    def submit(self, record: dict[str, Any]) -> None:
        """Score the engine's current weights for ``record`` (epoch, losses, ... known already)."""
        self._take_back()
        if self.pool is None:
            record.update(self._score(self.own))
            self.pending.append((record, None, None))
            return
        buffers = self.spare.pop() if self.spare else self._buffers(copy=True)
        np.copyto(buffers[0], self.net.theta)
        self.pending.append((record, self.pool.submit(self._job, buffers), buffers))

    def results(self) -> list[dict[str, Any]]:
        """Every record with its scores, in the order submitted (waits for jobs a worker is doing)."""
        self._take_back()
        done = []
        for record, future, _ in self.pending:
            if future is not None:
                record.update(future.result())
            done.append({name: record[name] for name in _RECORDED})
        self.pending = []
        return done


_RECORDED = ("epoch", "train_acc", "test_acc", "train_loss", "train_data_loss", "test_loss", "penalty",
             "weight_norm", "sparsity", "seconds")


def _penalty(w: np.ndarray, scratch: np.ndarray, regularization: str, lam: float,
             with_sqrt: bool) -> tuple[float, float]:
    """(displayed, true) penalty of one weight matrix, as ``course.lecture_loop`` adds them up."""
    if regularization == "l2":
        squares = float(np.vdot(w, w))
        shown = 0.5 * lam * math.sqrt(squares) if with_sqrt else 0.5 * lam * squares
        return shown, 0.5 * lam * squares
    if regularization == "l1":
        value = lam * float(np.abs(w, out=scratch).sum())
        return value, value
    return 0.0, 0.0
