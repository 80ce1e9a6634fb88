"""Tests for :mod:`course.exercises`: the quiz and the graders accept right answers and reject typical wrong ones."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from common import regularizers
from course.augment import random_crop as course_random_crop
from course.augment import random_crop_lecture
from course.exercises import (
    CONFIRMATION_TESTS,
    EXERCISE_CHALLENGES,
    FAILED,
    NOT_SOLVED,
    PASSED,
    Feedback,
    FillInTheBlank,
    GradeResult,
    MultipleChoice,
    check_lasso,
    check_random_crop,
    check_ridge,
    confirmation_test,
    exercise_challenge,
    plot_constraint_panels,
)
from course.geometry_plots import ball_boundary
from course.i18n import set_language

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_self_check.ipynb"

# ---------------------------------------------------------------------------
# reference solutions (what notebook 08 shows behind "show solution")
# ---------------------------------------------------------------------------


def ridge_ref(param, grad, rate):
    grad += rate * param


def lasso_ref(param, grad, rate):
    grad += rate * np.sign(param)


_crop_gen = np.random.default_rng(0)


def crop_ref(image, crop_size):
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    top = _crop_gen.integers(0, h - crop_h + 1)
    left = _crop_gen.integers(0, w - crop_w + 1)
    return image[top : top + crop_h, left : left + crop_w, :]


def crop_global_rng(image, crop_size):
    """A correct crop written the lecture's way, with the global np.random (the grader must cope)."""
    h, w = image.shape[:2]
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h + 1)
    left = np.random.randint(0, w - crop_w + 1)
    return image[top : top + crop_h, left : left + crop_w, :]


# ---------------------------------------------------------------------------
# typical wrong answers
# ---------------------------------------------------------------------------


def ridge_norm(param, grad, rate):
    grad += rate * np.sqrt(np.sum(param**2))


def ridge_not_in_place(param, grad, rate):
    grad = grad + rate * param
    return grad


def ridge_not_in_place_silent(param, grad, rate):
    grad = grad + rate * param  # noqa: F841


def ridge_twice(param, grad, rate):
    grad += 2 * rate * param


def ridge_with_sign(param, grad, rate):
    grad += rate * np.sign(param)


def ridge_changes_param(param, grad, rate):
    grad += rate * param
    param -= 0.01 * grad


def ridge_minus(param, grad, rate):
    grad -= rate * param


def lasso_abs(param, grad, rate):
    grad += rate * np.abs(param)


def lasso_divide(param, grad, rate):
    with np.errstate(invalid="ignore", divide="ignore"):
        grad += rate * param / np.abs(param)


def lasso_norm(param, grad, rate):
    grad += rate * np.sum(np.abs(param))


def lasso_not_in_place(param, grad, rate):
    grad = grad + rate * np.sign(param)
    return grad


def lasso_l2(param, grad, rate):
    grad += rate * param


def unsolved(*args):
    raise NotImplementedError


def crashes(param, grad, rate):
    return param @ np.ones(1000)


def crop_lecture_verbatim(image, crop_size):
    h, w = image.shape
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h)
    left = np.random.randint(0, w - crop_w)
    return image[top : top + crop_h, left : left + crop_w, :]


def crop_lecture_unpacked(image, crop_size):
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h)
    left = np.random.randint(0, w - crop_w)
    return image[top : top + crop_h, left : left + crop_w, :]


def crop_off_by_one_left_only(image, crop_size):
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h + 1)
    left = np.random.randint(0, w - crop_w)
    return image[top : top + crop_h, left : left + crop_w, :]


def crop_swapped(image, crop_size):
    crop_h, crop_w = crop_size
    return course_random_crop(image, (crop_w, crop_h)) if crop_w <= image.shape[0] else image[:crop_w, :crop_h, :]


def crop_channels_first(image, crop_size):
    """The slice of a (channel, height, width) image, applied to the lecture's (height, width, channel) one."""
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h + 1)
    left = np.random.randint(0, w - crop_w + 1)
    return image[:, top : top + crop_h, left : left + crop_w]


def crop_no_channel(image, crop_size):
    return course_random_crop(image, crop_size)[:, :, 0]


def crop_never_moves(image, crop_size):
    crop_h, crop_w = crop_size
    return image[:crop_h, :crop_w, :]


