"""Self-checks for the lecture: confirmation tests (確認テスト) and exercise challenges (例題チャレンジ).

Two tools, both usable without a browser:

- :class:`MultipleChoice` — a question with options, the right answer(s) and an
  explanation per option.  ``quiz.check(answer)`` returns :class:`Feedback`
  (why the chosen option is right or wrong, and why every other one is);
  displaying ``quiz`` in a notebook shows radio buttons (or check boxes) and a
  *Check* button.
- Graders for the learner's own code: :func:`check_ridge`, :func:`check_lasso`
  and :func:`check_random_crop` run a function against prepared cases and
  return a :class:`GradeResult` (``passed``, ``status``, ``message``) that
  names the typical mistake — the norm instead of the penalty's gradient,
  ``grad = grad + …`` (no in-place update), ``np.abs`` instead of
  ``np.sign``, a crop that never reaches its last offset.  A function whose
  body still raises ``NotImplementedError`` is reported as *not yet solved*.

The learner's ``random_crop`` may draw from ``np.random`` (as the lecture's
does); the grader never seeds or reads that global state, it calls the
function many times and checks statistically that every offset occurs.

Everything a learner reads (questions, options, explanations, grader
messages, button labels, figure titles) comes from :func:`course.i18n.t`, so
it follows ``set_language("ja")``; English is the default.  Text is looked up
when a quiz or a grade is made: build the quiz after choosing the language.
"""

from __future__ import annotations

import ast
import html
import numbers
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from common._validation import RngLike, check_choice, check_float, check_int, make_rng
from course.i18n import t
from course.linear import constrained_optimum, squared_error_grid

__all__ = [
    "MultipleChoice",
    "FillInTheBlank",
    "confirmation_test",
    "CONFIRMATION_TESTS",
    "exercise_challenge",
    "EXERCISE_CHALLENGES",
    "SOURCES",
    "Feedback",
    "GradeResult",
    "check_ridge",
    "check_lasso",
    "check_random_crop",
    "plot_constraint_panels",
    "PASSED",
    "FAILED",
    "NOT_SOLVED",
]

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PASSED, FAILED, NOT_SOLVED = "passed", "failed", "not yet solved"
SOURCES = ("lecture", "practice")
"""Where a question comes from: the lecture's own 確認テスト / 例題チャレンジ, or practice added by the course."""


# =============================================================================
# multiple choice (確認テスト)
# =============================================================================


