"""Optional download of the full MNIST data set (70,000 digits).

The course runs on the 5,000-digit subset shipped with ``common`` and never
needs the network.  Learners who want to see how overfitting changes with
twelve times more training data can fetch the original files once::

    python -m course.mnist_full download            # into default_dir()
    python -m course.mnist_full download --dir DIR  # anywhere else

and then load them with ``load_mnist(source='full')`` (``common.datasets``
reads them the book's way).

The downloading itself is `pooch <https://www.fatiando.org/pooch/>`_'s: it
streams each file into a temporary file next to the target, checks its MD5
sum, and only then renames it into place (so an interrupted or corrupted
download never leaves a file that looks valid); it retries a failed attempt
and shows a ``tqdm`` progress bar.  This module only adds what pooch does not
do: several mirrors tried in turn, and one readable error listing what each
mirror answered (and saying "offline" when none could be reached).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import logging
import os
import re
import sys
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pooch
import requests

from common._validation import check_bool, check_float, check_int
from common.datasets import mnist_dir
from course.i18n import t

__all__ = [
    "FILES",
    "MIRRORS",
    "DownloadError",
    "default_dir",
    "download",
    "main",
]

FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
"""File name -> published MD5 (the sums torchvision checks)."""

MIRRORS: tuple[str, ...] = (
    # The book's code uses this one because yann.lecun.com now answers 403.
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Base URLs tried in order; a file's URL is the base URL + its name."""

_USER_AGENT = "overfitting-course-mnist/0.2 (pooch)"

class DownloadError(RuntimeError):
    """No mirror delivered a file with the expected checksum."""


# --------------------------------------------------------------------------- paths


default_dir = mnist_dir
"""The folder ``load_mnist(source='full')`` reads: ``$MNIST_DIR`` (so a class can share one copy) or
``~/.cache/overfitting-course/mnist``."""


def _as_dir(dest_dir: str | os.PathLike[str] | None, name: str = "dest_dir") -> Path:
    if dest_dir is None:
        return default_dir()
    if not isinstance(dest_dir, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike) or None, got {type(dest_dir).__name__}")
    path = Path(dest_dir).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} must be a directory, but {str(path)!r} is a file")
    return path


# --------------------------------------------------------------------- validation


def _check_mirrors(mirrors: Sequence[str] | None) -> tuple[str, ...]:
    if mirrors is None:
        mirrors = MIRRORS
    # A bare string is a Sequence too; iterating it would try one-letter URLs.
    if isinstance(mirrors, (str, bytes)) or not isinstance(mirrors, Sequence):
        raise TypeError(f"mirrors must be a list of base URLs, got {type(mirrors).__name__} {mirrors!r}")
    if len(mirrors) == 0:
        raise ValueError("mirrors must name at least one base URL, got an empty list")
    checked = []
    for url in mirrors:
        if not isinstance(url, str):
            raise TypeError(f"mirrors must hold str URLs, got {type(url).__name__} {url!r}")
        parts = urllib.parse.urlsplit(url)
        # pooch would also fetch ftp:// and sftp:// URLs; only HTTP(S) mirrors make sense here.
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"each mirror must be an http:// or https:// base URL, got {url!r}")
        checked.append(url if url.endswith("/") else url + "/")
    return tuple(checked)


def _check_files(files: Mapping[str, str] | None) -> dict[str, str]:
    if files is None:
        files = FILES
    if not isinstance(files, Mapping):
        raise TypeError(f"files must be a mapping of file name -> MD5 hex digest, got {type(files).__name__}")
    if len(files) == 0:
        raise ValueError("files must name at least one file, got an empty mapping")
    checked = {}
    for name, md5 in files.items():
        # Names become paths under dest_dir and URL suffixes: refuse anything that could escape.
        if (
            not isinstance(name, str)
            or not name
            or name in (".", "..")
            or "/" in name
            or "\\" in name
            or name != name.strip()
        ):
            raise ValueError(f"files keys must be plain file names (no directories), got {name!r}")
        if not isinstance(md5, str) or len(md5) != 32 or any(c not in "0123456789abcdefABCDEF" for c in md5):
            raise ValueError(f"files[{name!r}] must be a 32-digit hex MD5 digest, got {md5!r}")
        checked[name] = md5.lower()
    return checked


