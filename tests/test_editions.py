"""The mirror check between the English and Japanese notebook editions (tests/editions_support.py).

These tests prove the comparison on made-up notebooks in a temporary folder:
it accepts editions that differ only in strings, comments and markdown, and
catches every kind of drift (code, a missing or extra notebook, a missing or
doubled language cell).  The last two tests apply it to the course itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from editions_support import (
    check_editions,
    compare_notebooks,
    compare_sources,
    language_calls,
    masked_tokens,
)

# ---------------------------------------------------------------------------
# the masked comparison of two cells
# ---------------------------------------------------------------------------

SAME = [
    # strings and comments may say anything
    ('print("train accuracy")', 'print("訓練データの正解率")'),
    ("x = 1  # the lecture's λ", "x = 1  # 講義の λ"),
    ('ax.set(title="L2", xlabel="epoch")', "ax.set(title='L2正則化', xlabel='エポック')"),
    # f-strings are one string, braces included
    ('print(f"train {acc:.2f}, gap {gap:+.2f}")', 'print(f"訓練 {acc:.2f}、差 {gap:+.2f}")'),
    ('print(f"{a}" f"{b}")', 'print(f"{a}{b} です")'),
    # a string split into adjacent pieces, or over lines
    ('msg = "a long English sentence"', 'msg = ("日本語の"\n       "長い文")'),
    ('raise ValueError("bad value")', 'raise ValueError(("値が"\n                  "不正"))'),
    ('return "x"', 'return ("長い"\n        "文字列")'),
    ('f("a")', 'f(("a"\n   "b"))'),
    # a comment over more lines, blank lines, line breaks inside brackets
    ("# one line\nx = f(1, 2)", "# 一行目\n# 二行目\n\nx = f(1,\n      2)"),
    ("def f():\n    # why\n    return 1", "def f():\n    # なぜ\n    # さらに\n    return 1"),
    # assert messages, docstrings, byte and raw strings
    ('assert x > 0, "must be positive"', 'assert x > 0, "正でなければならない"'),
    ('def f():\n    """Doc."""\n    return rb"a"', 'def f():\n    """説明。"""\n    return b"b"'),
    # magics compared verbatim, top-level await tokenizes
    ("%matplotlib inline\nx = 1", "%matplotlib inline\nx = 1"),
    ("h = await explorer.wait()  # wait", "h = await explorer.wait()  # 待つ"),
    # the language cell of the two editions
    ('from course.i18n import set_language\nset_language("en")', 'from course.i18n import set_language\nset_language("ja")'),
]

DIFFERENT = [
    ("x = 1", "x = 2"),  # a number
    ("plot(x)", "plt(x)"),  # a name
    ("a + b", "a - b"),  # an operator
    ("f(a, b)", "f(b, a)"),  # argument order
    ("f(x=1)", "f(y=1)"),  # a keyword
    ("x = 1", "x = 1\ny = 2"),  # an extra statement
    ("x = 1\ny = 2", "x = 1"),  # a missing statement
    ("if a:\n    b()\n    c()", "if a:\n    b()\nc()"),  # indentation
    ('x = "a"', "x = 1"),  # a string replaced by code
    ('f"{acc}"', "acc"),  # an f-string replaced by code
    ("x = 1", "x = 1  # a comment only here"),  # a comment in one edition only
    ("%time f()", "%timeit f()"),  # a different magic
    ("x = [1,\n     2]", "x = [1,\n     2,\n     3]"),
    ('f("a")', "f(a)"),  # a string argument replaced by a name
    ('("a")', '("a",)'),  # a string vs a one-element tuple
]


@pytest.mark.parametrize("a, b", SAME)
def test_cells_that_differ_only_in_strings_comments_and_layout_are_the_same(a, b):
    assert compare_sources(a, b) is None, compare_sources(a, b)
    assert compare_sources(b, a) is None


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_cells_that_differ_in_code_are_different(a, b):
    assert compare_sources(a, b) is not None
    assert compare_sources(b, a) is not None


def test_the_difference_is_located():
    diff = compare_sources("x = 1\ny = f(2)\n", "x = 1\ny = g(2)\n")
    assert "'f'" in diff and "'g'" in diff and "line 2" in diff
    diff = compare_sources("x = 1", "x = 1\nz = 3")
    assert "goes on" in diff and "'z'" in diff


def test_masked_tokens_hide_strings_and_keep_code():
    toks = masked_tokens('y = f(x, "label")  # note\n')
    assert [t[:2] for t in toks] == [("NAME", "y"), ("OP", "="), ("NAME", "f"), ("OP", "("), ("NAME", "x"),
                                     ("OP", ","), ("<STR>", "<STR>"), ("OP", ")"), ("<COMMENT>", "<COMMENT>")]
    assert ("<MAGIC>", "%matplotlib inline", 1) in masked_tokens("%matplotlib inline\n")
    with pytest.raises(ValueError, match="tokenize"):
        masked_tokens('x = """never closed\n')


def test_language_calls():
    assert language_calls('from course.i18n import set_language\nset_language("ja")') == ["ja"]
    assert language_calls("import course.i18n as i18n\ni18n.set_language('en')") == ["en"]
    assert language_calls("from course.i18n import set_language") == []
    assert language_calls('set_language("ja")\nh = await w.wait()') == ["ja"]  # not parseable: text search
    assert language_calls("set_language(LANG)") == [...]


