"""The lecture notebook's own training loop, with each of its quirks as a switch.

The lecture's exercise notebook (``2_5_overfiting.ipynb``) does not train with
:class:`common.trainer.Trainer`: every cell has its own loop over 1,000
iterations (a batch drawn with replacement, ``network.gradient``, then a
hand-written update of the hidden layers with the penalty's gradient added,
and the accuracy on all digits every ``plot_interval`` iterations).

- :func:`train_lecture_loop` is that loop, seeded through a
  ``numpy.random.Generator``, with a switch for each thing the cells do
  differently (its docstring lists them, with the loop as the cells write it);
- :data:`LECTURE_CELLS` holds each cell's settings as shipped:
  ``train_lecture_loop(**LECTURE_CELLS['l1'], seed=0)``;
- :func:`lecture_loop_seeds` runs one setting over several seeds (a
  :class:`course.seeds.SeedRuns`), two seeds at a time on two cores;
- :func:`zigzag` measures how much a training curve jumps between points.

``engine=True`` (the default) runs the iterations through
:func:`course.engine.lecture_loop`, held bit for bit to the plain loop here
(:func:`_plain_loop`, ``engine=False``) by ``tests/test_lecture_loop.py``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import numpy as np

from common import regularizers
from course import run_cache
from common._validation import check_bool, check_choice, check_float, check_int
from course.engine import lecture_loop as fused_lecture_loop, map_in_parallel, one_blas_thread as _one_blas_thread
from course.experiments import lecture_data
from course.i18n import t
from common.layers import cross_entropy_error, softmax
from common.multi_layer_net import MultiLayerNet
from common.trainer import WEIGHT_NORM_LIMIT, History

__all__ = [
    "LECTURE_CELLS",
    "LoopHistory",
    "lecture_loop_seeds",
    "train_lecture_loop",
    "zigzag",
]

LECTURE_CELLS: dict[str, dict[str, Any]] = {
    # network.gradient + optimizer.SGD(learning_rate=0.01).update over all layers
    "no_regularization": dict(regularization="none", learning_rate=0.01, update_output_layer=True),
    # hand-written loop over the hidden layers, λ·W, loss shown with ½·λ·sqrt(ΣW²)
    "l2": dict(regularization="l2", weight_decay_lambda=0.1, learning_rate=0.01, penalty_with_sqrt=True),
    # hand-written loop, λ·sign(W), learning rate 0.1 (ten times the other cells)
    "l1": dict(regularization="l1", weight_decay_lambda=0.005, learning_rate=0.1),
    # MultiLayerNet(weight_decay_lambda=<left over from the L1 cell>, use_dropout=True, dropout_ratio=0.15)
    # + optimizer.update: the network's L2 acts on every layer; the loss shown is network.loss
    "dropout": dict(
        regularization="l2", weight_decay_lambda=0.005, learning_rate=0.01, use_dropout=True,
        dropout_ratio=0.15, update_output_layer=True, penalty_with_sqrt=False,
    ),
    # MultiLayerNet(use_dropout=True, dropout_ratio=0.08) + the hand-written L1 loop, λ = 0.004
    "dropout_l1": dict(
        regularization="l1", weight_decay_lambda=0.004, learning_rate=0.01, use_dropout=True, dropout_ratio=0.08,
    ),
}
"""The lecture notebook's five experiment cells as shipped, as keyword arguments of
:func:`train_lecture_loop` (``train_lecture_loop(**LECTURE_CELLS['l1'], seed=0)``).

