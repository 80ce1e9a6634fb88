"""The browser tests' process control without POSIX: what runs on Windows, simulated here.

``course.run_cache.claim``'s fallbacks (msvcrt, an O_EXCL lock file) are tested in
``tests/test_run_cache.py``; these are the test helpers' own (``tests/browser_support.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

import browser_support


def _sleeper(**kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], **kwargs)


def test_without_killpg_a_process_still_starts_in_its_own_group_and_stops(monkeypatch):
    monkeypatch.delattr(os, "killpg")
    monkeypatch.delattr(signal, "CTRL_BREAK_EVENT", raising=False)
    kwargs = browser_support.group_kwargs()
    assert "start_new_session" not in kwargs and "creationflags" in kwargs
    process = _sleeper()  # the Windows flag means nothing here: start it plainly
    try:
        browser_support.stop_group(process)  # neither killpg nor CTRL_BREAK_EVENT: terminate()
        assert process.wait(timeout=10) != 0
    finally:
        process.kill()


def test_without_killpg_a_forced_stop_asks_taskkill_for_the_whole_tree(monkeypatch):
    monkeypatch.delattr(os, "killpg")
    calls = []
    monkeypatch.setattr(browser_support.subprocess, "run", lambda args, **kw: calls.append(args))
    process = _sleeper()
    try:
        browser_support.stop_group(process, force=True)
        assert calls == [["taskkill", "/T", "/F", "/PID", str(process.pid)]]
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="the POSIX path itself")
def test_with_killpg_the_group_is_signalled():
    process = _sleeper(**browser_support.group_kwargs())
    try:
        browser_support.stop_group(process)
        assert process.wait(timeout=10) == -signal.SIGTERM
    finally:
        process.kill()
