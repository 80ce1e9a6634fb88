"""The glossary (docs/glossary.md) is the one list of Japanese terms; this test holds the Japanese text to it.

It parses the glossary's tables (one row per term; the third column lists, in backticks, the spellings to
avoid, a ``/…/`` entry being a regular expression) and fails on any avoided spelling in the Japanese
notebooks (markdown, and the strings and comments of code cells), in ``course/i18n/locale_ja.py`` and in
``README.ja.md``.  Two uses of an avoided spelling are allowed, and only two: inside the term itself
("エクスプローラ" inside "エクスプローラー"), and as a gloss in the full-width parentheses right after the
term ("データ拡張（水増し）").  It also fails on a line break between two Japanese characters inside a
markdown cell, which a browser renders as a stray space.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

from course.i18n import locale_ja

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
README_JA = ROOT / "README.ja.md"
JA_NOTEBOOKS = sorted((ROOT / "notebooks" / "ja").glob("*.ipynb"))
JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff]"
SPLIT_LINE = re.compile(f"({JAPANESE})\n({JAPANESE})")
_MAGIC = re.compile(r"^\s*(%|!)")


@dataclass(frozen=True)
class Term:
    """One row of the glossary: the term to write and the patterns of the spellings to avoid."""

    term: str
    english: str
    avoid: tuple[re.Pattern[str], ...]


def parse_glossary(text: str) -> list[Term]:
    """The rows of the tables under the heading ``## 用語`` (up to the next ``## `` heading)."""
    match = re.search(r"^## 用語\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, "docs/glossary.md has no '## 用語' section"
    terms = []
    for line in match.group(1).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) < 3 or cells[0] in ("用語", "") or set(cells[0]) <= set("-: "):
            continue
        avoid = []
        for spelling in re.findall(r"`([^`]+)`", cells[2]):
            is_regex = len(spelling) > 2 and spelling.startswith("/") and spelling.endswith("/")
            avoid.append(re.compile(spelling[1:-1] if is_regex else re.escape(spelling)))
        terms.append(Term(cells[0].strip("*"), cells[1], tuple(avoid)))
    return terms


TERMS = parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


def avoided_spellings(text: str, terms: list[Term] = TERMS) -> list[str]:
    """Each avoided spelling in ``text``, as ``'found' (write 'term'): …context…``."""
    found = []
    for term in terms:
        allowed = [m.span() for m in re.finditer(re.escape(term.term), text)]
        allowed += [m.span(1) for m in re.finditer(re.escape(term.term) + r"（([^（）]*)）", text)]
        for pattern in term.avoid:
            for m in pattern.finditer(text):
                if any(start <= m.start() and m.end() <= end for start, end in allowed):
                    continue
                context = text[max(0, m.start() - 20):m.end() + 20].replace("\n", "⏎")
                found.append(f"{m.group()!r} (write {term.term!r}): …{context}…")
    return found


def code_text(source: str) -> str:
    """The string literals and comments of a code cell, one per line (what a learner reads in it)."""
    source = "\n".join("" if _MAGIC.match(line) else line for line in source.splitlines())
    tree = compile(source, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    comments = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.COMMENT]
    return "\n".join(strings + comments)


