"""Keep every Jupyter kernel or server the tests start away from the user's own setup, and share runs.

nbval starts a kernel per notebook; the browser test starts JupyterLab.  Both
read these variables, so they get a throw-away config/data/runtime folder and
matplotlib cache instead of the learner's ~/.jupyter, ~/.ipython and ~/.config.
"""

import os
import shutil
import tempfile

_ISOLATED = tempfile.mkdtemp(prefix="course-tests-")
for _name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
    os.environ[_name] = os.path.join(_ISOLATED, _name.lower())
    os.makedirs(os.environ[_name], exist_ok=True)
os.environ.setdefault("MPLBACKEND", "Agg")
# One run cache per test session (common/run_cache.py): the unit tests and both notebook editions
# (each in its own nbval kernel, which inherits this variable) train each setting and seed once.
os.environ["COURSE_RUN_CACHE"] = os.path.join(_ISOLATED, "run_cache")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"


def pytest_unconfigure(config):
    shutil.rmtree(_ISOLATED, ignore_errors=True)