def crop_scrambled(image, crop_size):
    out = course_random_crop(image, crop_size)
    return out[::-1]


def crop_writes_image(image, crop_size):
    out = course_random_crop(image, crop_size)
    image[0, 0, 0] = -1.0
    return out


def crop_skips_odd(image, crop_size):
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    top = 2 * np.random.randint(0, (h - crop_h) // 2 + 1)
    left = np.random.randint(0, w - crop_w + 1)
    return image[top : top + crop_h, left : left + crop_w, :]


def crop_biased(image, crop_size):
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    # offsets 1-3 expected 15 times each in 600 calls (rare: < 37.5): never 0 times (p ~ 1e-6) nor 38
    top = 0 if np.random.random() < 0.9 else np.random.randint(0, h - crop_h + 1)
    left = np.random.randint(0, w - crop_w + 1)
    return image[top : top + crop_h, left : left + crop_w, :]


# ---------------------------------------------------------------------------
# graders
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("func", [ridge_ref, regularizers.ridge])
def test_check_ridge_accepts_reference(func):
    result = check_ridge(func)
    assert result.passed and result.status == PASSED and bool(result)


@pytest.mark.parametrize("func", [lasso_ref, regularizers.lasso])
def test_check_lasso_accepts_reference(func):
    result = check_lasso(func)
    assert result.passed, str(result)


@pytest.mark.parametrize(
    "func, phrase",
    [
        (ridge_norm, "norm"),
        (ridge_not_in_place, "in place"),
        (ridge_not_in_place_silent, "in place"),
        (ridge_twice, "½"),
        (ridge_with_sign, "L1"),
        (ridge_changes_param, "param changed"),
        (ridge_minus, "sign is flipped"),
        (crashes, "raised ValueError"),
    ],
)
def test_check_ridge_rejects_wrong_answers(func, phrase):
    result = check_ridge(func)
    assert not result.passed and result.status == FAILED
    assert phrase in result.message, result.message


@pytest.mark.parametrize(
    "func, phrase",
    [
        (lasso_abs, "np.sign"),
        (lasso_divide, "NaN"),
        (lasso_norm, "L1 norm"),
        (lasso_not_in_place, "in place"),
        (lasso_l2, "L2 (ridge) gradient"),
    ],
)
def test_check_lasso_rejects_wrong_answers(func, phrase):
    result = check_lasso(func)
    assert result.status == FAILED
    assert phrase in result.message, result.message


@pytest.mark.parametrize("checker", [check_ridge, check_lasso, check_random_crop])
def test_unimplemented_is_not_yet_solved(checker):
    result = checker(unsolved)
    assert result.status == NOT_SOLVED and not result.passed
    assert "NotImplementedError" in result.message
    assert "not yet solved" in str(result) and "not yet solved" in result._repr_html_()


@pytest.mark.parametrize("checker", [check_ridge, check_lasso, check_random_crop])
def test_checkers_reject_non_callables(checker):
    with pytest.raises(TypeError, match="func"):
        checker("ridge")


@pytest.mark.parametrize("func", [crop_ref, crop_global_rng, course_random_crop])
def test_check_random_crop_accepts_reference(func):
    result = check_random_crop(func)
    assert result.passed, str(result)


def test_check_random_crop_accepts_the_course_crop_with_a_seeded_generator():
    gen = np.random.default_rng(1)
    assert check_random_crop(lambda image, size: course_random_crop(image, size, rng=gen)).passed


@pytest.mark.parametrize(
    "func, phrase",
    [
        (crop_lecture_verbatim, "h, w, _ = image.shape"),
        (crop_lecture_unpacked, "never reached its last offset"),
        (lambda image, size: random_crop_lecture(image, size), "never reached its last offset"),
        (crop_off_by_one_left_only, "left never reached its last offset"),
        (crop_swapped, "swapped"),
        (crop_no_channel, "channel axis is missing"),
        (crop_channels_first, "(channel, height, width)"),
        (crop_never_moves, "never moves"),
        (crop_scrambled, "contiguous window"),
        (crop_writes_image, "input image changed"),
        (crop_skips_odd, "never occurred"),
        (crop_biased, "far less often"),
        (lambda image, size: image, "whole image"),
        (lambda image, size: image.tolist(), "not a numpy array"),
    ],
)
def test_check_random_crop_rejects_wrong_answers(func, phrase):
    result = check_random_crop(func)
    assert result.status == FAILED, str(result)
    assert phrase in str(result), str(result)


def test_lecture_off_by_one_reports_the_fix():
    result = check_random_crop(crop_lecture_unpacked)
    assert "+ 1" in result.message and "off-by-one" in result.message
    assert any("3×0" in d for d in result.details)


def test_crop_that_fails_only_at_full_size_is_rejected():
    def crop(image, crop_size):
        h, w, _ = image.shape
        crop_h, crop_w = crop_size
        if crop_h == h or crop_w == w:
            raise ValueError("low >= high")
        return course_random_crop(image, crop_size)

    result = check_random_crop(crop)
    assert result.status == FAILED and "exactly one offset" in result.message


def test_grade_result_renders():
    result = GradeResult("ridge", FAILED, "grad <did> not change", ("detail",))
    assert "&lt;did&gt;" in result._repr_html_()
    assert str(result).startswith("✘ ridge: failed.") and "detail" in str(result)
    assert "passed=False" in repr(result)


# ---------------------------------------------------------------------------
# multiple choice
# ---------------------------------------------------------------------------


def make_quiz(correct=1):
    return MultipleChoice(
        "Which is the L1 penalty?",
        ["λ·Σ w²", "λ·Σ |w|", "λ·max |w|"],
        correct=correct,
        explanations=["that is L2", "yes: the sum of absolute values", "that is the max norm"],
        title="Check",
    )


@pytest.mark.parametrize("answer", [1, "B", "b", " B ", "λ·Σ |w|"])
def test_multiple_choice_accepts_the_right_answer_in_any_form(answer):
    feedback = make_quiz().check(answer)
    assert isinstance(feedback, Feedback) and feedback.correct
    assert feedback.chosen == (1,)
    assert "Correct" in str(feedback)


def test_multiple_choice_explains_every_option():
    feedback = make_quiz().check("A")
    assert not feedback.correct
    text = str(feedback)
    assert "You chose A (wrong): that is L2" in text
    bank = confirmation_test("ridge").check("B")
    assert "You chose B: Wrong." in str(bank)  # the explanation already says so: no "(wrong): Wrong."
    for why in ("that is L2", "yes: the sum of absolute values", "that is the max norm"):
        assert why in text and why in feedback._repr_html_()
    assert "✔ B." in text and "✘ C." in text


def test_multiple_choice_with_several_right_options():
    quiz = make_quiz(correct=[0, 2])
    assert quiz.multiple
    assert quiz.check(["A", "C"]).correct
    assert quiz.check([2, 0]).correct
    wrong = quiz.check(["A"])
    assert not wrong.correct and "2 right options" in wrong.headline


@pytest.mark.parametrize(
    "answer, error",
    [(5, ValueError), ("E", ValueError), ("nonsense", ValueError), (None, ValueError), (True, TypeError),
     ([0, 1], ValueError), (1.5, TypeError), ([], ValueError)],
)
def test_multiple_choice_rejects_bad_answers(answer, error):
    with pytest.raises(error, match="answer"):
        make_quiz().check(answer)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(options=["only one"]), ValueError, "options"),
        (dict(options="AB"), TypeError, "options"),
        (dict(options=["x", "x", "y"]), ValueError, "distinct"),
        (dict(explanations=["a", "b"]), ValueError, "explanations"),
        (dict(correct=3), ValueError, "correct"),
        (dict(correct=[]), ValueError, "correct"),
        (dict(correct="B"), TypeError, "correct"),
        (dict(question=""), TypeError, "question"),
    ],
)
def test_multiple_choice_validates_its_arguments(kwargs, error, match):
    args = dict(question="q?", options=["a", "b", "c"], correct=0, explanations=["x", "y", "z"])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        MultipleChoice(**args)