@dataclass(frozen=True)
class Feedback:
    """What :meth:`MultipleChoice.check` says about one answer.

    ``correct`` is True when the chosen set of options equals the right set.
    ``chosen`` holds the chosen option indices; ``options`` is one
    ``(letter, text, is_right, explanation)`` tuple per option.
    """

    question: str
    correct: bool
    chosen: tuple[int, ...]
    options: tuple[tuple[str, str, bool, str], ...]

    @property
    def headline(self) -> str:
        if self.correct:
            return t("exercises.correct")
        n_right = sum(1 for _, _, right, _ in self.options if right)
        hint = "" if n_right == 1 else t("exercises.n_right_hint", n=n_right)
        return t("exercises.not_quite", hint=hint)

    @staticmethod
    def _verdict(right: bool, why: str) -> str:
        """' (right)' / ' (wrong)' unless the explanation already starts by saying so."""
        said = why.lstrip().lower().startswith(_SAID)
        return "" if said else t("exercises.verdict", word=t("exercises.word_right" if right else "exercises.word_wrong"))

    def __str__(self) -> str:
        lines = [self.headline]
        for i in self.chosen:
            letter, text, right, why = self.options[i]
            lines.append(t("exercises.you_chose", letter=letter, verdict=self._verdict(right, why), why=why))
        lines.append(t("exercises.why_each") + ":")
        for i, (letter, text, right, why) in enumerate(self.options):
            mark = "✔" if right else "✘"
            lines.append(f"  {mark} {letter}. {text} — {why}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.correct else "#b35900"
        parts = [f"<div style='border-left:4px solid {color};padding:4px 10px'>",
                 f"<b style='color:{color}'>{html.escape(self.headline)}</b>"]
        for i in self.chosen:
            letter, text, right, why = self.options[i]
            verdict = html.escape(self._verdict(right, why))
            chose = t("exercises.you_chose", letter=f"<b>{letter}</b>", verdict=verdict, why=html.escape(why))
            parts.append(f"<div>{chose}</div>")
        items = "".join(
            f"<li>{'✔' if right else '✘'} <b>{letter}.</b> {html.escape(text)} — {html.escape(why)}</li>"
            for letter, text, right, why in self.options
        )
        summary = html.escape(t("exercises.why_each"))
        parts.append(f"<details><summary>{summary}</summary><ul>{items}</ul></details>")
        parts.append("</div>")
        return "".join(parts)


# Words an explanation may start with that already say right or wrong (both languages).
_SAID = ("right", "wrong", "correct", "incorrect", "正解", "誤り", "不正解")


def _check_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{name} must be a non-empty string, got {value!r}")
    return value


class MultipleChoice:
    """A confirmation-test question (確認テスト) with an explanation for every option.

    ``correct`` is one option index (single answer: radio buttons) or a
    collection of indices (choose all that apply: check boxes).  An answer for
    :meth:`check` may be an index, a letter (``"B"``), the option's exact
    text, or — for several — a list of those.

    >>> q = MultipleChoice("2 + 2 = ?", ["3", "4"], correct=1, explanations=["one short", "yes"])
    >>> q.check("B").correct
    True
    """

    def __init__(
        self,
        question: str,
        options: Sequence[str],
        correct: int | Iterable[int],
        explanations: Sequence[str],
        *,
        title: str | None = None,
        source: str | None = None,
    ) -> None:
        self.question = _check_text(question, "question")
        if isinstance(options, str) or not isinstance(options, Sequence):
            raise TypeError(f"options must be a list of strings, got {type(options).__name__}")
        if not 2 <= len(options) <= len(LETTERS):
            raise ValueError(f"options must hold between 2 and {len(LETTERS)} choices, got {len(options)}")
        self.options = tuple(_check_text(o, f"options[{i}]") for i, o in enumerate(options))
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be distinct (answers may be given as option text)")
        if isinstance(explanations, str) or not isinstance(explanations, Sequence):
            raise TypeError(f"explanations must be a list of strings, got {type(explanations).__name__}")
        if len(explanations) != len(self.options):
            raise ValueError(
                f"explanations must have one entry per option ({len(self.options)}), got {len(explanations)}"
            )
        self.explanations = tuple(_check_text(e, f"explanations[{i}]") for i, e in enumerate(explanations))
        if isinstance(correct, (numbers.Integral,)) and not isinstance(correct, (bool, np.bool_)):
            indices = [correct]
            self.multiple = False
        elif isinstance(correct, Iterable) and not isinstance(correct, (str, bytes)):
            indices = list(correct)
            self.multiple = True
        else:
            raise TypeError(f"correct must be an option index or a list of indices, got {correct!r}")
        if not indices:
            raise ValueError("correct must name at least one option")
        self.correct = frozenset(
            check_int(i, "correct", minimum=0, maximum=len(self.options) - 1) for i in indices
        )
        self.title = title
        self.source = None if source is None else check_choice(source, "source", SOURCES)
        self.last_feedback: Feedback | None = None
        self._widget = None

    # -- answers ----------------------------------------------------------------
    def _index(self, item: Any) -> int:
        if isinstance(item, (bool, np.bool_)):
            raise TypeError(f"answer must be an option index, letter or text, got {item!r}")
        if isinstance(item, numbers.Integral):
            index = int(item)
            if not 0 <= index < len(self.options):
                raise ValueError(f"answer index must be in [0, {len(self.options) - 1}], got {index}")
            return index
        if isinstance(item, str):
            text = item.strip()
            if len(text) == 1 and text.upper() in LETTERS[: len(self.options)]:
                return LETTERS.index(text.upper())
            if item in self.options:
                return self.options.index(item)
            raise ValueError(
                f"answer {item!r} is neither a letter A–{LETTERS[len(self.options) - 1]} nor one of the options"
            )
        raise TypeError(f"answer must be an option index, letter or text, got {type(item).__name__}")

    def _answer(self, answer: Any) -> tuple[int, ...]:
        if answer is None:
            raise ValueError("answer is empty: choose an option first")
        if isinstance(answer, (str, numbers.Integral)) and not isinstance(answer, (bool, np.bool_)):
            chosen = (self._index(answer),)
        elif isinstance(answer, Iterable):
            chosen = tuple(sorted({self._index(a) for a in answer}))
            if not chosen:
                raise ValueError("answer is empty: choose at least one option")
        else:
            raise TypeError(f"answer must be an option index, letter or text (or a list of them), got {answer!r}")
        if not self.multiple and len(chosen) > 1:
            raise ValueError(f"this question has one answer; got {len(chosen)} options {chosen}")
        return chosen

    def check(self, answer: Any) -> Feedback:
        """Feedback for ``answer``: right or wrong, and why, for every option."""
        chosen = self._answer(answer)
        feedback = Feedback(
            question=self.question,
            correct=set(chosen) == self.correct,
            chosen=chosen,
            options=tuple(
                (LETTERS[i], text, i in self.correct, why)
                for i, (text, why) in enumerate(zip(self.options, self.explanations))
            ),
        )
        self.last_feedback = feedback
        return feedback

    # -- widget -------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets form (built on first use): question, choices, *Check* button, feedback."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self):
        import ipywidgets as widgets

        # The options are listed as HTML (long text wraps); the buttons carry only the letters.
        letters = LETTERS[: len(self.options)]
        if self.multiple:
            self._boxes = [widgets.Checkbox(value=False, description=letter, indent=False,
                                            layout=widgets.Layout(width="60px")) for letter in letters]
            choices = widgets.HBox(self._boxes)
        else:
            self._radio = widgets.ToggleButtons(options=[(letter, i) for i, letter in enumerate(letters)],
                                                value=None, style={"button_width": "48px"})
            choices = self._radio
        self._button = widgets.Button(description=t("exercises.check_button"), button_style="primary", icon="check")
        self._feedback = widgets.HTML()
        self._button.on_click(lambda _: self._on_check())
        return widgets.VBox([widgets.HTML(self._question_html()), widgets.HBox([choices, self._button]),
                             self._feedback])

    def _option_html(self, text: str) -> str:
        return html.escape(text)

    def _question_html(self) -> str:
        """Title, question and the lettered options, as the widget shows them."""
        header = f"<b>{html.escape(self.title)}</b><br>" if self.title else ""
        prompt = f" <i>{html.escape(t('exercises.choose_all'))}</i>" if self.multiple else ""
        items = "".join(f"<li><b>{letter}.</b> {self._option_html(text)}</li>"
                        for letter, text in zip(LETTERS, self.options))
        return (f"{header}{html.escape(self.question)}{prompt}"
                f"<ul style='list-style:none;padding-left:0.5em;margin:4px 0'>{items}</ul>")

    def selected(self) -> tuple[int, ...]:
        """The option indices currently ticked in the widget."""
        self.widget  # noqa: B018  (build it)
        if self.multiple:
            return tuple(i for i, box in enumerate(self._boxes) if box.value)
        return () if self._radio.value is None else (self._radio.value,)

    def select(self, answer: Any) -> None:
        """Tick ``answer`` in the widget (what a click does; for tests and demos)."""
        chosen = self._answer(answer)
        self.widget  # noqa: B018
        if self.multiple:
            for i, box in enumerate(self._boxes):
                box.value = i in chosen
        else:
            self._radio.value = chosen[0]

    def _on_check(self) -> Feedback | None:
        chosen = self.selected()
        if not chosen:
            self._feedback.value = f"<i>{html.escape(t('exercises.choose_first'))}</i>"
            return None
        feedback = self.check(chosen if self.multiple else chosen[0])
        self._feedback.value = feedback._repr_html_()
        return feedback

    def press_check(self) -> Feedback | None:
        """Press the widget's *Check* button; returns the feedback shown (None if nothing is ticked)."""
        self.widget  # noqa: B018
        return self._on_check()

    def __str__(self) -> str:
        lines = [self.question]
        lines += [f"  {LETTERS[i]}. {text}" for i, text in enumerate(self.options)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.question!r}, {len(self.options)} options)"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class _SeededNumpy:
    """NumPy for the lecture-style code of a blank, with ``np.random.randint`` drawing from a seeded generator."""

    def __init__(self, gen: np.random.Generator) -> None:
        self.random = SimpleNamespace(randint=gen.integers)

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


