"""The fast path: ``FastTrainer`` trains a ``MultiLayerNet`` like ``Trainer``, only faster.

``common.trainer.Trainer`` is the definition, written to be read next to the
book; this module is written to be fast and is tested to give the same
:class:`~common.trainer.History` (``tests/test_engine.py``).  Nothing else in
``common`` carries speed machinery.  ``FastTrainer`` takes ``Trainer``'s
arguments, has its interface (``epochs_iter()``, ``train()``, ``history``,
``network``, the book's ``train_loss_list``/``train_acc_list``/``test_acc_list``)
and draws the same random numbers in the same order: one permutation per epoch
from the trainer's ``rng``, ``augment(x_batch, rng)`` per mini-batch, and per
training forward pass one mask per dropout layer from that layer's own ``rng``
(``rng.random(shape, dtype=float32) >= dropout_ratio``), in layer order.

What it does differently, and what each part buys on the lecture's run (300
training digits, 784-100×6-10 ReLU, SGD lr 0.01, batch 100, L2 λ = 0.1, 201
epochs, scoring 300 + 1,000 digits after every epoch; AMD EPYC, 2 cores,
OpenBLAS 0.3.31 SkylakeX).  Per epoch, as CPU time of the thread doing it
(minimum of 60 repetitions, one BLAS thread); whole runs in
benchmarks/README.md:

* **Fused training step on preallocated buffers.**  One flat float32 vector
  holds all parameters (weights first, then biases) and one holds all
  gradients, so the penalty gradient and the SGD update are four whole-vector
  operations instead of four per array; every layer writes into buffers kept
  between steps; ReLU is ``np.maximum`` against a read-only zeros array
  (~3x faster than against the scalar 0), its backward a multiply by the
  saved ``x > 0`` mask.  The operations are the reference's, in the
  reference's order, on arrays of the same shapes, so each float is rounded
  the same way: the weights after every step are bit-identical to
  ``Trainer``'s (with one BLAS thread).  Training an epoch: 3.09 → 2.69 ms
  (a step is 0.84 ms, 0.66 ms of it matrix products).
* **Scoring into buffers**: the per-epoch evaluation (the same products in
  the same groups of rows as ``Trainer``: the 300 training digits, then the
  1,000 test digits) writes into buffers kept between epochs, with the
  activations in place and no backward bookkeeping: 6.42 → 4.39 ms (0.93 ms
  training digits, 3.29 ms test digits, 0.17 ms weight norm, sparsity and
  penalty).
* **One BLAS thread, and the second core for a Python thread.**  The products
  are small (batch 100, width 100): OpenBLAS's own second thread adds little
  on an idle machine and makes a run many times slower as soon as anything
  else wants a core (its waiting threads spin).  BLAS is capped at one thread
  (threadpoolctl) while an epoch runs, never while the generator is
  suspended, which also makes the float32 sums independent of the core count.
* **Scoring on the second core, one epoch behind** ("run-ahead"): after epoch
  ``k`` the weights are copied into ``network.params`` and a worker thread
  scores the test digits with them while the main thread trains epoch
  ``k + 1`` on the engine's own copy, then scores the training digits; the
  work is split by a FLOP count (:meth:`FastTrainer._split`: 3.6 and 3.5 ms
  here), so an epoch takes ~3.6 ms of wall time instead of ~7.1 ms on one
  thread.  The history of epoch ``k`` is yielded when both are done, with
  ``network.params`` holding epoch ``k``'s weights, so what a consumer of
  :meth:`FastTrainer.epochs_iter` sees is consistent; epoch ``k + 1`` has
  already been trained at that point (its numbers come at the next step).
  Not used with a ``callback`` (which may stop the run or edit the weights
  after epoch ``k``): each epoch is then scored after it, the two groups on
  the two threads.  Which thread computes what changes no number.
* **Incremental first layer** (``evaluation="incremental"``; plain ``SGD``,
  L2 or no penalty, no augmentation, no callback, fewer training digits than
  input values): ``X_eval·W1`` for the fixed evaluation digits is kept up to
  date instead of recomputed.  One epoch of SGD changes ``W1`` to
  ``c^S·W1 − lr·Σ_j c^(S−j)·X_jᵀ·δ_j`` (``c = 1 − lr·λ``, ``S`` steps, ``δ_j``
  the first layer's output gradient), so ``X_eval·W1`` changes by one product
  with the precomputed ``X_eval·X_trainᵀ`` (1,300×300×100 instead of
  1,300×784×100 on the lecture's run: −24 % of all FLOPs; scoring 4.22 →
  2.75 ms).  Exact in real arithmetic, not in float32: the scores differ from
  the reference's by rounding (losses by < 1e-6 relative), so an accuracy can
  differ by one digit in a near-tie; the product is recomputed exactly every
  ``REFRESH_EPOCHS`` epochs, which kept every accuracy identical over 6 runs
  of 201 epochs (without it one test digit flipped once in 1,206 epochs).
  The default is ``"exact"``; the live explorer may take the speed.

Everything else (other optimizers, ``ProximalSGD``, custom regularizers) runs
through the same buffers and calls the object's own method
(``optimizer.update``, ``regularizer.add_gradient``) on views of them, so it
keeps the reference's numbers.  A network that is not a plain
``MultiLayerNet`` is trained by ``Trainer``'s own loop.

Where results can differ from the reference at all: (1) ``evaluation=
"incremental"`` (above); (2) the reference run with more than one BLAS thread
(its own float32 sums then change with the thread count); (3) a step whose
backward pass already holds inf: the ReLU backward here multiplies by the
mask (``inf·0 = nan``) where the reference assigns 0; such a run is diverging
and is stopped either way, the same epoch in every case the tests cover.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from common import regularizers
from common._validation import check_choice, check_int
from common.layers import Affine, Dropout, Relu, Sigmoid, cross_entropy_error, softmax
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD, Optimizer
from common.trainer import Augment, Callback, History, Trainer, TrainingDiverged, WEIGHT_NORM_LIMIT

try:  # in requirements.txt; without it BLAS keeps its own thread count and no worker thread is used
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

__all__ = ["FastTrainer", "EVALUATIONS", "REFRESH_EPOCHS", "THREADS_ENV", "supports", "one_blas_thread"]

EVALUATIONS = ("exact", "incremental")
"""``FastTrainer(evaluation=...)``: how the per-epoch scores are computed (see the module docstring)."""

REFRESH_EPOCHS = 10
"""With ``evaluation="incremental"``, the kept ``X_eval·W1`` is recomputed exactly every this many epochs."""

# The Python and elementwise work around the products, in FLOP of matrix products at ~95 GFLOP/s
# (measured with the lecture's shapes): for FastTrainer._split, which spreads the work over two threads.
STEP_OVERHEAD_FLOP = 16_000_000  # one fused step's non-product work, ~0.17 ms
ROW_OVERHEAD_FLOP = 50_000  # bias, activation, softmax and bookkeeping per scored digit, ~0.5 µs

INCREMENTAL_MAX_TRAIN_FRACTION = 0.75
"""The incremental first layer pays only while ``n_train < this × input_size`` (its product is
``n_eval × n_train × width`` against ``n_eval × input_size × width``)."""


# ----------------------------------------------------------------------------- threads and BLAS

THREADS_ENV = "COURSE_ENGINE_THREADS"
"""Set to ``1`` to keep the engine on one thread (no scoring thread, seeds one after another in
:func:`map_in_parallel`) where other processes already keep every core busy: two one-thread runs
side by side finished ~8 % sooner (2 cores) than the same runs on two threads one after another,
and two-thread runs side by side only wait for each other's cores.  The test suite sets it in its
pytest-xdist workers.  Unset or ``2``: the default.  The numbers of a run do not depend on it."""

_controller: Any = None
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_pool_failed = False
_lock = threading.Lock()


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _threads_allowed() -> int:
    """The cap from ``COURSE_ENGINE_THREADS`` (2 when unset)."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if value in ("", "2"):
        return 2
    if value == "1":
        return 1
    raise ValueError(f"{THREADS_ENV} must be 1 or 2 (or unset), got {value!r}")


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Cap BLAS at one thread for the duration (a no-op without threadpoolctl)."""
    global _controller
    if ThreadpoolController is None:
        return contextlib.nullcontext()
    if _controller is None:
        _controller = ThreadpoolController()  # scanning the loaded libraries takes ~5 ms: once
    return _controller.limit(limits=1, user_api="blas")


one_blas_thread = _one_blas_thread
"""Public name of the engine's BLAS cap, for other fast paths (``course.lecture_loop`` uses it)."""


