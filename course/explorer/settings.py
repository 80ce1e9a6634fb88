"""The explorer's settings: every control's name, choices, default and label, and their checks.

The choices of the regularization toggle come from
:data:`common.regularizers.REGULARIZERS` and those of the optimizer menu from
:data:`common.optimizer.OPTIMIZERS`, read whenever an explorer is built, so a
penalty or an optimizer registered there appears in the next explorer::

    from course.explorer.settings import check_setting, choices, lambda_label
    check_setting("optimizer", "adam")        # 'Adam' (the book's class name)
    choices("regularization")                 # ('none', 'l2', 'l1', ...)
    lambda_label("l1")                        # 'λ (L1)' (the λ slider's label follows the penalty)

Labels and tooltips come from the message catalogues (``explorer.label.<name>``,
``explorer.tip.<name>``); a registered entry without a catalogue entry shows
its own name.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Any

from common._validation import is_bool
from common.optimizer import OPTIMIZERS as OPTIMIZER_REGISTRY
from common.regularizers import REGULARIZERS
from course.experiments import LectureConfig
from course.i18n import CATALOGUES, get_language, t

_LECTURE = LectureConfig()

LAMBDA_OPTIONS = (0.0, 0.001, 0.003, 0.004, 0.005, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0)
"""The λ slider: log-spaced with an explicit 0 and the lecture's values (0.004 and 0.005 in
its L1 and λ-comparison cells, 0.1 and 0.2 in its weight-decay cells)."""
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)  # the lecture's 0.01, and 0.1 of its L1 cell
L1_UPDATES = ("subgradient", "proximal")
N_TRAIN = (100, 200, 300, 500, 1000, 2000, 3000, 4000)  # prefixes of the shipped 4,000 training digits
N_TEST = _LECTURE.n_test
N_SEEDS_MAX = 5
SEED_MAX = 2**31 - 1
EVALUATIONS = ("exact", "incremental")  # course.engine's ways of scoring the digits after each epoch


def regularization_choices() -> tuple[str, ...]:
    """The regularization toggle: every name in :data:`common.regularizers.REGULARIZERS`, in its order."""
    return tuple(REGULARIZERS)


def optimizer_choices() -> tuple[str, ...]:
    """The optimizer menu: every class in :data:`common.optimizer.OPTIMIZERS` by the book's name (SGD, Adam, …)."""
    return tuple(cls.__name__ for cls in OPTIMIZER_REGISTRY.values())


def optimizer_key(name: str) -> str:
    """The registry key of the optimizer shown as ``name`` (``'AdamW'`` → ``'adamw'``)."""
    for key, cls in OPTIMIZER_REGISTRY.items():
        if cls.__name__ == name:
            return key
    raise ValueError(f"optimizer must be one of {optimizer_choices()}, got {name!r}")


def decoupled(name: str) -> bool:
    """Whether the optimizer ``name`` takes ``weight_decay`` (decoupled weight decay: AdamW, SGDW).

    Such an optimizer gets L2's λ as its ``weight_decay`` and the loss gets no penalty term.
    """
    return "weight_decay" in inspect.signature(OPTIMIZER_REGISTRY[optimizer_key(name)]).parameters


DEFAULTS: dict[str, Any] = {
    "regularization": "none",
    "weight_decay_lambda": 0.0,
    "l1_update": "subgradient",
    "use_dropout": False,
    "dropout_ratio": _LECTURE.dropout_ratio,
    "dropout_inverted": True,
    "optimizer": "SGD",
    "lr": _LECTURE.lr,
    "n_train": _LECTURE.n_train,
    "epochs": _LECTURE.epochs,
    "seed": 0,
    "n_seeds": 1,
    "hidden_layers": len(_LECTURE.hidden_size_list),
    "hidden_size": _LECTURE.hidden_size_list[0],
    "augment_shift": 0,
    "augment_rotation": 0.0,
    "augment_noise": 0.0,
}
"""The lecture's setting (no regularization yet); ``TrainingExplorer(**overrides)`` changes it."""

