"""The question bank: the lecture's 確認テスト and 例題チャレンジ, plus practice the course adds.

:func:`confirmation_test` (names in :data:`CONFIRMATION_TESTS`) returns a
fresh :class:`~course.exercises.choice.MultipleChoice`;
:func:`exercise_challenge` (names in :data:`EXERCISE_CHALLENGES`) a fresh
:class:`~course.exercises.blanks.FillInTheBlank`.  ``quiz.source`` says whether
a question is the lecture's (``'lecture'``) or added (``'practice'``).  Text is
looked up in the current language when the quiz is made.
"""

from __future__ import annotations

from typing import Any

from common._validation import check_choice
from course.exercises.blanks import FillInTheBlank
from course.exercises.choice import MultipleChoice
from course.i18n import t

__all__ = ["CONFIRMATION_TESTS", "EXERCISE_CHALLENGES", "confirmation_test", "exercise_challenge"]

# The words live in course/i18n/locale_{en,ja}.py under exercises.test_<name>.* and
# exercises.challenge_<name>.* (topic, question, option<i>, why<i>); the code and
# the code choices are the same in both languages, so they live here.

_TESTS: dict[str, tuple[int, int, str]] = {
    # name: (number of options, the right option, where the question comes from)
    "ridge": (4, 0, "lecture"),  # the lecture's 確認テスト: リッジ回帰の特徴
    "norm_figure": (2, 1, "lecture"),  # the lecture's 確認テスト: L1正則化を表すグラフ
    "sparse": (4, 0, "practice"),
    "dropout": (4, 0, "practice"),
    "gap": (4, 1, "practice"),
}

CONFIRMATION_TESTS = tuple(_TESTS)
"""Names accepted by :func:`confirmation_test` (the lecture's come first: ``ridge``, ``norm_figure``)."""


def _title(kind: str, source: str, topic: str) -> str:
    return t(f"exercises.title_{source}_{kind}", topic=topic)


def confirmation_test(name: str) -> MultipleChoice:
    """A fresh :class:`MultipleChoice` for one confirmation test (see :data:`CONFIRMATION_TESTS`).

    ``quiz.source`` says whether it is the lecture's own question (``'lecture'``)
    or one the course added (``'practice'``); the title says so too.  The text
    is in the current language (:func:`course.i18n.set_language`).
    """
    name = check_choice(name, "name", CONFIRMATION_TESTS)
    n_options, right, source = _TESTS[name]
    key = f"exercises.test_{name}"
    return MultipleChoice(
        t(f"{key}.question"),
        [t(f"{key}.option{i}") for i in range(n_options)],
        correct=right,
        explanations=[t(f"{key}.why{i}") for i in range(n_options)],
        title=_title("test", source, t(f"{key}.topic")),
        source=source,
    )


def _crop_code() -> str:
    # The lecture's random_crop, with h, w, _ = image.shape (its h, w = image.shape fails on
    # (height, width, channels) images) so that the blank is the only question.
    return (
        "def random_crop(image, crop_size):\n"
        "    h, w, _ = image.shape\n"
        "    crop_h, crop_w = crop_size\n"
        "    top = np.random.randint(0, ___)\n"
        f"    left = np.random.randint(0, ___)  # {t('exercises.challenge_random_crop.left_comment')}\n"
        "    bottom = top + crop_h\n"
        "    right = left + crop_w\n"
        "    return image[top:bottom, left:right, :]\n"
    )


_CROP_OPTIONS = ("h - crop_h", "h", "h - crop_h + 1", "crop_h")

_CHALLENGES: dict[str, dict[str, Any]] = {
    # the lecture's 例題チャレンジ: L2正則化でパラメータの更新を行うプログラム
    "ridge": dict(
        code=lambda: "def ridge(param, grad, rate):\n    grad += rate * ___\n",
        options=("np.sqrt(np.sum(param**2))", "param", "np.sum(np.abs(param))", "np.sign(param)"),
        correct=1,
        source="lecture",
    ),
    # the lecture's 例題チャレンジ: L1正則化でパラメータの更新を行うプログラム
    "lasso": dict(
        code=lambda: "def lasso(param, grad, rate):\n    x = ___\n    grad += rate * x\n",
        options=("np.abs(param)", "param", "np.sum(np.abs(param))", "np.sign(param)"),
        correct=3,
        source="lecture",
    ),
    # added practice on the lecture's data-augmentation code (データ集合の拡張), whose bound is off by one
    "random_crop": dict(
        code=_crop_code,
        options=_CROP_OPTIONS,
        correct=2,
        source="practice",
        # left's blank is top's with w and crop_w
        fills=[(o, o.replace("crop_h", "crop_w").replace("h", "w")) for o in _CROP_OPTIONS],
    ),
}

EXERCISE_CHALLENGES = tuple(_CHALLENGES)
"""Names accepted by :func:`exercise_challenge`: ``ridge`` and ``lasso`` are the lecture's, ``random_crop`` is added."""


def exercise_challenge(name: str) -> FillInTheBlank:
    """A fresh fill-in-the-blank :class:`FillInTheBlank` (例題チャレンジ, four choices) for ``name``.

    ``ridge``: ``grad += rate * ___``; ``lasso``: ``x = ___`` then
    ``grad += rate * x``; ``random_crop``: the upper bound of
    ``np.random.randint(0, ___)`` (the lecture's snippet is off by one).
    Every choice has its own explanation, in the current language.  The
    graders :func:`check_ridge`, :func:`check_lasso` and
    :func:`check_random_crop` accept exactly the right filling.
    """
    name = check_choice(name, "name", EXERCISE_CHALLENGES)
    spec = _CHALLENGES[name]
    key = f"exercises.challenge_{name}"
    n_options = len(spec["options"])
    return FillInTheBlank(
        t(f"{key}.question"),
        spec["code"](),
        spec["options"],
        correct=spec["correct"],
        explanations=[t(f"{key}.why{i}") for i in range(n_options)],
        fills=spec.get("fills"),
        title=_title("challenge", spec["source"], t(f"{key}.topic")),
        source=spec["source"],
    )
