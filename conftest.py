"""Keep every Jupyter kernel or server the tests start away from the user's own setup.

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
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"


def pytest_unconfigure(config):
    shutil.rmtree(_ISOLATED, ignore_errors=True)
