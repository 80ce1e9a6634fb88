"""The book's ``MultiLayerNetExtend`` (ch. 6), at the book's module path.

``common/multi_layer_net_extend.py`` in the book is :class:`MultiLayerNet`
plus dropout and batch normalization.  Here :class:`MultiLayerNet` already has
weight decay and dropout, so ``MultiLayerNetExtend`` is that network with the
book's constructor: the same positional order, ``dropout_ration`` (the book's
spelling) and ``use_batchnorm``.

Batch normalization is Section 1's topic, not this course's (Day 2, Section 3
過学習), so ``use_batchnorm=True`` raises a ``ValueError`` that says so instead of
silently training a different network.

Dropout follows the book by default (``dropout_inverted=False``): no scaling
while training, outputs times ``1 − dropout_ratio`` at test time.  The
expected activation is the same as the pack's inverted dropout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import RngLike
from .multi_layer_net import MultiLayerNet

__all__ = ["MultiLayerNetExtend"]

_UNSET: Any = object()


class MultiLayerNetExtend(MultiLayerNet):
    """Fully connected network with weight decay and dropout, built like the book's.

    ``MultiLayerNetExtend(input_size, hidden_size_list, output_size,
    activation='relu', weight_init_std='relu', weight_decay_lambda=0,
    use_dropout=False, dropout_ration=0.5, use_batchnorm=False)`` as in the
    book, plus keyword-only ``dropout_ratio`` (the course's spelling; give one
    of the two), ``dropout_inverted`` (default ``False``: the book's test-time
    scaling), ``regularization``, ``dtype`` and ``rng`` as in
    :class:`MultiLayerNet`.  Everything else (``params``, ``layers``,
    ``gradient``, ``loss``, ``accuracy``, …) is :class:`MultiLayerNet`'s.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: list[int] | tuple[int, ...],
        output_size: int,
        activation: str = "relu",
        weight_init_std: str | float = "relu",
        weight_decay_lambda: float = 0.0,
        use_dropout: bool = False,
        dropout_ration: float = _UNSET,
        use_batchnorm: bool = False,
        *,
        dropout_ratio: float = _UNSET,
        dropout_inverted: bool = False,
        regularization: str = "l2",
        dtype: Any = np.float32,
        rng: RngLike = None,
    ) -> None:
        if not isinstance(use_batchnorm, (bool, np.bool_)):
            raise TypeError(f"use_batchnorm must be True or False, got {use_batchnorm!r}")
        if use_batchnorm:
            raise ValueError(
                "use_batchnorm=True: batch normalization is not part of this course "
                "(Day 2, Section 3 covers weight decay and dropout); use use_batchnorm=False"
            )
        if dropout_ration is not _UNSET and dropout_ratio is not _UNSET and dropout_ration != dropout_ratio:
            raise TypeError(
                f"give dropout_ratio or the book's spelling dropout_ration, not both with different values "
                f"(got dropout_ratio={dropout_ratio!r}, dropout_ration={dropout_ration!r})"
            )
        ratio = dropout_ratio if dropout_ratio is not _UNSET else dropout_ration
        super().__init__(
            input_size,
            hidden_size_list,
            output_size,
            activation,
            weight_init_std,
            weight_decay_lambda,
            regularization=regularization,
            use_dropout=use_dropout,
            dropout_ratio=0.5 if ratio is _UNSET else ratio,
            dropout_inverted=dropout_inverted,
            dtype=dtype,
            rng=rng,
        )
        self.use_batchnorm = False

