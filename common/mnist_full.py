"""Optional download of the full MNIST data set (70,000 digits).

The course runs on the 5,000-digit subset shipped in ``data/`` and never needs
the network.  Learners who want to see how overfitting changes with twelve
times more training data can fetch the original files once::

    python -m common.datasets download            # into default_dir()
    python -m common.datasets download --dir DIR  # anywhere else

and then load them with ``load_mnist(source='full')`` (which calls
:func:`load_full`).

Every file is checked against its published MD5 sum before it is moved into
place, so an interrupted or corrupted download never leaves a file that looks
valid.  Only the standard library and NumPy are used (no pickle, no tqdm).
"""

from __future__ import annotations

import argparse
import errno
import gzip
import hashlib
import http.client
import math
import os
import shlex
import socket
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import numpy as np

from ._validation import check_float

__all__ = [
    "FILES",
    "MIRRORS",
    "DownloadError",
    "default_dir",
    "download",
    "read_idx",
    "load_full",
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

_TRAIN_IMAGES, _TRAIN_LABELS, _TEST_IMAGES, _TEST_LABELS = FILES
_CACHE_SUBDIR = Path(".cache") / "overfitting-course" / "mnist"
_CHUNK = 64 * 1024
_BAR_WIDTH = 30
_USER_AGENT = "overfitting-course-mnist/0.1 (python urllib)"
_DOWNLOAD_HINT = "python -m common.datasets download"

# IDX type byte -> big-endian NumPy dtype (http://yann.lecun.com/exdb/mnist/).
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DownloadError(RuntimeError):
    """No mirror delivered a file with the expected checksum."""


class _MirrorFailed(Exception):
    """One attempt failed; ``unreachable`` marks failures to connect at all."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


# --------------------------------------------------------------------------- paths


def default_dir() -> Path:
    """Return the directory the full MNIST files are downloaded to.

    ``$MNIST_DIR`` wins when it is set (so a class can share one copy);
    otherwise ``~/.cache/overfitting-course/mnist``.  The directory is not
    created here.
    """
    env = os.environ.get("MNIST_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    return Path.home() / _CACHE_SUBDIR


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
        # urllib would also open file:// and ftp:// URLs; only HTTP(S) mirrors make sense.
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


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _human(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


class _Progress:
    """One-line text progress bar on stderr, redrawn only when it visibly changes."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        self.label = label
        self.total = total
        self.enabled = enabled
        self.done = 0
        self._last_drawn: object = None
        self._drawn_any = False

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.total:
            frac = min(self.done / self.total, 1.0)
            # Redrawing on every 64 KiB chunk floods notebook outputs; redraw per percent.
            key: object = int(frac * 100)
            if key == self._last_drawn:
                return
            filled = int(round(frac * _BAR_WIDTH))
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            text = f"{self.label} [{bar}] {frac:4.0%} {_human(self.done)} / {_human(self.total)}"
        else:
            key = self.done // (1024 * 1024)
            if key == self._last_drawn:
                return
            text = f"{self.label} {_human(self.done)}"
        self._last_drawn = key
        self._drawn_any = True
        sys.stderr.write("\r" + text)
        sys.stderr.flush()

    def finish(self) -> None:
        # End the \r line so later messages do not overwrite the bar.
        if self.enabled and self._drawn_any:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._drawn_any = False


def _describe_url_error(exc: urllib.error.URLError) -> _MirrorFailed:
    reason = exc.reason
    if isinstance(reason, socket.gaierror):
        return _MirrorFailed(f"could not resolve host ({reason})", unreachable=True)
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return _MirrorFailed("timed out while connecting", unreachable=True)
    if isinstance(reason, ConnectionRefusedError):
        return _MirrorFailed("connection refused", unreachable=True)
    if isinstance(reason, OSError) and reason.errno in (
        errno.ENETUNREACH,
        errno.EHOSTUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
        errno.ECONNREFUSED,
    ):
        return _MirrorFailed(f"network unreachable ({reason})", unreachable=True)
    return _MirrorFailed(f"connection failed ({reason})")


def _fetch(
    opener: urllib.request.OpenerDirector,
    url: str,
    out: IO[bytes],
    *,
    label: str,
    timeout: float,
    progress: bool,
) -> str:
    """Stream ``url`` into ``out`` and return the MD5 of what was received.

    Network problems raise :class:`_MirrorFailed`; disk problems (full disk,
    permissions) propagate as ``OSError`` because another mirror cannot fix them.
    """
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise _MirrorFailed(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise _describe_url_error(exc) from None
    except (TimeoutError, socket.timeout):
        raise _MirrorFailed(f"no response within {timeout:g} s") from None
    except (http.client.HTTPException, OSError) as exc:
        raise _MirrorFailed(f"connection failed ({type(exc).__name__}: {exc})") from None

    with response:
        total: int | None = None
        length = response.headers.get("Content-Length")
        if length is not None:
            try:
                total = int(length)
            except ValueError:
                total = None  # a garbled header only costs us the percentage
            else:
                if total < 0:
                    total = None
        bar = _Progress(label, total, progress)
        digest = hashlib.md5(usedforsecurity=False)
        try:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except http.client.IncompleteRead as exc:
                    raise _MirrorFailed(
                        f"truncated download: connection closed after {bar.done + len(exc.partial)} bytes"
                        + (f" of {total}" if total is not None else "")
                    ) from None
                except (TimeoutError, socket.timeout):
                    raise _MirrorFailed(f"stalled: no data for {timeout:g} s after {bar.done} bytes") from None
                except (http.client.HTTPException, OSError) as exc:
                    raise _MirrorFailed(
                        f"connection lost after {bar.done} bytes ({type(exc).__name__}: {exc})"
                    ) from None
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        finally:
            bar.finish()
        # http.client's read(amt) returns b"" instead of raising when the server
        # hangs up early, so compare against Content-Length ourselves.
        if total is not None and bar.done != total:
            raise _MirrorFailed(f"truncated download: got {bar.done} of {total} bytes")
        return digest.hexdigest()


def _download_one(
    opener: urllib.request.OpenerDirector,
    name: str,
    md5: str,
    dest: Path,
    mirrors: tuple[str, ...],
    *,
    timeout: float,
    progress: bool,
) -> None:
    target = dest / name
    failures: list[tuple[str, _MirrorFailed]] = []
    for mirror in mirrors:
        url = mirror + urllib.parse.quote(name)
        # Same directory as the target so os.replace is an atomic rename, never a copy.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest)
        tmp = Path(tmp_name)
        placed = False
        try:
            with os.fdopen(fd, "wb") as out:
                got = _fetch(opener, url, out, label=f"  {name}", timeout=timeout, progress=progress)
                if got != md5:
                    raise _MirrorFailed(f"checksum mismatch: expected MD5 {md5}, got {got}")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
            placed = True
            return
        except _MirrorFailed as failure:
            failures.append((url, failure))
            if progress:
                print(f"  {url}: {failure.reason}", file=sys.stderr)
        finally:
            # Covers mismatches, truncation, disk errors and Ctrl-C alike.
            if not placed:
                tmp.unlink(missing_ok=True)

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
    progress:
        Draw a text progress bar (and report failed mirrors) on stderr.

    A file already present with the right checksum is not fetched again.
    Otherwise each mirror is tried in turn: the data are streamed into a
    temporary file next to the target, checked against the MD5 sum and only
    then renamed into place, so a partial or corrupted file is never left
    behind.

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
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__} {progress!r}")
    progress = bool(progress)

    dest.mkdir(parents=True, exist_ok=True)
    # A private opener keeps us away from urllib's global one (which other code may
    # have customised) while still honouring http_proxy/https_proxy/no_proxy.
    opener = urllib.request.build_opener()
    for name, md5 in wanted.items():
        target = dest / name
        if target.is_file() and _md5_of(target) == md5:
            if progress:
                print(f"  {name}: already downloaded (checksum OK)", file=sys.stderr)
            continue
        _download_one(opener, name, md5, dest, mirror_list, timeout=timeout, progress=progress)
    return dest


# ------------------------------------------------------------------------- parsing


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (as used by MNIST) into a NumPy array.

    The file may be gzip-compressed (``*.gz``, detected from its content) or
    plain.  The header is a 4-byte magic number ``0x0000TTDD`` (``TT`` the
    element type, ``0x08`` = uint8; ``DD`` the number of dimensions) followed
    by one big-endian uint32 per dimension.  MNIST images are ``0x00000803``
    -> ``uint8 (N, 28, 28)``; labels are ``0x00000801`` -> ``uint8 (N,)``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not valid gzip, has a bad magic number, or its payload
        is shorter or longer than the header's dimensions require.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    path = Path(path)
    name = path.name
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(raw)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise ValueError(
                f"{name}: not a valid gzip file ({exc}); delete it and download again"
            ) from None
    else:
        data = raw

    if len(data) < 4:
        raise ValueError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    magic = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if data[0] != 0 or data[1] != 0 or type_code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"{name}: bad IDX magic number 0x{magic:08X} "
            "(expected 0x00000803 for images or 0x00000801 for labels)"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(f"{name}: header says {ndim} dimensions but the file ends after {len(data)} bytes")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    # math.prod on Python ints: a corrupt header cannot overflow into a plausible size.
    expected = math.prod(shape) * dtype.itemsize
    payload = len(data) - header_len
    if payload != expected:
        raise ValueError(
            f"{name}: header says shape {shape} ({expected} bytes of data) but the file holds "
            f"{payload} bytes; the file is truncated or corrupt, delete it and download again"
        )
    # .astype gives native byte order and a writable array that owns its memory.
    return np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape).astype(dtype.newbyteorder("="))


