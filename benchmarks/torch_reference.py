"""The lecture's experiment in idiomatic PyTorch on the CPU (optional; benchmark only).

Same network (784-100×6-10, ReLU), same initial weights (common's float32
draws), same mini-batch order, plain SGD whose ``weight_decay`` adds ``λ·W`` to
the weights' gradients only (the L2 penalty ½·λ·ΣW² of the lecture; biases are
not decayed), and per-epoch accuracy on the training and test digits from
one no-grad forward pass over both sets together (the same shortcut common's
Trainer takes).
"""

from __future__ import annotations

import numpy as np

try:
    import torch
    from torch import nn
    from torch.nn import functional as F
except ImportError:  # torch is optional: the benchmark reports it as skipped
    torch = None


def available() -> bool:
    return torch is not None


def version() -> str | None:
    return None if torch is None else torch.__version__


def build(init_params):
    """An ``nn.Sequential`` with ``init_params`` (common's ``W1, b1, …``) copied in."""
    n_affine = sum(1 for key in init_params if key.startswith("W"))
    modules = []
    for i in range(1, n_affine + 1):
        W, b = init_params[f"W{i}"], init_params[f"b{i}"]
        linear = nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T, dtype=np.float32)))
            linear.bias.copy_(torch.from_numpy(np.asarray(b, dtype=np.float32)))
        modules.append(linear)
        if i < n_affine:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def train(init_params, x_train, t_train, x_test, t_test, orders, *, lr, weight_decay_lambda, batch_size, threads=2):
    """Train with ``torch.optim.SGD``; return per-epoch ``(train_acc, test_acc)`` lists."""
    torch.set_num_threads(threads)
    model = build(init_params)
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, nn.Linear)]
    optimizer = torch.optim.SGD(
        [{"params": weights, "weight_decay": weight_decay_lambda}, {"params": biases, "weight_decay": 0.0}], lr=lr
    )
    x = torch.from_numpy(np.ascontiguousarray(x_train, dtype=np.float32))
    t = torch.from_numpy(np.asarray(t_train, dtype=np.int64))
    x_eval = torch.cat([x, torch.from_numpy(np.ascontiguousarray(x_test, dtype=np.float32))])
    t_eval_test = torch.from_numpy(np.asarray(t_test, dtype=np.int64))
    n_train = x.shape[0]
    train_acc, test_acc = [], []
    for order in orders:
        order = torch.from_numpy(np.asarray(order, dtype=np.int64))
        model.train()
        for start in range(0, n_train, batch_size):
            idx = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[idx]), t[idx])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.inference_mode():
            pred = model(x_eval).argmax(dim=1)
            train_acc.append(int((pred[:n_train] == t).sum()) / n_train)
            test_acc.append(int((pred[n_train:] == t_eval_test).sum()) / len(t_eval_test))
    return train_acc, test_acc
