"""Servers and a browser for the end-to-end tests: JupyterLab or Voilà on 127.0.0.1, Debian's Chromium.

Everything started here is stopped here: kernels and sessions are deleted
through the REST API, the server process group is terminated (on POSIX a
session of its own, on Windows a process group and ``taskkill /T`` for the
tree), and the throw-away folders are removed.  :func:`serve_folder` serves a
built static site with a plain ``http.server`` on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts"
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_browser() -> None:
    """Skip (on a learner's machine) or fail (in CI) when Chromium or Playwright is missing."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"Debian's Chromium at {CHROMIUM} (install: sudo apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (install: pip install -r requirements-test.txt)")
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(message + " — in CI this test must run; .ci/run installs both")
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _isolated_env(base: Path, silence_news: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        env[name] = str(base / name.lower())
        Path(env[name]).mkdir(parents=True, exist_ok=True)
    settings = base / "lab-settings"
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(base / "lab-workspaces")
    # Render every cell (no virtual scrolling), and no news/update pop-ups over the page.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    if silence_news:  # without it, the test sees what a learner's first run sees
        notes = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notes.parent.mkdir(parents=True, exist_ok=True)
        notes.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Server:
    """A running Jupyter server (JupyterLab or Voilà) with its URL, token and work folder."""

    def __init__(self, process: subprocess.Popen, port: int, token: str, root: Path, log: Path) -> None:
        self.process = process
        self.port = port
        self.token = token
        self.root = root
        self.log = log
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def api(self, path: str, method: str = "GET") -> object:
        req = urllib.request.Request(
            f"{self.base}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def wait_ready(self, timeout: float = 90.0, path: str = "api/status") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def shutdown_kernels(self) -> None:
        """Delete every session and kernel (JupyterLab's API), e.g. between two notebooks' tests, so an
        explorer's look-ahead training stops with its test instead of taking CPU from the next ones."""
        for session in self.api("sessions") or []:  # type: ignore[union-attr]
            self.api(f"sessions/{session['id']}", method="DELETE")
        for kernel in self.api("kernels") or []:  # type: ignore[union-attr]
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def stop(self) -> None:
        try:
            self.shutdown_kernels()
        except Exception:
            pass  # Voilà has no sessions API; the process group below takes its kernels with it
        if self.process.poll() is None:
            stop_group(self.process)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                stop_group(self.process, force=True)
                self.process.wait(timeout=5)


def group_kwargs() -> dict[str, object]:
    """``Popen`` arguments that start a process with its own group, so :func:`stop_group` reaches its children."""
    if hasattr(os, "killpg"):
        return {"start_new_session": True}
    return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}  # Windows


def stop_group(process: subprocess.Popen, force: bool = False) -> None:
    """Stop ``process`` and what it started (kernels): SIGTERM (``force``: SIGKILL) to its group on POSIX.

    Windows has neither process groups to signal nor SIGKILL: there a polite stop
    is CTRL_BREAK_EVENT to the group :func:`group_kwargs` made, and a forced one
    ``taskkill /T /F``, which ends the whole tree.
    """
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL if force else signal.SIGTERM)
        elif force:
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(process.pid)], capture_output=True, check=False)
        elif hasattr(signal, "CTRL_BREAK_EVENT"):
            process.send_signal(signal.CTRL_BREAK_EVENT)
        else:
            process.terminate()
    except (ProcessLookupError, PermissionError, OSError):
        pass  # already gone


@contextmanager
def run_server(kind: str, notebook: str | None = None, extra_args: tuple[str, ...] = (),
               silence_news: bool = True) -> Iterator[Server]:
    """Start JupyterLab (``kind='lab'``) or Voilà (``kind='voila'``) on a scratch copy of notebooks/.

    ``extra_args`` go on the server's command line; ``silence_news=False`` leaves
    out the user setting that keeps JupyterLab's news and update toasts away.
    """
    base = Path(tempfile.mkdtemp(prefix=f"course-{kind}-"))
    work = base / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    env = _isolated_env(base, silence_news)
    port, token = free_port(), secrets.token_hex(16)
    if kind == "lab":
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
            "--LabApp.expose_app_in_browser=True", "--ServerApp.allow_root=True",
        ]
    elif kind == "voila":
        cmd = [
            sys.executable, "-m", "voila", str(work / str(notebook)), "--no-browser",
            "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0",
            f"--Voila.token={token}", "--ServerApp.allow_root=True",
        ]
    else:
        raise ValueError(f"kind must be 'lab' or 'voila', got {kind!r}")
    cmd += list(extra_args)
    log = base / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, **group_kwargs())
    server = Server(process, port, token, work, log)
    try:
        server.wait_ready(path="api/status" if kind == "lab" else "")
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def serve_folder(folder: Path) -> AbstractContextManager[str]:
    """Serve ``folder`` with a plain static file server on 127.0.0.1; yields its base URL (``http://.../``)."""
    from course.site_explorer.demo import serve

    return serve(folder)


