"""A small standalone page with kernel-free explorers, served on 127.0.0.1, to look at them in a browser.

::

    python -m course.site_explorer.demo             # http://127.0.0.1:8000/ (Ctrl-C stops it)
    python -m course.site_explorer.demo --port 0    # any free port

The page lays the files out as the site does (``_static/`` holding a copy of
``course/site_explorer/static``); the browser test and the benchmark use
:func:`write_page` and :func:`serve` too.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, Sequence

from course.site_explorer import ASSETS, STATIC, placeholder_html

__all__ = ["write_page", "serve", "main"]

DEFAULT_EXPLORERS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("en", {"regularization": "l2", "weight_decay_lambda": 0.1}),
    ("ja", {"regularization": "l1", "weight_decay_lambda": 0.004, "use_dropout": True, "dropout_ratio": 0.08}),
)


def write_page(folder: Path | str, explorers: Sequence[tuple[str, dict[str, Any] | None]] = DEFAULT_EXPLORERS,
               name: str = "index.html") -> Path:
    """Write ``folder/name`` with one explorer per ``(lang, settings)`` and copy the static files to
    ``folder/_static/``; returns the page's path."""
    folder = Path(folder)
    shutil.copytree(STATIC, folder / "_static", dirs_exist_ok=True)
    head = "\n".join(f'<link rel="stylesheet" href="_static/{a}">' if a.endswith(".css")
                     else f'<script defer src="_static/{a}"></script>' for a in ASSETS)
    body = "\n".join(f"<section><h2>{html.escape(lang)}</h2>\n{placeholder_html(lang, settings)}</section>"
                     for lang, settings in explorers)
    page = folder / name
    page.write_text("<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
                    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                    "<link rel='icon' href='data:,'>"  # no request for /favicon.ico (a 404 in the console)
                    f"<title>site explorer</title>\n{head}\n</head>\n<body>\n{body}\n</body></html>\n",
                    encoding="utf-8")
    return page


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve(folder: Path | str, port: int = 0) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (``port`` 0: a free one) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-explorer-demo", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.site_explorer.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="site-explorer-") as folder:
        write_page(folder)
        with serve(folder, args.port) as url:
            print(f"serving {url} (Ctrl-C stops)")
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
