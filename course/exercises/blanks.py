"""Fill-in-the-blank code questions in the exam's form (例題チャレンジ).

:class:`FillInTheBlank` is a :class:`~course.exercises.choice.MultipleChoice`
whose question shows code with blanks.  The code names its blanks ``⟨a⟩``,
``⟨b⟩``, …; the learner sees them as the exam marks them, (a), (b), … in
English and （あ）, （い）, … in Japanese.  With several blanks each option
fills all of them (the exam's "which combination" question).
:meth:`FillInTheBlank.fill` puts one option into the blanks and
:meth:`FillInTheBlank.function` turns the filled code into a function (its
``np.random.randint`` drawing from a seeded generator), so a test can run
every choice through a grader.
"""

from __future__ import annotations

import ast
import html
import re
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from common._validation import RngLike, make_rng
from course.exercises.choice import LETTERS, MultipleChoice, _check_text
from course.i18n import t

__all__ = ["BLANK", "FillInTheBlank", "blank_label"]

BLANK = re.compile(r"⟨([a-z])⟩")
"""How code names a blank: ``⟨a⟩``, ``⟨b⟩``, … (shown to the learner as :func:`blank_label`)."""


def blank_label(index: int) -> str:
    """The exam's mark for blank number ``index`` (0-based): ``(a)`` in English, ``（あ）`` in Japanese."""
    labels = t("exercises.blank_labels").split()
    if not 0 <= index < len(labels):
        raise ValueError(f"index must be in [0, {len(labels) - 1}] (a blank's number), got {index!r}")
    return t("exercises.blank", label=labels[index])


class _SeededNumpy:
    """NumPy for the lecture-style code of a blank, with ``np.random.randint`` drawing from a seeded generator."""

    def __init__(self, gen: np.random.Generator) -> None:
        self.random = SimpleNamespace(randint=gen.integers)

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


class FillInTheBlank(MultipleChoice):
    """A 例題チャレンジ in the exam's form: code with blanks ``⟨a⟩``, ``⟨b⟩``, … and choices for them.

    Works like :class:`MultipleChoice` (one right option, an explanation for
    each); the code is shown above the options, its blanks marked (a), (b), …
    (:func:`blank_label`).  With one blank an option is the text that fills it;
    with several, an option is a dict ``{"a": text, "b": text}`` and is shown
    as "(a) text  (b) text".  ``fills`` gives, per option, one text per
    *occurrence* of a blank when occurrences of one blank differ (``top`` with
    ``h``, ``left`` with ``w``); by default each occurrence gets its blank's text.
    """

    def __init__(
        self,
        question: str,
        code: str,
        options: Sequence[str | Mapping[str, str]],
        correct: int,
        explanations: Sequence[str],
        *,
        fills: Sequence[Sequence[str]] | None = None,
        title: str | None = None,
        source: str | None = None,
    ) -> None:
        if isinstance(correct, Iterable):
            raise TypeError(f"correct must be one option index (a blank has one right filling), got {correct!r}")
        template = _check_text(code, "code")
        occurrences = BLANK.findall(template)
        names = list(dict.fromkeys(occurrences))
        if not names:
            raise ValueError("code must contain at least one blank, written ⟨a⟩ (then ⟨b⟩, …)")
        if names != list("abcdefgh"[: len(names)]):
            raise ValueError(f"code must name its blanks a, b, c, … in order of appearance, got {names}")
        if isinstance(options, str) or not isinstance(options, Sequence):
            raise TypeError(f"options must be a list, got {type(options).__name__}")
        labels = {name: blank_label(k) for k, name in enumerate(names)}
        parts = [self._parts(option, names, i) for i, option in enumerate(options)]
        shown = [parts_[names[0]] if len(names) == 1 else "  ".join(f"{labels[n]} {parts_[n]}" for n in names)
                 for parts_ in parts]
        super().__init__(question, shown, correct, explanations, title=title, source=source)
        self.template = template
        self.blanks = tuple(labels[n] for n in names)
        self.code = BLANK.sub(lambda m: labels[m.group(1)], template)  # what the learner reads
        self.parts = tuple(tuple(p[n] for n in names) for p in parts)
        if fills is None:
            fills = [[p[n] for n in occurrences] for p in parts]
        fills = [list(f) for f in fills]
        if len(fills) != len(self.options) or any(len(f) != len(occurrences) for f in fills):
            raise ValueError(f"fills must hold {len(occurrences)} text(s) (one per blank in the code) for each of "
                             f"the {len(self.options)} options")
        self.fills = tuple(tuple(_check_text(x, "fills") for x in f) for f in fills)

    @staticmethod
    def _parts(option: Any, names: list[str], i: int) -> dict[str, str]:
        if isinstance(option, str):
            if len(names) != 1:
                raise TypeError(f"options[{i}] must be a dict {{blank: text}} for the blanks {names}, got {option!r}")
            return {names[0]: _check_text(option, f"options[{i}]")}
        if isinstance(option, Mapping):
            if sorted(option) != names:
                raise ValueError(f"options[{i}] must fill exactly the blanks {names}, got {sorted(option)}")
            return {n: _check_text(option[n], f"options[{i}][{n!r}]") for n in names}
        raise TypeError(f"options[{i}] must be a string or a dict {{blank: text}}, got {type(option).__name__}")

    def fill(self, answer: Any) -> str:
        """The code with its blanks filled by ``answer`` (an index, letter or option text)."""
        (index,) = self._answer(answer)
        texts = iter(self.fills[index])
        return BLANK.sub(lambda _: next(texts), self.template)

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

    def _option_html(self, index: int) -> str:
        parts = self.parts[index]
        if len(parts) == 1:
            return f"<code>{html.escape(parts[0])}</code>"
        return "&emsp;".join(f"{html.escape(label)} <code>{html.escape(text)}</code>"
                             for label, text in zip(self.blanks, parts))

    def _question_html(self) -> str:
        header, _, rest = super()._question_html().partition("<ul")
        code = (f"<pre style='background:#f6f8fa;padding:6px 10px;margin:4px 0;line-height:1.35'>"
                f"{html.escape(self.code)}</pre>")
        return f"{header}{code}<ul{rest}"

    def __str__(self) -> str:
        lines = [self.question, "", *(f"    {line}" for line in self.code.rstrip().splitlines()), ""]
        lines += [f"  {LETTERS[i]}. {text}" for i, text in enumerate(self.options)]
        return "\n".join(lines)
