"""The first parse of a large module's source is a skeleton: function bodies are parsed when
first read (:mod:`hotswap._engine.skeleton`), from an outline the background reader made in idle
time (:mod:`hotswap._detect.outline`). What a user sees: the first save of a large file is as
right as before and costs about what later saves cost; here, that the skeleton is exactly what a
whole parse gives, and that a save parses the bodies it needs, not every body of the file."""

from __future__ import annotations

import ast
import importlib
import sysconfig
from pathlib import Path

import pytest

import hotswap
from conftest import Workspace
from hotswap._detect.outline import LARGE, outline
from hotswap._detect.tracker import TRACKER
from hotswap._engine import parsing, scan, skeleton
from hotswap._engine.parsing import parse_fresh, parse_whole

# Shapes that carry tokenizer state across lines, or that a blanked body could get wrong.
SHAPES = '''\
"""Docstring."""
from __future__ import annotations
import os, sys


def one_line(x): return x


def header_over_lines(
    a,
    b,
): return a


def body_on_its_own_lines(
    a,
):
    """Only a docstring."""


@staticmethod
def decorated(x):
    @property
    def inner(self):
        return 1
    return inner


def continued_to_a_comment():
    assert True \\
        # the backslash joins this comment line


async def coroutine(x):
    async with x:
        await x
    return [y async for y in x]


class Outer:
    a = 1; b = 2

    class Inner:
        def method(self):
            if True:
                return "nested"

        @classmethod
        def other(cls): return cls

    def after(self, value=os.sep):
        text = """
def not_a_def():
    pass
"""
        return text

    def last(self):
        return self.a;


class Semicolon: x = 1; y = 2


if sys.platform:
    def in_an_if():
        return 1
\f
def after_a_form_feed():
    return 2


def unicode_names():
    \u00e9t\u00e9 = 1
    return \u00e9t\u00e9


lambda_value = lambda: 1
'''


def _same_as_whole(text: str, path: str = "m.py") -> None:
    """With the bodies blanked, and with the methods of top-level classes blanked whole too
    (the outline the background reader makes: with the engine's member scan)."""
    for facts in (None, parsing.header_facts):
        found = outline(text, b"digest", facts)
        assert found is not None
        tree = skeleton.parse_skeleton(text, path, found)
        assert tree is not None
        whole = parse_whole(text, path)
        fresh = parse_fresh(text, path, found)
        for old, new in zip(whole.objects, fresh.objects, strict=True):
            for field in ("first", "last", "binds", "reads", "calls", "name", "decorators_key"):
                assert getattr(old, field) == getattr(new, field), (path, old.first, field)
            assert (old.declares_global, old.member_scans) == (
                new.declares_global,
                new.member_scans,
            )
        dumps = [
            ast.dump(ast.Module(body=[s.node for s in p.objects], type_ignores=[]), True, True)
            for p in (whole, fresh)
        ]
        assert dumps[0] == dumps[1], path


def test_the_skeleton_of_hard_shapes_is_a_whole_parse() -> None:
    """One-line defs, a body on its header's last line, a decorated first statement, a body
    ending in a backslash before a comment line, async, nested classes, semicolons, a form
    feed, a string holding a def: after every body is read, the trees (positions included)
    and the statements' names and reads are those of a whole parse."""
    _same_as_whole(SHAPES)


