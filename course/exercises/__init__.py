"""Self-checks for the lecture: confirmation tests (確認テスト) and exercise challenges (例題チャレンジ).

One idea per module, all usable without a browser:

- :mod:`~course.exercises.choice` — :class:`MultipleChoice`: a question, options and an
  explanation per option; ``quiz.check("B")`` returns :class:`Feedback`.
- :mod:`~course.exercises.blanks` — :class:`FillInTheBlank`: code with blanks and choices for them.
- :mod:`~course.exercises.bank` — :func:`confirmation_test` and :func:`exercise_challenge`:
  the lecture's questions and the course's practice, in the current language.
- :mod:`~course.exercises.penalty` and :mod:`~course.exercises.crop` — graders
  :func:`check_ridge`, :func:`check_lasso`, :func:`check_random_crop` for the learner's
  own code, returning a :class:`GradeResult` (:mod:`~course.exercises.grades`).
- :mod:`~course.exercises.figure` — :func:`plot_constraint_panels`, the L1 / L2 figure.

Everything a learner reads comes from :func:`course.i18n.t`: choose the
language (``set_language("ja")``) before building a quiz.
"""

from course.exercises.bank import CONFIRMATION_TESTS, EXERCISE_CHALLENGES, confirmation_test, exercise_challenge
from course.exercises.blanks import FillInTheBlank
from course.exercises.choice import SOURCES, Feedback, MultipleChoice
from course.exercises.crop import check_random_crop
from course.exercises.figure import plot_constraint_panels
from course.exercises.grades import FAILED, NOT_SOLVED, PASSED, GradeResult
from course.exercises.penalty import check_lasso, check_ridge

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
