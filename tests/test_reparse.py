"""Incremental re-parse: an edited source parsed from its previous version is exactly what a
whole parse gives, while only the statements the edit touched are parsed again."""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import hotswap
from conftest import Workspace, raised_at
from hotswap._detect.text import SourceError
from hotswap._engine.parsing import parse_whole
from hotswap._engine.reparse import reparse
from hotswap._engine.source import ParsedSource, compile_statement
from strategies import TYPED, class_edit_chains, edit_lines

# Whole statements (each parses alone), including the shapes that carry tokenizer state across
# lines: brackets, continuations, triple-quoted strings, decorators, semicolons, blocks.
BLOCKS = [
    "x = 1\n",
    "def f(a):\n    return a\n",
    "@dec\ndef g():\n    pass\n",
    "class C:\n    y = 2\n\n    def m(self):\n        return 1\n",
    "if x:\n    pass\nelse:\n    y = 1\n",
    '"""doc\ntext"""\n',
    "# comment\n",
    "\n",
    "a = 1; b = 2\n",
    "t = (1,\n     2)\n",
    "y = x \\\n  + 1\n",
    "async def g():\n    await h()\n",
    "from m import (a,\n   b)\n",
    "try:\n    pass\nexcept E:\n    pass\n",
    "s = '''\nx = 1\n'''\n",
    "u = f'{x!r}'\n",
    "v: int = 1\n",
    "@a.b(1)\n@c\nclass D(B, metaclass=M):\n    pass\n",
    "import os\n",
    "del x\n",
    "global g\ng = 1\n",
    "from m import *\n",
    "while 1:\n    break\n",
    "with o as p:\n    q = p\n",
    "from __future__ import annotations\n",
    "def k(x: T = D) -> R:\n    return x\n",
]
# Lines an edit inserts: some complete, some that open or close something.
PIECES = [
    *BLOCKS,
    "@dec\n",
    "    z = 3\n",
    "else:\n",
    "if x:\n",
    '"""\n',
    "'''\n",
    "t = (\n",
    ")\n",
    "y = 1 \\\n",
    "\tq = 1\n",
    "    return 5\n",
]


def _signature(parsed: ParsedSource) -> list[Any]:
    return [
        (
            s.index,
            s.first,
            s.last,
            s.key,
            s.binds,
            s.reads,
            s.calls,
            s.name,
            s.decorators_key,
            s.body_reads,
            ast.dump(s.positioned(), include_attributes=True),
        )
        for s in parsed.statements
    ] + [parsed.future_flags, parsed.global_statements, _names(parsed)]


def _names(parsed: ParsedSource) -> dict[str, list[int]]:
    """Which statements bind each name (the index the engine asks: built anew by a whole
    parse, updated from the base by a re-parse that kept the statement count)."""
    return {name: [s.index for s in parsed.named(name)] for name in parsed.bound_names() | {"*"}}


def _whole(text: str) -> ParsedSource | None:
    try:
        return parse_whole(text, "m.py")
    except SourceError:
        return None


@st.composite
def _edited(draw: st.DrawFn) -> tuple[str, str]:
    text = "".join(draw(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=25)))
    return text, edit_lines(draw, text, PIECES, [c for c in TYPED if c != "\\"])


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_edited())
def test_a_reparse_equals_a_whole_parse_or_declines(case: tuple[str, str]) -> None:
    """For any edit, the re-parse gives the same statements (positions, keys, names read and
    bound) as parsing the whole new text, or declines so that the caller parses it whole."""
    old, new = case
    base = _whole(old)
    if base is None:
        return
    incremental = reparse(base, new, "m.py")
    if incremental is None:
        return
    whole = _whole(new)
    assert whole is not None, "the re-parse accepted a text that does not parse"
    assert _signature(incremental) == _signature(whole)


def _edit(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(0, len(lines)))
    kind = draw(st.sampled_from(["insert", "delete", "replace"]))
    if kind == "insert":
        lines[at:at] = draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=3))
    elif kind == "delete":
        del lines[at : at + draw(st.integers(1, 3))]
    elif lines:
        lines[min(at, len(lines) - 1)] = draw(st.sampled_from(PIECES))
    return "".join(lines)


@st.composite
def _edit_chain(draw: st.DrawFn) -> list[str]:
    text = "".join(draw(st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=25)))
    texts = [text]
    for _ in range(draw(st.integers(2, 6))):
        texts.append(_edit(draw, texts[-1]))
    return texts


