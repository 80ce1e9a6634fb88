"""What a grader returns: :class:`GradeResult` (passed, failed or not yet solved, and why).

``result.passed`` is a bool, ``result.message`` names the mistake and
``result.details`` holds evidence (counts, first values); ``str(result)`` and
the notebook display are in the current language (:func:`course.i18n.t`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from course.i18n import t

__all__ = ["PASSED", "FAILED", "NOT_SOLVED", "GradeResult"]

PASSED, FAILED, NOT_SOLVED = "passed", "failed", "not yet solved"


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
