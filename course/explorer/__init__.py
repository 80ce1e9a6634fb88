"""``TrainingExplorer``: move a control, watch the lecture's network re-train live, pin runs to compare.

TensorFlow-Playground style: every change of a control restarts training from
epoch 0, and the learning curves (train and test accuracy; the data losses and
the penalty as separate lines) grow epoch by epoch::

    from course.explorer import TrainingExplorer
    explorer = TrainingExplorer()          # the lecture's setting: 300 digits, 6×100, 201 epochs
    explorer                               # shows the controls, a status line and the curves

    explorer.pin()                         # keep this run as a faded reference (or press "pin")
    explorer.controls["weight_decay_lambda"].value = 0.1   # same as moving the slider
    await explorer.wait()                  # (top-level await works in notebooks)
    explorer.history.final(), explorer.pinned[-1].final()

``show`` picks the controls a notebook displays (:data:`SETTINGS` lists them
all); with ``n_seeds`` ≥ 2 the curves are the mean with a ±1 sd band.  The
parts: :mod:`.settings` (choices, from the registries in ``common``),
:mod:`.runs` (training, pins), :mod:`.ahead` (λ's neighbours trained ahead),
:mod:`.drawing`, :mod:`.panel` and :mod:`.live` (the explorer and its tasks).
"""

from course.experiments import LAMBDAS

from .live import TrainingExplorer
from .runs import CURVE_KEYS, MAX_PINS, Pin
from .settings import (
    DEFAULT_SHOW, DEFAULTS, L1_UPDATES, LAMBDA_OPTIONS, LEARNING_RATES, SETTINGS, check_setting, choices,
    lambda_label, optimizer_choices, regularization_choices,
)

__all__ = [
    "TrainingExplorer", "Pin", "DEFAULTS", "SETTINGS", "DEFAULT_SHOW", "LAMBDA_OPTIONS", "LAMBDAS", "LEARNING_RATES",
    "L1_UPDATES", "MAX_PINS", "CURVE_KEYS", "check_setting", "choices", "lambda_label", "optimizer_choices",
    "regularization_choices",
]
