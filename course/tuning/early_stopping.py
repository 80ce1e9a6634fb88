"""Early stopping: a ``Trainer`` callback that stops when validation accuracy stops improving.

Give the trainer the validation split as its test set, pass
``EarlyStopping(patience=20)`` as a callback, and call :meth:`EarlyStopping.restore`
after training to put the best epoch's weights back into the network.
"""

from __future__ import annotations

import math
from typing import Any

from common._validation import check_bool, check_choice, check_float, check_int
from common.optimizer import Params
from common.trainer import History

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """``Trainer`` callback: stop when ``metric`` has not improved for ``patience`` epochs.

    Give the trainer the *validation* split as its test set, so ``'test_acc'``
    is validation accuracy.  Improvement means ``score > best + min_delta``.
    With ``restore_best=True`` the weights of the best epoch are kept; call
    :meth:`restore` after training to put them back into the network.
    """

    def __init__(self, patience: int = 20, *, metric: str = "test_acc", min_delta: float = 0.0,
                 restore_best: bool = True) -> None:
        self.patience = check_int(patience, "patience", minimum=1)
        self.metric = check_choice(metric, "metric", ("test_acc", "train_acc"))
        self.min_delta = check_float(min_delta, "min_delta", minimum=0.0)
        self.restore_best = check_bool(restore_best, "restore_best")
        self.best_score = -math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.best_params: Params | None = None

    def __call__(self, history: History) -> bool:
        score = getattr(history, self.metric)[-1]
        epoch = history.epoch[-1]
        if score > self.best_score + self.min_delta:
            self.best_score, self.best_epoch = score, epoch
            if self.restore_best and history.network is not None:
                self.best_params = {k: v.copy() for k, v in history.network.params.items()}
        if self.best_epoch is not None and epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, network: Any) -> None:
        """Copy the best epoch's weights back into ``network.params`` (in place)."""
        if self.best_params is None:
            raise ValueError("no weights were saved: train first (with restore_best=True)")
        for key, value in self.best_params.items():
            network.params[key][...] = value