def test_multiple_choice_widget_round_trip():
    quiz = make_quiz()
    assert quiz.press_check() is None  # nothing ticked yet
    assert "Choose an option" in quiz._feedback.value
    quiz.select("C")
    assert quiz.selected() == (2,)
    feedback = quiz.press_check()
    assert feedback is not None and not feedback.correct
    assert "You chose <b>C</b>" in quiz._feedback.value
    quiz.select(1)
    assert quiz.press_check().correct and quiz.last_feedback.correct


def test_multiple_choice_checkbox_widget():
    quiz = make_quiz(correct=[0, 2])
    quiz.select(["A", "C"])
    assert quiz.selected() == (0, 2)
    assert quiz.press_check().correct


# ---------------------------------------------------------------------------
# the L1 / L2 figure
# ---------------------------------------------------------------------------


def test_plot_constraint_panels():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = X @ np.array([2.0, 0.5]) + 0.1 * rng.standard_normal(40)
    fig = plot_constraint_panels(X, y, 1.0, ("l2", "l1"), reveal=True)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert "circle" in fig.axes[0].get_title() and "diamond" in fig.axes[1].get_title()
    for ax, norm in zip(fig.axes, ("l2", "l1")):  # one outline for the whole course: geometry_plots.ball_boundary
        np.testing.assert_allclose(ax.lines[0].get_xydata(), ball_boundary(1.0, norm))
    fig = plot_constraint_panels(X, y, 1.0, ("l1",), labels=["B"])
    assert fig.axes[0].get_title() == "B"
    with pytest.raises(ValueError, match="norms"):
        plot_constraint_panels(X, y, 1.0, ("l3",))
    with pytest.raises(ValueError, match="radius"):
        plot_constraint_panels(X, y, -1.0)
    with pytest.raises(ValueError, match="labels"):
        plot_constraint_panels(X, y, 1.0, ("l1", "l2"), labels=["A"])
    plt.close("all")