@settings(max_examples=200, deadline=None)
def _re_parses(texts: list[str]) -> list[tuple[ParsedSource, ParsedSource]]:
    """Each text re-parsed from the one before, beside its whole parse (for the texts the
    re-parser accepts), checked to have the statements, lines and names of the whole parse."""
    pairs = []
    current = _whole(texts[0])
    for text in texts[1:]:
        if current is None:
            current = _whole(text)
            continue
        incremental = reparse(current, text, "m.py")
        whole = _whole(text)
        if incremental is None:
            current = whole
            continue
        assert whole is not None, "the re-parse accepted a text that does not parse"
        assert _signature(incremental) == _signature(whole)
        pairs.append((incremental, whole))
        current = incremental
    return pairs


@pytest.mark.slow
@given(_edit_chain())
def test_successive_re_parses_equal_whole_parses(texts: list[str]) -> None:
    """Saves in a row, each re-parsed from the one before (statements below an edit are reused
    without a copy and recorded as lying some lines lower, by runs that edits in different
    places stack up): every source has the statements, lines and names a whole parse gives."""
    for incremental, whole in _re_parses(texts):
        for i in range(len(whole.statements)):  # the cheap position queries agree too
            stmt = whole.statements[i]
            assert (incremental.first_of(i), incremental.last_of(i)) == (stmt.first, stmt.last)


def test_statements_away_from_the_edit_are_reused_not_parsed_again() -> None:
    """One function edited in a large module: the other statements keep their AST objects
    (statements below are moved without being parsed)."""
    functions = [f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(200)]
    old = "".join(functions)
    functions[100] = "def f100(x):\n    y = x\n    return y + 100\n\n\n"
    new = "".join(functions)
    base = parse_whole(old, "m.py")
    incremental = reparse(base, new, "m.py")
    assert incremental is not None
    trees = {id(s.node) for s in base.statements}
    reused = [s for s in incremental.statements if id(s.node) in trees]
    assert len(reused) == 199
    assert incremental.statements[150].first == base.statements[150].first + 1


def test_a_decorator_added_above_an_unchanged_function_is_reparsed_incrementally() -> None:
    """Adding ``@functools.cache`` above a ``def`` does not fall back to a whole parse."""
    old = "import functools\n\n\ndef a():\n    return 1\n\n\ndef b():\n    return 2\n"
    new = old.replace("def b", "@functools.cache\ndef b")
    incremental = reparse(parse_whole(old, "m.py"), new, "m.py")
    whole = parse_whole(new, "m.py")
    assert incremental is not None and _signature(incremental) == _signature(whole)


def test_an_opened_string_that_runs_past_the_edit_is_parsed_whole() -> None:
    """An unterminated triple-quoted string makes the re-parse decline; the whole parse then
    reports the syntax error at the line where the string opens."""
    old = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
    new = old.replace("    return 1\n", '    return """\n')
    assert reparse(parse_whole(old, "m.py"), new, "m.py") is None
    try:
        parse_whole(new, "m.py")
    except SourceError as exc:
        assert exc.line == 2
    else:
        raise AssertionError("expected a syntax error")


def test_a_moved_statement_that_re_runs_later_has_the_right_lines(workspace: Workspace) -> None:
    """Statements moved by earlier edits (not parsed again) and later re-run because a name
    they read changed raise at the line the file shows."""
    name = workspace.name()
    source = "A = 1\n\n\ndef h(x=A):\n    raise KeyError(x)\n"
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        assert raised_at(mod.h) == 5
        source = "# one\n# two\n" + source
        workspace.write(f"{name}.py", source)
        assert r.check().ok and raised_at(mod.h) == 7
        source = "# zero\n" + source.replace("A = 1", "A = 2")
        workspace.write(f"{name}.py", source)
        assert r.check().ok and raised_at(mod.h) == 8
    try:
        mod.h()
    except KeyError as exc:
        assert exc.args == (2,)


def test_a_failed_reload_puts_moved_functions_back_on_their_lines(workspace: Workspace) -> None:
    """Functions moved by an edit whose last statement then fails keep the lines of the code
    that still runs (the rollback undoes the moves); the fix moves them for good."""
    name = workspace.name()
    source = "def boom():\n    raise KeyError(1)\n"
    workspace.write(f"{name}.py", source)
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        boom = mod.boom
        assert raised_at(boom) == 2
        workspace.write(f"{name}.py", "# a\n# b\n" + source + "X = 1 / 0\n")
        assert not r.check().ok and raised_at(boom) == 2
        workspace.write(f"{name}.py", "# a\n# b\n" + source + "X = 1\n")
        assert r.check().ok and raised_at(boom) == 4 and mod.boom is boom