# ---------------------------------------------------------------------------
# whole editions in a temporary folder
# ---------------------------------------------------------------------------


def write_notebook(path: Path, cells: list[tuple[str, str]]) -> Path:
    """A minimal nbformat-4 notebook with ``(cell_type, source)`` cells (sources as line lists, as Jupyter saves)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": src.splitlines(keepends=True),
             **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for kind, src in cells
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def english(language_cell: str = 'from course.i18n import set_language\nset_language("en")') -> list[tuple[str, str]]:
    return [
        ("markdown", "# 01 · Overfitting"),
        ("code", language_cell),
        ("code", "import numpy as np\nx = np.arange(3)  # three points"),
        ("markdown", "What we see"),
        ("code", 'print(f"sum {x.sum()}")\nassert x.sum() == 3, "sum of 0, 1, 2"'),
    ]


def japanese(language_cell: str = 'from course.i18n import set_language\nset_language("ja")') -> list[tuple[str, str]]:
    return [
        ("markdown", "# 01 · 過学習"),
        ("markdown", "日本語版だけの説明のセル"),  # markdown cells are free
        ("code", language_cell),
        ("code", "import numpy as np\nx = np.arange(3)  # 3 点"),
        ("code", 'print(f"合計 {x.sum()}")\nassert x.sum() == 3, "0, 1, 2 の和"'),
    ]


@pytest.fixture
def editions(tmp_path: Path) -> tuple[Path, Path]:
    en_dir, ja_dir = tmp_path / "notebooks", tmp_path / "notebooks" / "ja"
    write_notebook(en_dir / "01_overfitting.ipynb", english())
    write_notebook(ja_dir / "01_overfitting.ipynb", japanese())
    write_notebook(en_dir / "scratch.ipynb", [("code", "anything = 1")])  # not numbered: not an edition
    return en_dir, ja_dir


def test_editions_in_step_pass(editions):
    assert check_editions(*editions) == []


def test_a_code_change_in_one_edition_is_caught(editions):
    en_dir, ja_dir = editions
    cells = japanese()
    cells[3] = ("code", "import numpy as np\nx = np.arange(4)  # 4 点")
    write_notebook(ja_dir / "01_overfitting.ipynb", cells)
    (problem,) = check_editions(en_dir, ja_dir)
    assert "code cell 2" in problem and "'3'" in problem and "'4'" in problem


def test_a_notebook_in_one_edition_only_is_caught(editions):
    en_dir, ja_dir = editions
    write_notebook(en_dir / "02_weight_decay.ipynb", english())
    write_notebook(ja_dir / "03_l1.ipynb", japanese())
    problems = check_editions(en_dir, ja_dir)
    assert any("02_weight_decay.ipynb has no Japanese edition" in p for p in problems)
    assert any("03_l1.ipynb has no English edition" in p for p in problems)
    assert len(problems) == 2


def test_a_missing_japanese_folder_fails_for_every_notebook(tmp_path):
    write_notebook(tmp_path / "01_a.ipynb", english())
    write_notebook(tmp_path / "02_b.ipynb", english())
    assert len(check_editions(tmp_path, tmp_path / "ja")) == 2


def test_an_extra_code_cell_is_caught(editions):
    en_dir, ja_dir = editions
    write_notebook(ja_dir / "01_overfitting.ipynb", japanese() + [("code", "print(x)")])
    problems = check_editions(en_dir, ja_dir)
    assert any("has 4 code cells" in p and "has 3" in p for p in problems)


@pytest.mark.parametrize(
    "ja_cell, message",
    [
        ("import numpy", "exactly one set_language(...) call, found 0"),
        ('from course.i18n import set_language\nset_language("ja")\nset_language("ja")', "found 2"),
        ('from course.i18n import set_language\nset_language("en")', "needs set_language('ja')"),
    ],
)
def test_the_language_cell_is_required_once_with_the_right_language(editions, ja_cell, message):
    en_dir, ja_dir = editions
    write_notebook(ja_dir / "01_overfitting.ipynb", japanese(ja_cell))
    problems = compare_notebooks(en_dir / "01_overfitting.ipynb", ja_dir / "01_overfitting.ipynb")
    assert any(message in p for p in problems), problems


def test_the_english_edition_needs_its_language_cell_too(editions):
    en_dir, ja_dir = editions
    write_notebook(en_dir / "01_overfitting.ipynb", english("import numpy as np"))
    problems = check_editions(en_dir, ja_dir)
    assert any(str(en_dir / "01_overfitting.ipynb") in p and "found 0" in p for p in problems)


# --- the course's own notebooks ------------------------------------------------------

COURSE_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def test_the_course_has_both_editions():
    english = sorted(p.name for p in COURSE_NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert len(english) >= 10, english
    assert english == sorted(p.name for p in (COURSE_NOTEBOOKS / "ja").glob("[0-9][0-9]_*.ipynb"))


def test_the_two_editions_of_the_course_are_in_step():
    problems = check_editions(COURSE_NOTEBOOKS, COURSE_NOTEBOOKS / "ja")
    assert not problems, "\n".join(problems)