# ---------------------------------------------------------------------------
# the notebook ships blanks and correct hidden solutions
# ---------------------------------------------------------------------------


def _notebook_cells():
    assert NOTEBOOK.exists(), "notebooks/08_self_check.ipynb is missing"
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_notebook_solutions_pass_the_graders():
    cells = _notebook_cells()
    solutions = [
        block
        for cell in cells if cell["cell_type"] == "markdown" and "<details>" in "".join(cell["source"])
        for block in re.findall(r"```python\n(.*?)```", "".join(cell["source"]), flags=re.S)
    ]
    namespace: dict = {"np": np}
    for block in solutions:
        exec(block, namespace)  # noqa: S102 - the notebook's own solution code
    for name, checker in (("ridge", check_ridge), ("lasso", check_lasso), ("random_crop", check_random_crop)):
        assert name in namespace, f"notebook 08 shows no hidden solution defining {name}"
        assert checker(namespace[name]).passed, f"the notebook's solution for {name} fails its grader"


def test_notebook_blanks_are_unfilled():
    cells = _notebook_cells()
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    for name in ("ridge", "lasso", "random_crop"):
        blanks = [src for src in code if re.search(rf"^def {name}\(", src, flags=re.M)]
        assert len(blanks) == 1, f"expected one exercise cell defining {name}"
        assert "raise NotImplementedError" in blanks[0]


# ---------------------------------------------------------------------------
# the lecture's confirmation tests
# ---------------------------------------------------------------------------

EXPECTED_ANSWERS = {"ridge": "C", "norm_figure": "B", "sparse": "D", "dropout": "B", "gap": "A"}


def test_the_bank_holds_the_lectures_tests():
    assert set(CONFIRMATION_TESTS) == set(EXPECTED_ANSWERS)


@pytest.mark.parametrize("name", sorted(EXPECTED_ANSWERS))
def test_confirmation_tests_have_the_intended_answer_and_consistent_explanations(name):
    quiz = confirmation_test(name)
    assert quiz.check(EXPECTED_ANSWERS[name]).correct
    for i, why in enumerate(quiz.explanations):
        assert why.startswith("Right." if i in quiz.correct else "Wrong."), (name, i, why)
    wrong = next(i for i in range(len(quiz.options)) if i not in quiz.correct)
    assert not quiz.check(wrong).correct
    assert confirmation_test(name) is not quiz  # a fresh widget each time


def test_ridge_test_covers_the_lectures_four_points():
    text = " ".join(confirmation_test("ridge").explanations)
    for phrase in ("λ = 0", "bias", "error function", "towards 0"):
        assert phrase in text