# ------------------------------------------------------------------------ download


class _MirrorFailed(Exception):
    """One mirror failed for one file; ``unreachable`` marks failures to connect at all."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


class _Downloader:
    """pooch's HTTP downloader with a fresh ``tqdm.auto`` bar per attempt.

    pooch reuses one downloader for its retries and closes the bar it was
    given after a successful download only; a new bar per call (closed on
    failure too) keeps every attempt's bar honest and the output tidy.
    """

    def __init__(self, label: str, *, timeout: float, progress: bool) -> None:
        self.label = label
        self.timeout = timeout
        self.progress = progress

    def __call__(self, url: str, output_file: Any, pooch_instance: Any) -> None:
        bar: _Bar | bool = False
        if self.progress:
            from tqdm.auto import tqdm

            # unit="B" + unit_scale: sizes read as kB/MB; stderr keeps stdout for results.
            bar = _Bar(tqdm(desc=self.label, unit="B", unit_scale=True, file=sys.stderr, leave=True))
        http = pooch.HTTPDownloader(
            progressbar=bar, chunk_size=64 * 1024, timeout=self.timeout, headers={"User-Agent": _USER_AGENT}
        )
        try:
            http(url, output_file, pooch_instance)
        finally:
            if isinstance(bar, _Bar):
                bar.close()


class _Bar:
    """The progress-bar protocol pooch expects (``total`` settable, ``update``, ``reset``, ``close``) on a tqdm bar.

    pooch tests ``if progressbar:``, and a tqdm bar of unknown size refuses
    ``bool()`` (one of size 0 is False), so it cannot be passed directly.
    """

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __bool__(self) -> bool:
        return True

    @property
    def total(self) -> int | None:
        return self.bar.total

    @total.setter
    def total(self, value: int) -> None:
        # No Content-Length arrives as 0: show a counter of bytes instead of a bar.
        self.bar.reset(total=value or None)

    def update(self, n: int) -> None:
        self.bar.update(n)

    def reset(self) -> None:
        self.bar.reset(total=self.bar.total)

    def close(self) -> None:
        self.bar.close()


def _has_cause(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    """Whether ``exc`` wraps one of ``kinds`` (requests nests urllib3's errors in args and __context__)."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kinds):
            return True
        stack += [*item.args, getattr(item, "reason", None), item.__cause__, item.__context__]
    return False


def _describe(exc: requests.RequestException, timeout: float) -> _MirrorFailed:
    """Turn what requests raised into one line a learner can act on."""
    import urllib3.exceptions

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return _MirrorFailed(f"HTTP {exc.response.status_code} {exc.response.reason}")
    if isinstance(exc, requests.ConnectTimeout):
        return _MirrorFailed(f"timed out while connecting ({timeout:g} s)", unreachable=True)
    if isinstance(exc, requests.ConnectionError) and _has_cause(exc, (urllib3.exceptions.NewConnectionError,)):
        # NameResolutionError is a NewConnectionError too: no DNS, refused, no route.
        return _MirrorFailed(f"could not connect ({exc})", unreachable=True)
    if isinstance(exc, requests.ReadTimeout):
        return _MirrorFailed(f"stalled: no data for {timeout:g} s")
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)) or (
        _has_cause(exc, (urllib3.exceptions.IncompleteRead, urllib3.exceptions.ProtocolError))
    ):
        return _MirrorFailed(f"truncated download: the connection closed early ({exc})")
    return _MirrorFailed(f"connection failed ({type(exc).__name__}: {exc})")


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """pooch logs every download at INFO level in English; our bar and errors say it already."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _download_one(
    name: str, md5: str, dest: Path, mirrors: tuple[str, ...], *, timeout: float, retries: int, progress: bool
) -> None:
    failures: list[tuple[str, _MirrorFailed]] = []
    for mirror in mirrors:
        url = mirror + urllib.parse.quote(name)
        # One pooch per mirror: pooch does the temp file, the MD5 check, the atomic
        # rename into dest, and `retries` more attempts (1 s, 2 s, ... apart).
        store = pooch.create(path=dest, base_url=mirror, registry={name: f"md5:{md5}"}, urls={name: url},
                             retry_if_failed=retries, allow_updates=True)
        try:
            store.fetch(name, downloader=_Downloader(name, timeout=timeout, progress=progress))
            return
        except requests.RequestException as exc:  # before OSError: RequestException is an OSError
            failure = _describe(exc, timeout)
        except ValueError as exc:
            if "hash" not in str(exc):
                raise
            got = re.search(r"but got ([0-9a-fA-F]+)", str(exc))
            failure = _MirrorFailed(f"checksum mismatch: expected MD5 {md5}, got {got.group(1) if got else '?'}")
        # Any other OSError (disk full, no permission) propagates: another mirror cannot fix it.
        failures.append((url, failure))
        if progress:
            print(f"  {url}: {failure.reason}", file=sys.stderr)

    lines = [f"could not download {name} into {dest}:"]
    lines += [f"  - {url}: {failure.reason}" for url, failure in failures]
    if all(failure.unreachable for _, failure in failures):
        hosts = ", ".join(dict.fromkeys(urllib.parse.urlsplit(url).netloc for url, _ in failures))
        lines.append(
            f"could not reach {hosts}; are you offline? The course works offline with the "
            "shipped subset: load_mnist() (source='subset')"
        )
    raise DownloadError("\n".join(lines))


def download(
    dest_dir: str | os.PathLike[str] | None = None,
    *,
    mirrors: Sequence[str] | None = None,
    files: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    retries: int = 1,
    progress: bool = True,
) -> Path:
    """Download the full MNIST files into ``dest_dir`` and return that directory.

    Parameters
    ----------
    dest_dir:
        Target directory, created if needed.  ``None`` means :func:`default_dir`.
    mirrors:
        Base URLs tried in order for each file; ``None`` means :data:`MIRRORS`.
    files:
        Mapping file name -> expected MD5 hex digest; ``None`` means :data:`FILES`.
    timeout:
        Seconds to wait for a connection or for the next chunk of data.
    retries:
        Further attempts per mirror after a failed one (pooch waits 1 s, 2 s, …
        between them), before the next mirror is tried.
    progress:
        Draw a ``tqdm`` progress bar per file (a widget in Jupyter, text on
        stderr elsewhere) and report failed mirrors on stderr.

    A file already present with the right checksum is not fetched again.
    Otherwise pooch streams it into a temporary file next to the target,
    checks the MD5 sum and only then renames it into place, so a partial or
    corrupted file is never left behind.

    Raises
    ------
    DownloadError
        If no mirror delivered a file with the right checksum; the message
        lists each mirror's failure and hints at being offline when no mirror
        could be reached.
    """
    dest = _as_dir(dest_dir)
    mirror_list = _check_mirrors(mirrors)
    wanted = _check_files(files)
    timeout = check_float(timeout, "timeout", minimum=0.0, include_min=False)
    retries = check_int(retries, "retries", minimum=0, maximum=10)
    progress = check_bool(progress, "progress")

    dest.mkdir(parents=True, exist_ok=True)
    with _quiet_pooch():
        for name, md5 in wanted.items():
            target = dest / name
            if target.is_file() and pooch.file_hash(str(target), alg="md5") == md5:
                if progress:
                    print(t("progress.already_downloaded", name=name), file=sys.stderr)
                continue
            _download_one(name, md5, dest, mirror_list, timeout=timeout, retries=retries, progress=progress)
    return dest


# ----------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``download [--dir DIR]``.

    Returns the process exit status: 0 on success, 1 when the download failed
    (the reason is printed to stderr without a traceback), 2 for bad arguments.
    """
    parser = argparse.ArgumentParser(
        prog="python -m course.mnist_full",
        description="Fetch the optional full MNIST data set (70,000 digits, about 11 MB). "
        "The course itself only needs the shipped 5,000-digit subset.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    get = commands.add_parser("download", help="download the four MNIST files and verify their MD5 sums")
    get.add_argument(
        "--dir",
        metavar="DIR",
        default=None,
        help="target directory (default: $MNIST_DIR or ~/.cache/overfitting-course/mnist)",
    )
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:
        # argparse exits on --help and on usage errors; report that as a status instead.
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    try:
        where = download(args.dir)
    except (DownloadError, OSError, ValueError) as exc:
        # e.g. offline, or --dir points at a file or an unwritable place: a message, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(t("progress.mnist_ready", path=where))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
