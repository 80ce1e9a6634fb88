"""Keeping the English and Japanese notebook editions in step (the mirror test's machinery).

The two editions of a notebook (``notebooks/NN_x.ipynb`` and
``notebooks/ja/NN_x.ipynb``) must run the same code: their code cells are
compared cell by cell after *masking* what may differ between languages:

- every string literal becomes one placeholder ``<STR>`` (adjacent literals,
  ``"a" "b"``, count as one, so a translation may split a long string
  differently; an f-string, including the expressions inside its braces, is
  one string, also on Python >= 3.12 where it is tokenized as
  ``FSTRING_START … FSTRING_END``);
- a string wrapped in parentheses only to split it over lines, ``("a" "b")``,
  is the same as the bare string;
- every comment becomes ``<COMMENT>`` (consecutive comment lines count as one,
  so a translated comment may take more or fewer lines, but a comment cannot
  appear in one edition only);
- line breaks inside brackets and blank lines are ignored;
- IPython magics and shell escapes (``%time …``, ``%%capture``, ``!pip …``)
  are compared verbatim.

Everything else, names, numbers, operators, statement structure and
indentation, must be identical.  Markdown cells are free.  Each notebook has
exactly one code cell that calls ``set_language(...)``, with ``"en"`` in the
English edition and ``"ja"`` in the Japanese one; the masking makes those two
cells equal.
"""

from __future__ import annotations

import ast
import io
import json
import keyword
import re
import token
import tokenize
from collections.abc import Sequence
from pathlib import Path

STR, COMMENT, MAGIC = "<STR>", "<COMMENT>", "<MAGIC>"
NOTEBOOK_PATTERN = re.compile(r"^\d\d_.+\.ipynb$")
_MAGIC_NAME = "__ipython_magic_line__"
_MAGIC_LINE = re.compile(r"^(\s*)(%%?|!)")
_SKIP = {token.NL, token.ENCODING, token.ENDMARKER}
# Python >= 3.12 splits f-strings into several tokens; older versions have one STRING token.
_FSTRING_START = getattr(token, "FSTRING_START", None)
_FSTRING_END = getattr(token, "FSTRING_END", None)

Token = tuple[str, str, int]
"""(kind, text, line): kind is a token type name, or ``<STR>``/``<COMMENT>``/``<MAGIC>``."""


def _hide_magics(source: str) -> tuple[str, list[str]]:
    """Replace IPython magic/shell lines by a placeholder name (tokenize cannot read them)."""
    lines, magics = [], []
    for line in source.splitlines():
        match = _MAGIC_LINE.match(line)
        if match:
            magics.append(line.strip())
            lines.append(match.group(1) + _MAGIC_NAME)
        else:
            lines.append(line)
    return "\n".join(lines) + "\n", magics


def masked_tokens(source: str) -> list[Token]:
    """The code of one cell as a token list with strings, comments and magics masked (see the module doc).

    Raises ``ValueError`` if the cell cannot be tokenized (e.g. an unterminated string).
    """
    text, magics = _hide_magics(source)
    magic_iter = iter(magics)
    out: list[Token] = []
    depth = 0  # nesting of f-strings (Python >= 3.12 tokens)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ValueError(f"cannot tokenize the cell: {exc}") from None
    for tok in tokens:
        kind, line = tok.type, tok.start[0]
        if _FSTRING_START is not None and kind == _FSTRING_START:
            if depth == 0:
                _append_string(out, line)
            depth += 1
            continue
        if depth:
            if kind == _FSTRING_END:
                depth -= 1
            continue
        if kind in _SKIP:
            continue
        if kind == token.STRING:
            _append_string(out, line)
        elif kind == token.COMMENT:
            if not (out and out[-1][0] == COMMENT):
                out.append((COMMENT, COMMENT, line))
        elif kind == token.NAME and tok.string == _MAGIC_NAME:
            out.append((MAGIC, next(magic_iter), line))
        else:
            # A comment ends with a NEWLINE token only when it stands after code; a comment
            # line of its own does not. Fold both cases: drop NEWLINEs right after a comment run.
            if kind == token.NEWLINE and out and out[-1][0] == COMMENT:
                continue
            out.append((token.tok_name[kind], tok.string if kind != token.NEWLINE else "", line))
    return _unwrap_strings(out)


def _unwrap_strings(toks: list[Token]) -> list[Token]:
    """``("a" "b")`` (parentheses that only wrap a string to split it over lines) is just a string."""
    out: list[Token] = []
    for tok in toks:
        out.append(tok)
        if (len(out) >= 3 and out[-1][:2] == ("OP", ")") and out[-2][0] == STR and out[-3][:2] == ("OP", "(")
                and not _calls_or_indexes(out[-4] if len(out) >= 4 else None)):
            del out[-3:]
            _append_string(out, tok[2])
    return out