@pytest.mark.parametrize("language", ["en", "ja"])
def test_right_answers_are_spread_over_the_letters(language):
    set_language(language)
    four = [name for name in CONFIRMATION_TESTS if len(confirmation_test(name).options) == 4]
    letters = {LETTERS[next(iter(confirmation_test(name).correct))] for name in four}
    assert len(four) >= 4 and letters == set("ABCD"), letters
    challenges = {LETTERS[next(iter(exercise_challenge(name).correct))] for name in EXERCISE_CHALLENGES}
    assert len(challenges) == len(EXERCISE_CHALLENGES), "each challenge's answer at its own letter"


@pytest.mark.parametrize("make, names", [(confirmation_test, CONFIRMATION_TESTS),
                                         (exercise_challenge, EXERCISE_CHALLENGES)])
def test_a_seed_shuffles_the_options_and_their_explanations_together(make, names):
    for name in names:
        plain = make(name)
        key = {option: (why, i in plain.correct) for i, (option, why) in enumerate(zip(plain.options,
                                                                                       plain.explanations))}
        orders = set()
        for seed in range(8):
            quiz = make(name, seed=seed)
            assert sorted(quiz.options) == sorted(plain.options), "a permutation of the same options"
            assert [o for o in make(name, seed=seed).options] == list(quiz.options), "the seed fixes the order"
            for i, (option, why) in enumerate(zip(quiz.options, quiz.explanations)):
                assert key[option] == (why, i in quiz.correct), (name, seed, option)
            if isinstance(quiz, FillInTheBlank):  # the filled code follows the option too
                assert quiz.fill(quiz.options[0]) == plain.fill(quiz.options[0])
            orders.add(quiz.options)
        if name == "norm_figure":
            assert orders == {plain.options}, "its options name the figures: never shuffled"
        else:
            assert len(orders) > 1, f"{name}: eight seeds gave one order"
            assert len({next(iter(make(name, seed=s).correct)) for s in range(20)}) > 1
    for bad, error in ((-1, ValueError), (True, TypeError), (1.5, TypeError)):
        with pytest.raises(error, match="seed"):
            make(names[0], seed=bad)


def test_the_two_corrected_explanations():
    ridge = confirmation_test("ridge")
    bias = ridge.explanations[next(i for i, o in enumerate(ridge.options) if "bias" in o)]
    assert "input" in bias and "origin" in bias and "flexible" not in bias
    for language, words in (("en", ("accura", "precis")), ("ja", ("精度", "正解率"))):
        set_language(language)
        sparse = confirmation_test("sparse")
        assert not any(w in text for w in words for text in sparse.explanations), "notebook 06: no accuracy law"
    set_language("ja")
    ridge = confirmation_test("ridge")
    bias = ridge.explanations[next(i for i, o in enumerate(ridge.options) if "バイアス" in o)]
    assert "入力" in bias and "原点" in bias and "自由度を上げない" not in bias


@pytest.mark.parametrize("language", ["en", "ja"])
def test_distractors_are_the_exams_kind(language):
    """The wrong options are near misses: the other penalty's property, test-time deletion, the keep factor."""
    set_language(language)
    sparse = " ".join(confirmation_test("sparse").options)
    dropout = " ".join(confirmation_test("dropout").options)
    if language == "ja":
        for phrase in ("L2正則化は、不要な重みをちょうど 0 にしやすい", "L1正則化の正則化項は、重みの二乗和"):
            assert phrase in sparse
        for phrase in ("テスト時もユニットをランダムに削除", "テスト時に出力へ dropout_ratio を掛ける",
                       "誤差関数に正則化項を加える手法"):
            assert phrase in dropout
    else:
        for phrase in ("L2 regularization tends to set unneeded weights to exactly 0", "sum of the squared weights"):
            assert phrase in sparse
        for phrase in ("At test time, too, units are deleted", "multiplied by dropout_ratio at test time",
                       "adds a penalty to the error function"):
            assert phrase in dropout
    why = confirmation_test("dropout").explanations
    assert any("1 − dropout_ratio" in text and "1/(1 − dropout_ratio)" in text for text in why)


def test_confirmation_test_rejects_unknown_names():
    with pytest.raises(ValueError, match="name"):
        confirmation_test("nope")


