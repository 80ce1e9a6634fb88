"""Build the static site of both editions: execute the notebooks, then render them with Sphinx.

The English edition lands in ``<out>/``, the Japanese one in ``<out>/ja/``;
each is one Sphinx build (``conf.py`` beside this file) with its own language,
so the theme's labels and the search (Japanese word splitting for ``ja``)
follow the edition.  Notebooks run with nbclient in ``jobs`` processes, the
English edition first, so the Japanese one mostly reads the runs it trained
from the shared run cache; MyST-NB then renders them without executing.
"""

from __future__ import annotations

import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from course.config import fast_mode
from course.site import notebooks as nbs

DEFAULT_OUT = nbs.ROOT / "_build" / "html"
CONF_DIR = Path(__file__).resolve().parent
TITLE = {"en": "Overfitting and regularization (過学習と正則化)", "ja": "過学習と正則化"}
INDEX = {
    "en": (
        f"# {TITLE['en']}\n\n"
        "Why a network that fits its training digits perfectly can fail on new ones, and what weight decay, "
        "L1, dropout and data augmentation do about it. Every page is one of the course's notebooks, executed. "
        "The explorers on these pages draw from a precomputed grid of the lecture's runs, so their sliders "
        "work without Python; to train live, open the notebooks in JupyterLab (see the README).\n"
    ),
    "ja": (
        f"# {TITLE['ja']}\n\n"
        "訓練データにぴったり合ったネットワークが、なぜ新しいデータでは外れるのか。荷重減衰、L1正則化、"
        "ドロップアウト、データ拡張（水増し）がそれにどう効くのかを、コースのノートブックを実行した結果で確かめます。"
        "ページ上のエクスプローラーは講義の設定で事前に学習した結果から描くので、Python がなくてもスライダーが動きます。"
        "その場で学習させるには、ノートブックを JupyterLab で開いてください（README を参照）。\n"
    ),
}
FAST_NOTE = {
    "en": "\nThis copy was built with `COURSE_FAST=1`: shorter sweeps and fewer epochs than the course's own.\n",
    "ja": "\nこのサイトは `COURSE_FAST=1` で作りました。スイープとエポック数はコース本来の設定より少なくなっています。\n",
}


@dataclass
class SiteReport:
    """What a build did: where the site is, how long it took and which notebooks ran."""

    out: Path
    seconds: float = 0.0
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    unexecuted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    explorers: int = 0
    size_bytes: int = 0

    def summary(self) -> str:
        return (f"built {self.out} in {self.seconds:.1f} s: {len(self.executed)} notebooks executed, "
                f"{len(self.reused)} reused from earlier builds, {len(self.unexecuted)} shown unexecuted; "
                f"{self.explorers} kernel-free explorers; {self.size_bytes / 2**20:.1f} MB"
                + (f"; cells failed in {', '.join(self.failed)}" if self.failed else ""))


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes, each used for one task (3.11+), so no kernel environment or Sphinx state carries over."""
    if sys.version_info >= (3, 11):
        return ProcessPoolExecutor(max_workers=workers, max_tasks_per_child=1)
    return ProcessPoolExecutor(max_workers=workers)


def _wanted(stem: str, execute: set[str] | None) -> bool:
    return execute is None or stem in execute


def _index(edition: str, names: list[str], fast: bool) -> str:
    toctree = "\n".join(Path(n).stem for n in names)
    note = FAST_NOTE[edition] if fast else ""
    return f"{INDEX[edition]}{note}\n```{{toctree}}\n:maxdepth: 1\n\n{toctree}\n```\n"


def sphinx_build(source: str, out: str, doctrees: str, language: str) -> int:
    """One Sphinx HTML build of one edition (in a worker process of its own); returns Sphinx's status."""
    from sphinx.application import Sphinx

    overrides = {"language": language, "project": TITLE[language], "html_title": TITLE[language]}
    app = Sphinx(source, str(CONF_DIR), out, doctrees, "html", confoverrides=overrides,
                 status=None, warning=sys.stderr, freshenv=True)
    app.build()
    return app.statuscode


