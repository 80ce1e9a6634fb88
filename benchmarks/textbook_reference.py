"""A plain textbook-style NumPy implementation of the lecture's experiment.

Written for the benchmark only, in the style of the book's ``common/`` code
(*ゼロから作るDeep Learning*, ch. 5–6): float64 weights, one object per layer,
``predict`` → ``loss`` → ``gradient`` with a full forward pass each time, the
weight-decay term recomputed inside every ``loss`` call (as the book does),
``grads = dW + λ·W``, ``params[key] -= lr * grads[key]``, and two separate
``accuracy`` calls per epoch (train set, test set).

Two deliberate differences from the book's script, so that the three
implementations in the benchmark do the *same* math and can be compared
epoch by epoch:

* the initial weights are passed in (common's float32 draws, widened to
  float64 exactly) instead of drawn with the global ``np.random``;
* the mini-batches follow a given list of per-epoch permutations (the
  order common's ``Trainer`` uses) instead of ``np.random.choice``, and
  accuracy is measured after each full epoch.

The data are converted to float64 once up front (the book keeps float32
images and float64 weights, so NumPy would convert the images on every
product; converting once gives the reference its fastest float64 form).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx / batch_size


class MultiLayerNet:
    """The book's ``MultiLayerNet`` (ReLU, L2 weight decay), float64, given initial weights."""

    def __init__(self, init_params, weight_decay_lambda=0.0):
        self.params = {key: np.array(value, dtype=np.float64) for key, value in init_params.items()}
        self.weight_decay_lambda = weight_decay_lambda
        self.n_affine = sum(1 for key in self.params if key.startswith("W"))
        self.layers = OrderedDict()
        for idx in range(1, self.n_affine + 1):
            self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)], self.params["b" + str(idx)])
            if idx < self.n_affine:
                self.layers["Relu" + str(idx)] = Relu()
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        weight_decay = 0
        for idx in range(1, self.n_affine + 1):
            W = self.params["W" + str(idx)]
            weight_decay += 0.5 * self.weight_decay_lambda * np.sum(W**2)
        return self.last_layer.forward(y, t) + weight_decay

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        loss = self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for idx in range(1, self.n_affine + 1):
            layer = self.layers["Affine" + str(idx)]
            grads["W" + str(idx)] = layer.dW + self.weight_decay_lambda * layer.W
            grads["b" + str(idx)] = layer.db
        return grads, loss


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]


def train(init_params, x_train, t_train, x_test, t_test, orders, *, lr, weight_decay_lambda, batch_size):
    """Train like the book's ch. 6.4 script; return per-epoch ``(train_acc, test_acc)`` lists.

    ``orders[k]`` is the permutation of the training set used in epoch ``k + 1``.
    """
    x_train = np.asarray(x_train, dtype=np.float64)
    x_test = np.asarray(x_test, dtype=np.float64)
    network = MultiLayerNet(init_params, weight_decay_lambda)
    optimizer = SGD(lr)
    train_acc_list, test_acc_list = [], []
    for order in orders:
        for start in range(0, len(order), batch_size):
            batch_mask = order[start : start + batch_size]
            grads, _ = network.gradient(x_train[batch_mask], t_train[batch_mask])
            optimizer.update(network.params, grads)
        train_acc_list.append(float(network.accuracy(x_train, t_train)))
        test_acc_list.append(float(network.accuracy(x_test, t_test)))
    return train_acc_list, test_acc_list