class FillInTheBlank(MultipleChoice):
    """A 例題チャレンジ in the exam's form: a piece of code with a blank ``___`` and choices for it.

    Works like :class:`MultipleChoice` (one right option, an explanation for
    each); the code is shown above the options.  :meth:`fill` returns the code
    with the blanks filled by one option, so a test can run every choice.
    ``fills`` gives, per option, the text of each blank when the code has
    several that differ (e.g. ``top`` with ``h``, ``left`` with ``w``); by
    default every blank gets the option's text.
    """

    BLANK = "___"

    def __init__(
        self,
        question: str,
        code: str,
        options: Sequence[str],
        correct: int,
        explanations: Sequence[str],
        *,
        fills: Sequence[Sequence[str]] | None = None,
        title: str | None = None,
        source: str | None = None,
    ) -> None:
        if isinstance(correct, Iterable):
            raise TypeError(f"correct must be one option index (a blank has one right filling), got {correct!r}")
        super().__init__(question, options, correct, explanations, title=title, source=source)
        self.code = _check_text(code, "code")
        n_blanks = self.code.count(self.BLANK)
        if n_blanks == 0:
            raise ValueError(f"code must contain at least one blank {self.BLANK!r}")
        if fills is None:
            fills = [[option] * n_blanks for option in self.options]
        fills = [list(f) for f in fills]
        if len(fills) != len(self.options) or any(len(f) != n_blanks for f in fills):
            raise ValueError(f"fills must hold {n_blanks} text(s) (one per blank) for each of the "
                             f"{len(self.options)} options")
        self.fills = tuple(tuple(_check_text(x, "fills") for x in f) for f in fills)

    def fill(self, answer: Any) -> str:
        """The code with its blanks filled by ``answer`` (an index, letter or option text)."""
        (index,) = self._answer(answer)
        pieces = self.code.split(self.BLANK)
        out = pieces[0]
        for text, rest in zip(self.fills[index], pieces[1:]):
            out += text + rest
        return out

    def function(self, answer: Any, *, rng: RngLike = 0) -> Callable[..., Any]:
        """The function the code defines with its blanks filled by ``answer``, ready for a grader.

        The code is run with ``np`` standing for NumPy, except that
        ``np.random.randint(low, high)`` draws from a generator seeded by
        ``rng`` (``Generator.integers``, the same exclusive upper bound), so
        trying a choice never touches NumPy's global random state.
        """
        code = self.fill(answer)
        names = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
        if len(names) != 1:
            raise ValueError(f"the code must define exactly one function to return, found {names}")
        namespace: dict[str, Any] = {"np": _SeededNumpy(make_rng(rng))}
        exec(compile(code, f"<{type(self).__name__}: {names[0]}>", "exec"), namespace)  # noqa: S102 - our own code
        return namespace[names[0]]

    def _option_html(self, text: str) -> str:
        return f"<code>{html.escape(text)}</code>"

    def _question_html(self) -> str:
        header, _, rest = super()._question_html().partition("<ul")
        code = (f"<pre style='background:#f6f8fa;padding:6px 10px;margin:4px 0;line-height:1.35'>"
                f"{html.escape(self.code)}</pre>")
        return f"{header}{code}<ul{rest}"

    def __str__(self) -> str:
        lines = [self.question, "", *(f"    {line}" for line in self.code.rstrip().splitlines()), ""]
        lines += [f"  {LETTERS[i]}. {text}" for i, text in enumerate(self.options)]
        return "\n".join(lines)