def build_site(out: Path = DEFAULT_OUT, work: Path | None = None, jobs: int = 2,
               execute: set[str] | None = None, timeout: int = 600, allow_errors: bool = False) -> SiteReport:
    """Build the site into ``out`` (``index.html`` there, the Japanese edition in ``out/ja``).

    ``work`` keeps the executed notebooks (reused while the notebook and the
    course's code are unchanged), the Sphinx sources and the run cache (default:
    a folder beside ``out``).  ``execute``: the notebook stems to execute
    (``{"09_playground"}``; ``None``: all); the others show their code without outputs.
    A failing cell stops the build, unless ``allow_errors`` (a preview: the page
    shows the traceback and the report lists the notebook).
    """
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an int >= 1, got {jobs!r}")
    if not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be an int >= 1 (seconds per cell), got {timeout!r}")
    if execute is not None:
        known = {Path(n).stem for edition in nbs.EDITIONS for n in nbs.notebook_names(edition)}
        if not isinstance(execute, (set, frozenset)) or not set(execute) <= known:
            raise ValueError(f"execute must be None or a set of notebook stems from {sorted(known)}, got {execute!r}")
    start = time.monotonic()
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / ".buildinfo").exists():
        # the build replaces ``out`` whole: never a folder that Sphinx did not make (the repository, a home)
        raise ValueError(f"out must be a new folder or an earlier site (with .buildinfo), got {str(out)!r}")
    work = Path(work).resolve() if work is not None else out.parent / f"{out.name}-work"
    fast = fast_mode()
    report = SiteReport(out)
    env = nbs.kernel_env(work / "run_cache", jobs)
    plan: list[tuple[str, str, Path, Path, bool]] = []  # edition, name, notebook, copy to show, executed?
    runs = []
    for edition, folder in nbs.EDITIONS.items():  # English first: the Japanese runs read its cache
        for name in nbs.notebook_names(edition):
            notebook = folder / name
            executed = work / "executed" / edition / name
            key = nbs.source_key(notebook, fast)
            label = f"{edition}/{name}"
            if nbs.cached(executed, key):
                report.reused.append(label)
                plan.append((edition, name, notebook, executed, True))
            elif _wanted(Path(name).stem, execute):
                runs.append((label, (str(notebook), str(executed), key, str(folder), timeout, env, allow_errors)))
                report.executed.append(label)
                plan.append((edition, name, notebook, executed, True))
            else:
                report.unexecuted.append(label)
                plan.append((edition, name, notebook, notebook, False))
    if runs:
        with _pool(min(jobs, len(runs))) as pool:
            futures = [(label, pool.submit(nbs.execute, *run)) for label, run in runs]
            for label, future in futures:
                try:
                    if not future.result():
                        report.failed.append(label)
                except Exception as exc:
                    raise RuntimeError(f"executing notebooks/{label.removeprefix('en/')} failed: {exc}") from exc

    sources = work / "src"
    shutil.rmtree(sources, ignore_errors=True)
    for edition, name, _notebook, shown, _ran in plan:
        report.explorers += nbs.stage(shown, sources / edition / name, edition)
    for edition in nbs.EDITIONS:
        names = [name for e, name, *_ in plan if e == edition]
        (sources / edition / "index.md").write_text(_index(edition, names, fast), encoding="utf-8")

    # Each edition renders into a folder of its own under ``work``: MyST-NB writes its images beside
    # the output folder (``<out>/../jupyter_execute``), which for ``out/ja`` would land inside the site.
    rendered = {edition: work / "render" / edition / "html" for edition in nbs.EDITIONS}
    shutil.rmtree(work / "render", ignore_errors=True)
    with _pool(min(jobs, 2)) as pool:
        builds = {edition: pool.submit(sphinx_build, str(sources / edition), str(target),
                                       str(work / "doctrees" / edition), edition)
                  for edition, target in rendered.items()}
        for edition, future in builds.items():
            if future.result() != 0:
                raise RuntimeError(f"Sphinx failed on the {edition} edition (see its messages above)")
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(rendered["en"], out)
    shutil.move(rendered["ja"], out / "ja")
    report.size_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    report.seconds = time.monotonic() - start
    return report