def test_the_bank_says_which_questions_are_the_lectures():
    assert CONFIRMATION_TESTS[:2] == ("ridge", "norm_figure")
    for name in CONFIRMATION_TESTS:
        quiz = confirmation_test(name)
        lecture = name in ("ridge", "norm_figure")
        assert quiz.source == ("lecture" if lecture else "practice")
        assert quiz.title.startswith("確認テスト (the lecture's question)" if lecture else "Practice (added by this course")


# ---------------------------------------------------------------------------
# 確認テスト in Japanese
# ---------------------------------------------------------------------------

JA_VERDICT = ("正解。", "誤り。")


@pytest.mark.parametrize("name", sorted(EXPECTED_ANSWERS))
def test_confirmation_tests_in_japanese(name):
    english = confirmation_test(name)
    set_language("ja")
    quiz = confirmation_test(name)
    assert quiz.correct == english.correct and len(quiz.options) == len(english.options)
    assert quiz.check(EXPECTED_ANSWERS[name]).correct
    for i, why in enumerate(quiz.explanations):
        assert why.startswith(JA_VERDICT[0] if i in quiz.correct else JA_VERDICT[1]), (name, i, why)
    assert len(set(quiz.explanations)) == len(quiz.explanations)
    assert all(any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)
               for text in (quiz.question, *quiz.options, *quiz.explanations) if text not in ("図 A", "図 B"))
    wrong = next(i for i in range(len(quiz.options)) if i not in quiz.correct)
    feedback = quiz.check(wrong)
    text = str(feedback)
    assert text.startswith("惜しい") and f"あなたの答え {LETTERS[wrong]}：誤り。" in text
    assert "各選択肢が正しい・誤りである理由" in text and "正解です。" in str(quiz.check(EXPECTED_ANSWERS[name]))
    expected_title = "確認テスト（講義の問題）" if quiz.source == "lecture" else "練習問題（このコースで追加"
    assert quiz.title.startswith(expected_title)


def test_ridge_statements_in_japanese_use_the_lectures_terms():
    set_language("ja")
    quiz = confirmation_test("ridge")
    assert quiz.title.endswith("リッジ回帰の特徴")
    options = " ".join(quiz.options)
    for phrase in ("λ", "0 にすると", "バイアス項", "隠れ層"):
        assert phrase in options
    def why(phrase):
        return quiz.explanations[next(i for i, o in enumerate(quiz.options) if phrase in o)]

    assert "誤差関数" in why("隠れ層") and "線形回帰" in why("0 にすると")


def test_japanese_widget_and_verdicts():
    set_language("ja")
    quiz = make_quiz()
    assert quiz.widget.children[1].children[1].description == "答え合わせ"
    assert quiz.press_check() is None and "先に選択肢を選んでください" in quiz._feedback.value
    quiz.select("A")
    quiz.press_check()
    assert "あなたの答え <b>A</b>（誤り）：that is L2" in quiz._feedback.value  # no verdict in the text: added
    several = make_quiz(correct=[0, 2])
    assert "正しい選択肢は 2 つ" in several.check(["A"]).headline


# ---------------------------------------------------------------------------
# 例題チャレンジ in the exam's form: fill in the blank, four choices
# ---------------------------------------------------------------------------

CHALLENGE_ANSWERS = {"ridge": ("B", ("param",)), "lasso": ("D", ("np.sign(param)",)),
                     "random_crop": ("C", ("h - crop_h + 1", "image[top:bottom, left:right, :]"))}
BLANKS = {"en": ("(a)", "(b)"), "ja": ("（あ）", "（い）")}
GRADERS = {"ridge": check_ridge, "lasso": check_lasso, "random_crop": check_random_crop}
LETTERS = "ABCD"


