"""Project-wide rules: clean notebooks, README and CI agree, no pickle, no global RNG."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "ja").glob("*.ipynb"))
SOURCES = sorted((ROOT / "common").rglob("*.py")) + sorted((ROOT / "course").rglob("*.py"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 1


def _nb_id(path: Path) -> str:
    return str(path.relative_to(ROOT / "notebooks"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_nb_id)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: code cells {dirty} carry outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_nb_id)
def test_notebook_name_and_title(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), path.name
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), f"{path.name} should open with a title"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", first), f"{path.name}: title should carry the Japanese term"


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, flags=re.S)
    commands = [line.strip() for block in blocks for line in block.splitlines() if "pytest" in line]
    assert len(commands) == 1, f"README should give exactly one test command, found {commands}"
    return commands[0]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert _readme_test_command() in lines


def _fresh_machine_commands(readme: str, heading: str) -> list[str]:
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.strip().splitlines() if line and not line.startswith("#")]


def test_readme_has_exactly_two_fresh_machine_commands():
    commands = _fresh_machine_commands((ROOT / "README.md").read_text(encoding="utf-8"), "## Quick start")
    assert len(commands) == 2, commands
    assert "jupyter lab" in commands[0] and "127.0.0.1" in commands[0]
    assert "pytest" in commands[1]


def test_japanese_readme_gives_the_same_two_commands_opening_the_japanese_edition():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "README.ja.md" in readme.split("\n## ", 1)[0], "README.md should link README.ja.md at the top"
    english = _fresh_machine_commands(readme, "## Quick start")
    japanese = _fresh_machine_commands((ROOT / "README.ja.md").read_text(encoding="utf-8"), "## クイックスタート")
    assert len(japanese) == 2, japanese
    opened = re.findall(r"notebooks/\S+\.ipynb", english[0])
    assert len(opened) == 1, english[0]
    ja_path = opened[0].replace("notebooks/", "notebooks/ja/", 1)
    assert (ROOT / ja_path).exists(), ja_path
    assert japanese[0] == english[0].replace(opened[0], ja_path), (japanese[0], english[0])
    assert japanese[1] == english[1]


ALLOWED_RANDOM = {"default_rng", "Generator", "SeedSequence", "PCG64", "BitGenerator"}


def _global_rng_uses(tree: ast.AST) -> list[str]:
    """``np.random.<name>`` attribute uses in code (not docstrings) other than the Generator API."""
    uses = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "random"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in ("np", "numpy")
            and node.attr not in ALLOWED_RANDOM
        ):
            uses.append(f"line {node.lineno}: np.random.{node.attr}")
    return uses


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pickle_and_no_global_rng(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "pickle" not in imported, f"{path.name} imports pickle"
    pickled_loads = [
        n.lineno for n in ast.walk(tree)
        if isinstance(n, ast.keyword) and n.arg == "allow_pickle" and not (isinstance(n.value, ast.Constant) and n.value.value is False)
    ]
    assert not pickled_loads, f"{path.name} allows pickle at lines {pickled_loads}"
    assert not _global_rng_uses(tree), f"{path.name} uses the global RNG: {_global_rng_uses(tree)}"


def test_global_rng_detector_catches_legacy_calls():
    assert _global_rng_uses(ast.parse("import numpy as np\nnp.random.randint(0, 3)\n"))
    assert not _global_rng_uses(ast.parse("import numpy as np\nnp.random.default_rng(0).integers(3)\n"))
