"""A progress bar for a sweep (a grid of runs or the trials of a random search).

:class:`Progress` wraps ``tqdm``: its widget inside a Jupyter kernel, a text
line elsewhere, nothing with ``mode='none'``.  Its words ("runs", "trials")
follow :func:`course.i18n.set_language`.
"""

from __future__ import annotations

from typing import Any

from common._validation import check_choice, check_int, is_bool
from course.i18n import t

__all__ = ["Progress"]


class Progress:
    """A progress bar for a sweep, drawn by ``tqdm``: its notebook widget in Jupyter, a text line elsewhere.

    ``mode``: ``'auto'`` (``tqdm.auto``: the widget inside a Jupyter kernel,
    text elsewhere), ``'widget'`` (``tqdm.notebook``), ``'text'`` (``tqdm.std``
    on ``stream``, default stderr) or ``'none'``.  ``description`` and ``unit``
    default to the current language's words for "runs" / "run"
    (:func:`course.i18n.t`).  Use as a context manager or call :meth:`close`;
    :attr:`done` counts the finished steps (never more than ``total``) and
    :attr:`tqdm` is the underlying bar.
    """

    def __init__(
        self,
        total: int,
        description: str | None = None,
        *,
        unit: str | None = None,
        mode: str = "auto",
        stream: Any = None,
    ) -> None:
        self.total = check_int(total, "total", minimum=0)
        description = t("progress.runs") if description is None else description
        unit = t("progress.unit_run") if unit is None else unit
        for name, value in (("description", description), ("unit", unit)):
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a string, got {type(value).__name__}")
        self.description = description
        self.mode = check_choice(mode, "mode", ("auto", "widget", "text", "none"))
        self.done = 0
        if self.mode == "auto":
            from tqdm.auto import tqdm
        elif self.mode == "widget":
            from tqdm.notebook import tqdm
        else:
            from tqdm.std import tqdm
        # mininterval=0: a sweep's steps take seconds, so every step is worth drawing.
        self.tqdm = tqdm(total=self.total, desc=description, unit=unit, file=stream, leave=True,
                         mininterval=0, disable=self.mode == "none")

    def update(self, step: int = 1, note: str = "") -> None:
        """Mark ``step`` more steps done; ``note`` (e.g. the current setting) is shown after the bar."""
        step = min(check_int(step, "step", minimum=0), self.total - self.done)
        if note:
            self.tqdm.set_postfix_str(note, refresh=False)
        self.done += step
        self.tqdm.update(step)

    def close(self) -> None:
        """Finish the bar (the widget turns green when every step is done, red when not)."""
        self.tqdm.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _progress(progress: bool | str, total: int, what: str) -> Progress:
    """The bar of a sweep: ``what`` is ``'runs'`` or ``'trials'``, worded in the current language."""
    mode = ("auto" if progress else "none") if is_bool(progress) else progress
    return Progress(total, t(f"progress.{what}"), unit=t(f"progress.unit_{what[:-1]}"), mode=mode)