def test_the_challenges_are_the_lectures_and_one_added():
    assert EXERCISE_CHALLENGES == ("ridge", "lasso", "random_crop")
    assert [exercise_challenge(n).source for n in EXERCISE_CHALLENGES] == ["lecture", "lecture", "practice"]
    assert exercise_challenge("ridge").title.startswith("例題チャレンジ (the lecture's question)")
    assert exercise_challenge("random_crop").title.startswith("例題チャレンジ-style practice (added by this course")
    ridge = exercise_challenge("ridge")
    assert "grad += rate * (a)" in ridge.code and "(a)" in ridge.question
    assert set(ridge.options) == {"param", "np.sum(np.abs(param))", "np.sqrt(np.sum(param**2))", "np.sign(param)"}
    assert "x = (a)" in exercise_challenge("lasso").code
    crop = exercise_challenge("random_crop")
    assert "np.random.randint(0, h - crop_h)" in crop.fill("A")  # the lecture's bound
    assert "image = (b)" in crop.code and "(height, width, channel)" in crop.question
    # every half of each blank appears in two of the four combinations: no letter can be guessed from counts
    for part in (0, 1):
        assert sorted(Counter(p[part] for p in crop.parts).values()) == [2, 2]


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("name", sorted(CHALLENGE_ANSWERS))
def test_challenge_right_answer_and_an_explanation_for_each_wrong_choice(name, language):
    set_language(language)
    quiz = exercise_challenge(name)
    assert isinstance(quiz, FillInTheBlank) and len(quiz.options) == 4 and not quiz.multiple
    letter, parts = CHALLENGE_ANSWERS[name]
    assert quiz.parts[LETTERS.index(letter)] == parts
    assert quiz.blanks == BLANKS[language][: len(parts)]
    right, wrong = (("Right.", "Wrong.") if language == "en" else JA_VERDICT)
    assert quiz.check(letter).correct and quiz.check(quiz.options[LETTERS.index(letter)]).correct
    assert quiz.explanations[LETTERS.index(letter)].startswith(right)
    for i, option in enumerate(quiz.options):
        if i == LETTERS.index(letter):
            continue
        feedback = quiz.check(i)
        assert not feedback.correct
        why = quiz.explanations[i]
        assert why.startswith(wrong) and why in str(feedback)
    assert len(set(quiz.explanations)) == 4, "every choice has its own explanation"
    shown = str(quiz)
    assert "___" not in shown and "⟨" not in shown and all(blank in quiz.code for blank in quiz.blanks)
    assert all(line.strip() in shown for line in quiz.code.splitlines())
    assert all(blank in option for blank in quiz.blanks for option in quiz.options) == (len(parts) > 1)


@pytest.mark.parametrize("name", sorted(CHALLENGE_ANSWERS))
def test_challenge_answer_key_agrees_with_the_graders(name):
    """Run every choice: the right filling passes the written-code grader, each wrong one fails it."""
    quiz = exercise_challenge(name)
    for i in range(len(quiz.options)):
        result = GRADERS[name](quiz.function(i, rng=i))
        assert result.passed == (i in quiz.correct), (name, quiz.options[i], str(result))


def test_challenge_function_draws_from_a_seeded_generator():
    quiz = exercise_challenge("random_crop")
    image = np.arange(6 * 5 * 2, dtype=float).reshape(6, 5, 2)
    state = np.random.get_state()[1].copy()
    crops = [quiz.function("C", rng=7)(image, (3, 2)) for _ in range(2)]
    np.testing.assert_array_equal(crops[0], crops[1])  # same seed, same crop
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # NumPy's global state untouched
    assert quiz.function("C").__name__ == "random_crop"
    with pytest.raises(ValueError, match="exactly one function"):
        FillInTheBlank("q?", "x = ⟨a⟩", ["1", "2"], 0, ["a", "b"]).function(0)


def test_challenge_widget_shows_the_code():
    set_language("ja")
    quiz = exercise_challenge("lasso")
    html_text = quiz.widget.children[0].value
    assert "<pre" in html_text and "x = （あ）" in html_text and "<code>np.sign(param)</code>" in html_text
    assert html_text.index("<pre") < html_text.index("<ul")
    crop = exercise_challenge("random_crop")
    assert "（あ）の h を w に" in crop.code and "image = （い）" in crop.code
    assert "（あ） <code>h - crop_h + 1</code>" in crop.widget.children[0].value
    quiz.select("D")
    assert quiz.press_check().correct and "正解。" in quiz._feedback.value