In the dropout cell, ``weight_decay_lambda`` is whatever the cell run before it
left behind (0.005 after the shipped L1 cell; the learner's notes ran L1 with
0.1); the network's own L2 penalty then acts on every layer through
``optimizer.update``."""


@dataclass
class LoopHistory(History):
    """A :class:`~common.trainer.History` of the lecture's loop, recorded every ``plot_interval`` iterations.

    ``epoch[k]`` is the **iteration** number ``(k + 1)·plot_interval`` (10, 20,
    …, 1,000), not an epoch.  Per evaluation point, as in ``History``:
    ``train_acc``/``test_acc`` (all training and test digits, dropout off),
    ``train_data_loss``/``test_loss`` (their cross-entropy), ``penalty`` (the
    penalty the step is the gradient of, ``½·λ·ΣW²`` or ``λ·Σ|W|`` over the
    layers the loop updates), ``train_loss`` (the mean over the interval's
    batches of the objective each step took the gradient of, measured in that
    step's own forward pass as ``Trainer`` does), ``weight_norm``/``sparsity``
    (all weights, ``W1 … W7``).  Those are what :class:`course.seeds.SeedRuns`
    summarizes.  Per iteration (``iters_num`` entries; not ``SeedRuns`` keys):

    - ``displayed_loss``: what the lecture's ``train_loss_list`` holds,
      ``network.loss(x_batch, d_batch)`` after the step plus the cell's
      ``weight_decay`` sum (with the square root if ``penalty_with_sqrt``);
    - ``objective``: the same batch loss plus the penalty the step is the
      gradient of (what the loop actually minimizes, up to dropout's noise).
    """

    displayed_loss: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)


def _batches(rng: np.random.Generator, n: int, batch_size: int, with_replacement: bool) -> Iterator[np.ndarray]:
    """Mini-batch indices forever: ``rng.choice(n, batch_size)`` (with replacement, as the lecture),
    or consecutive slices of a fresh ``rng.permutation(n)`` per pass (as ``Trainer``)."""
    while True:
        if with_replacement:
            yield rng.choice(n, batch_size)
        else:
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                yield order[start : start + batch_size]


def _penalties(w: np.ndarray, regularization: str, lam: float, with_sqrt: bool) -> tuple[float, float]:
    """(displayed, true) penalty of one weight matrix, as the lecture's cells add them up."""
    if regularization == "l2":
        squares = float(np.vdot(w, w))
        shown = 0.5 * lam * math.sqrt(squares) if with_sqrt else 0.5 * lam * squares
        return shown, 0.5 * lam * squares
    if regularization == "l1":
        value = lam * float(np.abs(w).sum())
        return value, value
    return 0.0, 0.0


def train_lecture_loop(
    *,
    regularization: str = "none",
    weight_decay_lambda: float = 0.0,
    learning_rate: float = 0.01,
    use_dropout: bool = False,
    dropout_ratio: float = 0.15,
    dropout_inverted: bool = False,
    iters_num: int = 1000,
    batch_size: int = 100,
    plot_interval: int = 10,
    n_train: int = 300,
    n_test: int = 1000,
    hidden_size_list: Sequence[int] = (100, 100, 100, 100, 100, 100),
    sample_with_replacement: bool = True,
    update_output_layer: bool = False,
    penalty_with_sqrt: bool = True,
    record_displayed_loss: bool = True,
    seed: int = 0,
    data: tuple | None = None,
    engine: bool = True,
) -> LoopHistory:
    """Train the lecture's 784-100×6-10 network with the lecture notebook's own loop.

    Each iteration ``i`` draws a batch, computes ``grad = network.gradient(x, t)``
    (``layers['AffineN'].dW`` is the data gradient only), then for
    ``idx = 1 … hidden_layer_num`` (``+ 1`` if ``update_output_layer``)::

        g_W = dW_idx + λ·W_idx        (regularization='l2')
        g_W = dW_idx + λ·sign(W_idx)  (regularization='l1')
        W_idx ← W_idx − learning_rate·g_W;   b_idx ← b_idx − learning_rate·db_idx

    so it minimizes ``E + ½·λ·Σ W²`` (L2) or ``E + λ·Σ |W|`` (L1) over the updated
    layers.  Every ``plot_interval`` iterations it scores all training and
    test digits (scoring draws no random numbers: the training does not depend
    on ``plot_interval``).  The switches are explained below;
    :data:`LECTURE_CELLS` gives each lecture cell's settings.

    The L2 cell as the lecture writes it (the L1 cells add
    ``weight_decay_lambda * np.sign(W)`` and show ``λ·Σ|W|``)::

        for i in range(iters_num):
            batch_mask = np.random.choice(train_size, batch_size)      # with replacement
            x_batch, d_batch = x_train[batch_mask], d_train[batch_mask]
            grad = network.gradient(x_batch, d_batch)
            weight_decay = 0
            for idx in range(1, hidden_layer_num + 1):                  # hidden layers only
                grad['W' + str(idx)] = network.layers['Affine' + str(idx)].dW + weight_decay_lambda * network.params['W' + str(idx)]
                grad['b' + str(idx)] = network.layers['Affine' + str(idx)].db
                network.params['W' + str(idx)] -= learning_rate * grad['W' + str(idx)]
                network.params['b' + str(idx)] -= learning_rate * grad['b' + str(idx)]
                weight_decay += 0.5 * weight_decay_lambda * np.sqrt(np.sum(network.params['W' + str(idx)] ** 2))
            loss = network.loss(x_batch, d_batch) + weight_decay         # the displayed loss
            if (i + 1) % plot_interval == 0: ...accuracy on all training and test digits...

    The switches, and which cells use them:

    =======================  ==================================================  =====================
    switch                   what it does                                        lecture cells
    =======================  ==================================================  =====================
    ``regularization``       ``'l2'`` adds ``λ·W`` to ``dW``, ``'l1'`` adds      L2, L1, dropout (l2
                             ``λ·sign(W)``, ``'none'`` nothing                   via the network's λ)
    ``update_output_layer``  ``False``: ``idx`` runs over the hidden layers      ``False``: L2, L1,
                             only, so the output layer ``W7``/``b7`` keeps its   dropout + L1;
                             initial values; ``True``: every layer (the same     ``True``: no
                             step as ``optimizer.SGD.update(params, grads)``)    regularization, dropout
    ``penalty_with_sqrt``    ``True``: the displayed loss adds                   L2 cell (``True``);
                             ``½·λ·sqrt(ΣW²)`` per layer (the lecture's wrong    dropout cell shows
                             answer to its own exercise) instead of the          ``network.loss``:
                             ``½·λ·ΣW²`` the step is the gradient of             ``False``
    ``sample_with_replacement``  ``True``: ``rng.choice(n, batch_size)``; ``False``:  all cells: ``True``
                             a fresh permutation per pass, as ``Trainer``
    ``dropout_inverted``     ``False``: the lecture's/book's dropout (scale by   dropout cells: ``False``
                             ``1 − p`` at test time); ``True``: inverted
    =======================  ==================================================  =====================

    One more switch changes nothing in the training, only what is recorded:
    ``record_displayed_loss=False`` skips the extra forward pass per iteration
    that computes the loss the cells display (``history.displayed_loss`` and
    ``history.objective`` stay empty; about a quarter of a run's time).

    Differences from the lecture's notebook, all deliberate: batches come from a
    seeded ``Generator`` (``default_rng(seed)``: one child for the initial weights
    and dropout masks, one for the batches — the same initial weights as
    :func:`course.experiments.train_lecture_net` with the same seed), and the data
    are the pack's shipped digits (the first 300 of 4,000 for training, 1,000
    test digits; the lecture used full MNIST's first 300 and 10,000 test digits).

    ``seed`` fixes everything (``default_rng(seed).spawn(2)``: initial weights and
    dropout masks from the first child, batches from the second).  ``data``
    may pass ``((x_train, t_train), (x_test, t_test))`` (then ``n_train``/``n_test``
    are not used).  A run whose loss or weights blow up (NaN, inf, norm above
    ``1e8``) stops there with ``history.diverged`` set, so several seeds can
    still be compared.  ``engine=True`` (the default) runs the iterations through
    :func:`course.engine.lecture_loop`, with the plain loop's numbers bit for bit;
    ``engine=False`` runs the plain loop.  With ``COURSE_RUN_CACHE`` set (the
    test suite does), a run with the same settings, data and code is read back
    instead of trained again (:mod:`course.run_cache`).
    """
    regularization = check_choice(regularization, "regularization", ("none", "l2", "l1"))
    lam = check_float(weight_decay_lambda, "weight_decay_lambda", minimum=0.0)
    if regularization == "none" and lam != 0.0:
        raise ValueError(
            f"weight_decay_lambda must be 0 with regularization='none', got {weight_decay_lambda!r}; "
            "pass regularization='l2' or 'l1' to use it"
        )
    lr = check_float(learning_rate, "learning_rate", minimum=0.0, include_min=False)
    use_dropout = check_bool(use_dropout, "use_dropout")
    dropout_inverted = check_bool(dropout_inverted, "dropout_inverted")
    sample_with_replacement = check_bool(sample_with_replacement, "sample_with_replacement")
    update_output_layer = check_bool(update_output_layer, "update_output_layer")
    penalty_with_sqrt = check_bool(penalty_with_sqrt, "penalty_with_sqrt")
    record_displayed_loss = check_bool(record_displayed_loss, "record_displayed_loss")
    engine = check_bool(engine, "engine")
    iters_num = check_int(iters_num, "iters_num", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    plot_interval = check_int(plot_interval, "plot_interval", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if data is None:
        data = lecture_data(n_train, n_test)
    (x_train, t_train), (x_test, t_test) = data
    if x_train.shape[0] != t_train.shape[0] or x_test.shape[0] != t_test.shape[0]:
        raise ValueError("data must be ((x_train, t_train), (x_test, t_test)) with as many labels as images")
    settings = dict(
        loop="lecture", regularization=regularization, weight_decay_lambda=lam, learning_rate=lr,
        use_dropout=use_dropout, dropout_ratio=dropout_ratio, dropout_inverted=dropout_inverted,
        iters_num=iters_num, batch_size=batch_size, plot_interval=plot_interval,
        n_train=int(x_train.shape[0]), n_test=int(x_test.shape[0]), hidden_size_list=list(hidden_size_list),
        sample_with_replacement=sample_with_replacement, update_output_layer=update_output_layer,
        penalty_with_sqrt=penalty_with_sqrt, record_displayed_loss=record_displayed_loss, seed=seed,
        engine=engine,
    )

    init_rng, batch_rng = np.random.default_rng(seed).spawn(2)

    def make_network(rng: np.random.Generator) -> MultiLayerNet:
        # λ stays 0 inside the network: the loop adds the penalty itself, as the lecture's cells do
        return MultiLayerNet(
            input_size=int(np.prod(x_train.shape[1:])), hidden_size_list=list(hidden_size_list), output_size=10,
            use_dropout=use_dropout, dropout_ratio=dropout_ratio, dropout_inverted=dropout_inverted, rng=rng,
        )

    def _train() -> LoopHistory:
        network = make_network(init_rng)
        history = LoopHistory(settings=settings, network=network)
        loop = fused_lecture_loop if engine else _plain_loop
        loop(network, history, _batches(batch_rng, x_train.shape[0], batch_size, sample_with_replacement),
             x_train, t_train, x_test, t_test, regularization=regularization, lam=lam, lr=lr,
             n_updated=network.hidden_layer_num + (1 if update_output_layer else 0),
             penalty_with_sqrt=penalty_with_sqrt, record_displayed_loss=record_displayed_loss,
             iters_num=iters_num, plot_interval=plot_interval)
        return history

    key = run_cache.key_for_settings("lecture_loop", settings, data=data)  # None unless COURSE_RUN_CACHE is set
    if key is None:
        return _train()
    with run_cache.claim(key):  # another process training the same run right now: wait for its entry
        cached = run_cache.load(key, lambda: make_network(np.random.default_rng(seed)), LoopHistory)
        if cached is None:
            cached = _train()
            run_cache.store(key, cached)
    return cached


def _plain_loop(network: MultiLayerNet, history: LoopHistory, batches: Iterator[np.ndarray],
                x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray, t_test: np.ndarray, *,
                regularization: str, lam: float, lr: float, n_updated: int, penalty_with_sqrt: bool,
                record_displayed_loss: bool, iters_num: int, plot_interval: int) -> None:
    """The lecture's loop as its cells write it (``engine=False``; ``course.engine.lecture_loop`` is the fast twin)."""
    t_train_labels = t_train.argmax(axis=1) if t_train.ndim == 2 else t_train
    t_test_labels = t_test.argmax(axis=1) if t_test.ndim == 2 else t_test
    started = time.perf_counter()
    interval_objectives: list[float] = []

    # one BLAS thread (course.engine's cap): small products, and no spinning threads on a busy machine
    with np.errstate(over="ignore", invalid="ignore"), _one_blas_thread():
        for i in range(iters_num):
            batch_mask = next(batches)
            x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
            network.gradient(x_batch, t_batch)
            step_objective = network.last_loss  # E on this batch, training mode (before the step)
            shown_penalty = true_penalty = 0.0
            for idx in range(1, n_updated + 1):
                W, b = network.params["W" + str(idx)], network.params["b" + str(idx)]
                step_objective += _penalties(W, regularization, lam, False)[1]
                grad_W = network.layers["Affine" + str(idx)].dW
                if regularization == "l2":
                    grad_W = grad_W + lam * W
                elif regularization == "l1":
                    grad_W = grad_W + lam * np.sign(W)
                W -= lr * grad_W
                b -= lr * network.layers["Affine" + str(idx)].db
                shown, true = _penalties(W, regularization, lam, penalty_with_sqrt)
                shown_penalty += shown
                true_penalty += true
            if record_displayed_loss:
                data_loss = network.loss(x_batch, t_batch)  # test mode, after the step, as the cells do
                history.displayed_loss.append(data_loss + shown_penalty)
                history.objective.append(data_loss + true_penalty)
                watched = data_loss + true_penalty
            else:  # no extra forward pass: the step's own loss (before it) and the penalty after it
                watched = step_objective + true_penalty
            interval_objectives.append(step_objective)

            evaluate = (i + 1) % plot_interval == 0
            # float32 cross-entropy saturates near 87, so a blown-up run can keep a finite
            # loss: the weight norm (checked when scoring) gives it away
            norm = regularizers.weight_norm(network.weights()) if evaluate else 0.0
            if not (math.isfinite(watched) and norm <= WEIGHT_NORM_LIMIT):
                history.diverged = t("lecture_loop.diverged", iteration=i + 1, limit=f"{WEIGHT_NORM_LIMIT:g}",
                                     lr=lr, lam=lam)
                break
            if evaluate:
                _record(history, network, i + 1, interval_objectives, true_penalty, norm,
                        x_train, t_train_labels, x_test, t_test_labels, started)
                interval_objectives = []


def _record(history: LoopHistory, network: MultiLayerNet, iteration: int, objectives: list[float],
            penalty: float, norm: float, x_train: np.ndarray, t_train: np.ndarray,
            x_test: np.ndarray, t_test: np.ndarray, started: float) -> None:
    """Append one evaluation point (what the lecture's ``accuracies_train``/``_test`` get, and more)."""
    scores_train = network.predict(x_train)
    scores_test = network.predict(x_test)
    history.epoch.append(iteration)
    history.train_acc.append(float(np.mean(scores_train.argmax(axis=1) == t_train)))
    history.test_acc.append(float(np.mean(scores_test.argmax(axis=1) == t_test)))
    history.train_loss.append(float(np.mean(objectives)))
    history.train_data_loss.append(cross_entropy_error(softmax(scores_train), t_train))
    history.test_loss.append(cross_entropy_error(softmax(scores_test), t_test))
    history.penalty.append(penalty)
    history.weight_norm.append(norm)
    history.sparsity.append(regularizers.sparsity(network.weights()))
    history.seconds.append(time.perf_counter() - started)


def zigzag(history: History, *, second_half: bool = True) -> float:
    """How much the training accuracy jumps between two evaluation points: ``mean |a_{k+1} − a_k|``.

    ``a_k`` is ``history.train_acc[k]`` (every ``plot_interval`` iterations);
    with ``second_half`` only the points from the middle of the run on count,
    where a curve that learns smoothly has flattened out (``0`` for a flat
    curve, ``0.1`` when the accuracy moves by ten points from one point to the
    next on average).  ``nan`` for a run that diverged or has fewer than 2 points.
    """
    if not isinstance(history, History):
        raise TypeError(f"history must be a History (one run), got {type(history).__name__}")
    values = np.asarray(history.train_acc, dtype=float)
    if second_half:
        values = values[len(values) // 2:]
    if history.diverged or values.size < 2:
        return math.nan
    return float(np.mean(np.abs(np.diff(values))))


def lecture_loop_seeds(seeds: Sequence[int] = (0, 1, 2, 3, 4), **settings: Any):
    """Run :func:`train_lecture_loop` once per seed: a :class:`course.seeds.SeedRuns`.

    ``lecture_loop_seeds(range(5), **LECTURE_CELLS['dropout'])``; any keyword of
    :func:`train_lecture_loop` except ``seed``.
    """
    if "seed" in settings:
        raise TypeError("lecture_loop_seeds takes seeds=[...], not seed=")
    from course.seeds import _check_seeds, run_seeds  # course.seeds imports plotting helpers; load it only when needed

    seeds = _check_seeds(seeds)
    # the seeds are independent runs of a one-core loop: course.engine runs two at a time, same numbers
    histories = dict(zip(seeds, map_in_parallel(lambda seed: train_lecture_loop(**settings, seed=seed), seeds)))
    return run_seeds(histories.__getitem__, seeds)
