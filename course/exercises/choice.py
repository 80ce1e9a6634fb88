"""Multiple-choice questions in the exam's form (確認テスト), with an explanation for every option.

``quiz = MultipleChoice(question, options, correct=2, explanations=[...])``;
``quiz.check("C")`` returns a :class:`Feedback` that says whether the answer
is right and why each option is right or wrong.  Displaying ``quiz`` in a
notebook shows the lettered options, buttons A, B, … and a *Check* button;
:meth:`MultipleChoice.select` and :meth:`MultipleChoice.press_check` do what a
click does, so tests need no browser.  Every word a learner reads comes from
:func:`course.i18n.t`.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from common._validation import check_choice, check_int, is_bool
from course.i18n import t

__all__ = ["LETTERS", "SOURCES", "Feedback", "MultipleChoice"]

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SOURCES = ("lecture", "practice")
"""Where a question comes from: the lecture's own 確認テスト / 例題チャレンジ, or practice added by the course."""


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
        if isinstance(correct, numbers.Integral) and not is_bool(correct):
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
        if is_bool(item):
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
        if isinstance(answer, (str, numbers.Integral)) and not is_bool(answer):
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

    def _option_html(self, index: int) -> str:
        return html.escape(self.options[index])

    def _question_html(self) -> str:
        """Title, question and the lettered options, as the widget shows them."""
        header = f"<b>{html.escape(self.title)}</b><br>" if self.title else ""
        prompt = f" <i>{html.escape(t('exercises.choose_all'))}</i>" if self.multiple else ""
        items = "".join(f"<li><b>{LETTERS[i]}.</b> {self._option_html(i)}</li>" for i in range(len(self.options)))
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