# name -> (kind, constraint).  kind: choice (buttons) | menu (drop-down) | bool (check box) |
# switch (a bool as two buttons) | options (a slider over listed numbers) | int | float.
# A choice or menu lists its options through a function: the registries may grow after import.
SETTINGS: dict[str, tuple[str, Any]] = {
    "regularization": ("choice", regularization_choices),
    "weight_decay_lambda": ("options", LAMBDA_OPTIONS),
    "l1_update": ("choice", lambda: L1_UPDATES),
    "use_dropout": ("bool", None),
    "dropout_ratio": ("float", (0.0, 0.95, 0.01)),
    "dropout_inverted": ("switch", None),
    "optimizer": ("menu", optimizer_choices),
    "lr": ("options", LEARNING_RATES),
    "n_train": ("options", N_TRAIN),
    "epochs": ("int", (1, 300, 1)),
    "seed": ("int", (0, SEED_MAX, 1)),
    "n_seeds": ("int", (1, N_SEEDS_MAX, 1)),
    "hidden_layers": ("int", (1, 8, 1)),
    "hidden_size": ("int", (10, 300, 10)),
    "augment_shift": ("int", (0, 4, 1)),
    "augment_rotation": ("float", (0.0, 30.0, 1.0)),
    "augment_noise": ("float", (0.0, 0.5, 0.01)),
}
DEFAULT_SHOW = ("regularization", "weight_decay_lambda", "use_dropout", "dropout_ratio", "n_train", "epochs", "seed")


def choices(name: str) -> tuple:
    """The options of a choice, menu or options setting, as they stand now."""
    kind, spec = SETTINGS[name]
    if kind not in ("choice", "menu", "options"):
        raise ValueError(f"{name} has no list of options (it is a {kind} setting)")
    return tuple(spec()) if callable(spec) else tuple(spec)


class Refused(ValueError):
    """A setting (or combination) the explorer will not train with; the message is for the learner."""


# -- words from the catalogues -------------------------------------------------------


def text_or(key: str, fallback: str, **fields: Any) -> str:
    """The catalogue's message ``key``, or ``fallback`` for a registry entry the catalogue does not know."""
    return t(key, **fields) if key in CATALOGUES[get_language()] else fallback


def lambda_label(regularization: str) -> str:
    """The λ slider's label for ``regularization``: weight decay with L2 only, unused with 'none'.

    Every one begins with ``explorer.label.weight_decay_lambda`` (λ), the name the page finds it by.
    """
    return text_or(f"explorer.lambda.{regularization}", t("explorer.lambda.other", name=regularization))


def label(name: str, regularization: str | None = None) -> str:
    """The control's label in the current language (the λ slider's for ``regularization``, if given)."""
    if name == "weight_decay_lambda" and regularization is not None:
        return lambda_label(regularization)
    return t(f"explorer.label.{name}")


def choice_labels(name: str) -> tuple[list[tuple[str, Any]], list[str]]:
    """``(options, tooltips)`` of a control shown as buttons: the catalogue's words, or a registry entry's own."""
    if name == "dropout_inverted":
        return ([(t("explorer.choice.inverted"), True), (t("explorer.choice.test_time"), False)],
                [t("explorer.tip.choice.inverted"), t("explorer.tip.choice.test_time")])
    keys = choices(name)
    options = [(text_or(f"explorer.choice.{key}", key), key) for key in keys]
    if name == "regularization":  # a registered penalty's tooltip: its formula (the same in every language)
        tips = [text_or(f"explorer.tip.choice.{key}", REGULARIZERS[key].label) for key in keys]
    else:
        tips = [t(f"explorer.tip.choice.{key}") for key in keys]
    return options, tips


def optimizer_labels() -> list[tuple[str, str]]:
    """The optimizer menu's ``(shown text, value)`` pairs: the catalogue's words, else the class name."""
    return [(text_or(f"explorer.optimizer.{optimizer_key(name)}", name), name) for name in optimizer_choices()]


# -- checks -------------------------------------------------------------------------


def allowed(name: str) -> str:
    """What setting ``name`` accepts, in words (for error messages)."""
    kind, spec = SETTINGS[name]
    if kind in ("choice", "menu", "options"):
        return f"one of {choices(name)}"
    if kind in ("bool", "switch"):
        return "True or False"
    lo, hi, _ = spec
    return f"{'an int' if kind == 'int' else 'a number'} in [{lo}, {hi}]"


