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
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ._validation import check_choice, check_float, check_int
from .linear import constrained_optimum, squared_error_grid

__all__ = [
    "MultipleChoice",
    "confirmation_test",
    "CONFIRMATION_TESTS",
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
            return "Correct."
        n_right = sum(1 for _, _, right, _ in self.options if right)
        hint = "" if n_right == 1 else f" (there are {n_right} right options)"
        return f"Not quite{hint}: read why below and try again."

    @staticmethod
    def _verdict(right: bool, why: str) -> str:
        """' (right)' / ' (wrong)' unless the explanation already starts by saying so."""
        said = why.lstrip().lower().startswith(("right", "wrong", "correct", "incorrect"))
        return "" if said else f" ({'right' if right else 'wrong'})"

    def __str__(self) -> str:
        lines = [self.headline]
        for i in self.chosen:
            letter, text, right, why = self.options[i]
            lines.append(f"You chose {letter}{self._verdict(right, why)}: {why}")
        lines.append("Why each option is right or wrong:")
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
            verdict = self._verdict(right, why)
            parts.append(f"<div>You chose <b>{letter}</b>{verdict}: {html.escape(why)}</div>")
        items = "".join(
            f"<li>{'✔' if right else '✘'} <b>{letter}.</b> {html.escape(text)} — {html.escape(why)}</li>"
            for letter, text, right, why in self.options
        )
        parts.append(f"<details><summary>Why each option is right or wrong</summary><ul>{items}</ul></details>")
        parts.append("</div>")
        return "".join(parts)


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
        self._button = widgets.Button(description="Check", button_style="primary", icon="check")
        self._feedback = widgets.HTML()
        self._button.on_click(lambda _: self._on_check())
        header = f"<b>{html.escape(self.title)}</b><br>" if self.title else ""
        prompt = " <i>(choose all that apply)</i>" if self.multiple else ""
        items = "".join(f"<li><b>{letter}.</b> {html.escape(text)}</li>" for letter, text in zip(letters, self.options))
        question = widgets.HTML(f"{header}{html.escape(self.question)}{prompt}"
                                f"<ul style='list-style:none;padding-left:0.5em;margin:4px 0'>{items}</ul>")
        return widgets.VBox([question, widgets.HBox([choices, self._button]), self._feedback])

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
            self._feedback.value = "<i>Choose an option first.</i>"
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
        return f"MultipleChoice({self.question!r}, {len(self.options)} options)"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


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
    labels = list(labels) if labels is not None else [f"figure {LETTERS[i]}" for i in range(len(norms))]
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
        ax.plot(*w_hat, "k+", ms=10, mew=2, label="ŵ (no penalty)")
        ax.plot(*w, "o", color="tab:blue", mec="k", ms=8, label="optimum in the region")
        ax.axhline(0, color="gray", lw=0.8)
        ax.axvline(0, color="gray", lw=0.8)
        ax.set_aspect("equal")
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        name = {"l2": "L2 (ridge, circle)", "l1": "L1 (lasso, diamond)"}[norm]
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

    def __str__(self) -> str:
        mark = {PASSED: "✔", FAILED: "✘", NOT_SOLVED: "…"}[self.status]
        text = f"{mark} {self.name}: {self.status}. {self.message}"
        return "\n".join([text, *(f"   {d}" for d in self.details)])

    def __repr__(self) -> str:
        return f"GradeResult(name={self.name!r}, status={self.status!r}, passed={self.passed})"

    def _repr_html_(self) -> str:
        color = {PASSED: "#1a7f37", FAILED: "#cf222e", NOT_SOLVED: "#6e7781"}[self.status]
        details = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        details = f"<ul style='margin:2px 0'>{details}</ul>" if details else ""
        return (
            f"<div style='border-left:4px solid {color};padding:4px 10px'>"
            f"<b style='color:{color}'>{html.escape(self.name)}: {self.status}</b><br>"
            f"{html.escape(self.message)}{details}</div>"
        )


def _passed(name: str, message: str, *details: str) -> GradeResult:
    return GradeResult(name, PASSED, message, tuple(details))


def _failed(name: str, message: str, *details: str) -> GradeResult:
    return GradeResult(name, FAILED, message, tuple(details))


def _not_solved(name: str) -> GradeResult:
    return GradeResult(
        name, NOT_SOLVED,
        "The function still raises NotImplementedError: replace that line with your code, run the cell, "
        "then run this check again.",
    )


def _check_callable(func: Any) -> None:
    if not callable(func):
        raise TypeError(f"func must be the function you wrote (a callable), got {type(func).__name__}")


def _crashed(name: str, exc: BaseException, call: str) -> GradeResult:
    return _failed(name, f"{call} raised {type(exc).__name__}: {exc}")


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
        hint = " Dividing by |param| fails at param == 0; np.sign(param) is 0 there." if kind == "l1" else ""
        return _failed(name, f"grad now holds NaN or inf.{hint}")
    candidates = {
        "norm2": rate * np.sqrt(np.sum(param.astype(np.float64) ** 2)),
        "sumsq": rate * np.sum(param.astype(np.float64) ** 2),
        "norm1": rate * np.sum(np.abs(param.astype(np.float64))),
    }
    if np.allclose(change, candidates["norm2"], **tol):
        return _failed(
            name,
            "You added rate·np.sqrt(np.sum(param**2)), the L2 norm: one number, the same for every weight. "
            "The update needs the penalty's gradient, its derivative with respect to each weight: "
            "d/dw (½·rate·Σw²) = rate·w, so add rate * param.",
        )
    if np.allclose(change, candidates["sumsq"], **tol):
        return _failed(
            name,
            "You added the value of the penalty rate·Σ param² (one number). The update needs its derivative "
            "for each weight, rate * param.",
        )
    if np.allclose(change, candidates["norm1"], **tol):
        return _failed(
            name,
            "You added rate·Σ|param|, the L1 norm itself (one number). The update needs its derivative "
            "for each weight: d|w|/dw = sign(w), so add rate * np.sign(param).",
        )
    if np.allclose(change, 2 * rate * param, **tol):
        return _failed(
            name,
            "You added 2·rate·param. The lecture writes the penalty as ½·λ·Σw² (the 2 of the derivative is "
            "absorbed into the coefficient), so the gradient is rate * param.",
        )
    if np.allclose(change, rate * np.abs(param), **tol):
        return _failed(
            name,
            "You added rate·np.abs(param), the penalty itself. Its derivative is the sign: "
            "d|w|/dw = +1 for w > 0, −1 for w < 0 (0 at w = 0), so add rate * np.sign(param). "
            "With abs, negative weights are pushed further from 0 instead of towards it.",
        )
    if kind == "l2" and np.allclose(change, rate * np.sign(param), **tol):
        return _failed(
            name,
            "You added rate·sign(param): that is the L1 (lasso) gradient. For L2 the gradient grows with "
            "the weight: rate * param.",
        )
    if kind == "l1" and np.allclose(change, rate * param, **tol):
        return _failed(
            name,
            "You added rate·param: that is the L2 (ridge) gradient. For L1 each weight gets the same-sized "
            "push towards 0 whatever its size: rate * np.sign(param).",
        )
    if np.allclose(change, -rate * (param if kind == "l2" else np.sign(param)), **tol):
        return _failed(name, "The sign is flipped: the penalty's gradient is added to grad (grad += …), "
                             "the optimizer then subtracts lr·grad.")
    expected = "rate * param" if kind == "l2" else "rate * np.sign(param)"
    return _failed(name, f"grad changed, but not by {expected}.",
                   f"first values of your change:   {np.round(change.ravel()[:4], 4).tolist()}",
                   f"first values of {expected}: {np.round((rate * param if kind == 'l2' else rate * np.sign(param)).ravel()[:4], 4).tolist()}")


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
            return _failed(name, "param changed. Only grad should change: the optimizer updates the weights "
                                 "later (params[key] -= lr * grads[key]).")
        change = grad.astype(np.float64) - grad0.astype(np.float64)
        want = rate * (param0.astype(np.float64) if kind == "l2" else np.sign(param0).astype(np.float64))
        if np.array_equal(grad, grad0):
            if isinstance(returned, np.ndarray) and returned.shape == grad0.shape and np.allclose(
                returned.astype(np.float64) - grad0, want, rtol=1e-4, atol=1e-6
            ):
                return _failed(
                    name,
                    "Your function computes the right values but the caller's grad did not change. "
                    "`grad = grad + …` makes a new array and rebinds the local name; the array the network "
                    "passed in stays the same (and the return value is ignored). Update it in place: "
                    f"grad += {expected_text}.",
                )
            return _failed(
                name,
                f"grad did not change. Add the penalty's gradient to it in place: grad += {expected_text}. "
                "(`grad = grad + …` would only rebind the local name.)",
            )
        if np.allclose(change, want, rtol=1e-4, atol=1e-6 if grad0.dtype == np.float64 else 1e-5):
            continue
        result = _diagnose_penalty(name, kind, change, param0, rate)
        return _failed(name, result.message, *result.details, f"(case {case + 1}: param shape {param0.shape}, "
                                                              f"dtype {param0.dtype}, rate {rate})")
    # rate = 0 must leave grad alone
    param, grad = _penalty_cases()[0][0], _penalty_cases()[0][1]
    before = grad.copy()
    try:
        func(param, grad, 0.0)
    except Exception as exc:
        return _crashed(name, exc, f"{name}(param, grad, rate=0.0)")
    if not np.allclose(grad, before):
        return _failed(name, "With rate = 0 (no regularization) grad must stay as it was.")
    return _passed(name, f"grad += {expected_text}, in place, for 1-D and 2-D arrays, float32 and float64, "
                         "and rate = 0 leaves grad unchanged.")


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
        return f"returned {type(out).__name__}, not a numpy array"
    ch, cw = crop
    c = image.shape[2]
    if out.shape != (ch, cw, c):
        if out.shape == (cw, ch, c):
            return (f"returned shape {out.shape}, expected (crop_h, crop_w, channels) = {(ch, cw, c)}: "
                    "height and width are swapped")
        if out.ndim == 2:
            return (f"returned shape {out.shape}, expected {(ch, cw, c)}: the channel axis is missing "
                    "(slice it with image[top:bottom, left:right, :])")
        if out.shape == image.shape:
            return f"returned the whole image {out.shape}, expected a crop of shape {(ch, cw, c)}"
        return f"returned shape {out.shape}, expected (crop_h, crop_w, channels) = {(ch, cw, c)}"
    corner = float(out[0, 0, 0])
    top, left = int(corner // 1000), int(round(corner % 1000)) // 10
    h, w = image.shape[:2]
    if not (0 <= top <= h - ch and 0 <= left <= w - cw) or not np.array_equal(
        out, image[top : top + ch, left : left + cw, :]
    ):
        return "returned pixels that are not one contiguous window image[top:top+crop_h, left:left+crop_w, :]"
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
            return _failed(name, f"random_crop(image, {crop}) raised ValueError: {exc}. The image is "
                                 "(height, width, channels), three numbers: write h, w, _ = image.shape "
                                 "(or h, w = image.shape[:2]).")
        return _crashed(name, exc, f"random_crop(image of shape {image.shape}, {crop})")
    except Exception as exc:
        return _crashed(name, exc, f"random_crop(image of shape {image.shape}, {crop})")
    where = _crop_offset(out, image, crop)
    if isinstance(where, str):
        return _failed(name, f"random_crop(image of shape {image.shape}, crop_size={crop}) {where}.")
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
            return _crashed(name, exc, f"a later call random_crop(image, {crop})")
        if not np.array_equal(image, original):
            return _failed(name, "the input image changed: a crop must not write into the caller's image.")
        where = _crop_offset(out, image, crop)
        if isinstance(where, str):
            return _failed(name, f"one of {CROP_TRIALS} calls {where}.")
        tops[where[0]] += 1
        lefts[where[1]] += 1
    for axis, counts, size, cut, letter in (("top", tops, h, crop[0], "h"), ("left", lefts, w, crop[1], "w")):
        last = size - cut
        seen = f"{axis} offsets seen in {CROP_TRIALS} calls: " + ", ".join(
            f"{k}×{n}" for k, n in enumerate(counts)
        )
        if counts.sum() and np.count_nonzero(counts) == 1:
            return _failed(name, f"the crop never moves: {axis} was always {int(np.argmax(counts))}. "
                                 "Draw the offset at random on every call.", seen)
        if counts[last] == 0 and np.all(counts[:last] > 0):
            return _failed(
                name,
                f"{axis} never reached its last offset {last} = {letter} − crop_{letter}: the window touching "
                f"the {'bottom' if axis == 'top' else 'right'} edge is never cut. randint(low, high) and "
                f"integers(low, high) exclude high, so draw from (0, {letter} − crop_{letter} + 1). "
                "(The lecture's snippet has this off-by-one.)",
                seen,
            )
        missing = [k for k, n in enumerate(counts) if n == 0]
        if missing:
            return _failed(name, f"{axis} offsets {missing} never occurred; every offset 0 … {last} should.", seen)
        expected = CROP_TRIALS / counts.size
        rare = [k for k, n in enumerate(counts) if n < expected / 4]
        if rare:
            return _failed(name, f"{axis} offsets {rare} occur far less often than the others; draw the "
                                 "offset uniformly.", seen)
    # 3. crop as large as the image: the only window is the image itself
    for size in ((h, w), (h, 1), (1, w)):
        try:
            out = _call_crop(func, image, size)
        except Exception as exc:
            letter = "h" if size[0] == h else "w"
            return _failed(
                name,
                f"random_crop(image of shape {image.shape}, crop_size={size}) raised {type(exc).__name__}: {exc}. "
                f"When crop_{letter} == {letter} there is exactly one offset, 0; randint(0, {letter} − crop_{letter}) "
                f"asks for a number from the empty range [0, 0). Use {letter} − crop_{letter} + 1 as the upper bound.",
            )
        where = _crop_offset(out, image, size)
        if isinstance(where, str):
            return _failed(name, f"random_crop(image of shape {image.shape}, crop_size={size}) {where}.")
    return _passed(
        name,
        f"right shape, a true window of the image, every offset reached in {CROP_TRIALS} calls "
        "(top 0…H−crop_h, left 0…W−crop_w), and a crop as large as the image returns the image.",
        "seen: top " + ", ".join(f"{k}×{n}" for k, n in enumerate(tops))
        + "; left " + ", ".join(f"{k}×{n}" for k, n in enumerate(lefts)),
    )


# =============================================================================
# the lecture's confirmation tests (確認テスト), as a question bank
# =============================================================================

_BANK: dict[str, dict[str, Any]] = {
    "ridge": dict(
        title="確認テスト · ridge regression (リッジ回帰)",
        question="Which statement about ridge regression (L2 regularization) is correct?",
        options=[
            "Making the hyperparameter λ large pulls all the weights ever closer to 0.",
            "With λ = 0, ridge regression becomes a non-linear regression.",
            "The bias term is regularized together with the weights.",
            "In a neural network, the ridge penalty is attached to a hidden layer.",
        ],
        correct=0,
        explanations=[
            "Right. λ sets how strongly large weights are punished, i.e. how tight the constraint is. As λ grows "
            "the penalty dominates the error, so every weight shrinks towards 0 (for ridge they get arbitrarily "
            "close, but never exactly 0).",
            "Wrong. λ = 0 removes the penalty, and what is left is the ordinary least-squares fit: ridge "
            "regression is linear regression plus a penalty, and stays linear for every λ.",
            "Wrong. Only the weights are penalized. The bias just shifts the output and does not make the model "
            "more flexible, so it is left free (the fitted intercept stays near the mean of y even for huge λ).",
            "Wrong. The penalty is a term added to the error function (the loss), E(w) + ½·λ·Σ w², summed over "
            "the weights of every layer. It changes what is minimized, not the layers of the network.",
        ],
    ),
    "norm_figure": dict(
        title="確認テスト · which figure is L1?",
        question="Figures A and B show contour lines of the squared error (red) and the region the penalty "
                 "allows (blue). Which figure shows L1 regularization (lasso)?",
        options=["Figure A", "Figure B"],
        correct=1,
        explanations=[
            "Wrong. Figure A's region is a disc, w1² + w2² ≤ r²: the L2 constraint (ridge). The contours touch "
            "it where both weights are non-zero, only smaller: shrinkage (縮小推定).",
            "Right. |w1| + |w2| ≤ r is a diamond with its corners on the axes. Growing contours usually meet it "
            "first at a corner, where one weight is exactly 0: sparse estimation (スパース推定).",
        ],
    ),
    "sparse": dict(
        title="確認テスト · sparse vs shrinkage estimation",
        question="L1 regularization is called sparse estimation (スパース推定) and L2 shrinkage estimation "
                 "(縮小推定). What does 'sparse' refer to?",
        options=[
            "Many weights become exactly 0.",
            "Every weight becomes a little smaller, but none reaches 0.",
            "Part of the training data is thrown away.",
            "Units are switched off at random during training.",
        ],
        correct=0,
        explanations=[
            "Right. The L1 penalty pushes each weight towards 0 with the same force whatever its size, so small "
            "weights end up at exactly 0. A zero weight costs no computation, which is the practical appeal.",
            "Wrong. That is shrinkage (縮小推定), what L2 does: its push λ·w fades as w gets small, so weights "
            "shrink but stay non-zero. It saves no computation, but often predicts a little better.",
            "Wrong. Neither penalty touches the data; both act on the weights through the error function.",
            "Wrong. That is dropout (ドロップアウト), a different regularizer.",
        ],
    ),
    "dropout": dict(
        title="確認テスト · dropout (ドロップアウト)",
        question="What does dropout do while the network trains?",
        options=[
            "It deletes randomly chosen units at every step, which is like training many different models "
            "on the same data.",
            "It deletes randomly chosen training images at every step.",
            "It permanently removes the weights that are close to 0.",
            "It adds random noise to the input images.",
        ],
        correct=0,
        explanations=[
            "Right. Each mini-batch trains a different random sub-network; at test time the full network acts "
            "like an average over them, without needing more data.",
            "Wrong. The training data stay the same; dropout removes units (nodes) of the network.",
            "Wrong. Nothing is removed for good: a dropped unit is back at the next step. Weights that end up "
            "exactly 0 come from L1 regularization.",
            "Wrong. That is a kind of data augmentation (水増し), which changes the inputs, not the network.",
        ],
    ),
    "gap": dict(
        title="確認テスト · reading the result",
        question="You add L2 regularization. The training accuracy drops noticeably, the test accuracy barely "
                 "moves. How do you read this?",
        options=[
            "Regularization failed, because the training accuracy went down.",
            "It did its job: the gap between training and test accuracy shrank, and that gap is what "
            "overfitting is.",
            "Only the training accuracy matters; the test accuracy is noise.",
            "The network must now be underfitting badly.",
        ],
        correct=1,
        explanations=[
            "Wrong. A perfect training score was the symptom: the network had memorised its 300 digits. Giving "
            "some of that up is the price of a constraint, not a failure.",
            "Right. Overfitting (過学習) means the two learning curves drift apart. A smaller gap at a similar "
            "test accuracy means the network relies less on the quirks of its training set.",
            "Wrong. The test accuracy is the only estimate of how the network does on new data; the training "
            "accuracy alone says nothing about overfitting.",
            "Wrong. Underfitting would show as low accuracy on both sets. Here the test accuracy held, so the "
            "constraint is not too strong (yet: push λ further and both curves fall).",
        ],
    ),
}

CONFIRMATION_TESTS = tuple(_BANK)
"""Names accepted by :func:`confirmation_test`."""


def confirmation_test(name: str) -> MultipleChoice:
    """A fresh :class:`MultipleChoice` for one of the lecture's confirmation tests (see :data:`CONFIRMATION_TESTS`)."""
    name = check_choice(name, "name", CONFIRMATION_TESTS)
    return MultipleChoice(**_BANK[name])
