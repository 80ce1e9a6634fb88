"""The lecture's exercise notebook (``2_5_overfiting.ipynb``) runs on ``common``.

Its five experiment cells — no regularization, L2 by hand, L1 by hand,
dropout, dropout + L1 by hand — and its own ``Dropout`` class are re-typed
below in our own words with the same API calls and the same loop structure,
then executed **in order in one namespace**, as one Jupyter kernel runs them:
whatever one cell leaves behind (``weight_decay_lambda``, ``optimizer`` rebound
from the module to an ``SGD`` instance, ``network``) is there for the next.

What a learner changes, and nothing else:

- the import lines: ``from data.mnist import load_mnist`` →
  ``from common.datasets import load_mnist``, ``from multi_layer_net import
  MultiLayerNet`` → ``from common.multi_layer_net import MultiLayerNet`` (and the
  ``sys.path`` line goes);
- batches: ``np.random.choice(train_size, batch_size)`` →
  ``rng.choice(train_size, batch_size)`` with one ``rng = np.random.default_rng(0)``
  (the pack never uses the global ``np.random`` state), likewise
  ``np.random.rand(*x.shape)`` → ``rng.random(x.shape)`` in the ``Dropout`` class.

What then differs from the lecture's run: the data (the pack's shipped 300
training and 1,000 test digits instead of full MNIST's 300 and 10,000), the
random numbers, and ``MultiLayerNet``'s dropout, which by default scales at
training time (inverted) where the lecture's scales at test time — the same
network in expectation (checked below); ``dropout_inverted=False`` gives the
lecture's.  The networks are built without ``rng=``, as in the lecture, so
their initial weights are unseeded: accuracy checks leave the margins measured
over five seeds with :func:`course.lecture_loop.train_lecture_loop`.
"""

from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pytest

from common import layers

# batch-100 products gain nothing from BLAS threads, and spinning threads slow a busy machine down
from course.engine import one_blas_thread as _one_blas_thread


# ---------------------------------------------------------------- the cells, re-typed

IMPORTS = """
import sys, os
import numpy as np
from collections import OrderedDict
from common import layers
from common.datasets import load_mnist              # was: from data.mnist import load_mnist
import matplotlib.pyplot as plt
from common.multi_layer_net import MultiLayerNet    # was: from multi_layer_net import MultiLayerNet
from common import optimizer

rng = np.random.default_rng(0)                      # added: the batches' random numbers
"""

LOAD = """
(x_train, d_train), (x_test, d_test) = load_mnist(normalize=True)
print("MNIST loaded")
x_train = x_train[:300]                               # only 300 digits: easy to memorize
d_train = d_train[:300]
"""

SETTINGS = """
iters_num = 1000
train_size = x_train.shape[0]
batch_size = 100
train_loss_list = []
accuracies_train = []
accuracies_test = []
plot_interval = 10
"""

BATCH = """
    batch_mask = rng.choice(train_size, batch_size)  # was: np.random.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    d_batch = d_train[batch_mask]
"""

SCORE = """
    if (i + 1) % plot_interval == 0:
        accr_train = network.accuracy(x_train, d_train)
        accr_test = network.accuracy(x_test, d_test)
        accuracies_train.append(accr_train)
        accuracies_test.append(accr_test)
        print(f"iteration {i + 1}: training accuracy {accr_train:.3f}, test accuracy {accr_test:.3f}")
"""

PLOT = """
lists = range(0, iters_num, plot_interval)
plt.plot(lists, accuracies_train, label="training set")
plt.plot(lists, accuracies_test, label="test set")
plt.legend(loc="lower right")
plt.title("accuracy")
plt.xlabel("count")
plt.ylabel("accuracy")
plt.ylim(0, 1.0)
plt.show()
"""

OPTIMIZER_LOOP = BATCH + """
    grad = network.gradient(x_batch, d_batch)
    optimizer.update(network.params, grad)
    loss = network.loss(x_batch, d_batch)
    train_loss_list.append(loss)
""" + SCORE


