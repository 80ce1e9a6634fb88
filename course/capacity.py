"""How much freedom (自由度) a fully connected network has: its parameter count.

The lecture blames overfitting on a network with too much freedom: many
parameters, many nodes.  For ``MultiLayerNet`` with layer sizes
``n_0 (input), n_1 … n_k (hidden), n_{k+1} (output)`` the count is

    Σ_{l=1}^{k+1} (n_{l-1}·n_l  +  n_l)      weights + biases

(the weights alone, the part weight decay penalizes, drop the ``+ n_l``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from common._validation import check_bool, check_int

__all__ = ["parameter_count", "count_parameters"]


def parameter_count(
    hidden_size_list: Sequence[int],
    *,
    input_size: int = 784,
    output_size: int = 10,
    biases: bool = True,
) -> int:
    """Parameters of a fully connected ``input → hidden… → output`` net: ``Σ (n_{l-1}·n_l + n_l)``.

    ``parameter_count([100] * 6)`` is the lecture's 784-100×6-10 network;
    ``biases=False`` counts only the weight matrices (the penalized ones).
    """
    if isinstance(hidden_size_list, (str, bytes)) or not hasattr(hidden_size_list, "__iter__"):
        raise TypeError(f"hidden_size_list must be a list of positive ints, got {hidden_size_list!r}")
    hidden = [check_int(h, f"hidden_size_list[{i}]", minimum=1) for i, h in enumerate(hidden_size_list)]
    sizes = [check_int(input_size, "input_size", minimum=1), *hidden, check_int(output_size, "output_size", minimum=1)]
    biases = check_bool(biases, "biases")
    return sum(n_in * n_out + (n_out if biases else 0) for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def count_parameters(network: Any, *, biases: bool = True) -> int:
    """Number of values in ``network.params`` (keys ``W1, b1, …``); ``biases=False`` counts ``W*`` only."""
    params = getattr(network, "params", None)
    if not isinstance(params, dict):
        raise TypeError(f"network must have a .params dict (like MultiLayerNet), got {type(network).__name__}")
    biases = check_bool(biases, "biases")
    total = 0
    for key, value in params.items():
        if not isinstance(value, np.ndarray):
            raise TypeError(f"network.params[{key!r}] must be a numpy array, got {type(value).__name__}")
        if biases or str(key).startswith("W"):
            total += int(value.size)
    return total

