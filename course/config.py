"""Course-wide switches read from the environment."""

from __future__ import annotations

import os


def fast_mode() -> bool:
    """True when ``COURSE_FAST=1``: notebooks shrink their sweeps (fewer grid points,
    fewer epochs) but still run every cell and every code path.  CI sets it."""
    return os.environ.get("COURSE_FAST", "0").strip().lower() in ("1", "true", "yes")


def pick(full, fast):
    """``fast`` in fast mode, else ``full`` — for sweep sizes in notebooks."""
    return fast if fast_mode() else full