def test_modules_saved_together_are_re_parsed_from_their_last_version(
    workspace: Workspace, monkeypatch: Any
) -> None:
    """Several modules saved at once (a search-and-replace across files): from the second such
    save on, each is re-parsed from the version before it, not parsed whole again (which made
    every other batch save cost a whole parse and a key for every statement of each file)."""
    import hotswap._engine.parsing as source_module

    names = [workspace.name() for _ in range(3)]
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(20))
    for name in names:
        workspace.write(f"{name}.py", body + "V = 0\n")
    whole: list[str] = []
    real = source_module.parse_whole

    def counting(text: str, path: str) -> ParsedSource:
        if Path(path).stem in names:  # (not modules other tests left failing)
            whole.append(path)
        return real(text, path)

    monkeypatch.setattr(source_module, "parse_whole", counting)
    with hotswap.Reloader() as r:
        modules = [importlib.import_module(name) for name in names]
        for value in (1, 2, 3):
            for name in names:
                workspace.write(f"{name}.py", body + f"V = {value}\n")
            whole.clear()
            assert r.check().ok and [m.V for m in modules] == [value] * 3
            if value > 1:
                assert whole == [], f"save {value} parsed whole: {whole}"


def test_a_module_left_failing_is_not_parsed_again_at_every_reload(
    workspace: Workspace, monkeypatch: Any
) -> None:
    """A module whose last save failed waits for a module it imports to change (then it is
    retried). Reloads of other modules meanwhile do not parse its broken text again each time:
    a session with a failing module does not get slower with every edit elsewhere."""
    import hotswap._engine.parsing as source_module

    broken, other = workspace.name(), workspace.name()
    workspace.write(f"{broken}.py", "V = 1\n")
    workspace.write(f"{other}.py", "count = 0\n")
    parsed: list[str] = []
    real = source_module.parse_whole

    def counting(text: str, path: str) -> ParsedSource:
        if Path(path).stem == broken:
            parsed.append(text)
        return real(text, path)

    monkeypatch.setattr(source_module, "parse_whole", counting)
    with hotswap.Reloader() as r:
        importlib.import_module(broken)
        mod = importlib.import_module(other)
        workspace.write(f"{broken}.py", "V = 1 / 0\n")
        assert not r.check().ok
        parsed.clear()
        for value in range(1, 6):
            workspace.write(f"{other}.py", f"count = {value}\n")
            assert r.check().ok and mod.count == value
        assert len(parsed) <= 1, parsed


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BLOCKS), st.sampled_from(BLOCKS), st.integers(0, 5))
def test_same_ast_says_what_comparing_dumps_says(a: str, b: str, lines: int) -> None:
    """The diff's structural comparison of two statements (which stops at the first difference)
    agrees with comparing their position-free dumps, wherever each statement sits."""
    from hotswap._engine.pairing import same_ast

    first = ast.parse(a + "\nx = 1.0\ny = (1, True)\n")
    second = ast.parse("\n" * lines + b + "\nx = 1\ny = (True, 1)\n")
    for left in first.body:
        for right in second.body:
            assert same_ast(left, right) == (ast.dump(left) == ast.dump(right))


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(class_edit_chains())
@example(  # the class's last line ends in ';': the parser ends the class after it
    [
        "x = 1\n\n\nclass C(B):\n    class Inner:\n        z = 3\n    x = 1\n    a = 1; b = 2\n",
        "x = 1\n\n\nclass C(B):\n    class Inner:\n        z = 3\n    t = (1,\n2)\n"
        "    a = 1; b = 2\n",
        "x = 1\n\n\nclass C(B):\n    class Inner:\n        z = 3\n    t = (1,\n2)\n"
        "    a = 1;# b = 2\n",
    ]
)
def test_edits_inside_a_class_re_parse_to_what_a_whole_parse_gives(texts: list[str]) -> None:
    """Saves that edit members of a class (re-parsed member by member, the members away from
    the edit shared and moved, the moves stacking up over saves) give, each time, the
    statements, positions and names a whole parse gives, or decline."""
    _re_parses(texts)