def hand_loop(penalty_gradient: str, penalty_value: str) -> str:
    """The hand-written weight-decay loop of the L2/L1 cells (hidden layers only, as in the lecture)."""
    return BATCH + f"""
    grad = network.gradient(x_batch, d_batch)
    weight_decay = 0
    for idx in range(1, hidden_layer_num + 1):
        grad['W' + str(idx)] = network.layers['Affine' + str(idx)].dW + {penalty_gradient}
        grad['b' + str(idx)] = network.layers['Affine' + str(idx)].db
        network.params['W' + str(idx)] -= learning_rate * grad['W' + str(idx)]
        network.params['b' + str(idx)] -= learning_rate * grad['b' + str(idx)]
        weight_decay += {penalty_value}
    loss = network.loss(x_batch, d_batch) + weight_decay
    train_loss_list.append(loss)
""" + SCORE


L2_GRADIENT = "weight_decay_lambda * network.params['W' + str(idx)]"
L2_SHOWN = "0.5 * weight_decay_lambda * np.sqrt(np.sum(network.params['W' + str(idx)] ** 2))"
L1_GRADIENT = "weight_decay_lambda * np.sign(network.params['W' + str(idx)])"
L1_SHOWN = "weight_decay_lambda * np.sum(np.abs(network.params['W' + str(idx)]))"

CELLS = {
    "no_regularization": IMPORTS + LOAD + """
network = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10)
optimizer = optimizer.SGD(learning_rate=0.01)        # the name now holds the optimizer, not the module
""" + SETTINGS + "\nfor i in range(iters_num):" + OPTIMIZER_LOOP + PLOT,
    "l2": "from common import optimizer\n" + LOAD + """
network = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10)
""" + SETTINGS + """
learning_rate = 0.01
hidden_layer_num = network.hidden_layer_num
weight_decay_lambda = 0.1                             # strength of the L2 penalty

for i in range(iters_num):""" + hand_loop(L2_GRADIENT, L2_SHOWN) + PLOT,
    "l1": LOAD + """
network = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10)
""" + SETTINGS + """
learning_rate = 0.1                                   # ten times the other cells
hidden_layer_num = network.hidden_layer_num
weight_decay_lambda = 0.005                           # strength of the L1 penalty

for i in range(iters_num):""" + hand_loop(L1_GRADIENT, L1_SHOWN) + PLOT,
    "dropout_class": """
class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = rng.random(x.shape) > self.dropout_ratio   # was: np.random.rand(*x.shape)
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)                    # scaled at test time

    def backward(self, dout):
        return dout * self.mask
""",
    "dropout": "from common import optimizer\n" + LOAD + """
use_dropout = True
dropout_ratio = 0.15

# weight_decay_lambda: whatever the cell run before this one left behind
network = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10,
                        weight_decay_lambda=weight_decay_lambda, use_dropout=use_dropout, dropout_ratio=dropout_ratio)
optimizer = optimizer.SGD(learning_rate=0.01)
# optimizer = optimizer.Momentum(learning_rate=0.01, momentum=0.9)
# optimizer = optimizer.AdaGrad(learning_rate=0.01)
# optimizer = optimizer.Adam()
""" + SETTINGS + "\nfor i in range(iters_num):" + OPTIMIZER_LOOP + PLOT,
    "dropout_l1": "from common import optimizer\n" + LOAD + """
use_dropout = True
dropout_ratio = 0.08

network = MultiLayerNet(input_size=784, hidden_size_list=[100] * 6, output_size=10,
                        use_dropout=use_dropout, dropout_ratio=dropout_ratio)
""" + SETTINGS + """
learning_rate = 0.01
hidden_layer_num = network.hidden_layer_num
weight_decay_lambda = 0.004

for i in range(iters_num):""" + hand_loop(L1_GRADIENT, L1_SHOWN) + PLOT,
}


@pytest.fixture(scope="module")
def kernel():
    """Run every cell in order in one namespace; return a snapshot of the namespace after each cell."""
    namespace: dict = {"__name__": "__lecture_notebook__"}
    after: dict[str, dict] = {}
    with _one_blas_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Agg's "cannot show the figure"
        for name, source in CELLS.items():
            exec(compile(textwrap.dedent(source), f"<cell {name}>", "exec"), namespace)
            after[name] = dict(namespace)  # each cell makes new lists and a new network: a shallow copy keeps them
            import matplotlib.pyplot as plt

            plt.close("all")
    return after


