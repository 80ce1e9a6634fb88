"""The question bank: the lecture's 確認テスト and 例題チャレンジ, plus practice the course adds.

:func:`confirmation_test` (names in :data:`CONFIRMATION_TESTS`) returns a
fresh :class:`~course.exercises.choice.MultipleChoice`;
:func:`exercise_challenge` (names in :data:`EXERCISE_CHALLENGES`) a fresh
:class:`~course.exercises.blanks.FillInTheBlank`.  ``quiz.source`` says whether
a question is the lecture's (``'lecture'``) or added (``'practice'``).  By
default the right answers sit at different letters from question to question;
``seed=`` shuffles the options in an order that seed fixes, for another round.
Text is looked up in the current language when the quiz is made.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from common._validation import check_choice, check_int
from course.exercises.blanks import FillInTheBlank
from course.exercises.choice import MultipleChoice
from course.i18n import t

__all__ = ["CONFIRMATION_TESTS", "EXERCISE_CHALLENGES", "confirmation_test", "exercise_challenge", "option_order"]

# The words live in course/i18n/locale_{en,ja}.py under exercises.test_<name>.* and
# exercises.challenge_<name>.* (topic, question, option<i>, why<i>, in the order shown by
# default); the code and its choices are the same in both languages, so they live here.

_TESTS: dict[str, tuple[int, int, str, bool]] = {
    # name: (number of options, the right option, where it comes from, whether a seed may shuffle it)
    "ridge": (4, 2, "lecture", True),  # the lecture's 確認テスト: リッジ回帰の特徴
    "norm_figure": (2, 1, "lecture", False),  # the lecture's 確認テスト: L1正則化を表すグラフ (options name the figures)
    "sparse": (4, 3, "practice", True),
    "dropout": (4, 1, "practice", True),
    "gap": (4, 0, "practice", True),
}

CONFIRMATION_TESTS = tuple(_TESTS)
"""Names accepted by :func:`confirmation_test` (the lecture's come first: ``ridge``, ``norm_figure``)."""


def option_order(n_options: int, seed: int | None) -> list[int]:
    """The order to show ``n_options`` options in: as stored for ``seed=None``, else a permutation the seed fixes.

    ``order[k]`` is the stored option shown at letter ``k``
    (``numpy.random.default_rng(seed).permutation(n_options)``).
    """
    n_options = check_int(n_options, "n_options", minimum=1)
    if seed is None:
        return list(range(n_options))
    seed = check_int(seed, "seed", minimum=0)
    return [int(i) for i in np.random.default_rng(seed).permutation(n_options)]


def _title(kind: str, source: str, topic: str) -> str:
    return t(f"exercises.title_{source}_{kind}", topic=topic)


def confirmation_test(name: str, seed: int | None = None) -> MultipleChoice:
    """A fresh :class:`MultipleChoice` for one confirmation test (see :data:`CONFIRMATION_TESTS`).

    ``seed=None`` shows the options in the bank's order, in which the right
    answers of the four-option tests sit at A, B, C and D; an int ``seed``
    shuffles them (:func:`option_order`; ``norm_figure`` keeps its order,
    its options name the figures).  The text is in the current language
    (:func:`course.i18n.set_language`).
    """
    name = check_choice(name, "name", CONFIRMATION_TESTS)
    n_options, right, source, may_shuffle = _TESTS[name]
    order = option_order(n_options, seed)
    if not may_shuffle:
        order = list(range(n_options))
    key = f"exercises.test_{name}"
    return MultipleChoice(
        t(f"{key}.question"),
        [t(f"{key}.option{i}") for i in order],
        correct=order.index(right),
        explanations=[t(f"{key}.why{i}") for i in order],
        title=_title("test", source, t(f"{key}.topic")),
        source=source,
    )


def _crop_code() -> str:
    # The lecture's random_crop, with h, w, _ = image.shape (its h, w = image.shape fails on
    # (height, width, channel) images) so that the blanks are the only questions.
    return (
        "def random_crop(image, crop_size):\n"
        f"    h, w, _ = image.shape  # {t('exercises.challenge_random_crop.shape_comment')}\n"
        "    crop_h, crop_w = crop_size\n"
        "    top = np.random.randint(0, ⟨a⟩)\n"
        f"    left = np.random.randint(0, ⟨a⟩)  # {t('exercises.challenge_random_crop.left_comment')}\n"
        "    bottom = top + crop_h\n"
        "    right = left + crop_w\n"
        "    image = ⟨b⟩\n"
        "    return image\n"
    )


_BOUNDS = ("h - crop_h", "h - crop_h + 1")  # the lecture's bound (off by one) and the right one
_SLICES = ("image[top:bottom, left:right, :]", "image[:, top:bottom, left:right]")  # (H, W, C) and (C, H, W)
_CROP_OPTIONS = ((0, 0), (1, 1), (1, 0), (0, 1))  # (bound, slice) per option: each half of each blank twice


def _crop_fills(bound: str, cut: str) -> tuple[str, str, str]:
    return bound, bound.replace("crop_h", "crop_w").replace("h", "w"), cut  # left's bound is top's with w


_CHALLENGES: dict[str, dict[str, Any]] = {
    # the lecture's 例題チャレンジ: L2正則化でパラメータの更新を行うプログラム
    "ridge": dict(
        code=lambda: "def ridge(param, grad, rate):\n    grad += rate * ⟨a⟩\n",
        options=("np.sqrt(np.sum(param**2))", "param", "np.sum(np.abs(param))", "np.sign(param)"),
        correct=1,
        source="lecture",
    ),
    # the lecture's 例題チャレンジ: L1正則化でパラメータの更新を行うプログラム
    "lasso": dict(
        code=lambda: "def lasso(param, grad, rate):\n    x = ⟨a⟩\n    grad += rate * x\n",
        options=("np.abs(param)", "param", "np.sum(np.abs(param))", "np.sign(param)"),
        correct=3,
        source="lecture",
    ),
    # added practice on the lecture's data-augmentation code (データ集合の拡張): its bound is off by one,
    # and the slice's axis order follows the lecture's image format (height, width, channel)
    "random_crop": dict(
        code=_crop_code,
        options=tuple({"a": _BOUNDS[b], "b": _SLICES[s]} for b, s in _CROP_OPTIONS),
        correct=2,
        source="practice",
        fills=tuple(_crop_fills(_BOUNDS[b], _SLICES[s]) for b, s in _CROP_OPTIONS),
    ),
}

EXERCISE_CHALLENGES = tuple(_CHALLENGES)
"""Names accepted by :func:`exercise_challenge`: ``ridge`` and ``lasso`` are the lecture's, ``random_crop`` is added."""


def _pick(items: Sequence[Any] | None, order: list[int]) -> list[Any] | None:
    return None if items is None else [items[i] for i in order]


def exercise_challenge(name: str, seed: int | None = None) -> FillInTheBlank:
    """A fresh :class:`FillInTheBlank` (例題チャレンジ, four choices) for ``name``.

    ``ridge``: ``grad += rate * (a)``; ``lasso``: ``x = (a)`` then
    ``grad += rate * x``; ``random_crop``: which combination fills (a), the
    upper bound of ``np.random.randint(0, (a))`` (the lecture's snippet is off
    by one), and (b), the slice for a (height, width, channel) image.  Every
    choice has its own explanation, in the current language; ``seed``
    shuffles the choices as in :func:`confirmation_test`.  The graders
    :func:`check_ridge`, :func:`check_lasso` and :func:`check_random_crop`
    accept exactly the right filling.
    """
    name = check_choice(name, "name", EXERCISE_CHALLENGES)
    spec = _CHALLENGES[name]
    key = f"exercises.challenge_{name}"
    order = option_order(len(spec["options"]), seed)
    return FillInTheBlank(
        t(f"{key}.question"),
        spec["code"](),
        _pick(spec["options"], order),
        correct=order.index(spec["correct"]),
        explanations=[t(f"{key}.why{i}") for i in order],
        fills=_pick(spec.get("fills"), order),
        title=_title("challenge", spec["source"], t(f"{key}.topic")),
        source=spec["source"],
    )
