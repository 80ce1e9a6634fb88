"""The book's ``MultiLayerNetExtend`` (ch. 6), at the book's module path.

In the book it is ``MultiLayerNet`` plus dropout and batch normalization.
Here :class:`MultiLayerNet` already has weight decay and dropout, so this is
that network with the book's constructor: the same positional order,
``dropout_ration`` (the book's spelling) and ``use_batchnorm``.  Batch
normalization is not this course's topic (Day 2, Section 3 過学習), so
``use_batchnorm=True`` raises a ``ValueError`` that says so.

Dropout follows the book by default (``dropout_inverted=False``): no scaling
while training, outputs times ``1 − dropout_ratio`` at test time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import RngLike, check_bool
from .multi_layer_net import MultiLayerNet

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend(MultiLayerNet):
    """``MultiLayerNetExtend(input_size, hidden_size_list, output_size, activation='relu',
    weight_init_std='relu', weight_decay_lambda=0, use_dropout=False, dropout_ration=0.5,
    use_batchnorm=False)`` as in the book.

    Keyword-only, as in :class:`MultiLayerNet`: ``dropout_ratio`` (the course's
    spelling; give one of the two), ``dropout_inverted`` (default ``False``
    here), ``regularization``, ``dtype`` and ``rng``.
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
        dropout_ration: float | None = None,
        use_batchnorm: bool = False,
        *,
        dropout_ratio: float | None = None,
        dropout_inverted: bool = False,
        regularization: str = "l2",
        dtype: Any = np.float32,
        rng: RngLike = None,
    ) -> None:
        if check_bool(use_batchnorm, "use_batchnorm"):
            raise ValueError(
                "use_batchnorm=True: batch normalization is not part of this course "
                "(Day 2, Section 3 covers weight decay and dropout); use use_batchnorm=False"
            )
        super().__init__(
            input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda,
            regularization=regularization, use_dropout=use_dropout, dropout_ratio=dropout_ratio,
            dropout_ration=dropout_ration, dropout_inverted=dropout_inverted, dtype=dtype, rng=rng,
        )
        self.use_batchnorm = False