def map_in_parallel(function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
    """``[function(item) for item in items]``, two items at a time on the two cores.

    For independent runs of a plain loop that uses one core (``course.lecture_loop``'s
    seeds): each run is single-threaded with BLAS capped at one thread, so a run
    gives the same numbers on a worker thread as alone, and NumPy releases the GIL
    inside its products and element-wise loops.  Measured on the lecture's loop
    (1,000 iterations, 2 cores): 5 seeds in ~0.6x the time of one after another.
    Falls back to the plain loop with one usable CPU, with ``COURSE_ENGINE_THREADS=1``
    or where threads cannot start.  The first exception raised by ``function`` is raised again here.
    """
    items = list(items)
    if len(items) < 2 or _usable_cpus() < 2 or _threads_allowed() < 2:
        return [function(item) for item in items]
    with _one_blas_thread():  # held by the caller's thread: the workers' own caps nest inside it
        try:
            pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="common-map")
        except RuntimeError:  # no threads (e.g. a browser-based kernel)
            return [function(item) for item in items]
        with pool:
            futures = [pool.submit(contextvars.copy_context().run, function, item) for item in items]
            return [future.result() for future in futures]


def _worker() -> ThreadPoolExecutor | None:
    """The engine's one worker thread, or ``None`` where a second thread cannot help.

    ``None`` with one usable CPU, with ``COURSE_ENGINE_THREADS=1``, without
    threadpoolctl (two threads would then each run a full set of BLAS threads),
    or where threads cannot be started (a browser-based Python kernel).
    """
    global _pool, _pool_pid, _pool_failed
    if _threads_allowed() < 2:
        return None
    with _lock:
        if _pool is not None and _pool_pid != os.getpid():
            _pool = None  # a forked child: the parent's thread does not exist here
        if _pool is None and not _pool_failed:
            if ThreadpoolController is None or _usable_cpus() < 2:
                _pool_failed = True
            else:
                try:
                    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="common-engine")
                    pool.submit(int).result()  # fails here, not later, where threads are unavailable
                except RuntimeError:
                    _pool_failed = True
                else:
                    _pool, _pool_pid = pool, os.getpid()
        return _pool


