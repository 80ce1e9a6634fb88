"""The fused network: a ``MultiLayerNet``'s parameters as one flat float vector, and one training step on buffers.

Shared by both fast paths (:class:`course.engine.FastTrainer` and
:mod:`course.engine.lecture`).  :class:`FusedNet` copies the network's
parameters into one flat vector (``W1 … WL`` then ``b1 … bL``; the gradients
in the same layout), so a penalty gradient or an SGD update over all layers is
a few whole-vector operations; every layer writes into buffers kept between
steps.  The operations are ``MultiLayerNet.gradient``'s, in its order, on
arrays of the same shapes, so each float is rounded the same way:

    net = FusedNet(network, optimizer)        # copies network.params in (pull)
    loss, delta1 = net.step(x_batch, t_batch)  # forward, backward, update
    net.push()                                 # network.params ← the engine's weights

:func:`supports` says whether a network can be fused; :class:`ScoreGroup`
scores a fixed set of digits (accuracy and cross-entropy) into its own buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common import regularizers
from common.layers import Affine, Dropout, Relu, Sigmoid, cross_entropy_error, softmax
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD, Optimizer

__all__ = ["FusedNet", "ScoreGroup", "sigmoid_inplace", "supports"]


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


class FusedNet:
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
    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """``W1, b1, …`` as views into ``flat``, a vector laid out like ``theta`` (e.g. a copy of it)."""
        base = self.theta.__array_interface__["data"][0]
        views = {}
        for key, view in self.params.items():
            start = (view.__array_interface__["data"][0] - base) // self.theta.itemsize
            views[key] = flat[start : start + view.size].reshape(view.shape)
        return views

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
        loss, first_delta = self.forward_backward(x, t)
        self.update()
        return loss, first_delta

    def forward_backward(self, x: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        """``MultiLayerNet.gradient`` into ``grad``: the data gradient ``∂E/∂θ`` (no penalty yet).

        Returns the loss of the forward pass (``E + penalty``) and ``δ1``, as :meth:`step`.
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
                    sigmoid_inplace(out)
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
        return loss, dout

    def update(self) -> None:
        """The penalty's gradient on all weights at once (biases are not penalized), then the update."""
        n, W = self.n_layers, self.W
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
                    sigmoid_inplace(out)
                if self.test_scale[i] is not None:
                    out *= self.test_scale[i]  # the book's dropout at test time: x·(1 − p)
            a = out
        return a


def sigmoid_inplace(x: np.ndarray) -> None:
    """``x ← 1 / (1 + exp(−x))``: ``Sigmoid.forward``'s operations, in place."""
    with np.errstate(over="ignore"):
        np.negative(x, out=x)
        np.exp(x, out=x)
        x += 1.0
        np.divide(1.0, x, out=x)


class ScoreGroup:
    """One set of evaluation digits (the training or the test digits) and its score buffers."""

    def __init__(self, net: FusedNet, x: np.ndarray, t: np.ndarray) -> None:
        self.x, self.t = x, t
        self.bufs = [np.empty((x.shape[0], w), dtype=net.dtype) for w in net.sizes[1:]]
        self.first: np.ndarray | None = None  # x·W1, kept up to date (incremental evaluation)
        self.gram: np.ndarray | None = None  # x·X_trainᵀ

    def measure(self, net: FusedNet, params: dict[str, np.ndarray]) -> dict[str, Any]:
        """Accuracy and cross-entropy as ``Trainer._evaluate`` computes them (``finite`` False on NaN/inf)."""
        scores = net.scores(self.x, self.bufs, params, self.first)
        if not np.isfinite(scores).all():
            return {"finite": False}
        return {
            "finite": True,
            "acc": float(np.mean(scores.argmax(axis=1) == self.t)),
            "loss": cross_entropy_error(softmax(scores), self.t),
        }

