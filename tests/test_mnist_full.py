"""Tests for :mod:`course.mnist_full` (downloads through pooch) against a local HTTP server,
and for ``common.datasets.load_full`` reading what it downloaded.

Nothing here leaves 127.0.0.1: every download gets explicit local mirrors, and
an autouse fixture points the module defaults at a closed local port so a
forgotten ``mirrors=`` fails fast instead of reaching the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from common import datasets
from common.datasets import load_full
from course import mnist_full
from course.mnist_full import DownloadError, download, main

N_TRAIN, N_TEST = 5, 3
TIMEOUT = 2.0
REAL_MIRRORS = mnist_full.MIRRORS  # captured before the autouse fixture patches it


# ----------------------------------------------------------------------- helpers


def idx_bytes(arr: np.ndarray, magic: int | None = None) -> bytes:
    """Encode a uint8 array as an IDX file (header + raw bytes), uncompressed."""
    if magic is None:
        magic = 0x00000800 | arr.ndim
    header = struct.pack(">I", magic) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def leftovers(directory: Path) -> list[str]:
    """Anything but the four MNIST files: what a failed download might have left behind (pooch's temp files)."""
    return sorted(p.name for p in directory.iterdir() if p.name not in mnist_full.FILES)


def closed_port() -> int:
    """A local port nothing listens on (bound, then released), for 'offline' tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dataset:
    """Tiny MNIST look-alike: arrays, their gzipped IDX encodings and MD5 sums."""

    arrays: dict[str, np.ndarray]
    blobs: dict[str, bytes]

    @property
    def files(self) -> dict[str, str]:
        return {name: md5(blob) for name, blob in self.blobs.items()}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, size=(N_TRAIN, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, size=N_TRAIN, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, size=(N_TEST, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, size=N_TEST, dtype=np.uint8),
    }
    # mtime=0 keeps the gzip bytes (and so the MD5 sums) reproducible.
    blobs = {name: gzip.compress(idx_bytes(a), mtime=0) for name, a in arrays.items()}
    return Dataset(arrays, blobs)


@dataclass
class Mirror:
    """A running local server; ``url(kind)`` is a mirror base URL of that behaviour."""

    base: str
    requests: list[str] = field(default_factory=list)

    def url(self, kind: str) -> str:
        return f"{self.base}/{kind}/"


@pytest.fixture
def mirror(dataset: Dataset) -> Iterator[Mirror]:
    """Serve ``dataset`` on 127.0.0.1 under several mirror behaviours.

    ``/good/NAME`` the file; ``/truncated/NAME`` half the file with the full
    Content-Length, then hang up; ``/corrupt/NAME`` same length, one byte
    flipped; ``/flaky/NAME`` 503 on the first request for NAME, then the file;
    anything else 404.
    """
    lock = threading.Lock()
    state = Mirror(base="")
    flaky_seen: set[str] = set()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            with lock:
                state.requests.append(self.path)
            _, kind, name = (self.path.split("/", 2) + ["", ""])[:3]
            blob = dataset.blobs.get(name)
            if blob is None or kind not in ("good", "truncated", "corrupt", "flaky"):
                self.send_error(404)
                return
            if kind == "flaky":
                with lock:
                    first, _ = name not in flaky_seen, flaky_seen.add(name)
                if first:
                    self.send_error(503)
                    return
            if kind == "corrupt":
                blob = bytes([blob[0] ^ 0xFF]) + blob[1:]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            if kind == "truncated":
                self.wfile.write(blob[: len(blob) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(blob)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest output clean

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    state.base = f"http://{host}:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point every default away from the real mirrors and the real home directory."""
    monkeypatch.setattr(mnist_full, "MIRRORS", (f"http://127.0.0.1:{closed_port()}/never/",))
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "default-mnist"))
    # A proxy setting on the test machine must not catch our 127.0.0.1 requests.
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


# ------------------------------------------------------------------- constants