def load_full(
    dest_dir: str | os.PathLike[str] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the downloaded full MNIST set.

    Returns ``((x_train, t_train), (x_test, t_test))`` as ``uint8`` arrays:
    images of shape ``(N, 28, 28)`` with values 0-255 and labels of shape
    ``(N,)`` with values 0-9 (N = 60,000 for train and 10,000 for test).
    Scaling and flattening are left to ``load_mnist``.

    Raises
    ------
    FileNotFoundError
        If any of the four files is missing; run ``python -m common.datasets download``.
    ValueError
        If a file is corrupt or images and labels do not match.
    """
    dest = _as_dir(dest_dir)
    missing = [name for name in FILES if not (dest / name).is_file()]
    if missing:
        command = _DOWNLOAD_HINT if dest_dir is None else f"{_DOWNLOAD_HINT} --dir {shlex.quote(str(dest))}"
        raise FileNotFoundError(
            f"the full MNIST files are not in {dest} (missing: {', '.join(missing)}). "
            f"Download them once (about 11 MB) with:  {command}   "
            "or keep using the shipped subset: load_mnist() (source='subset')"
        )

    def pair(images_name: str, labels_name: str) -> tuple[np.ndarray, np.ndarray]:
        x = read_idx(dest / images_name)
        t = read_idx(dest / labels_name)
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
            raise ValueError(f"{images_name}: expected uint8 images of shape (N, 28, 28), got {x.dtype} {x.shape}")
        if t.dtype != np.uint8 or t.ndim != 1:
            raise ValueError(f"{labels_name}: expected uint8 labels of shape (N,), got {t.dtype} {t.shape}")
        if len(x) != len(t):
            raise ValueError(f"{images_name} holds {len(x)} images but {labels_name} holds {len(t)} labels")
        if t.size and t.max() > 9:
            raise ValueError(f"{labels_name}: labels must be digits 0-9, found {int(t.max())}")
        return x, t

    return pair(_TRAIN_IMAGES, _TRAIN_LABELS), pair(_TEST_IMAGES, _TEST_LABELS)


# ----------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``download [--dir DIR]``.

    Returns the process exit status: 0 on success, 1 when the download failed
    (the reason is printed to stderr without a traceback), 2 for bad arguments.
    """
    parser = argparse.ArgumentParser(
        prog="python -m common.datasets",
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
        help=f"target directory (default: $MNIST_DIR or ~/{_CACHE_SUBDIR.as_posix()})",
    )
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:
        # argparse exits on --help and on usage errors; report that as a status instead.
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    try:
        where = download(args.dir)
    except DownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        # e.g. --dir points at a file or an unwritable place: a message, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"MNIST files are in {where}")
    print("Load them with load_mnist(source='full').")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
