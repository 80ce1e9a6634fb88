"""The course's tooling around the book's module :mod:`common`.

``common`` is the book's small NumPy code (what the lecture explains);
``course`` holds what the notebooks use to run, compare and show it:

- :mod:`course.experiments` – the lecture's settings (``LectureConfig``), ``train_lecture_net``, ``sweep``, the grids
- :mod:`course.lecture_loop` – the lecture notebook's own hand-written loop
- :mod:`course.seeds`, :mod:`course.plots` – several seeds, spreads and learning curves
- :mod:`course.explorer` – the live ``TrainingExplorer`` with sliders
- :mod:`course.exercises` – confirmation tests, exercise challenges and graders
- :mod:`course.engine` – ``FastTrainer``: the same training, fast (and :mod:`course.run_cache`)
- :mod:`course.i18n` – ``set_language`` and the English / Japanese catalogues

It uses ``common``; ``common`` never uses it.
"""

from common import __version__

__all__ = ["__version__"]