def check_setting(name: str, value: Any) -> Any:
    """Return ``value`` normalised for setting ``name``; ``ValueError`` naming the setting otherwise.

    Names of choices are case-insensitive (``'adam'`` → ``'Adam'``); listed
    numbers match within rounding (``0.1`` for ``0.1000000001``).
    """
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {name!r}; the settings are: {', '.join(SETTINGS)}")
    kind, spec = SETTINGS[name]
    bad = ValueError(f"{name} must be {allowed(name)}, got {value!r}")
    if kind in ("choice", "menu"):
        if isinstance(value, str):
            for option in choices(name):
                if option.lower() == value.lower():
                    return option
        raise bad
    if kind in ("bool", "switch"):
        if not is_bool(value):
            raise bad
        return bool(value)
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise bad
    if kind == "options":
        for option in spec:
            if math.isclose(float(value), option, rel_tol=1e-9, abs_tol=1e-12):
                return option
        raise bad
    lo, hi, _ = spec
    if kind == "int":
        if not isinstance(value, numbers.Integral):
            raise bad
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise bad
    if not lo <= value <= hi:
        raise bad
    return value


def summary(s: dict[str, Any]) -> str:
    """A pin's label: the settings that matter, in the current language (λ etc. only where they act)."""
    reg = s["regularization"]
    lam = f"{s['weight_decay_lambda']:g}"
    if reg == "none":
        parts = [t("explorer.summary.none")]
    elif reg == "l1" and s["l1_update"] == "proximal":
        parts = [t("explorer.summary.l1_proximal", lam=lam)]
    elif reg in ("l1", "l2"):
        parts = [t(f"explorer.summary.{reg}", lam=lam)]
    else:
        parts = [t("explorer.summary.other", name=reg, lam=lam)]
    if s["use_dropout"]:
        key = "dropout" if s["dropout_inverted"] else "dropout_test_time"
        parts.append(t(f"explorer.summary.{key}", ratio=f"{s['dropout_ratio']:g}"))
    if s["optimizer"] != DEFAULTS["optimizer"] or s["lr"] != DEFAULTS["lr"]:
        parts.append(t("explorer.summary.optimizer", name=s["optimizer"], lr=f"{s['lr']:g}"))
    if s["n_train"] != DEFAULTS["n_train"]:
        parts.append(t("explorer.summary.n_train", n=s["n_train"]))
    if s["hidden_layers"] != DEFAULTS["hidden_layers"] or s["hidden_size"] != DEFAULTS["hidden_size"]:
        parts.append(t("explorer.summary.hidden", layers=s["hidden_layers"], size=s["hidden_size"]))
    if s["augment_shift"] or s["augment_rotation"] or s["augment_noise"]:
        parts.append(t("explorer.summary.augment"))
    if s["epochs"] != DEFAULTS["epochs"]:
        parts.append(t("explorer.summary.epochs", n=s["epochs"]))
    if s["n_seeds"] > 1:
        parts.append(t("explorer.summary.seeds", first=s["seed"], last=s["seed"] + s["n_seeds"] - 1))
    else:
        parts.append(t("explorer.summary.seed", seed=s["seed"]))
    return ", ".join(parts)


def notes(s: dict[str, Any]) -> list[str]:
    """The status line's grey notes: which controls have no effect with ``s``, and what λ does there."""
    out = []
    if s["regularization"] == "none" and s["weight_decay_lambda"] > 0:
        out.append(t("explorer.note.lambda_no_effect"))
    if not s["use_dropout"] and (s["dropout_ratio"] != DEFAULTS["dropout_ratio"]
                                 or s["dropout_inverted"] != DEFAULTS["dropout_inverted"]):
        out.append(t("explorer.note.dropout_off"))
    if s["l1_update"] == "proximal" and s["regularization"] != "l1":
        out.append(t("explorer.note.l1_update_no_effect"))
    if s["regularization"] == "l2" and decoupled(s["optimizer"]):
        out.append(t("explorer.note.decoupled", optimizer=s["optimizer"]))
    if s["regularization"] == "l1" and s["l1_update"] == "proximal":
        out.append(t("explorer.note.proximal"))
    return out