# ------------------------------------------------------------------------------ what can be fused


def supports(network: Any) -> str | None:
    """``None`` if the engine's fused path can train ``network``, else the reason it cannot.

    The fused path knows ``MultiLayerNet`` itself (not a subclass, which may
    change ``gradient``) with its layers as the constructor builds them.
    """
    if type(network) is not MultiLayerNet:
        return f"{type(network).__name__} is not a plain MultiLayerNet"
    expected: list[type] = []
    for i in range(1, network.n_affine + 1):
        expected.append(Affine)
        if i < network.n_affine:
            expected.append(Relu if network.activation == "relu" else Sigmoid)
            if network.use_dropout:
                expected.append(Dropout)
    if [type(layer) for layer in network.layers.values()] != expected:
        return "the network's layers were changed after it was built"
    keys = [f"{p}{i}" for i in range(1, network.n_affine + 1) for p in "Wb"]
    if sorted(network.params) != sorted(keys):
        return "network.params does not hold exactly W1, b1, ..."
    dtype = network.params["W1"].dtype
    if dtype.kind != "f" or any(network.params[k].dtype != dtype for k in keys):
        return "the parameters do not share one float dtype"
    return None


class _Blowup(Exception):
    """A divergence found while running ahead: raised as ``TrainingDiverged`` once the epoch before is out."""

    def __init__(self, epoch: int, what: str) -> None:
        super().__init__(epoch, what)
        self.epoch, self.what = epoch, what


