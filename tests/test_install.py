"""A normal install works from any folder: build the wheel, install it into a fresh virtual environment
and run a notebook there, in a temporary folder outside the repository, with no PYTHONPATH.

The fresh environment borrows this environment's dependencies (numpy, matplotlib, nbclient, ...)
through a ``.pth`` line naming our site-packages folder: a path line in a .pth file is appended
to ``sys.path``, but the .pth files inside that folder are not processed, so this environment's
editable install of the course does not leak in.  The test checks that ``common`` and
``course`` are imported from the fresh environment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    # 1. the packages come from the fresh environment, not from the repository
    """
    import json, pathlib, sys
    import common, course
    prefix = pathlib.Path(sys.prefix).resolve()
    where = {m.__name__: pathlib.Path(m.__file__).resolve() for m in (common, course)}
    assert all(prefix in path.parents for path in where.values()), (prefix, where)
    print(json.dumps({name: str(path) for name, path in where.items()}))
    """,
    # 2. the shipped digits (package data) and the book's network and Trainer
    """
    from common.datasets import load_mnist
    from common.multi_layer_net import MultiLayerNet
    from common.trainer import Trainer

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
    assert x_train.shape == (4000, 784) and x_test.shape == (1000, 784)
    network = MultiLayerNet(784, [100, 100], 10, weight_decay_lambda=0.1, rng=0)
    history = Trainer(network, x_train[:300], t_train[:300], x_test, t_test, epochs=2, verbose=False, rng=0).train()
    assert history.epoch == [1, 2]
    """,
    # 3. one lecture run through the course's tooling, drawn with the Japanese catalogue and font
    """
    from course.experiments import train_lecture_net
    from course.i18n import set_language
    from course.plots import plot_learning_curves

    set_language("ja")
    lecture = train_lecture_net(weight_decay_lambda=0.1, epochs=3, seed=0)
    plot_learning_curves(lecture, title="L2, λ = 0.1")
    assert lecture.epoch == [1, 2, 3] and 0.0 <= lecture.test_acc[-1] <= 1.0
    """,
]


def _wheel_can_build_without_isolation() -> bool:
    """setuptools builds wheels by itself from 70.1 on; older ones need the ``wheel`` package.

    Without either, pip builds in an isolated environment as ``pip install .`` does (slower: it
    fetches setuptools from the package index).
    """
    import setuptools

    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_the_wheel_installs_and_a_notebook_runs_outside_the_repository(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "COURSE_RUN_CACHE")}
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    # the project's files, copied so the build leaves nothing in the repository
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("common", "course"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = tmp_path / "wheels"
    isolation = ["--no-build-isolation"] if _wheel_can_build_without_isolation() else []
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(wheels), str(source)],
         env, outside)
    (wheel,) = wheels.glob("overfitting_course-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env, outside)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)], env, outside)
    fresh_site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           env, outside).stdout.strip())
    (fresh_site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    found = _run([str(python), "-c", "import json, common, course; print(json.dumps([common.__file__, course.__file__]))"],
                 env, outside)
    for path in json.loads(found.stdout):
        assert Path(path).resolve().is_relative_to(fresh_site.resolve()), path

    # a notebook in a folder outside the repository, on a kernel of the fresh environment
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in CELLS])
    nbformat.write(notebook, outside / "check.ipynb")
    kernels = tmp_path / "jupyter-data" / "kernels" / "fresh-venv"
    kernels.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "fresh venv", "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    env.update(JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"), COURSE_FAST="1", MPLBACKEND="Agg")
    runner = """
import nbclient, nbformat
nb = nbformat.read("check.ipynb", as_version=4)
nbclient.NotebookClient(nb, kernel_name="fresh-venv", timeout=300, resources={"metadata": {"path": "."}}).execute()
nbformat.write(nb, "check.out.ipynb")
"""
    _run([str(python), "-c", runner], env, outside, timeout=600)
    executed = nbformat.read(outside / "check.out.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[0].outputs)
    assert all(str(fresh_site.resolve()) in path for path in json.loads(printed).values()), printed