def notebook_parts(path: Path) -> list[tuple[str, str, str]]:
    """(where, kind, text) for every cell: markdown as written, code as its strings and comments."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    parts = []
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append((f"{path.name} cell {i}", "markdown", source))
        elif cell["cell_type"] == "code":
            parts.append((f"{path.name} cell {i}", "code", code_text(source)))
    return parts


def _nb_id(path: Path) -> str:
    return path.name


# ---------------------------------------------------------------------------
# the glossary itself
# ---------------------------------------------------------------------------


def test_the_glossary_holds_the_course_vocabulary():
    names = {term.term for term in TERMS}
    core = {"過学習", "学習曲線の乖離", "荷重減衰", "正則化項", "L1正則化", "L2正則化", "リッジ回帰", "ラッソ回帰",
            "縮小推定", "スパース推定", "ドロップアウト", "データ拡張", "確認テスト", "例題チャレンジ", "誤差", "誤差関数",
            "正解率", "ギャップ", "チャンスレベル", "最適化手法", "スイープ", "マップ", "クロップ", "inverted dropout",
            "教科書の方式", "訓練データ", "テストデータ", "検証データ", "学習曲線", "ミニバッチ", "エポック", "学習率",
            "重み", "バイアス", "スパース性", "汎化", "早期終了"}
    assert core <= names, f"missing from docs/glossary.md: {sorted(core - names)}"
    assert all(term.english for term in TERMS), "every term gives its English word"
    assert len(names) == len(TERMS), "one row per term"


def test_no_avoided_spelling_is_itself_a_term():
    """One term per idea: a spelling the glossary avoids must not be the term of another row."""
    clashes = [(pattern.pattern, term.term) for row in TERMS for pattern in row.avoid for term in TERMS
               if pattern.fullmatch(term.term)]
    assert not clashes, clashes


def test_the_checker_catches_a_variant_and_allows_the_term_and_a_gloss():
    assert avoided_spellings("訓練データの損失が下がります。")
    assert avoided_spellings("オプティマイザを選びます。")
    assert avoided_spellings("ステップ 4 で確かめます。"), "cross-references are regular expressions"
    assert not avoided_spellings("4 節で確かめます。SGD の 1 ステップです。")
    assert not avoided_spellings("エクスプローラーを動かします。"), "a variant inside the term is the term"
    assert avoided_spellings("エクスプローラを動かします。")
    assert not avoided_spellings("データ拡張（水増し）を試します。"), "a gloss right after the term is allowed"
    assert avoided_spellings("水増しを試します。")
    assert avoided_spellings("水増し（データ拡張）を試します。"), "the term goes first, the variant in its gloss"


def test_code_text_reads_strings_and_comments_only():
    text = code_text('%time x = 1\nloss = f("誤差")   # 正解率\nprint(f"{loss} 損失")\nawait g()\n')
    assert "誤差" in text and "正解率" in text and "損失" in text
    assert "loss" not in text.replace(" 損失", "")


def test_the_line_break_check_can_fail():
    assert SPLIT_LINE.search("学習中のステップごとに\nネットワークの一部")
    assert not SPLIT_LINE.search("1 行目です。\n\n2 行目です。")
    assert not SPLIT_LINE.search("- 1 つ目\n- 2 つ目")


# ---------------------------------------------------------------------------
# the Japanese text follows it
# ---------------------------------------------------------------------------


def test_there_are_japanese_notebooks():
    assert len(JA_NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", JA_NOTEBOOKS, ids=_nb_id)
def test_japanese_notebook_uses_the_glossary_terms(path):
    found = [f"{where} ({kind}): {hit}" for where, kind, text in notebook_parts(path) for hit in avoided_spellings(text)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", JA_NOTEBOOKS, ids=_nb_id)
def test_japanese_markdown_has_no_line_break_between_japanese_characters(path):
    found = [f"{where}: …{m.group(1)}⏎{m.group(2)}… in line {text[:m.start()].count(chr(10)) + 1}"
             for where, kind, text in notebook_parts(path) if kind == "markdown"
             for m in SPLIT_LINE.finditer(text)]
    assert not found, "\n".join(found)


SECTIONS = sorted({key.split(".")[0] for key in locale_ja.MESSAGES})


@pytest.mark.parametrize("section", SECTIONS)
def test_japanese_catalogue_uses_the_glossary_terms(section):
    found = [f"{key}: {hit}" for key, message in locale_ja.MESSAGES.items() if key.split(".")[0] == section
             for hit in avoided_spellings(message)]
    assert not found, "\n".join(found)


def test_japanese_readme_uses_the_glossary_terms():
    found = avoided_spellings(README_JA.read_text(encoding="utf-8"))
    assert not found, "\n".join(found)
