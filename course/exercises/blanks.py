"""Fill-in-the-blank code questions in the exam's form (例題チャレンジ).

:class:`FillInTheBlank` is a :class:`~course.exercises.choice.MultipleChoice`
whose question shows a piece of code with blanks; :meth:`FillInTheBlank.fill`
puts one option into the blanks and :meth:`FillInTheBlank.function` turns the
filled code into a function (its ``np.random.randint`` drawing from a seeded
generator), so a test can run every choice through a grader.
"""

from __future__ import annotations

import ast
import html
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from common._validation import RngLike, make_rng
from course.exercises.choice import LETTERS, MultipleChoice, _check_text

__all__ = ["FillInTheBlank"]


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
