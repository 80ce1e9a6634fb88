"""The fast path: the lecture's training, fused and on two threads, tested equal to the readable code.

``common.trainer.Trainer`` and the plain loop of
:func:`course.lecture_loop.train_lecture_loop` are the definitions, written to
be read; this package is written to be fast and is held to them by
differential tests (``tests/test_engine.py``, ``tests/test_lecture_loop.py``):
the same numbers bit for bit where the arithmetic is the same.

- :class:`FastTrainer` (:mod:`course.engine.trainer`): ``Trainer``'s arguments
  and interface, the same ``History``; ``train_lecture_net`` uses it.
- :func:`lecture_loop` (:mod:`course.engine.lecture`): the lecture notebook's
  hand-written loop with its switches; ``train_lecture_loop`` uses it.
- :mod:`course.engine.fused`: a ``MultiLayerNet`` as one flat parameter
  vector and one training step on buffers, shared by both.
- :mod:`course.engine.threads`: one BLAS thread per run
  (:func:`one_blas_thread`), runs side by side (:func:`map_in_parallel`),
  ``COURSE_ENGINE_THREADS`` (:data:`THREADS_ENV`).

Measurements (what each part buys): ``benchmarks/README.md``.
"""

from .fused import FusedNet, ScoreGroup, supports
from .lecture import lecture_loop
from .threads import THREADS_ENV, map_in_parallel, one_blas_thread, worker
from .trainer import EVALUATIONS, REFRESH_EPOCHS, FastTrainer

__all__ = [
    "EVALUATIONS", "FastTrainer", "FusedNet", "REFRESH_EPOCHS", "ScoreGroup", "THREADS_ENV", "lecture_loop",
    "map_in_parallel", "one_blas_thread", "supports", "worker",
]
