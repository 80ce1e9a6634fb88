"""The site's notebooks: find them, execute them (cached), and make their outputs work without a kernel.

A live explorer (a code cell that creates ``TrainingExplorer(...)``) becomes
the kernel-free explorer's placeholder right after the cell; other widget
views (progress bars, controls) are dropped, since a widget's saved state does
nothing without a kernel and its HTML manager would come from a CDN.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path

import nbformat

from course import site_explorer

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
EDITIONS = {"en": NOTEBOOKS, "ja": NOTEBOOKS / "ja"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def explorer_static() -> Path:
    """The folder whose files (``explorer.js``, ``explorer.css``, the grid's data) go into ``_static/``."""
    return Path(site_explorer.__file__).resolve().parent / "static"


def notebook_names(edition: str) -> list[str]:
    """The notebooks of one edition (``'en'`` or ``'ja'``), by name (``01_overfitting.ipynb``, ...)."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {sorted(EDITIONS)}, got {edition!r}")
    return sorted(p.name for p in EDITIONS[edition].glob("[0-9][0-9]_*.ipynb"))


def explorer_settings(source: str) -> dict | None:
    """The literal keyword arguments of the ``TrainingExplorer(...)`` call in a cell, or ``None`` if none.

    Non-literal arguments (``epochs=pick(201, 31)``) are left out: the page has no Python to evaluate them.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # IPython magics: not an explorer cell of this course
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "TrainingExplorer":
                settings = {}
                for keyword in node.keywords:
                    if keyword.arg is None:
                        continue
                    try:
                        settings[keyword.arg] = ast.literal_eval(keyword.value)
                    except ValueError:
                        continue
                return settings
    return None


def make_static(nb: nbformat.NotebookNode, lang: str) -> int:
    """Replace widget outputs in place: explorers get the kernel-free placeholder, other widgets go.

    Returns the number of explorers placed.
    """
    placed = 0
    nb.metadata.pop("widgets", None)  # the saved widget state: useless without a kernel
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [out for out in cell.get("outputs", []) if WIDGET_VIEW not in out.get("data", {})]
        settings = explorer_settings(cell.source)
        if settings is not None:
            html = site_explorer.placeholder_html(lang, settings)
            cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/html": html}))
            placed += 1
    return placed


def source_key(path: Path, fast: bool) -> str:
    """What an executed copy depends on: the notebook, the fast switch and every module it can import."""
    digest = hashlib.sha256()
    digest.update(path.read_bytes())
    digest.update(b"fast" if fast else b"full")
    for package in ("common", "course"):
        for source in sorted((ROOT / package).rglob("*.py")):
            if "site" in source.relative_to(ROOT / package).parts[:1]:
                continue  # the site's own code does not change what a notebook prints
            digest.update(str(source.relative_to(ROOT)).encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def execute(source: str, target: str, key: str, cwd: str, timeout: int, env: dict[str, str],
            allow_errors: bool = False) -> bool:
    """Run one notebook top to bottom with nbclient and write the executed copy (in a worker process).

    The kernel starts in ``cwd`` (the notebook's own folder, as in JupyterLab) and
    inherits ``env`` on top of this process's environment.  A failing cell raises,
    unless ``allow_errors``: then the run goes on, the page shows the traceback, and
    the copy is not marked reusable.  Returns True if no cell failed.
    """
    from nbclient import NotebookClient

    os.environ.update(env)
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": cwd}}).execute()
    clean = not any(out.output_type == "error" for cell in nb.cells for out in cell.get("outputs", []))
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    marker = Path(target + ".key")
    marker.unlink(missing_ok=True)
    nbformat.write(nb, target)
    if clean:
        marker.write_text(key, encoding="utf-8")
    return clean


def cached(target: Path, key: str) -> bool:
    """True if ``target`` is an executed copy made from the sources ``key`` names."""
    marker = Path(str(target) + ".key")
    return target.exists() and marker.exists() and marker.read_text(encoding="utf-8") == key


def kernel_env(run_cache: Path, jobs: int) -> dict[str, str]:
    """Environment for the kernels: inline figures, a shared run cache, one engine thread per process."""
    env = {"MPLBACKEND": INLINE_BACKEND, "JUPYTER_PLATFORM_DIRS": "1"}
    env["COURSE_RUN_CACHE"] = os.environ.get("COURSE_RUN_CACHE") or str(run_cache)
    if jobs > 1:
        # as many processes as cores: one thread each costs less CPU than two each (course/engine.py)
        env["COURSE_ENGINE_THREADS"] = os.environ.get("COURSE_ENGINE_THREADS", "1")
    return env


def stage(source: Path, target: Path, lang: str) -> int:
    """Write ``source`` (executed or not) to ``target`` with its outputs made static; returns explorers placed."""
    nb = nbformat.read(source, as_version=4)
    placed = make_static(nb, lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return placed


def read_title(path: Path) -> str:
    """The notebook's first ``# `` heading (its title)."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem
