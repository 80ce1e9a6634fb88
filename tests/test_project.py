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


def _code_lines(text: str, lang: str) -> list[str]:
    """Non-comment lines of the ```lang blocks in ``text`` (``bash`` also matches ```sh)."""
    fence = r"(?:bash|sh)" if lang == "bash" else re.escape(lang)
    blocks = re.findall(rf"```{fence}\n(.*?)```", text, flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _section(readme: str, heading: str) -> str:
    assert heading in readme, f"README lacks the section {heading!r}"
    return readme.split(heading, 1)[1].split("\n## ", 1)[0]


README = ROOT / "README.md"
README_JA = ROOT / "README.ja.md"
# (quick start heading, instructors' heading) per README: the fresh-machine commands live there
HEADINGS = {README: ("## Quick start", "## For instructors"), README_JA: ("## クイックスタート", "## 教える人へ")}
SHELLS = ("bash", "powershell")


def _fresh_machine_commands(path: Path, shell: str) -> tuple[str, str]:
    """(open the course, run every test): exactly one command each, per shell."""
    readme = path.read_text(encoding="utf-8")
    quick, instructors = (_code_lines(_section(readme, h), shell) for h in HEADINGS[path])
    assert len(quick) == 1, f"{path.name}: the quick start should give one {shell} command, found {quick}"
    assert len(instructors) == 1, f"{path.name}: the instructors' section should give one {shell} command, found {instructors}"
    return quick[0], instructors[0]


def _readme_test_command() -> str:
    commands = [line for line in _code_lines(README.read_text(encoding="utf-8"), "bash") if "pytest" in line]
    assert len(commands) == 1, f"README should give exactly one test command, found {commands}"
    return commands[0]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines[-1] == _readme_test_command(), "the last line of .ci/run should be the README's test command"


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("path", [README, README_JA], ids=lambda p: p.name)
def test_readme_has_exactly_two_fresh_machine_commands(path, shell):
    open_course, run_tests = _fresh_machine_commands(path, shell)
    venv = "python3 -m venv .venv" if shell == "bash" else "py -m venv .venv"
    for command in (open_course, run_tests):
        assert command.startswith(venv), f"{path.name}: a fresh-machine command starts by making .venv: {command}"
    assert "-m pip install -r requirements.txt" in open_course and "-m jupyter lab" in open_course, open_course
    assert "--ServerApp.ip=127.0.0.1" in open_course, "JupyterLab should listen on 127.0.0.1 only"
    assert "requirements-test.txt" in run_tests and run_tests.endswith("-m pytest"), run_tests


def _as_bash(powershell: str) -> str:
    """The PowerShell spelling of a command, rewritten the way the bash one is spelt."""
    assert "&&" not in powershell, f"Windows PowerShell 5.1 has no &&: {powershell}"
    bash = powershell.replace("py -m venv", "python3 -m venv").replace(".venv\\Scripts\\python", ".venv/bin/python")
    return bash.replace("; ", " && ").replace("\\", "/")


@pytest.mark.parametrize("path", [README, README_JA], ids=lambda p: p.name)
def test_windows_commands_do_what_the_bash_commands_do(path):
    for bash, powershell in zip(_fresh_machine_commands(path, "bash"), _fresh_machine_commands(path, "powershell")):
        assert _as_bash(powershell) == bash, (powershell, bash)


def test_japanese_readme_gives_the_same_commands_opening_the_japanese_edition():
    readme = README.read_text(encoding="utf-8")
    assert "README.ja.md" in readme.split("\n## ", 1)[0], "README.md should link README.ja.md at the top"
    assert "README.md" in README_JA.read_text(encoding="utf-8").split("\n## ", 1)[0], "README.ja.md should link README.md"
    english = _fresh_machine_commands(README, "bash")
    japanese = _fresh_machine_commands(README_JA, "bash")
    opened = re.findall(r"notebooks/\S+\.ipynb", english[0])
    assert len(opened) == 1, english[0]
    ja_path = opened[0].replace("notebooks/", "notebooks/ja/", 1)
    assert (ROOT / ja_path).exists(), ja_path
    assert japanese[0] == english[0].replace(opened[0], ja_path), (japanese[0], english[0])
    assert japanese[1] == english[1]


@pytest.mark.parametrize("path", [README, README_JA], ids=lambda p: p.name)
def test_readme_names_the_site_and_download_commands(path):
    readme = path.read_text(encoding="utf-8")
    for command in ("-m course.site", "-m course.mnist_full download", "allow_root", "CC BY-SA 3.0"):
        assert command in readme, f"{path.name} should mention {command!r}"
    assert "common.datasets download" not in readme, f"{path.name}: the download lives in course.mnist_full"


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