def zigzag(values) -> float:
    """Mean |change| between consecutive accuracy points over the second half of a run."""
    half = np.asarray(values[len(values) // 2 :])
    return float(np.mean(np.abs(np.diff(half))))


def test_cells_run_and_record_every_tenth_iteration(kernel):
    for name in ("no_regularization", "l2", "l1", "dropout", "dropout_l1"):
        ns = kernel[name]
        assert len(ns["train_loss_list"]) == 1000, name
        assert len(ns["accuracies_train"]) == len(ns["accuracies_test"]) == len(ns["lists"]) == 100, name
        assert all(np.isfinite(ns["train_loss_list"])), name


def test_no_regularization_overfits(kernel):
    ns = kernel["no_regularization"]
    # train_lecture_loop, 5 seeds: train 1.000 on all, test 0.79-0.82
    assert ns["accuracies_train"][-1] == 1.0
    assert ns["accuracies_train"][-1] - ns["accuracies_test"][-1] > 0.1
    # optimizer.update touched every layer, the output layer too
    assert np.any(ns["network"].params["b7"] != 0)


def test_the_module_name_optimizer_is_rebound_as_in_the_lecture(kernel):
    first = kernel["no_regularization"]["optimizer"]
    assert type(first).__name__ == "SGD" and first.lr == 0.01
    assert kernel["l2"]["optimizer"].__name__ == "common.optimizer"  # the L2 cell imports it again
    assert type(kernel["dropout"]["optimizer"]).__name__ == "SGD"


def test_hand_written_loops_never_update_the_output_layer(kernel):
    for name in ("l2", "l1", "dropout_l1"):
        network = kernel[name]["network"]
        assert network.hidden_layer_num == 6
        np.testing.assert_array_equal(network.params["b7"], 0.0)  # still its initial zeros
        assert np.any(network.params["b6"] != 0)  # the hidden layers did move


def test_l2_cell_shows_the_square_root_not_the_penalty_it_minimizes(kernel):
    ns = kernel["l2"]
    network, lam = ns["network"], ns["weight_decay_lambda"]
    assert lam == 0.1 and network.weight_decay_lambda == 0.0
    hidden = [network.params[f"W{idx}"].astype(np.float64) for idx in range(1, 7)]
    shown = sum(0.5 * lam * np.sqrt(np.sum(w**2)) for w in hidden)
    minimized = sum(0.5 * lam * np.sum(w**2) for w in hidden)
    data_loss = network.loss(ns["x_batch"], ns["d_batch"])
    assert ns["train_loss_list"][-1] == pytest.approx(data_loss + shown, rel=1e-5)
    # the step subtracts lr·λ·W, the gradient of ½·λ·ΣW², which is several times larger here
    assert minimized > 2 * shown


def test_l1_cell_zigzags_and_l2_cell_does_not(kernel):
    assert kernel["l1"]["learning_rate"] == 0.1 and kernel["l1"]["weight_decay_lambda"] == 0.005
    # train_lecture_loop, 5 seeds: L1 cell 0.111-0.146, L2 cell 0.005-0.012
    assert zigzag(kernel["l1"]["accuracies_train"]) > 0.05
    assert zigzag(kernel["l2"]["accuracies_train"]) < 0.03


def test_the_lectures_dropout_class_is_the_books_dropout():
    ns: dict = {}
    exec(compile("import numpy as np\nrng = np.random.default_rng(1)\n" + CELLS["dropout_class"], "<cell>", "exec"), ns)
    x = np.random.default_rng(2).random((400, 100)) + 0.5
    lecture = ns["Dropout"](0.15)
    book = layers.Dropout(0.15, rng=3, inverted=False)
    inverted = layers.Dropout(0.15, rng=4, inverted=True)
    # test time: the lecture's and the book-style layer scale by 1 - p; the inverted layer passes x through
    np.testing.assert_array_equal(book.forward(x, train_flg=False), lecture.forward(x, train_flg=False))
    np.testing.assert_array_equal(inverted.forward(x, train_flg=False), x)
    # training: all three keep ~85 % of the units; the expected output over the test-time output is 1
    for layer in (lecture, book, inverted):
        kept = layer.forward(x, train_flg=True)
        assert np.mean(kept != 0) == pytest.approx(0.85, abs=0.01)
        ratio = kept.mean() / layer.forward(x, train_flg=False).mean()
        assert ratio == pytest.approx(1.0, abs=0.01)


def test_leftover_lambda_reaches_the_dropout_cell(kernel):
    ns = kernel["dropout"]
    network = ns["network"]
    assert network.weight_decay_lambda == kernel["l1"]["weight_decay_lambda"] == 0.005
    assert [network.layers[f"Dropout{i}"].dropout_ratio for i in range(1, 7)] == [0.15] * 6
    # its loss is network.loss: the data loss plus ½·λ·ΣW² over all 7 layers (no square root)
    penalty = 0.5 * 0.005 * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in network.weights())
    data_only = ns["network"].last_layer.forward(network.predict(ns["x_batch"]), ns["d_batch"])
    assert ns["train_loss_list"][-1] == pytest.approx(data_only + penalty, rel=1e-5)
    # dropout + L1 builds its network without λ: nothing left over there
    assert kernel["dropout_l1"]["network"].weight_decay_lambda == 0.0
    assert kernel["dropout_l1"]["weight_decay_lambda"] == 0.004


def test_gradient_leaves_dW_as_the_data_gradient(kernel):
    """In the dropout cell the network carries λ: grad['W'] = dW + λ·W, and dW holds no penalty."""
    ns = kernel["dropout"]
    network, grad, lam = ns["network"], ns["grad"], 0.005
    for idx in range(1, 8):
        w_before = network.params[f"W{idx}"] + 0.01 * grad[f"W{idx}"]  # optimizer.update ran after gradient()
        dW = network.layers[f"Affine{idx}"].dW
        np.testing.assert_allclose(grad[f"W{idx}"] - dW, lam * w_before, rtol=1e-3, atol=1e-7)


def test_hand_loop_on_a_network_with_lambda_counts_the_penalty_once():
    """Had dW carried λ·W, the lecture's ``dW + λ·W`` would subtract the penalty's step twice."""
    from common.datasets import load_mnist
    from common.multi_layer_net import MultiLayerNet

    (x_train, t_train), _ = load_mnist(normalize=True)
    x, t = x_train[:100], t_train[:100]
    lam, learning_rate = 0.1, 0.01
    with_lambda = MultiLayerNet(784, [100] * 6, 10, weight_decay_lambda=lam, rng=5)
    without = MultiLayerNet(784, [100] * 6, 10, rng=5)
    before = {key: value.copy() for key, value in with_lambda.params.items()}
    grad = with_lambda.gradient(x, t)
    without.gradient(x, t)
    for idx in range(1, with_lambda.hidden_layer_num + 1):  # the lecture's L2 loop, one iteration
        grad["W" + str(idx)] = with_lambda.layers["Affine" + str(idx)].dW + lam * with_lambda.params["W" + str(idx)]
        with_lambda.params["W" + str(idx)] -= learning_rate * grad["W" + str(idx)]
    for idx in range(1, 7):
        data_gradient = without.layers[f"Affine{idx}"].dW
        np.testing.assert_array_equal(with_lambda.layers[f"Affine{idx}"].dW, data_gradient)
        expected = before[f"W{idx}"] - learning_rate * (data_gradient + lam * before[f"W{idx}"])
        np.testing.assert_allclose(with_lambda.params[f"W{idx}"], expected, rtol=1e-6, atol=1e-8)


def test_the_dropout_cells_commented_optimizers_work():
    from common import optimizer

    assert optimizer.SGD(learning_rate=0.01).lr == 0.01
    momentum = optimizer.Momentum(learning_rate=0.01, momentum=0.9)
    assert (momentum.lr, momentum.momentum) == (0.01, 0.9)
    assert optimizer.AdaGrad(learning_rate=0.01).lr == 0.01
    assert optimizer.Adam().lr == 0.001
    with pytest.raises(TypeError, match="learning_rate"):
        optimizer.SGD(lr=0.01, learning_rate=0.1)


def test_dropout_l1_cell_learns(kernel):
    ns = kernel["dropout_l1"]
    # train_lecture_loop, 5 seeds: train 0.89-0.98, test 0.72-0.81
    assert ns["accuracies_train"][-1] > 0.8
    assert ns["accuracies_test"][-1] > 0.6