class _Net:
    """The network's shape, its parameters as one flat vector, and the fused training step.

    ``theta`` holds ``W1 … WL`` then ``b1 … bL``; ``grad`` has the same layout.
    ``params``/``grads`` are dicts of views into them, keyed and ordered like
    ``network.params``, for optimizers and regularizers called through their
    own methods.
    """

    def __init__(self, network: MultiLayerNet, optimizer: Optimizer) -> None:
        self.network = network
        self.dtype = network.params["W1"].dtype
        self.n_layers = n = network.n_affine
        self.sizes = [network.input_size, *network.hidden_size_list, network.output_size]
        self.relu = network.activation == "relu"
        dropouts = [layer for layer in network.layers.values() if isinstance(layer, Dropout)]
        # (rng, ratio, scale or None) per hidden layer; a ratio of 0 draws nothing, as in Dropout.forward
        self.dropout: list[tuple[np.random.Generator, float, Any] | None] = [None] * (n - 1)
        self.test_scale: list[Any] = [None] * (n - 1)
        for i, layer in enumerate(dropouts):
            p = layer.dropout_ratio
            if p > 0.0:
                scale = self.dtype.type(1.0 / (1.0 - p)) if layer.inverted else None
                self.dropout[i] = (layer.rng, p, scale)
                if not layer.inverted:
                    self.test_scale[i] = self.dtype.type(1.0 - p)

        shapes = [(self.sizes[i], self.sizes[i + 1]) for i in range(n)]
        n_weights = sum(a * b for a, b in shapes)
        total = n_weights + sum(self.sizes[1:])
        self.n_weights = n_weights
        self.theta = np.empty(total, dtype=self.dtype)
        self.grad = np.empty(total, dtype=self.dtype)
        self.tmp = np.empty(total, dtype=self.dtype)
        self.W: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        self.gW: list[np.ndarray] = []
        self.gb: list[np.ndarray] = []
        offset = 0
        for a, b in shapes:
            self.W.append(self.theta[offset : offset + a * b].reshape(a, b))
            self.gW.append(self.grad[offset : offset + a * b].reshape(a, b))
            offset += a * b
        for _, b in shapes:
            self.b.append(self.theta[offset : offset + b])
            self.gb.append(self.grad[offset : offset + b])
            offset += b
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        for key in network.params:
            i = int(key[1:]) - 1
            self.params[key] = self.W[i] if key[0] == "W" else self.b[i]
            self.grads[key] = self.gW[i] if key[0] == "W" else self.gb[i]
        self.pull()

        self.lam = network.weight_decay_lambda
        self.regularizer = network.regularizer
        gradient_fn = self.regularizer.gradient_fn
        if not self.lam or gradient_fn is regularizers.no_gradient:
            self.penalty_kind = "none"
        elif gradient_fn is regularizers.ridge:
            self.penalty_kind = "l2"
        elif gradient_fn is regularizers.lasso:
            self.penalty_kind = "l1"
        else:
            self.penalty_kind = "custom"  # any other registry entry: its own add_gradient on the views
        self.lam_t = self.dtype.type(self.lam)
        self.optimizer = optimizer
        self.plain_sgd = type(optimizer) is SGD
        self.weights = self.W  # what the penalty is measured on (the reference: network.weights())
        self._buffers: dict[int, dict[str, list[np.ndarray]]] = {}
        self._zeros: dict[tuple[int, int], np.ndarray] = {}

    # -- parameters ------------------------------------------------------------
    def pull(self) -> None:
        """``theta`` ← ``network.params`` (the network's arrays are read, wherever they are now)."""
        for key, view in self.params.items():
            np.copyto(view, self.network.params[key])

    def push(self) -> None:
        """``network.params`` ← ``theta``, into the network's own arrays (their identity is kept)."""
        for key, view in self.params.items():
            np.copyto(self.network.params[key], view)

    def penalty(self) -> float:
        """As ``MultiLayerNet.penalty()``, on the engine's weights."""
        if self.lam == 0.0:
            return 0.0
        return self.regularizer.penalty(self.weights, self.lam)

    # -- buffers -----------------------------------------------------------------
    def zeros(self, rows: int, width: int) -> np.ndarray:
        """A read-only zeros array: ``np.maximum(x, zeros)`` is ~3x faster than ``np.maximum(x, 0)``."""
        key = (rows, width)
        z = self._zeros.get(key)
        if z is None:
            z = self._zeros[key] = np.zeros(key, dtype=self.dtype)
            z.flags.writeable = False
        return z

    def buffers(self, rows: int) -> dict[str, list[np.ndarray]]:
        """Training buffers for a mini-batch of ``rows`` (at most two sizes per run: full and last batch)."""
        buf = self._buffers.get(rows)
        if buf is None:
            widths = self.sizes[1:]
            hidden = widths[:-1]
            buf = {
                "z": [np.empty((rows, w), dtype=self.dtype) for w in widths],
                "d": [np.empty((rows, w), dtype=self.dtype) for w in widths],
                "pos": [np.empty((rows, w), dtype=bool) for w in hidden],
                "rand": [np.empty((rows, w), dtype=np.float32) for w in hidden],
                "keep": [np.empty((rows, w), dtype=bool) for w in hidden],
                "mask": [np.empty((rows, w), dtype=self.dtype) for w in hidden],
                "act": [np.empty((rows, w), dtype=self.dtype) for w in hidden],  # sigmoid output before dropout
                "tmp": [np.empty((rows, w), dtype=self.dtype) for w in hidden],
                "zeros": [self.zeros(rows, w) for w in hidden],
                "rows": [np.arange(rows)],
            }
            self._buffers[rows] = buf
        return buf

    # -- one step ----------------------------------------------------------------
    def step(self, x: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        """Forward (training mode), backward and update on one mini-batch.

        Returns the loss of the forward pass (``E + penalty``, before the
        update, as ``network.last_loss``) and the gradient w.r.t. the first
        layer's output ``δ1`` (a buffer, for the incremental evaluation).
        The operations are ``MultiLayerNet.gradient`` + ``optimizer.update``'s.
        """
        rows = x.shape[0]
        buf = self.buffers(rows)
        z, d, pos = buf["z"], buf["d"], buf["pos"]
        n = self.n_layers
        W, b = self.W, self.b
        penalty = self.penalty()  # of the weights before the update, as in the reference's loss()

        # forward: Affine → activation → [Dropout] …, the last Affine's scores into z[-1]
        a = x
        for i in range(n):
            out = z[i]
            np.matmul(a, W[i], out=out)
            out += b[i]
            if i < n - 1:
                if self.relu:
                    np.maximum(out, buf["zeros"][i], out=out)
                    np.greater(out, 0, out=pos[i])  # backward passes dout where x > 0
                else:
                    _sigmoid_inplace(out)
                drop = self.dropout[i]
                if drop is not None:
                    rng, p, scale = drop
                    if not self.relu:
                        np.copyto(buf["act"][i], out)  # Sigmoid.backward needs its own output
                    rand = buf["rand"][i]
                    rng.random(out=rand, dtype=np.float32)
                    keep = np.greater_equal(rand, p, out=buf["keep"][i])
                    mask = buf["mask"][i]
                    if scale is None:
                        np.copyto(mask, keep)  # the book's mask: 1 kept, 0 dropped
                    else:
                        np.multiply(keep, scale, out=mask)  # inverted: 1/(1 − p) kept, 0 dropped
                    out *= mask
            a = out

        # SoftmaxWithLoss: forward, loss, backward ((y − onehot) / rows), in place on the scores
        y = z[-1]
        y -= y.max(axis=-1, keepdims=True)
        np.exp(y, out=y)
        y /= y.sum(axis=-1, keepdims=True)
        loss = cross_entropy_error(y, t) + penalty
        y[buf["rows"][0], t] -= 1
        y *= self.dtype.type(1.0 / rows)

        # backward: dW = xᵀ·dout, db = Σ dout, dx = dout·Wᵀ through dropout and activation
        dout = y
        for i in range(n - 1, -1, -1):
            a_in = x if i == 0 else z[i - 1]
            np.matmul(a_in.T, dout, out=self.gW[i])
            np.add.reduce(dout, axis=0, out=self.gb[i])
            if i == 0:
                break
            dx = d[i - 1]
            np.matmul(dout, W[i].T, out=dx)
            drop = self.dropout[i - 1]
            if drop is not None:
                dx *= buf["mask"][i - 1]
            if self.relu:
                np.multiply(dx, pos[i - 1], out=dx)
            else:
                act = buf["act"][i - 1] if drop is not None else z[i - 1]
                tmp = buf["tmp"][i - 1]
                np.subtract(1.0, act, out=tmp)
                dx *= tmp  # dout·(1 − y)·y, in the reference's order
                dx *= act
            dout = dx
        first_delta = dout

        # penalty gradient on all weights at once (biases are not penalized), then the update
        kind = self.penalty_kind
        if kind != "none":
            nw = self.n_weights
            gw, tw = self.grad[:nw], self.tmp[:nw]
            if kind == "l2":
                np.multiply(self.theta[:nw], self.lam_t, out=tw)  # ridge: grad += λ·W
                gw += tw
            elif kind == "l1":
                np.sign(self.theta[:nw], out=tw)  # lasso: grad += λ·sign(W)
                tw *= self.lam_t
                gw += tw
            else:
                for i in range(n):
                    self.regularizer.add_gradient(W[i], self.gW[i], self.lam)
        if self.plain_sgd:
            np.multiply(self.grad, self.dtype.type(self.optimizer.lr), out=self.tmp)  # w -= lr·g
            self.theta -= self.tmp
        else:
            self.optimizer.update(self.params, self.grads)
        return loss, first_delta

    # -- test-mode scores ----------------------------------------------------------
    def scores(self, x: np.ndarray | None, bufs: list[np.ndarray], params: dict[str, np.ndarray],
               first: np.ndarray | None = None) -> np.ndarray:
        """``network.predict(x)`` with ``params``, written into ``bufs`` (one per layer).

        ``first``: ``x·W1`` computed elsewhere (the incremental evaluation).
        The products have the reference's shapes, so the same rounding.
        """
        n = self.n_layers
        a = x
        for i in range(n):
            out = bufs[i]
            if i == 0 and first is not None:
                np.add(first, params["b1"], out=out)
            else:
                np.matmul(a, params[f"W{i + 1}"], out=out)
                out += params[f"b{i + 1}"]
            if i < n - 1:
                if self.relu:
                    np.maximum(out, self.zeros(*out.shape), out=out)
                else:
                    _sigmoid_inplace(out)
                if self.test_scale[i] is not None:
                    out *= self.test_scale[i]  # the book's dropout at test time: x·(1 − p)
            a = out
        return a


def _sigmoid_inplace(x: np.ndarray) -> None:
    """``x ← 1 / (1 + exp(−x))``: ``Sigmoid.forward``'s operations, in place."""
    with np.errstate(over="ignore"):
        np.negative(x, out=x)
        np.exp(x, out=x)
        x += 1.0
        np.divide(1.0, x, out=x)


class _Group:
    """One set of evaluation digits (the training or the test digits) and its score buffers."""

    def __init__(self, net: _Net, x: np.ndarray, t: np.ndarray) -> None:
        self.x, self.t = x, t
        self.bufs = [np.empty((x.shape[0], w), dtype=net.dtype) for w in net.sizes[1:]]
        self.first: np.ndarray | None = None  # x·W1, kept up to date (incremental evaluation)
        self.gram: np.ndarray | None = None  # x·X_trainᵀ

    def measure(self, net: _Net, params: dict[str, np.ndarray]) -> dict[str, Any]:
        """Accuracy and cross-entropy as ``Trainer._evaluate`` computes them (``finite`` False on NaN/inf)."""
        scores = net.scores(self.x, self.bufs, params, self.first)
        if not np.isfinite(scores).all():
            return {"finite": False}
        return {
            "finite": True,
            "acc": float(np.mean(scores.argmax(axis=1) == self.t)),
            "loss": cross_entropy_error(softmax(scores), self.t),
        }


class FastTrainer(Trainer):
    """``Trainer`` for a ``MultiLayerNet``, fused and on two threads, with the same ``History``.

    Takes :class:`~common.trainer.Trainer`'s arguments, plus keyword-only:

    - ``evaluation``: ``"exact"`` (default) computes the per-epoch scores with
      the reference's products, so the history is the reference's;
      ``"incremental"`` keeps ``X_eval·W1`` up to date instead of recomputing
      it (plain SGD with L2 or no penalty and no augmentation; elsewhere it
      falls back to ``"exact"``): −24 % of the FLOPs on the lecture's run,
      accuracies equal up to near-ties (see the module docstring);
    - ``threads``: 2 (default where a second CPU and threadpoolctl are there)
      scores on a worker thread; 1 runs everything on the calling thread.

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
    def _incremental(self, net: _Net) -> bool:
        """Whether ``X_eval·W1`` can be kept up to date (see the module docstring)."""
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
        with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
            net = _Net(self.network, self.optimizer)
            groups = [
                _Group(net, self._x_eval_train, self._t_eval_train),
                _Group(net, self._x_eval_test, self._t_eval_test),
            ]
            incremental = self._incremental(net)
            if incremental:
                for g in groups:
                    g.gram = g.x @ self._x_train.T
                    g.first = g.x @ net.W[0]
        pool = _worker() if self.threads != 1 else None
        if pool is None or self.callback is not None:
            yield from self._epochs_in_step(net, groups, pool, started, incremental)
        else:
            yield from self._epochs_run_ahead(net, groups, pool, started, incremental)

    # -- training ----------------------------------------------------------------
    def _train_epoch(self, net: _Net, epoch: int, delta: np.ndarray | None) -> float:
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

    def _checked(self, x: Any, net: _Net) -> np.ndarray:
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
    def _advance_first(self, net: _Net, group: _Group, delta: np.ndarray, epoch: int, steps: int) -> None:
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

    def _measure_groups(self, net: _Net, groups: list[_Group], delta: np.ndarray | None,
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

    def _record(self, epoch: int, train_loss: float, groups: list[_Group], measured: dict[str, Any],
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

    def _split(self, net: _Net, groups: list[_Group], pool: Any) -> tuple[list[_Group], list[_Group], bool]:
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
        mine: list[_Group] = []
        theirs: list[_Group] = []
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

    def _epochs_in_step(self, net: _Net, groups: list[_Group], pool: Any, started: float,
                        incremental: bool) -> Iterator[History]:
        """Train an epoch, then score it (split over two threads if there are two): no run-ahead."""
        mine, theirs, stats_there = self._split(net, groups, pool)
        delta = np.empty((self._x_train.shape[0], net.sizes[1]), dtype=net.dtype) if incremental else None
        self._steps = len(range(0, self._x_train.shape[0], self.batch_size))
        for epoch in range(1, self.epochs + 1):
            with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
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

    def _epochs_run_ahead(self, net: _Net, groups: list[_Group], pool: Any, started: float,
                          incremental: bool) -> Iterator[History]:
        """Epoch ``k`` is scored on the worker (with ``network.params``) while ``k + 1`` trains."""
        mine, theirs, stats_there = self._split(net, groups, pool)
        n_train = self._x_train.shape[0]
        self._steps = len(range(0, n_train, self.batch_size))
        deltas = [np.empty((n_train, net.sizes[1]), dtype=net.dtype) for _ in range(2)] if incremental else [None, None]
        with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
            try:
                train_loss = self._train_epoch(net, 1, deltas[1])
            except _Blowup as blowup:
                raise self._diverged(blowup.epoch, "loss") from None
            losses = self._epoch_losses
            net.push()
        for epoch in range(1, self.epochs + 1):
            blowup = None
            with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
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
                with _one_blas_thread():
                    net.push()
                train_loss, losses = next_loss, next_losses