def test_one_method_edited_in_a_large_class_re_parses_that_method_only() -> None:
    """A one-line change in one method of a 300-method class parses that method again (and the
    one before it: an edit may extend it); every other member keeps its AST object."""
    methods = [f"    def m{i}(self, x):\n        return x + {i}\n\n" for i in range(300)]
    old = "import os\n\n\nclass Big:\n" + "".join(methods) + "\nX = 1\n"
    methods[150] = "    def m150(self, x):\n        return x * 150\n\n"
    new = "import os\n\n\nclass Big:\n" + "".join(methods) + "\nX = 1\n"
    base = parse_whole(old, "m.py")
    incremental = reparse(base, new, "m.py")
    assert incremental is not None
    before, after = base.objects[1].node, incremental.objects[1].node
    assert isinstance(before, ast.ClassDef) and isinstance(after, ast.ClassDef)
    shared = sum(a is b for a, b in zip(before.body, after.body, strict=True))
    assert shared >= 298
    assert _signature(incremental) == _signature(parse_whole(new, "m.py"))


@st.composite
def _edited_in_places(draw: st.DrawFn) -> tuple[str, str]:
    text = "".join(draw(st.lists(st.sampled_from(BLOCKS), min_size=3, max_size=30)))
    edited = text
    for _ in range(draw(st.integers(2, 4))):
        edited = _edit(draw, edited)
    return text, edited


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_edited_in_places())
def test_a_save_that_edits_several_places_re_parses_to_a_whole_parse(case: tuple[str, str]) -> None:
    """A save that changed several places apart (re-parsed one place at a time, reusing what
    lies between) gives what a whole parse gives, or declines."""
    old, new = case
    base = _whole(old)
    if base is None:
        return
    incremental = reparse(base, new, "m.py")
    if incremental is None:
        return
    whole = _whole(new)
    assert whole is not None, "the re-parse accepted a text that does not parse"
    assert _signature(incremental) == _signature(whole)
    assert incremental.line_edit is not None or old == new


def test_a_line_added_at_the_top_and_a_method_edited_below_share_the_class() -> None:
    """An import added at the top and one method changed in a large class below it, in one
    save: the class is re-parsed member by member, its other members shared."""
    methods = [f"    def m{i}(self, x):\n        return x + {i}\n\n" for i in range(100)]
    old = "import os\n\n\nclass Big:\n" + "".join(methods)
    methods[50] = "    def m50(self, x):\n        return x * 50\n\n"
    new = "import os\nimport sys\n\n\nclass Big:\n" + "".join(methods)
    base = parse_whole(old, "m.py")
    incremental = reparse(base, new, "m.py")
    assert incremental is not None
    before, after = base.objects[1].node, incremental.objects[2].node
    assert isinstance(before, ast.ClassDef) and isinstance(after, ast.ClassDef)
    assert sum(a is b for a, b in zip(before.body, after.body, strict=True)) >= 98
    assert _signature(incremental) == _signature(parse_whole(new, "m.py"))


