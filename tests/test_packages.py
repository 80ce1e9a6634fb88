"""The two packages' shape: ``common`` is the book's small NumPy folder, ``course`` the tooling around it.

- common/ stays about the size of the book's folder: at most 2,000 lines in all, docstrings included;
- common/ imports nothing but numpy, itself and the standard library (every import, also inside functions);
- ``course`` may import ``common``; nothing in ``common`` imports ``course``;
- no Python file in common/ or course/ is over 600 lines.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMON = sorted((ROOT / "common").rglob("*.py"))
COURSE = sorted((ROOT / "course").rglob("*.py"))
COMMON_MAX_LINES = 2000
FILE_MAX_LINES = 600


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def imported_modules(source: str) -> list[tuple[int, str]]:
    """``(line, top-level module)`` for every import in ``source``; relative imports count as the package itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." if node.level else node.module.split(".")[0]))
    return found


def test_the_packages_exist():
    assert len(COMMON) >= 10 and len(COURSE) >= 10
    names = {p.stem for p in COMMON}
    # the book's files, plus the lecture's regularizers and the shipped data's loader
    assert {"layers", "functions", "gradient", "optimizer", "util", "multi_layer_net",
            "multi_layer_net_extend", "trainer", "regularizers", "datasets"} <= names


def test_common_is_at_most_2000_lines():
    sizes = {p.relative_to(ROOT).as_posix(): _lines(p) for p in COMMON}
    assert sum(sizes.values()) <= COMMON_MAX_LINES, f"common/ has {sum(sizes.values())} lines: {sizes}"


@pytest.mark.parametrize("path", COMMON, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_common_imports_only_numpy_and_the_standard_library(path):
    allowed = set(sys.stdlib_module_names) | {"numpy", "common", ".", "__future__"}
    foreign = [f"line {line}: {name}" for line, name in imported_modules(path.read_text(encoding="utf-8"))
               if name not in allowed]
    assert not foreign, f"{path.name} imports {foreign}; common/ may import only numpy and the standard library"


def test_import_rule_detects_what_it_should():
    source = "import os, numpy as np\nfrom . import layers\ndef f():\n    import course.engine\n    from matplotlib import pyplot\n"
    assert imported_modules(source) == [(1, "os"), (1, "numpy"), (2, "."), (4, "course"), (5, "matplotlib")]


def test_no_file_over_600_lines():
    too_long = {p.relative_to(ROOT).as_posix(): _lines(p) for p in COMMON + COURSE if _lines(p) > FILE_MAX_LINES}
    assert not too_long, f"files over {FILE_MAX_LINES} lines (split them by topic): {too_long}"
