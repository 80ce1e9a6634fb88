"""Training ahead: the runs one λ step away, trained while the learner looks at a finished curve.

A :class:`LookAhead` belongs to one explorer.  It keeps the last
:data:`MAX_READY` finished runs by their settings (``ready``), and at most one
run it had begun when a change came (``ahead``, suspended between epochs), so
the explorer can show a ready run at once or go on from where it got::

    look = LookAhead(build=lambda settings, seed: trainer_for(settings, seed))
    look.start(lambda: [settings_up, settings_down])   # an asyncio task on the running loop
    look.take_ready(run_key(settings_up))              # its histories, or None
    look.take(run_key(settings_up))                    # the suspended run (Ahead), or None
    look.drop()                                        # any change: stop, keep what is finished

It is the same run a move would start (same settings, seed and engine), in
slices of :data:`LOOK_AHEAD_CHUNK` seconds between which the kernel takes
slider messages.  A neighbour that diverges is not kept: the real run says why.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Sequence

from common.trainer import History

from .runs import Ahead, next_epochs, proximal, run_key

MAX_READY = 24
"""Finished runs an explorer keeps by their settings (moving back to one shows it at once)."""
LOOK_AHEAD_CHUNK = 0.05
"""Seconds of look-ahead training between two looks at the kernel's messages (a slider move waits at most this)."""
LOOK_AHEAD_DELAY = 0.05
"""Seconds between a finished run and the start of training ahead (the page draws the curve meanwhile)."""


class LookAhead:
    """One explorer's finished runs by settings (``ready``), the run trained ahead (``ahead``) and its ``task``.

    ``build(settings, seed)`` makes the trainer of one seed, as the explorer's own runs do.
    """

    def __init__(self, build: Callable[[dict[str, Any], int], Any]) -> None:
        self.build = build
        self.ready: dict[tuple, tuple[History, ...]] = {}  # oldest first
        self.ahead: Ahead | None = None  # the run being trained ahead, suspended between epochs
        self.task: asyncio.Task | None = None

    def remember(self, key: tuple, histories: Sequence[History]) -> None:
        """Keep a finished run (the most recently used last; the oldest beyond :data:`MAX_READY` goes)."""
        self.ready.pop(key, None)
        self.ready[key] = tuple(histories)
        while len(self.ready) > MAX_READY:
            del self.ready[next(iter(self.ready))]

    def take_ready(self, key: tuple) -> tuple[History, ...] | None:
        """The finished run with identity ``key`` (now the most recently used), or ``None``."""
        histories = self.ready.pop(key, None)
        if histories is not None:
            self.ready[key] = histories
        return histories

    def take(self, key: tuple) -> Ahead | None:
        """The suspended run if it is the one asked for (else it is closed); either way it leaves ``ahead``."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None and ahead.key == key:
            return ahead
        if ahead is not None:
            ahead.close()
        return None

    def drop(self) -> None:
        """Stop training ahead and close the run it had begun."""
        task = self.task
        if task is not None and not task.done():
            try:
                task.cancel()
            except RuntimeError:  # its loop is closed
                pass
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None

    def start(self, neighbours: Callable[[], list[dict[str, Any]]]) -> None:
        """Train ``neighbours()`` (asked for once the delay has passed) as a task on the running loop, if any."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.task = loop.create_task(self._train(neighbours))

    async def _train(self, neighbours: Callable[[], list[dict[str, Any]]]) -> None:
        """Train each neighbour in slices of ~:data:`LOOK_AHEAD_CHUNK` s, yielding to the kernel between.

        Cancelled by any change; a run it had begun stays suspended in
        ``ahead`` so that the change, if it asks for that run, goes on from there.
        """
        try:
            await asyncio.sleep(LOOK_AHEAD_DELAY)  # the finished curve's messages and waiters go first
            for n in neighbours():
                key = run_key(n)
                if key in self.ready:
                    continue
                trainers = [self.build(n, n["seed"] + i) for i in range(n["n_seeds"])]
                ahead = self.ahead = Ahead(key, trainers)
                l1_lam = n["weight_decay_lambda"] if proximal(n) else None
                chunk_end = time.perf_counter() + LOOK_AHEAD_CHUNK
                while ahead.active:
                    if next_epochs(trainers, ahead.iterators, ahead.active, l1_lam):
                        self.drop()  # a diverging neighbour: nothing is kept, the real run will say why
                        return
                    if time.perf_counter() >= chunk_end:
                        await asyncio.sleep(0)  # the kernel takes slider messages here; a change cancels us
                        chunk_end = time.perf_counter() + LOOK_AHEAD_CHUNK
                self.ahead = None
                self.remember(key, [trainer.history for trainer in trainers])
        except asyncio.CancelledError:
            raise  # ``ahead`` is kept for the run that cancelled us
        except Exception:  # any other failure: nothing is kept, the real run will say why
            self.drop()