def test_published_checksums_and_mirrors() -> None:
    assert mnist_full.FILES == {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    assert REAL_MIRRORS[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert len(REAL_MIRRORS) >= 2
    assert all(m.startswith("https://") and m.endswith("/") for m in REAL_MIRRORS)


def test_default_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "x"))
    assert mnist_full.default_dir() == tmp_path / "x"
    monkeypatch.delenv("MNIST_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert mnist_full.default_dir() == tmp_path / ".cache" / "overfitting-course" / "mnist"


# --------------------------------------------------------------------- download


def test_good_download_then_load(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    dest = tmp_path / "mnist"
    out = download(dest, mirrors=[mirror.url("good")], files=dataset.files, timeout=TIMEOUT, progress=False)
    assert out == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(dataset.blobs)
    for name, blob in dataset.blobs.items():
        assert md5((dest / name).read_bytes()) == md5(blob)

    (x_train, t_train), (x_test, t_test) = load_full(dest)
    assert x_train.shape == (N_TRAIN, 784) and t_train.shape == (N_TRAIN,)
    assert x_test.shape == (N_TEST, 784) and t_test.shape == (N_TEST,)
    assert x_train.dtype == t_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train.reshape(-1, 28, 28), dataset.arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(x_test.reshape(-1, 28, 28), dataset.arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(t_train, dataset.arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(t_test, dataset.arrays["t10k-labels-idx1-ubyte.gz"])
    x_train[0, 0] = 1  # arrays are writable, not views of a read-only bytes buffer


def test_load_mnist_full_reads_the_download_folder(
    monkeypatch: pytest.MonkeyPatch, mirror: Mirror, dataset: Dataset, tmp_path: Path
) -> None:
    download(mirrors=[mirror.url("good")], files=dataset.files, timeout=TIMEOUT, progress=False)
    monkeypatch.setattr(datasets, "_cache", {})
    (x_train, t_train), (x_test, _) = datasets.load_mnist(normalize=False, flatten=False, source="full")
    assert x_train.shape == (N_TRAIN, 1, 28, 28) and x_test.shape == (N_TEST, 1, 28, 28)
    np.testing.assert_array_equal(x_train[:, 0], dataset.arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(t_train, dataset.arrays["train-labels-idx1-ubyte.gz"])


def test_the_download_fetches_the_files_load_full_reads() -> None:
    assert set(mnist_full.FILES) == set(datasets.key_file.values())


def test_default_dir_used_when_dest_is_none(mirror: Mirror, dataset: Dataset) -> None:
    out = download(mirrors=[mirror.url("good")], files=dataset.files, timeout=TIMEOUT, progress=False)
    assert out == mnist_full.default_dir() == datasets.mnist_dir()
    (x_train, _), _ = load_full()
    assert x_train.shape == (N_TRAIN, 784)


def test_second_call_makes_no_request(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    download(tmp_path, mirrors=[mirror.url("good")], files=dataset.files, timeout=TIMEOUT, progress=False)
    assert len(mirror.requests) == len(dataset.blobs)
    download(tmp_path, mirrors=[mirror.url("good")], files=dataset.files, timeout=TIMEOUT, progress=False)
    assert len(mirror.requests) == len(dataset.blobs)


def test_bad_existing_file_is_replaced(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "train-labels-idx1-ubyte.gz"
    (tmp_path / name).write_bytes(b"stale")
    download(tmp_path, mirrors=[mirror.url("good")], files={name: dataset.files[name]}, timeout=TIMEOUT, progress=False)
    assert (tmp_path / name).read_bytes() == dataset.blobs[name]
    assert mirror.requests == [f"/good/{name}"]


def test_progress_bar_on_stderr(mirror: Mirror, dataset: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "train-images-idx3-ubyte.gz"
    download(tmp_path, mirrors=[mirror.url("good")], files={name: dataset.files[name]}, timeout=TIMEOUT)
    err = capsys.readouterr().err
    # tqdm's text bar (outside Jupyter): "<name>: 100%|██████████| 3.96k/3.96k [...]"
    size = f"{len(dataset.blobs[name]) / 1000:.2f}k"
    assert f"{name}: 100%|" in err and f"{size}/{size}" in err and err.endswith("\n")
    download(tmp_path, mirrors=[mirror.url("good")], files={name: dataset.files[name]}, timeout=TIMEOUT)
    assert "already downloaded" in capsys.readouterr().err


def test_truncated_falls_back_to_next_mirror(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "train-images-idx3-ubyte.gz"
    download(
        tmp_path,
        mirrors=[mirror.url("truncated"), mirror.url("good")],
        files={name: dataset.files[name]},
        timeout=TIMEOUT,
        retries=0,
        progress=False,
    )
    assert mirror.requests == [f"/truncated/{name}", f"/good/{name}"]
    assert (tmp_path / name).read_bytes() == dataset.blobs[name]
    assert leftovers(tmp_path) == []


def test_truncated_only_mirror_raises_and_leaves_nothing(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "train-images-idx3-ubyte.gz"
    with pytest.raises(DownloadError, match="truncated") as info:
        download(tmp_path, mirrors=[mirror.url("truncated")], files={name: dataset.files[name]}, timeout=TIMEOUT,
                 retries=0, progress=False)
    assert mirror.url("truncated") + name in str(info.value)
    assert "offline" not in str(info.value)  # the server answered; the network is fine
    assert list(tmp_path.iterdir()) == []


def test_a_failed_attempt_is_retried_on_the_same_mirror(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "t10k-labels-idx1-ubyte.gz"
    download(tmp_path, mirrors=[mirror.url("flaky")], files={name: dataset.files[name]}, timeout=TIMEOUT,
             retries=1, progress=False)
    assert mirror.requests == [f"/flaky/{name}"] * 2  # 503, then the file (pooch waited 1 s in between)
    assert (tmp_path / name).read_bytes() == dataset.blobs[name]
    assert leftovers(tmp_path) == []


def test_without_retries_a_failed_attempt_moves_on(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(DownloadError, match="HTTP 503"):
        download(tmp_path, mirrors=[mirror.url("flaky")], files={name: dataset.files[name]}, timeout=TIMEOUT,
                 retries=0, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_wrong_checksum_raises_and_leaves_nothing(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(DownloadError, match="checksum") as info:
        download(tmp_path, mirrors=[mirror.url("corrupt")], files={name: dataset.files[name]}, timeout=TIMEOUT,
                 retries=0, progress=False)
    blob = dataset.blobs[name]
    served = md5(bytes([blob[0] ^ 0xFF]) + blob[1:])  # what the corrupt mirror sends
    assert f"checksum mismatch: expected MD5 {dataset.files[name]}, got {served}" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_every_failure_is_listed(mirror: Mirror, dataset: Dataset, tmp_path: Path) -> None:
    name = "t10k-labels-idx1-ubyte.gz"
    mirrors = [mirror.url("missing"), mirror.url("corrupt"), mirror.url("truncated")]
    with pytest.raises(DownloadError) as info:
        download(tmp_path, mirrors=mirrors, files={name: dataset.files[name]}, timeout=TIMEOUT, retries=0, progress=False)
    msg = str(info.value)
    assert "HTTP 404" in msg and "checksum" in msg and "truncated" in msg
    assert all(m + name in msg for m in mirrors)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_mirror_says_offline(dataset: Dataset, tmp_path: Path) -> None:
    port = closed_port()
    with pytest.raises(DownloadError, match="offline") as info:
        download(tmp_path, mirrors=[f"http://127.0.0.1:{port}/mnist/"], files=dataset.files, timeout=TIMEOUT,
                 retries=0, progress=False)
    msg = str(info.value)
    assert f"127.0.0.1:{port}" in msg and "load_mnist()" in msg and "source='subset'" in msg
    assert list(tmp_path.iterdir()) == []


def test_download_validates_arguments(tmp_path: Path, dataset: Dataset) -> None:
    good = {"a.gz": "0" * 32}
    url = "http://127.0.0.1:9/"
    with pytest.raises(ValueError, match="timeout"):
        download(tmp_path, mirrors=[url], files=good, timeout=0)
    with pytest.raises(TypeError, match="mirrors"):
        download(tmp_path, mirrors=url, files=good)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mirror"):
        download(tmp_path, mirrors=["file:///etc/"], files=good)
    with pytest.raises(ValueError, match="plain file names"):
        download(tmp_path, mirrors=[url], files={"../evil.gz": "0" * 32})
    with pytest.raises(ValueError, match="MD5"):
        download(tmp_path, mirrors=[url], files={"a.gz": "not-a-digest"})
    with pytest.raises(TypeError, match="progress"):
        download(tmp_path, mirrors=[url], files=good, progress="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="retries"):
        download(tmp_path, mirrors=[url], files=good, retries=-1)
    with pytest.raises(TypeError, match="retries"):
        download(tmp_path, mirrors=[url], files=good, retries=1.5)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------- load_full's checks


def write_set(folder: Path, dataset: Dataset, name: str | None = None, data: bytes | None = None) -> Path:
    """The four files of ``dataset`` in ``folder``, file ``name`` replaced by ``data`` (gzipped as given)."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, blob in dataset.blobs.items():
        (folder / file).write_bytes(data if file == name else blob)
    return folder


@pytest.mark.parametrize("magic", [0x00000903 + 0x1000000, 0x12345678, 0x00000800, 0x00000803])
def test_load_full_rejects_bad_magic(tmp_path: Path, dataset: Dataset, magic: int) -> None:
    data = gzip.compress(idx_bytes(np.zeros(N_TRAIN, np.uint8), magic=magic))
    folder = write_set(tmp_path, dataset, "train-labels-idx1-ubyte.gz", data)
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz.*magic"):
        load_full(folder)


@pytest.mark.parametrize("cut", [1, 100])
def test_load_full_rejects_truncated_payload(tmp_path: Path, dataset: Dataset, cut: int) -> None:
    data = gzip.compress(idx_bytes(np.zeros((N_TRAIN, 28, 28), np.uint8))[:-cut])
    folder = write_set(tmp_path, dataset, "train-images-idx3-ubyte.gz", data)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*truncated"):
        load_full(folder)


def test_load_full_rejects_extra_bytes_short_header_and_wrong_image_size(tmp_path: Path, dataset: Dataset) -> None:
    name = "t10k-images-idx3-ubyte.gz"
    for data in (
        idx_bytes(np.zeros((N_TEST, 28, 28), np.uint8)) + b"\0",
        struct.pack(">I", 0x00000803) + b"\0\0\0\5",
        idx_bytes(np.zeros((N_TEST, 27, 29), np.uint8)),
    ):
        folder = write_set(tmp_path, dataset, name, gzip.compress(data))
        with pytest.raises(ValueError, match=name.replace(".", r"\.")):
            load_full(folder)


def test_load_full_rejects_broken_gzip(tmp_path: Path, dataset: Dataset) -> None:
    data = dataset.blobs["t10k-labels-idx1-ubyte.gz"][:-10]
    folder = write_set(tmp_path, dataset, "t10k-labels-idx1-ubyte.gz", data)
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz.*gzip"):
        load_full(folder)


def test_load_full_missing_files_says_how_to_download(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python -m course\.mnist_full download") as info:
        load_full(tmp_path)
    assert "train-images-idx3-ubyte.gz" in str(info.value) and str(tmp_path) in str(info.value)


def test_load_full_rejects_mismatched_counts_and_labels_over_9(tmp_path: Path, dataset: Dataset) -> None:
    labels = gzip.compress(idx_bytes(np.zeros(N_TRAIN + 1, np.uint8)))
    with pytest.raises(ValueError, match="labels"):
        load_full(write_set(tmp_path, dataset, "train-labels-idx1-ubyte.gz", labels))
    labels = gzip.compress(idx_bytes(np.full(N_TRAIN, 10, np.uint8)))
    with pytest.raises(ValueError, match="0-9"):
        load_full(write_set(tmp_path, dataset, "train-labels-idx1-ubyte.gz", labels))


# ----------------------------------------------------------------------------- CLI


def test_main_failure_is_a_readable_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # MIRRORS points at a closed local port (autouse fixture), i.e. "offline".
    assert main(["download", "--dir", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "error: could not download train-images-idx3-ubyte.gz" in err and "offline" in err
    assert "Traceback" not in err
    assert leftovers(tmp_path / "m") == []


def test_main_success(
    monkeypatch: pytest.MonkeyPatch, mirror: Mirror, dataset: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mnist_full, "MIRRORS", (mirror.url("good"),))
    monkeypatch.setattr(mnist_full, "FILES", dataset.files)
    assert main(["download", "--dir", str(tmp_path)]) == 0
    assert str(tmp_path) in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(dataset.blobs)


def test_main_usage_errors_return_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["upload"]) == 2
    assert "download" in capsys.readouterr().err