def _calls_or_indexes(before: Token | None) -> bool:
    """Whether a "(" after ``before`` is a call's (f("a") keeps its parentheses), not a grouping."""
    if before is None:
        return False
    kind, text, _ = before
    return (kind == "NAME" and not keyword.iskeyword(text)) or text in (")", "]") or kind == STR


def _append_string(out: list[Token], line: int) -> None:
    # Adjacent literals ("a" "b", possibly over several lines) are one string.
    if not (out and out[-1][0] == STR):
        out.append((STR, STR, line))


def compare_sources(a: str, b: str) -> str | None:
    """``None`` if two cells are the same code once masked, else where they first differ."""
    ta, tb = masked_tokens(a), masked_tokens(b)
    for i, (x, y) in enumerate(zip(ta, tb)):
        if x[:2] != y[:2]:
            return (f"first difference at token {i + 1}: {_show(x)} (line {x[2]}) vs "
                    f"{_show(y)} (line {y[2]})")
    if len(ta) != len(tb):
        longer, n = (ta, "first") if len(ta) > len(tb) else (tb, "second")
        extra = longer[min(len(ta), len(tb))]
        return f"the {n} cell goes on after the other ends: {_show(extra)} (line {extra[2]})"
    return None


def _show(tok: Token) -> str:
    kind, text, _ = tok
    if kind in (STR, COMMENT):
        return f"a {'string' if kind == STR else 'comment'}"
    if kind == "NEWLINE":
        return "end of statement"
    if kind in ("INDENT", "DEDENT"):
        return kind.lower()
    return repr(text)


def code_cells(path: Path) -> list[str]:
    """The sources of a notebook's code cells, in order."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c["cell_type"] == "code"]


def language_calls(source: str) -> list[object]:
    """The arguments of the ``set_language(...)`` calls in one cell (literal values; ``...`` if not a literal)."""
    text, _ = _hide_magics(source)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        # e.g. a top-level ``await`` in the same cell: find the calls in the text instead
        return [m.group(2) if m.group(2) is not None else ...
                for m in re.finditer(r"\bset_language\(\s*(?:(['\"])(\w*)\1\s*)?", text)]
    out: list[object] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name == "set_language":
                try:
                    out.append(ast.literal_eval(node.args[0]) if node.args else None)
                except ValueError:
                    out.append(...)
    return out


def compare_notebooks(en: Path, ja: Path, *, en_language: str = "en", ja_language: str = "ja") -> list[str]:
    """Problems that keep the two editions of one notebook from running the same code (empty: in step)."""
    problems: list[str] = []
    en_cells, ja_cells = code_cells(en), code_cells(ja)
    for path, cells, language in ((en, en_cells, en_language), (ja, ja_cells, ja_language)):
        calls = [(i, arg) for i, src in enumerate(cells) for arg in _safe_calls(src)]
        if len(calls) != 1:
            where = ", ".join(f"code cell {i + 1}" for i, _ in calls) or "none"
            problems.append(f"{path}: needs exactly one set_language(...) call, found {len(calls)} ({where})")
        elif calls[0][1] != language:
            problems.append(f"{path}: code cell {calls[0][0] + 1} calls set_language({calls[0][1]!r}); "
                            f"this edition needs set_language({language!r})")
    if len(en_cells) != len(ja_cells):
        problems.append(f"{ja} has {len(ja_cells)} code cells, {en} has {len(en_cells)}")
    for i, (a, b) in enumerate(zip(en_cells, ja_cells)):
        try:
            diff = compare_sources(a, b)
        except ValueError as exc:
            diff = str(exc)
        if diff:
            problems.append(f"code cell {i + 1} of {ja} is not the code of {en}: {diff}")
    return problems


def _safe_calls(source: str) -> list[object]:
    try:
        return language_calls(source)
    except ValueError:
        return []


def numbered_notebooks(directory: Path) -> dict[str, Path]:
    """``{name: path}`` of the numbered notebooks (``NN_*.ipynb``) directly in ``directory``."""
    if not Path(directory).is_dir():
        return {}
    return {p.name: p for p in sorted(Path(directory).iterdir()) if p.is_file() and NOTEBOOK_PATTERN.match(p.name)}


def check_editions(en_dir: Path, ja_dir: Path, names: Sequence[str] | None = None) -> list[str]:
    """Every numbered notebook has its twin with the same name, and each pair runs the same code.

    ``names`` limits the pairwise comparison to those notebooks (the
    one-to-one check of the two folders always covers all of them).
    Returns the problems found, one line each; an empty list means in step.
    """
    en, ja = numbered_notebooks(en_dir), numbered_notebooks(ja_dir)
    problems = [f"{en[n]} has no Japanese edition {Path(ja_dir) / n}" for n in sorted(set(en) - set(ja))]
    problems += [f"{ja[n]} has no English edition {Path(en_dir) / n}" for n in sorted(set(ja) - set(en))]
    for name in sorted(set(en) & set(ja)):
        if names is None or name in names:
            problems += compare_notebooks(en[name], ja[name])
    return problems