def test_fill_in_the_blank_validates():
    with pytest.raises(ValueError, match="blank"):
        FillInTheBlank("q?", "no blank here", ["a", "b"], 0, ["x", "y"])
    with pytest.raises(ValueError, match="a, b, c"):
        FillInTheBlank("q?", "x = ⟨b⟩", ["a", "b"], 0, ["x", "y"])
    with pytest.raises(TypeError, match="correct"):
        FillInTheBlank("q?", "x = ⟨a⟩", ["a", "b"], [0], ["x", "y"])
    with pytest.raises(ValueError, match="fills"):
        FillInTheBlank("q?", "x = ⟨a⟩ + ⟨a⟩", ["a", "b"], 0, ["x", "y"], fills=[("a",), ("b",)])
    with pytest.raises(ValueError, match="source"):
        FillInTheBlank("q?", "x = ⟨a⟩", ["a", "b"], 0, ["x", "y"], source="book")
    with pytest.raises(TypeError, match=r"options\[0\] must be a dict"):
        FillInTheBlank("q?", "x = ⟨a⟩ + ⟨b⟩", ["a", "b"], 0, ["x", "y"])
    with pytest.raises(ValueError, match=r"options\[1\] must fill exactly"):
        FillInTheBlank("q?", "x = ⟨a⟩ + ⟨b⟩", [{"a": "1", "b": "2"}, {"a": "3"}], 0, ["x", "y"])
    quiz = FillInTheBlank("q?", "x = ⟨a⟩ + ⟨a⟩", ["a", "b"], 1, ["x", "y"], fills=[("a", "c"), ("b", "d")])
    assert quiz.fill("B") == "x = b + d" and quiz.fill(0) == "x = a + c" and quiz.code == "x = (a) + (a)"
    pair = FillInTheBlank("q?", "x = ⟨a⟩ * ⟨b⟩", [{"a": "1", "b": "2"}, {"b": "4", "a": "3"}], 0, ["x", "y"])
    assert pair.options == ("(a) 1  (b) 2", "(a) 3  (b) 4") and pair.fill("B") == "x = 3 * 4"
    assert pair.check("(a) 1  (b) 2").correct
    set_language("ja")
    assert FillInTheBlank("q?", "x = ⟨a⟩ * ⟨b⟩", [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}], 0,
                          ["x", "y"]).code == "x = （あ） * （い）"
    with pytest.raises(ValueError, match="name"):
        exercise_challenge("dropout")


# ---------------------------------------------------------------------------
# graders in Japanese (the English messages are checked above)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "checker, func, phrase",
    [
        (check_ridge, ridge_norm, "L2 ノルム"),
        (check_ridge, ridge_not_in_place, "その場で更新"),
        (check_ridge, ridge_with_sign, "L1正則化（ラッソ回帰）の勾配"),
        (check_lasso, lasso_abs, "np.sign(param)"),
        (check_lasso, lasso_divide, "NaN"),
        (check_random_crop, crop_lecture_unpacked, "最後のオフセット"),
        (check_random_crop, crop_lecture_verbatim, "h, w, _ = image.shape"),
        (check_random_crop, crop_swapped, "縦と横が入れ替わって"),
    ],
)
def test_graders_speak_japanese(checker, func, phrase):
    set_language("ja")
    result = checker(func)
    assert result.status == FAILED and phrase in result.message, result.message
    assert str(result).startswith(f"✘ {result.name}: 不合格。") and "不合格" in result._repr_html_()


def test_japanese_pass_and_not_solved():
    set_language("ja")
    passed, todo = check_ridge(ridge_ref), check_lasso(unsolved)
    assert passed.passed and passed.status == PASSED and str(passed).startswith("✔ ridge: 合格。")
    assert "その場で" in passed.message
    assert todo.status == NOT_SOLVED and "未解答" in str(todo) and "NotImplementedError" in todo.message
    crop = check_random_crop(crop_ref)
    assert crop.passed and crop.details[0].startswith("出たオフセット: top")


def test_constraint_panels_in_japanese():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2))
    y = X @ np.array([2.0, 0.5]) + 0.1 * rng.standard_normal(40)
    set_language("ja")
    fig = plot_constraint_panels(X, y, 1.0, ("l2", "l1"), reveal=True)
    assert fig.axes[0].get_title() == "図 A: L2（リッジ回帰、円）" and fig.axes[1].get_title() == "図 B: L1（ラッソ回帰、ひし形）"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["$\\hat{w}$（正則化なし）", "領域内の最適解"]
    plt.close("all")