# =============================================================================
# the L1 / L2 picture for the figure question
# =============================================================================


def _ball_outline(norm: str, radius: float) -> tuple[np.ndarray, np.ndarray]:
    theta = np.linspace(0.0, 2.0 * np.pi, 361)
    if norm == "l2":
        return radius * np.cos(theta), radius * np.sin(theta)
    return np.array([radius, 0.0, -radius, 0.0, radius]), np.array([0.0, radius, 0.0, -radius, 0.0])


def plot_constraint_panels(
    X: np.ndarray,
    y: np.ndarray,
    radius: float,
    norms: Sequence[str] = ("l2", "l1"),
    *,
    labels: Sequence[str] | None = None,
    reveal: bool = False,
) -> Figure:
    """The two-weight picture: squared-error contours around ``ŵ`` meeting a norm ball.

    One panel per entry of ``norms`` (``'l2'``: disc ``w1² + w2² ≤ r²``;
    ``'l1'``: diamond ``|w1| + |w2| ≤ r``), with the constrained optimum
    ``argmin ||y − Xw||²  s.t. ||w|| ≤ r`` marked.  Panels are titled with
    ``labels`` (default ``"A"``, ``"B"``, …); ``reveal=True`` adds which norm
    each one is, so a quiz can show the figure first and the answer later.
    """
    norms = [check_choice(n, "norms", ("l1", "l2")) for n in norms]
    if not norms:
        raise ValueError("norms must list at least one of 'l1', 'l2'")
    radius = check_float(radius, "radius", minimum=0.0, include_min=False)
    labels = list(labels) if labels is not None else [t("exercises.figure", letter=LETTERS[i]) for i in range(len(norms))]
    if len(labels) != len(norms):
        raise ValueError(f"labels must have one entry per panel ({len(norms)}), got {len(labels)}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w_hat = np.linalg.lstsq(X, y, rcond=None)[0]
    span = 1.25 * max(float(np.abs(w_hat).max()), radius)
    axis = np.linspace(-span, span, 301)
    error = squared_error_grid(X, y, axis, axis)
    levels = np.quantile(error, np.linspace(0.003, 0.5, 9))

    fig, axes = plt.subplots(1, len(norms), figsize=(4.0 * len(norms), 4.0), squeeze=False)
    for ax, norm, label in zip(axes[0], norms, labels):
        ax.contour(axis, axis, error, levels=levels, colors="tab:red", linewidths=0.9)
        bx, by = _ball_outline(norm, radius)
        ax.fill(bx, by, color="tab:blue", alpha=0.25)
        ax.plot(bx, by, color="tab:blue", lw=1.5)
        w = constrained_optimum(X, y, radius, norm)
        ax.plot(*w_hat, "k+", ms=10, mew=2, label=t("exercises.panel_w_hat"))
        ax.plot(*w, "o", color="tab:blue", mec="k", ms=8, label=t("exercises.panel_optimum"))
        ax.axhline(0, color="gray", lw=0.8)
        ax.axvline(0, color="gray", lw=0.8)
        ax.set_aspect("equal")
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        name = t(f"exercises.panel_{norm}")
        ax.set_title(f"{label}: {name}" if reveal else label)
        ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


# =============================================================================
# graders (例題チャレンジ)
# =============================================================================


@dataclass(frozen=True)
class GradeResult:
    """A grader's verdict: ``passed`` (bool), ``status`` (passed / failed / not yet solved), ``message``."""

    name: str
    status: str
    message: str
    details: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __bool__(self) -> bool:
        return self.passed

    @property
    def status_text(self) -> str:
        """The status in the current language ("passed" / "合格", …)."""
        return t(_STATUS_KEYS[self.status])

    def __str__(self) -> str:
        mark = {PASSED: "✔", FAILED: "✘", NOT_SOLVED: "…"}[self.status]
        text = t("exercises.grade_line", mark=mark, name=self.name, status=self.status_text, message=self.message)
        return "\n".join([text, *(f"   {d}" for d in self.details)])

    def __repr__(self) -> str:
        return f"GradeResult(name={self.name!r}, status={self.status!r}, passed={self.passed})"

    def _repr_html_(self) -> str:
        color = {PASSED: "#1a7f37", FAILED: "#cf222e", NOT_SOLVED: "#6e7781"}[self.status]
        details = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        details = f"<ul style='margin:2px 0'>{details}</ul>" if details else ""
        return (
            f"<div style='border-left:4px solid {color};padding:4px 10px'>"
            f"<b style='color:{color}'>{html.escape(self.name)}: {html.escape(self.status_text)}</b><br>"
            f"{html.escape(self.message)}{details}</div>"
        )


_STATUS_KEYS = {PASSED: "exercises.status_passed", FAILED: "exercises.status_failed",
                NOT_SOLVED: "exercises.status_not_solved"}


def _passed(name: str, message: str, *details: str) -> GradeResult:
    return GradeResult(name, PASSED, message, tuple(details))


def _failed(name: str, message: str, *details: str) -> GradeResult:
    return GradeResult(name, FAILED, message, tuple(details))


def _not_solved(name: str) -> GradeResult:
    return GradeResult(name, NOT_SOLVED, t("exercises.grade_not_solved"))


def _check_callable(func: Any) -> None:
    if not callable(func):
        raise TypeError(f"func must be the function you wrote (a callable), got {type(func).__name__}")


def _crashed(name: str, exc: BaseException, call: str) -> GradeResult:
    return _failed(name, t("exercises.grade_crashed", call=call, error=type(exc).__name__, detail=exc))


# -- ridge / lasso -------------------------------------------------------------

def _penalty_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(param, grad, rate) cases: 2-D and 1-D, exact zeros, negative values, float32 and float64."""
    gen = np.random.default_rng(20240607)
    cases = []
    for shape, dtype, rate in (((4, 3), np.float64, 0.1), ((7,), np.float64, 0.03), ((3, 5), np.float32, 0.5)):
        param = gen.normal(0.0, 1.0, size=shape).astype(dtype)
        param.flat[::4] = 0.0  # exact zeros: sign(0) = 0
        grad = gen.normal(0.0, 0.5, size=shape).astype(dtype)
        cases.append((param, grad, rate))
    return cases


def _diagnose_penalty(
    name: str,
    kind: str,
    change: np.ndarray,
    param: np.ndarray,
    rate: float,
) -> GradeResult:
    """Explain a wrong change ``grad_after − grad_before`` for ``kind`` ('l2' or 'l1')."""
    tol = dict(rtol=1e-4, atol=1e-6)
    if not np.all(np.isfinite(change)):
        hint = t("exercises.grade_nan_hint_l1") if kind == "l1" else ""
        return _failed(name, t("exercises.grade_nan", hint=hint))
    candidates = {
        "norm2": rate * np.sqrt(np.sum(param.astype(np.float64) ** 2)),
        "sumsq": rate * np.sum(param.astype(np.float64) ** 2),
        "norm1": rate * np.sum(np.abs(param.astype(np.float64))),
    }
    if np.allclose(change, candidates["norm2"], **tol):
        return _failed(name, t("exercises.grade_norm2"))
    if np.allclose(change, candidates["sumsq"], **tol):
        return _failed(name, t("exercises.grade_sumsq"))
    if np.allclose(change, candidates["norm1"], **tol):
        return _failed(name, t("exercises.grade_norm1"))
    if np.allclose(change, 2 * rate * param, **tol):
        return _failed(name, t("exercises.grade_twice"))
    if np.allclose(change, rate * np.abs(param), **tol):
        return _failed(name, t("exercises.grade_abs"))
    if kind == "l2" and np.allclose(change, rate * np.sign(param), **tol):
        return _failed(name, t("exercises.grade_l2_got_sign"))
    if kind == "l1" and np.allclose(change, rate * param, **tol):
        return _failed(name, t("exercises.grade_l1_got_param"))
    if np.allclose(change, -rate * (param if kind == "l2" else np.sign(param)), **tol):
        return _failed(name, t("exercises.grade_flipped"))
    expected = "rate * param" if kind == "l2" else "rate * np.sign(param)"
    want = rate * param if kind == "l2" else rate * np.sign(param)
    return _failed(name, t("exercises.grade_wrong_change", expected=expected),
                   t("exercises.grade_detail_yours", values=np.round(change.ravel()[:4], 4).tolist()),
                   t("exercises.grade_detail_expected", expected=expected,
                     values=np.round(want.ravel()[:4], 4).tolist()))


def _check_penalty(func: Any, name: str, kind: str) -> GradeResult:
    _check_callable(func)
    expected_text = "rate * param" if kind == "l2" else "rate * np.sign(param)"
    for case, (param0, grad0, rate) in enumerate(_penalty_cases()):
        param, grad = param0.copy(), grad0.copy()
        try:
            returned = func(param, grad, rate)
        except NotImplementedError:
            return _not_solved(name)
        except Exception as exc:  # the learner's code may raise anything
            return _crashed(name, exc, f"{name}(param, grad, rate={rate})")
        if not np.array_equal(param, param0):
            return _failed(name, t("exercises.grade_param_changed"))
        change = grad.astype(np.float64) - grad0.astype(np.float64)
        want = rate * (param0.astype(np.float64) if kind == "l2" else np.sign(param0).astype(np.float64))
        if np.array_equal(grad, grad0):
            if isinstance(returned, np.ndarray) and returned.shape == grad0.shape and np.allclose(
                returned.astype(np.float64) - grad0, want, rtol=1e-4, atol=1e-6
            ):
                return _failed(name, t("exercises.grade_not_in_place", expected=expected_text))
            return _failed(name, t("exercises.grade_unchanged", expected=expected_text))
        if np.allclose(change, want, rtol=1e-4, atol=1e-6 if grad0.dtype == np.float64 else 1e-5):
            continue
        result = _diagnose_penalty(name, kind, change, param0, rate)
        return _failed(name, result.message, *result.details,
                       t("exercises.grade_case", case=case + 1, shape=param0.shape, dtype=param0.dtype, rate=rate))
    # rate = 0 must leave grad alone
    param, grad = _penalty_cases()[0][0], _penalty_cases()[0][1]
    before = grad.copy()
    try:
        func(param, grad, 0.0)
    except Exception as exc:
        return _crashed(name, exc, f"{name}(param, grad, rate=0.0)")
    if not np.allclose(grad, before):
        return _failed(name, t("exercises.grade_rate_zero"))
    return _passed(name, t("exercises.grade_penalty_passed", expected=expected_text))


def check_ridge(func: Callable[[np.ndarray, np.ndarray, float], Any]) -> GradeResult:
    """Grade a learner's ``ridge(param, grad, rate)``: it must do ``grad += rate * param`` in place.

    Penalty ``½·rate·Σ w²`` → gradient ``rate·w``.  Recognises the norm
    ``rate·sqrt(Σ w²)``, a missing in-place update, ``2·rate·w`` and the L1 gradient.
    """
    return _check_penalty(func, "ridge", "l2")


def check_lasso(func: Callable[[np.ndarray, np.ndarray, float], Any]) -> GradeResult:
    """Grade a learner's ``lasso(param, grad, rate)``: it must do ``grad += rate * np.sign(param)`` in place.

    Penalty ``rate·Σ|w|`` → gradient ``rate·sign(w)`` (0 at ``w == 0``).
    Recognises ``np.abs`` instead of ``np.sign``, the L1 norm, ``w/|w|`` (NaN at 0)
    and a missing in-place update.
    """
    return _check_penalty(func, "lasso", "l1")


# -- random crop -----------------------------------------------------------------

CROP_TRIALS = 600
"""Calls per reachability check.  With at most 4 offsets per axis, a correct
uniform crop misses a given offset with probability (3/4)^600 < 1e-74."""


def _position_image(h: int, w: int, c: int) -> np.ndarray:
    """``image[i, j, k] = 1000·i + 10·j + k``: every pixel tells where it came from."""
    i, j, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return (1000 * i + 10 * j + k).astype(np.float64)


def _call_crop(func: Callable, image: np.ndarray, crop_size: tuple[int, int]):
    return func(image.copy(), crop_size)


def _crop_offset(out: Any, image: np.ndarray, crop: tuple[int, int]) -> tuple[int, int] | str:
    """The (top, left) this crop was cut from, or a message saying what is wrong with it."""
    if not isinstance(out, np.ndarray):
        return t("exercises.crop_not_array", type=type(out).__name__)
    ch, cw = crop
    c = image.shape[2]
    if out.shape != (ch, cw, c):
        if out.shape == (cw, ch, c):
            return t("exercises.crop_swapped", got=out.shape, want=(ch, cw, c))
        if out.ndim == 2:
            return t("exercises.crop_no_channel", got=out.shape, want=(ch, cw, c))
        if out.shape == image.shape:
            return t("exercises.crop_whole", got=out.shape, want=(ch, cw, c))
        return t("exercises.crop_bad_shape", got=out.shape, want=(ch, cw, c))
    corner = float(out[0, 0, 0])
    top, left = int(corner // 1000), int(round(corner % 1000)) // 10
    h, w = image.shape[:2]
    if not (0 <= top <= h - ch and 0 <= left <= w - cw) or not np.array_equal(
        out, image[top : top + ch, left : left + cw, :]
    ):
        return t("exercises.crop_not_window")
    return top, left


def check_random_crop(func: Callable[[np.ndarray, tuple[int, int]], np.ndarray]) -> GradeResult:
    """Grade a learner's ``random_crop(image, crop_size)`` for ``(H, W, C)`` images.

    Checks the output shape ``(crop_h, crop_w, C)``, that it is a window of the
    image, that over :data:`CROP_TRIALS` calls every offset
    ``top ∈ {0, …, H − crop_h}``, ``left ∈ {0, …, W − crop_w}`` occurs (none
    drastically rarer than the rest), that ``crop_size == (H, W)`` returns the
    image, and that the input image is left unchanged.  Works whatever random
    source the function uses (``np.random`` included).
    """
    _check_callable(func)
    name = "random_crop"
    image = _position_image(6, 5, 2)  # non-square, two channels
    crop = (3, 2)
    h, w = image.shape[:2]
    # 1. the first call: unimplemented? crashing? right shape and contents?
    try:
        out = _call_crop(func, image, crop)
    except NotImplementedError:
        return _not_solved(name)
    except ValueError as exc:
        if "unpack" in str(exc):
            return _failed(name, t("exercises.crop_unpack", crop=crop, detail=exc))
        return _crashed(name, exc, f"random_crop(image of shape {image.shape}, {crop})")
    except Exception as exc:
        return _crashed(name, exc, f"random_crop(image of shape {image.shape}, {crop})")
    where = _crop_offset(out, image, crop)
    if isinstance(where, str):
        return _failed(name, t("exercises.crop_call_result", shape=image.shape, crop=crop, where=where))
    # 2. many calls: every offset reachable, none far too rare, input untouched
    tops = np.zeros(h - crop[0] + 1, dtype=int)
    lefts = np.zeros(w - crop[1] + 1, dtype=int)
    tops[where[0]] += 1
    lefts[where[1]] += 1
    for _ in range(CROP_TRIALS - 1):
        original = image.copy()
        try:
            out = func(image, crop)
        except Exception as exc:
            return _crashed(name, exc, t("exercises.crop_later_call", crop=crop))
        if not np.array_equal(image, original):
            return _failed(name, t("exercises.crop_image_changed"))
        where = _crop_offset(out, image, crop)
        if isinstance(where, str):
            return _failed(name, t("exercises.crop_one_of_calls", n=CROP_TRIALS, where=where))
        tops[where[0]] += 1
        lefts[where[1]] += 1
    for axis, counts, size, cut, letter in (("top", tops, h, crop[0], "h"), ("left", lefts, w, crop[1], "w")):
        last = size - cut
        seen = t("exercises.crop_seen", axis=axis, n=CROP_TRIALS,
                 counts=", ".join(f"{k}×{n}" for k, n in enumerate(counts)))
        if counts.sum() and np.count_nonzero(counts) == 1:
            return _failed(name, t("exercises.crop_never_moves", axis=axis, offset=int(np.argmax(counts))), seen)
        if counts[last] == 0 and np.all(counts[:last] > 0):
            edge = t("exercises.edge_bottom" if axis == "top" else "exercises.edge_right")
            return _failed(name, t("exercises.crop_last_offset", axis=axis, last=last, letter=letter, edge=edge),
                           seen)
        missing = [k for k, n in enumerate(counts) if n == 0]
        if missing:
            return _failed(name, t("exercises.crop_missing", axis=axis, missing=missing, last=last), seen)
        expected = CROP_TRIALS / counts.size
        rare = [k for k, n in enumerate(counts) if n < expected / 4]
        if rare:
            return _failed(name, t("exercises.crop_rare", axis=axis, rare=rare), seen)
    # 3. crop as large as the image: the only window is the image itself
    for size in ((h, w), (h, 1), (1, w)):
        try:
            out = _call_crop(func, image, size)
        except Exception as exc:
            letter = "h" if size[0] == h else "w"
            return _failed(name, t("exercises.crop_full_size_raised", shape=image.shape, crop=size,
                                   error=type(exc).__name__, detail=exc, letter=letter))
        where = _crop_offset(out, image, size)
        if isinstance(where, str):
            return _failed(name, t("exercises.crop_call_result", shape=image.shape, crop=size, where=where))
    return _passed(
        name,
        t("exercises.crop_passed", n=CROP_TRIALS),
        t("exercises.crop_passed_seen", tops=", ".join(f"{k}×{n}" for k, n in enumerate(tops)),
          lefts=", ".join(f"{k}×{n}" for k, n in enumerate(lefts))),
    )


# =============================================================================
# the question bank: the lecture's 確認テスト and 例題チャレンジ, plus added practice
# =============================================================================
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