@contextmanager
def chromium_browser() -> Iterator[object]:
    """Headless Debian Chromium, started once for several pages (see :func:`chromium_page`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000, browser: object | None = None) -> Iterator[object]:
    """A Playwright page in headless Debian Chromium with a fresh profile; closed afterwards.

    With ``browser`` (from :func:`chromium_browser`) the page lives in a new
    context of that browser: as fresh as a new profile (no cookies, storage or
    cache shared with other contexts), without starting Chromium again.
    """
    if browser is not None:
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            yield context.new_page()
        finally:
            context.close()
        return
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="course-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": height},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            yield page
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


# -- the explorer in a page (shared by tests/test_browser.py and benchmarks/browser_benchmark.py) -----------


def explorer_notebooks() -> list[str]:
    """Notebooks (paths under notebooks/) that create a ``TrainingExplorer``: English, then ``ja/`` ones."""
    found = []
    for folder, prefix in ((NOTEBOOKS, ""), (NOTEBOOKS / "ja", "ja/")):
        if folder.is_dir():
            found += sorted(prefix + p.name for p in folder.glob("*.ipynb")
                            if "TrainingExplorer(" in p.read_text(encoding="utf-8"))
    return found


def notebook_language(path: Path) -> str:
    """The language a notebook's code selects (``set_language("ja")`` in a code cell), ``'en'`` by default."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            found = re.search(r"set_language\(\s*[\"'](\w+)[\"']\s*\)", "".join(cell["source"]))
            if found:
                return found.group(1)
    return "en"


def labels_for(language: str) -> dict[str, str]:
    """The message catalogue of ``language``: what the page shows (labels, buttons)."""
    from course.i18n import locale_en
    from course.i18n import locale_ja

    return {"en": locale_en.MESSAGES, "ja": locale_ja.MESSAGES}[language]


def explorer_state(explorer) -> tuple[str, str]:
    """``(state, text)`` of the explorer's status line; state: waiting / training / done / error."""
    marker = explorer.locator(".explorer-status [data-state]")
    if marker.count() == 0:
        return "", ""
    return marker.first.get_attribute("data-state") or "", explorer.locator(".explorer-status").inner_text()


def wait_run_done(explorer, after_run: int | None, timeout_ms: int = 120_000) -> tuple[int, str]:
    """Wait until a run later than ``after_run`` (``None``: any) has finished in the page.

    Finished means: its live curves are complete (``data-done='1'``) and the
    status line says done.  Returns ``(run number, status text)``; raises if
    the status line reports an error.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    state, text = "", ""
    while time.monotonic() < deadline:
        state, text = explorer_state(explorer)
        if state == "error":
            raise AssertionError(f"explorer reported a problem: {text}")
        svg = explorer.locator(".explorer-live svg[data-run]")
        if state == "done" and svg.count():
            number = int(svg.first.get_attribute("data-run") or 0)
            if svg.first.get_attribute("data-done") == "1" and (after_run is None or number > after_run):
                return number, explorer_state(explorer)[1]
        time.sleep(0.1)
    raise AssertionError(f"explorer did not finish a new run; status: {state} {text!r}")


def move_slider(page, explorer, label: str | None, key: str = "ArrowRight") -> bool:
    """Focus the slider whose label contains ``label`` (``None``: the first slider) and press ``key``."""
    slider = explorer.locator(".widget-slider")
    if label is not None:
        slider = slider.filter(has=page.locator(".widget-label", has_text=label))
    if slider.count() == 0:
        return False
    handle = slider.first.locator(".noUi-handle")
    handle.focus()
    page.keyboard.press(key)
    return True


def platform_fonts(page, selector: str, text: str | None = None) -> list[str]:
    """The fonts Chromium actually used for the text of an element (DevTools' platform fonts).

    The element is the first match of ``selector`` (with ``text``: the first
    whose own text contains it).  Only fonts that drew at least one glyph count.
    """
    found = page.evaluate(
        """([selector, text]) => {
          for (const el of document.querySelectorAll(selector)) {
            const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
            if (own.trim() && (text === null || own.includes(text))) {
              el.setAttribute('data-font-probe', '1');
              return true;
            }
          }
          return false;
        }""",
        [selector, text],
    )
    if not found:
        return []
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-font-probe]"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"] if node else []
        return [f["familyName"] for f in fonts if f.get("glyphCount", 0) > 0]
    finally:
        page.evaluate("() => document.querySelectorAll('[data-font-probe]')"
                      ".forEach(e => e.removeAttribute('data-font-probe'))")
        cdp.detach()