def _stdlib_files(count: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = [p for p in root.glob("*.py") if p.stat().st_size >= LARGE]
    return sorted(files, key=lambda p: -p.stat().st_size)[:count]


@pytest.mark.parametrize("path", _stdlib_files(12), ids=lambda p: p.name)
def test_the_skeleton_of_a_large_standard_module_is_a_whole_parse(path: Path) -> None:
    """The standard library's largest modules (this Python's): skeleton then every body read
    equals the whole parse."""
    _same_as_whole(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.slow
def test_the_skeleton_of_more_large_standard_modules_is_a_whole_parse() -> None:
    """The next 30 largest (all of them, 100 files a Python, were checked once by script; here a
    slice that keeps the suite's time in bounds)."""
    for path in _stdlib_files(42)[12:]:
        try:
            text = path.read_text(encoding="utf-8")
            parse_whole(text, str(path))
        except Exception:  # (a test module of the library that is not valid on purpose)
            continue
        if outline(text) is not None:  # (generated data, such as _sysconfigdata: no function)
            _same_as_whole(text, str(path))


MEMBERS = """\
class Shapes:
    def plain(self, x=0, *args, y=None, **kw): return x
    async def coroutine(self, x=b"", /, z=1.5): return x
    def defaulted(self, x=DEFAULT, y=-1): return x
    def keyword_default(self, *, x=make()): return x
    @cached
    def decorated(self): return 1
    def annotated(self, x: int, y: "later") -> Result: return x
    def returns(self) -> "Result": return self
    def star_annotated(self, *args: Arg, **kw: "Kw"): return args
    def lambda_default(self, key=lambda item: ORDER[item]): return key
    value: Kind = compute()
    other = 1
"""


def test_a_member_that_reads_nothing_is_known_without_walking_it() -> None:
    """A class's first parse scans each member's header (what it reads and calls while the
    class body runs); a method with no decorator, literal defaults and no evaluated annotation
    is answered without walking it. The answer is the full scan's for every shape, with and
    without ``from __future__ import annotations``, and for every member of the standard
    library's largest modules."""
    trees = [ast.parse(MEMBERS)] + [
        ast.parse(path.read_text(encoding="utf-8")) for path in _stdlib_files(12)
    ]
    shortcut = 0
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for member in node.body:
                for postponed in (False, True):
                    full = scan.Scan(postponed)
                    full.statement(member, module_scope=False)
                    expected = (frozenset(full.reads), frozenset(full.calls))
                    assert scan.scan_member(member, postponed) == expected, member.lineno
                    shortcut += scan._reads_nothing(member, postponed)
    assert shortcut > 100  # (the shortcut is taken: most members are plain methods)
    shapes = ast.parse(MEMBERS).body[0]
    assert isinstance(shapes, ast.ClassDef)
    taken = [
        (member.name, postponed)
        for member in shapes.body
        for postponed in (False, True)
        if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
        and scan._reads_nothing(member, postponed)
    ]
    assert taken == [
        ("plain", False), ("plain", True), ("coroutine", False), ("coroutine", True),
        ("annotated", True), ("returns", False), ("returns", True), ("star_annotated", True),
    ]  # fmt: skip
    # A skeleton's methods (their bodies lazy, their class a subclass of the node's) too.
    text = "class C:\n    def plain(self, x=0):\n        return x\n"
    found = outline(text)
    assert found is not None
    lazy = skeleton.parse_skeleton(text, "m.py", found)
    assert lazy is not None
    plain = lazy.body[0].body[0]  # type: ignore[attr-defined]
    assert type(plain) is not ast.FunctionDef and scan._reads_nothing(plain, False)


def test_a_body_is_parsed_when_read_and_its_absence_from_the_text_answers_reads() -> None:
    """A skeleton's functions are lazy until a field of their body is read; a name that does
    not occur in a body's text is known not to be read without parsing it."""
    found = outline(SHAPES, b"d")
    assert found is not None and found.plain
    parsed = parse_fresh(SHAPES, "m.py", found)
    decorated = next(s.node for s in parsed.objects if s.name == "decorated")
    assert skeleton.is_lazy(decorated)
    assert not skeleton.may_read(decorated, {"nowhere"})
    assert skeleton.may_read(decorated, {"inner"})
    assert skeleton.is_lazy(decorated)
    assert isinstance(decorated.body[0], ast.FunctionDef)  # read: parsed now
    assert not skeleton.is_lazy(decorated) and type(decorated) is ast.FunctionDef


def test_a_name_spelled_otherwise_than_the_parser_names_it_is_not_ruled_out() -> None:
    """``ﬁle`` (a ligature) is the name ``file`` to the parser (NFKC): the text holds no
    ``file``, yet the body reads it, so the text cannot rule it out."""
    source = "def reader():\n    return \ufb01le\n" + "# padding\n" * 10
    found = outline(source, b"d")
    assert found is not None and not found.plain
    node = parse_fresh(source, "m.py", found).objects[0].node
    assert skeleton.may_read(node, {"file"})
    assert "file" in ast.dump(node)


def _large_module(value: int) -> str:
    methods = "".join(
        f"    def m{i}(self, x):\n        '''Method {i}.'''\n        return x + {i}\n\n"
        for i in range(250)
    )
    fillers = "".join(f"def filler{i}(x):\n    return [x] * {i}\n\n\n" for i in range(200))
    return (
        "def helper():\n"
        f"    return {value}\n\n\n"
        "def build():\n"
        "    return [helper()]\n\n\n"
        "TABLE = build()\n\n\n"
        f"class Big:\n{methods}\n"
        "    def edited(self):\n"
        f"        return {value}\n\n\n"
        f"{fillers}"
    )


def _materialized(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first lines of the lazy functions whose text is parsed from now on, in order."""
    parsed: list[int] = []
    real = skeleton._materialize

    def counting(node: ast.AST) -> None:
        if skeleton.is_lazy(node):
            parsed.append(getattr(node, "lineno", 0))
        real(node)

    monkeypatch.setattr(skeleton, "_materialize", counting)
    return parsed


def test_a_large_modules_first_save_parses_what_it_needs(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large module, outlined by the background reader after its import. The first save
    edits one method: the report names that method, the new code is live, and the save parsed
    that method's body (and the few bodies whose text names what changed), not the module's
    four hundred. A second save, of ``helper``, re-runs ``TABLE = build()`` (``build``'s
    lazy body is read to know it calls ``helper``): as a fresh run computes it."""
    name = workspace.name()
    workspace.write(f"{name}.py", _large_module(1))
    assert len(_large_module(1)) >= LARGE
    parsed = _materialized(monkeypatch)
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        r.check()
        assert TRACKER.baselines_read(60)
        assert TRACKER.records[name].executing_outline() is not None
        kept = module.Big()
        old = "    def edited(self):\n        return 1"
        source = _large_module(1).replace(old, old.replace("1", "2"))
        workspace.write(f"{name}.py", source)
        report = r.check()
        assert report.ok, str(report)
        assert kept.edited() == 2 and module.TABLE == [1]
        assert "Big.edited" in str(report) and "m1" not in str(report)
        assert 1 <= len(parsed) <= 3, parsed
        # What it did not parse stays unparsed: the other methods and the module's functions,
        # headers included (their names, lines and header reads came from the outline).
        kept_parse = parsing._BASES[module.__file__]
        big = next(s for s in kept_parse.objects if s.name == "Big")
        methods = big.node.body  # type: ignore[attr-defined]

        def unparsed(node: ast.AST) -> bool:
            return skeleton._WHOLE_KEY in node.__dict__  # (not even its header)

        assert sum(map(unparsed, methods)) == len(methods) - 1
        fillers = [s for s in kept_parse.objects if (s.name or "").startswith("filler")]
        assert len(fillers) == 200 and all(unparsed(s.node) for s in fillers)
        assert not skeleton.is_lazy(methods[-1]) and methods[-1].name == "edited"
        old, new = "def helper():\n    return 1", "def helper():\n    return 5"
        workspace.write(f"{name}.py", source.replace(old, new))
        report = r.check()
        assert report.ok, str(report)
        assert module.TABLE == [5] and module.helper() == 5
        # A line added at the top and a function far below edited: every statement between
        # them moves, and pairing old and new statements by name reads no function's header.
        parsed.clear()
        far = "def filler150(x):\n    return [x] * 150"
        moved = "import os\n" + source.replace(old, new).replace(far, far.replace("x]", "x, x]"))
        workspace.write(f"{name}.py", moved)
        report = r.check()
        assert report.ok, str(report)
        assert module.filler150(1) == [1, 1] * 150 and module.helper() == 5
        line = moved[: moved.index("def filler7(")].count("\n") + 1
        assert module.filler7.__code__.co_firstlineno == line  # (moved down one line)
        assert len(parsed) <= 3, parsed


def test_a_copy_of_an_unparsed_function_is_the_whole_function() -> None:
    """Code that copies a function's tree (re-applying a decorator copies the ``def`` to strip
    its decorators) gets the whole function, whether the skeleton left its body or all of it
    unparsed: on Python 3.13 the copy protocol made a node with no body (the lazy class's
    fields were set empty, then its dictionary filled)."""
    import copy
    import pickle

    whole = parse_whole(SHAPES, "m.py")
    expected = [ast.dump(s.node, include_attributes=True) for s in whole.objects]
    for facts in (None, parsing.header_facts):
        for how in (copy.copy, copy.deepcopy, lambda n: pickle.loads(pickle.dumps(n))):
            found = outline(SHAPES, b"d", facts)
            assert found is not None
            fresh = parse_fresh(SHAPES, "m.py", found)
            assert any(skeleton.is_lazy(s.node) for s in fresh.objects)
            copies = [how(s.node) for s in fresh.objects]
            assert not any(map(skeleton.is_lazy, copies))
            assert [ast.dump(c, include_attributes=True) for c in copies] == expected


def test_overload_stubs_are_told_apart_without_parsing_other_functions() -> None:
    """Old and new definitions pair by name, ``@overload`` stubs apart (``pairing.def_label``):
    for a skeleton's functions the label is the whole parse's, and only functions whose text
    names ``overload`` are parsed to tell."""
    from hotswap._engine.pairing import def_label

    source = (
        "import typing\nfrom typing import overload\n\n\n"
        "@overload\ndef f(x: int) -> int: ...\n\n\n"
        "@typing.overload\ndef f(x: str) -> str: ...\n\n\n"
        "def f(x):\n    return x\n\n\n"
        "class C:\n    @overload\n    def m(self, x: int) -> int: ...\n\n"
        "    def m(self, x):\n        return x\n"
    ) + "".join(f"\n\ndef plain{i}(x):\n    return x + {i}\n" for i in range(40))
    whole = parse_whole(source, "m.py")
    found = outline(source, b"d", parsing.header_facts)
    assert found is not None
    fresh = parse_fresh(source, "m.py", found)
    named = [(o, n) for o, n in zip(whole.objects, fresh.objects, strict=True) if o.name]
    assert [def_label(o) for o, _ in named] == [def_label(n) for _, n in named]
    assert [def_label(o) for o, _ in named][:3] == ["f @overload", "f @overload", "f"]
    plain = [n.node for o, n in named if (o.name or "").startswith("plain")]
    assert len(plain) == 40 and all(skeleton._WHOLE_KEY in node.__dict__ for node in plain)


@pytest.mark.parametrize(
    "path", [None, *_stdlib_files(3)], ids=lambda p: getattr(p, "name", "shapes")
)
def test_reading_a_header_leaves_the_body_unparsed(path: Path | None) -> None:
    """A class run again reads every method's header (decorators, arguments) and keeps the
    live code of those the edit left alone: reading a header of a function left unparsed
    whole parses its header only (its body stays lazy), and the tree is a whole parse's."""
    text = SHAPES if path is None else path.read_text(encoding="utf-8")
    found = outline(text, b"d", parsing.header_facts)
    assert found is not None
    fresh = parse_fresh(text, "m.py", found)
    wholes = [s.node for s in fresh.objects if skeleton._WHOLE_KEY in s.node.__dict__]
    for stmt in fresh.objects:
        if isinstance(stmt.node, ast.ClassDef):
            wholes += [m for m in stmt.node.body if skeleton._WHOLE_KEY in m.__dict__]
    assert wholes
    for node in wholes:
        assert isinstance(node.args, ast.arguments) and isinstance(node.decorator_list, list)
        state = node.__dict__
        one_line = "body" in state  # (a body on its header's line is parsed with it)
        assert skeleton._WHOLE_KEY not in state
        assert one_line or (skeleton.is_lazy(node) and skeleton._LAZY_KEY in state)
    whole = parse_whole(text, "m.py")
    dumps = [
        ast.dump(ast.Module(body=[s.node for s in p.objects], type_ignores=[]), True, True)
        for p in (whole, fresh)
    ]
    assert dumps[0] == dumps[1]


def test_a_large_module_imported_before_the_reloader_is_outlined_in_idle_time(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user imports their large module, then starts hotswap (``%load_ext hotswap`` after an
    ``import``): the background reader outlines it, indexes its imports and packs its bytes as
    for one imported after, so the first save (a cell at once) parses the edited method, not
    the module's four hundred functions."""
    name = workspace.name()
    workspace.write(f"{name}.py", _large_module(1))
    module = importlib.import_module(name)  # before any Reloader
    parsed = _materialized(monkeypatch)
    with hotswap.Reloader() as r:
        r.check()  # (the cell after ``%load_ext hotswap``: its checkpoint starts the reader)
        assert TRACKER.baselines_read(60)
        record = TRACKER.records[name]
        assert record.executing_outline() is not None
        assert name not in TRACKER._unindexed  # (its imports were scanned by the reader)
        assert record._text is None  # (held packed, decoded when a save needs it)
        kept = module.Big()
        old = "    def edited(self):\n        return 1"
        workspace.write(f"{name}.py", _large_module(1).replace(old, old.replace("1", "2")))
        report = r.check()
    assert report.ok, str(report)
    assert kept.edited() == 2
    assert 1 <= len(parsed) <= 3, parsed
