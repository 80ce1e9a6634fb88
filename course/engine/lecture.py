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
test digits writes into buffers too.  The random numbers (batches, dropout
masks) are drawn from the same generators in the same order.
"""

from __future__ import annotations

import math
import time
from typing import Iterator

import numpy as np

from common import regularizers
from common.layers import cross_entropy_error, softmax
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD
from common.trainer import WEIGHT_NORM_LIMIT, History
from course.i18n import t

from .fused import FusedNet, supports
from .threads import one_blas_thread

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
        n = net.n_layers
        # the updated layers' weights and biases are two contiguous slices of the flat vector
        w_end = sum(w.size for w in net.W[:n_updated])
        b_start = net.n_weights
        b_end = b_start + sum(b.size for b in net.b[:n_updated])
        theta_w, grad_w, tmp_w = net.theta[:w_end], net.grad[:w_end], net.tmp[:w_end]
        theta_b, grad_b, tmp_b = net.theta[b_start:b_end], net.grad[b_start:b_end], net.tmp[b_start:b_end]
        abs_w = [np.empty_like(w) for w in net.W[:n_updated]]
        penalties = [_penalty(net.W[k], abs_w[k], regularization, lam, False)[1] for k in range(n_updated)]
        batch_buffers: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}  # rows → (x_batch, test-mode scores)
        eval_train = [np.empty((x_train.shape[0], w), dtype=dtype) for w in net.sizes[1:]]
        eval_test = [np.empty((x_test.shape[0], w), dtype=dtype) for w in net.sizes[1:]]
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
                scores_train = net.scores(x_train, eval_train, net.params)
                scores_test = net.scores(x_test, eval_test, net.params)
                history.epoch.append(i + 1)
                history.train_acc.append(float(np.mean(scores_train.argmax(axis=1) == t_train_labels)))
                history.test_acc.append(float(np.mean(scores_test.argmax(axis=1) == t_test_labels)))
                history.train_loss.append(float(np.mean(interval_objectives)))
                history.train_data_loss.append(cross_entropy_error(softmax(scores_train), t_train_labels))
                history.test_loss.append(cross_entropy_error(softmax(scores_test), t_test_labels))
                history.penalty.append(true_penalty)
                history.weight_norm.append(norm)
                history.sparsity.append(regularizers.sparsity(net.W))
                history.seconds.append(time.perf_counter() - started)
                interval_objectives = []
        net.push()


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
