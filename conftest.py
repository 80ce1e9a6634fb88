"""Keep every Jupyter kernel or server the tests start away from the user's own setup, and share runs.

nbval starts a kernel per notebook; the browser test starts JupyterLab.  Both
read these variables, so they get a throw-away config/data/runtime folder and
matplotlib cache instead of the learner's ~/.jupyter, ~/.ipython and ~/.config.

With pytest-xdist the controller makes the folder and its workers (which
inherit its environment) use the same one, so the run cache below is shared by
every worker; the controller removes it at the end.
"""

import os
import shutil
import tempfile

import pytest

_SHARED = "COURSE_TESTS_DIR"
_WORKER = "PYTEST_XDIST_WORKER" in os.environ and os.environ.get(_SHARED)
_ISOLATED = os.environ[_SHARED] if _WORKER else tempfile.mkdtemp(prefix="course-tests-")
os.environ[_SHARED] = _ISOLATED
for _name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
    os.environ[_name] = os.path.join(_ISOLATED, _name.lower())
    os.makedirs(os.environ[_name], exist_ok=True)
os.environ.setdefault("MPLBACKEND", "Agg")
# One run cache per test session (course/run_cache.py): the unit tests and both notebook editions
# (each in its own nbval kernel, which inherits this variable) train each setting and seed once.
os.environ["COURSE_RUN_CACHE"] = os.path.join(_ISOLATED, "run_cache")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
if _WORKER:
    # Two workers already keep both cores busy: each engine run on one thread costs less CPU in all
    # than two runs on two threads each (course/engine/threads.py, THREADS_ENV).  Kernels inherit it.
    os.environ.setdefault("COURSE_ENGINE_THREADS", "1")


def pytest_unconfigure(config):
    if not _WORKER:
        shutil.rmtree(_ISOLATED, ignore_errors=True)


def pytest_collection_modifyitems(session, config, items):
    """The browser tests first, then the other tests, then the notebooks (a stable reordering).

    The browser tests run the English notebooks in JupyterLab and so train their
    runs into the run cache; nbval's runs of both editions then read them.  With
    pytest-xdist (``-n``), :func:`pytest_xdist_make_scheduler` hands out whole
    files in this order, so one worker starts on the browser tests while the
    other takes the unit tests.
    """
    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        if path.startswith("tests/test_browser"):
            return 0
        return 2 if path.endswith(".ipynb") else 1

    items.sort(key=rank)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist (in requirements-test.txt)
def pytest_xdist_make_scheduler(config, log):
    """Whole files to a worker, in collection order: nbval's cells share one kernel per notebook."""
    from xdist.scheduler import LoadScopeScheduling

    class WholeFiles(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid.split("::", 1)[0]

    config.option.loadscopereorder = False
    return WholeFiles(config, log)