def test_a_save_that_edits_many_places_re_parses_each_edited_member_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A branch checkout edits a large class in tens of places (sympy 1.13 -> 1.14: up to 70
    places in one module). Each edited method is parsed again once, even one edited in two
    places, and every other member keeps its AST object. (Before, past eight places the whole
    span between them was parsed again as one window, and a method edited in four places was
    parsed four times.)"""
    methods = [
        f"    def m{i}(self, x):\n        a = x + {i}\n        b = a * {i}\n        return b\n\n"
        for i in range(100)
    ]
    old = "import os\n\n\nclass Big:\n" + "".join(methods) + "\nX = 1\n"
    edited = range(0, 100, 4)
    for i in edited:  # two places in each: the line above and below ``b = ...`` (unique)
        methods[i] = methods[i].replace(f"x + {i}", f"x - {i}").replace("return b", "return -b")
        if i % 8 == 0:
            methods[i] = methods[i].replace("return -b\n", "c = b\n        return -c\n")
    new = "import os\n\n\nclass Big:\n" + "".join(methods) + "\nX = 1\n"
    base = parse_whole(old, "m.py")
    parses = []
    real_parse = ast.parse

    def counting(source: str, *args: Any, **kwargs: Any) -> ast.Module:
        parses.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    incremental = reparse(base, new, "m.py")
    monkeypatch.undo()
    assert incremental is not None
    assert len(parses) == len(edited)
    before, after = base.objects[1].node, incremental.objects[1].node
    assert isinstance(before, ast.ClassDef) and isinstance(after, ast.ClassDef)
    assert sum(a is b for a, b in zip(before.body, after.body, strict=True)) == 100 - len(edited)
    assert _signature(incremental) == _signature(parse_whole(new, "m.py"))


def test_a_statement_compiled_again_reuses_its_code_until_it_moves() -> None:
    """A class that one checkpoint runs again several times (a propagation re-makes it for
    each changed base it has: sympy's 1,800-line ``Pow`` three times in a branch checkout)
    compiles once; moved by an edit above it, it compiles anew, with its new lines."""
    old = "import os\n\nclass A:\n    def f(self):\n        return 1\n"
    base = parse_whole(old, "m.py")
    first = compile_statement(base.statement(1), "m.py", 0)
    assert compile_statement(base.statement(1), "m.py", 0) is first
    assert compile_statement(base.statement(1), "n.py", 0) is not first
    moved = reparse(base, "import os\nimport sys\n" + old.removeprefix("import os\n"), "m.py")
    assert moved is not None and moved.objects[2].node is base.objects[1].node
    code = compile_statement(moved.statement(2), "m.py", 0)
    assert code is not first
    body = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    assert body.co_name == "A" and body.co_firstlineno == 4


def test_a_line_added_right_below_a_future_import_is_reparsed_incrementally() -> None:
    """A module that starts with ``from __future__ import annotations`` (as many real ones
    do): a line added below it and a method edited further down, in one save, re-parse only
    what changed (before, the window reached back to the future import and the whole file was
    parsed: 4,000 lines and every statement compared again, on sympy's ``expr.py``)."""
    methods = [f"    def m{i}(self, x):\n        return x + {i}\n\n" for i in range(100)]
    old = "from __future__ import annotations\n\nimport os\n\n\nclass Big:\n" + "".join(methods)
    methods[50] = "    def m50(self, x):\n        return x * 50\n\n"
    for added in ("_X = 1\n", "\n_X = 1\n", "_X = (1,\n      2)\n"):
        new = old.replace("\nimport os", "\n" + added + "import os").replace(
            old.split("class Big:\n")[1], "".join(methods)
        )
        base = parse_whole(old, "m.py")
        incremental = reparse(base, new, "m.py")
        assert incremental is not None, added
        assert incremental.objects[0].node is base.objects[0].node
        assert _signature(incremental) == _signature(parse_whole(new, "m.py"))


def _hunks_line_by_line(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """The hunk rule, walked one line at a time (the reference)."""
    hunks = []
    i = j = 0
    while True:
        while i < len(old) and j < len(new) and old[i] == new[j]:
            i, j = i + 1, j + 1
        if i == len(old) and j == len(new):
            return hunks
        anchors = [
            (old.index(new[k]), k)
            for k in range(j, len(new))
            if new.count(new[k]) == 1 and old.count(new[k]) == 1 and old.index(new[k]) >= i
        ]
        if not anchors:
            return [*hunks, (i, len(old), j, len(new))]
        end_i, end_j = anchors[0]
        while end_i > i and end_j > j and old[end_i - 1] == new[end_j - 1]:
            end_i, end_j = end_i - 1, end_j - 1
        hunks.append((i, end_i, j, end_j))
        if len(hunks) > 8:
            return hunks
        i, j = anchors[0]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["a\n", "b\n", "\n", "c\n", "d\n", "e\n"]), max_size=60),
    st.lists(
        st.tuples(st.integers(0, 60), st.sampled_from(["a\n", "x\n", "y\n", None])),
        max_size=6,
    ),
)
def test_the_places_a_save_edited_are_found_as_patience_diff_finds_them(
    old: list[str], edits: list[tuple[int, str | None]]
) -> None:
    """A save that edited several places is re-parsed one place (hunk) at a time. The hunks,
    found by comparing slices and looking lines up (at C speed), are those the rule gives
    walked line by line: the same lines run between them, and a hunk ends where a line that
    occurs once in each text follows, less the lines before it that are the same."""
    from hotswap._engine.hunks import _hunks, _Unique

    new = list(old)
    for place, line in edits:
        at = min(place, len(new))
        if line is None:
            del new[at : at + 1]
        else:
            new.insert(at, line)
    expected = _hunks_line_by_line(old, new)
    assert _hunks(old, new) == expected
    # Past the first lines looked up, the lists are counted instead: the same answer.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_Unique, "LOOKUPS", 0)
        assert _hunks(old, new) == expected
