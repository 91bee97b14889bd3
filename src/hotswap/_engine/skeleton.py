"""Outlines: a large module's first save parses its skeleton, not the whole file.

The first save of a module compares the edited text with the source the module executes, so that
source must be parsed: whole, the first time (20-30 ms for a 4,000-line module such as sympy's
``expr.py``), when the edit comes with the cell at once (no moment for :mod:`.prepare` to do it
ahead). What a save reads of the statements it did not touch is their headers (names, decorators,
defaults, where each begins and ends) and the class-level statements, not the bodies of functions.

So, in idle time after a large module is imported, the background reader parses its executing
source once and keeps an :class:`Outline`: where each function's body lies (for functions at module
level and in classes, nested classes included) and where each class ends. A parse of that source
then blanks those bodies out (each becomes ``pass`` on its first line, blank lines after it: every
other line stays where it is) and parses the *skeleton*: a fifth to a tenth of the text. Each
blanked function gets its real end back from the outline and a *lazy body*: the first read of
``body`` parses the function's own lines (decorators included; a member inside a stand-in
``class _:`` on the line above, as :mod:`.nested` does) and the node becomes a plain
``ast.FunctionDef`` again. Everything else (``compile``, ``ast.dump``, ``ast.walk``) reads fields
through attribute access and so gets the real body.

The methods of a top-level class are blanked whole, decorators and header too (``pass`` on the
first line): a class of 130 methods is most of a large module, and their headers were most of
what its skeleton parsed (4-5 ms of sympy's ``expr.py``). Such a *lazy method* knows its name,
its lines and columns (``node_first`` reads its first line without parsing it), and what its
header reads and calls while the class body runs (the outline scanned it in idle time, with the
engine's ``scan_member``): what a class statement's first parse and the nested re-parse of a
method ask of the members they do not touch. Any other field parses the method's own lines (in
the stand-in class) and the node becomes a plain one; read off the node's class, a field is
what the plain class gives (``ast.dump`` leaves out an optional field that is None by that).

Why the result equals a whole parse: the outline was made from a whole parse of the same text
(its digest is checked), so every blanked range is exactly a body that begins on a line of its
own and ends the function; the tokenizer is in the same state at its first line (an indented
block starts) and after its last line (the block ends) whether the body or ``pass`` stands there,
so every other token, and every other node, is where the whole parse puts it. The parse of a
function's own lines starts in the state a top-level statement (or a member of a class) starts in,
so its body is the one the whole parse gives, at the same lines and columns.

What reads bodies without needing them is kept from doing so: :func:`may_read` answers "may this
function's body read one of these names" from its text (a name that does not occur in it is not
read) before a body is parsed for its reads (the dataflow asks it of every function).
"""

from __future__ import annotations

import ast
import itertools
import operator
import threading
from typing import Any

from hotswap._detect.outline import FIRST, Outline, Scanned, no_collections, node_first
from hotswap._engine.scan import MemberScans, scan_member

_DEFS = ast.FunctionDef | ast.AsyncFunctionDef


def parse_skeleton(text: str, path: str, found: Outline) -> ast.Module | None:
    """``text`` parsed with the bodies ``found`` names blanked and made lazy (module docstring);
    None when the skeleton does not check out (the caller then parses the whole text)."""
    if "\r" in text:
        return None
    original = text.split("\n")
    lines = list(original)
    defs = found.defs
    blanked = {}  # def line -> (body's first line, last line, end column)
    for k in range(0, len(defs), 4):
        line, body, last, column = defs[k : k + 4]
        blanked[line] = (body, last, column)
        _blank(lines, body, last)
    members = found.members
    whole = {}  # first line -> (def line, last line, end column, async?, position in ``names``)
    for k in range(0, len(members), 5):
        line, first, last, column, is_async = members[k : k + 5]
        whole[first] = (line, last, column, is_async, k // 5)
        _blank(lines, first, last)
    try:
        tree = ast.parse("\n".join(lines), filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    ends = {}
    classes = found.classes
    for k in range(0, len(classes), 3):
        ends[classes[k]] = (classes[k + 1], classes[k + 2])
    # Where each line starts: the lengths before it, and a newline each (in C: 5,000 lines).
    before = itertools.accumulate(map(len, original), initial=0)
    starts = list(map(operator.add, before, itertools.count()))
    plain = found.plain
    todo: list[tuple[list[ast.stmt], bool, bool]] = [(tree.body, False, False)]
    while todo:
        body_list, member, top_class = todo.pop()
        for position, node in enumerate(body_list):
            if isinstance(node, ast.ClassDef):
                end = ends.pop(node.lineno, None)
                if end is None:
                    return None
                node.end_lineno, node.end_col_offset = end
                todo.append((node.body, True, not member))
            elif top_class and type(node) is ast.Pass and node.lineno in whole:
                line, last, column, is_async, j = whole.pop(node.lineno)
                base = ast.AsyncFunctionDef if is_async else ast.FunctionDef
                lazy = _MEMBER_OF[base]
                made = body_list[position] = lazy.__new__(lazy)
                state = made.__dict__
                state["name"] = found.names[j]
                state["lineno"], state["col_offset"] = line, node.col_offset
                state["end_lineno"], state["end_col_offset"] = last, column
                state[FIRST] = node.lineno
                scanned = found.scans.get(line, _NOTHING)
                span = (starts[node.lineno - 1], starts[last])
                state[_MEMBER_KEY] = (text, *span, node.lineno, plain, scanned, found.postponed)
            elif isinstance(node, _DEFS):
                spot = blanked.pop(node.lineno, None)
                if spot is None:
                    continue  # a one-line def, or a body on its header's line: parsed whole
                body, last, column = spot
                stand_in = node.body
                if len(stand_in) != 1 or type(stand_in[0]) is not ast.Pass:
                    return None
                if stand_in[0].lineno != body:
                    return None
                node.end_lineno, node.end_col_offset = last, column
                first = node_first(node)
                state = node.__dict__
                del state["body"]
                span = (starts[first - 1], starts[last])
                state[_LAZY_KEY] = (text, *span, first, member, plain)
                node.__class__ = _LAZY_OF[type(node)]
    if blanked or ends or whole:
        return None  # the outline names what the skeleton lacks: not this text's
    return tree


def _blank(lines: list[str], first: int, last: int) -> None:
    """Lines ``first..last`` become ``pass`` at the first one's indentation, then blank lines."""
    head = lines[first - 1]
    indent = len(head) - len(head.lstrip(" \t\f"))
    lines[first - 1] = head[:indent] + "pass"
    lines[first:last] = [""] * (last - first)


def class_scans(node: ast.ClassDef, postponed: bool) -> MemberScans:
    """What each member of a top-level class reads and calls while the class body runs
    (``scan_member``): a method the skeleton left unparsed has its scan from the outline."""
    scans = []
    for member in node.body:
        lazy = member.__dict__.get(_MEMBER_KEY)
        if lazy is not None and lazy[6] == postponed:
            scans.append(lazy[5])
        else:
            scans.append(scan_member(member, postponed))
    return tuple(scans)


# -- lazy bodies -------------------------------------------------------------------------------

_ONE_AT_A_TIME = threading.Lock()
_LAZY_KEY = "_hotswap_lazy"  # (text, start, stop, first line, member?, Outline.plain)
_STAND_IN = "class _:\n"


def _materialize(node: Any) -> None:
    """Parse the function's own lines and give ``node`` its body (or, a method left unparsed
    whole, every field); it is a plain node after."""
    state = node.__dict__
    if state.get(_LAZY_KEY) is None and state.get(_MEMBER_KEY) is None:
        node.__class__ = _BASE_OF.get(type(node), type(node))
        return
    with _ONE_AT_A_TIME:  # (a parse handed over by the preparer thread: one body list)
        whole = state.get(_MEMBER_KEY)
        lazy = whole if whole is not None else state.get(_LAZY_KEY)
        if lazy is None:
            return
        text, start, stop, first = lazy[:4]
        member = True if whole is not None else lazy[4]
        own = text[start:stop]
        made: Any
        with no_collections():
            if member:
                tree = ast.parse("\n" * (first - 2) + _STAND_IN + own)
                made = tree.body[0].body[0]  # type: ignore[attr-defined]
            else:
                made = ast.parse("\n" * (first - 1) + own).body[0]
        base = _BASE_OF[type(node)]
        if made.lineno != node.lineno or type(made) is not base:
            raise AssertionError(f"lazy body of line {node.lineno} does not match its outline")
        if whole is not None:
            if made.name != state["name"] or node_first(made) != first:
                raise AssertionError(f"method at line {node.lineno} does not match its outline")
            for name in base._fields:
                state[name] = getattr(made, name, None)
            state.pop(FIRST, None)
            state.pop(_MEMBER_KEY, None)
        else:
            state["body"] = made.body
            state.pop(_LAZY_KEY, None)
        node.__class__ = base


def _get_body(node: Any) -> list[ast.stmt]:
    _materialize(node)
    return node.__dict__["body"]  # type: ignore[no-any-return]


def _set_body(node: Any, value: list[ast.stmt]) -> None:
    state = node.__dict__
    state["body"] = value
    state.pop(_LAZY_KEY, None)
    node.__class__ = _BASE_OF[type(node)]


def _lazy_type(base: type) -> type:
    # Same name: ``ast.dump`` names a node by its class (after reading the fields, by then the
    # plain class anyway). No slots of its own, so that ``__class__`` may be assigned both ways.
    made = type(
        base.__name__, (base,), {"__slots__": (), "body": property(_get_body, _set_body)}
    )
    made.__module__ = "ast"
    return made


class _Field:
    """A field of a method left unparsed whole: read or set, it parses the method first. Read
    off the class, it is what the node class's own attribute is (``None`` for an optional
    field: ``ast.dump`` leaves out a None that equals it)."""

    def __init__(self, base: type, name: str) -> None:
        self.name = name
        self.default = getattr(base, name, self)

    def __get__(self, node: Any, owner: type | None = None) -> Any:
        if node is None:
            return self.default
        _materialize(node)
        return node.__dict__[self.name]

    def __set__(self, node: Any, value: Any) -> None:
        _materialize(node)
        node.__dict__[self.name] = value


def _member_type(base: type) -> type:
    # Every field but ``name`` (kept from the outline) parses the method when first used.
    fields = {name: _Field(base, name) for name in base._fields if name != "name"}
    made = type(base.__name__, (base,), {"__slots__": (), **fields})
    made.__module__ = "ast"
    return made


_LAZY_OF: dict[type, type] = {t: _lazy_type(t) for t in (ast.FunctionDef, ast.AsyncFunctionDef)}
_MEMBER_OF: dict[type, type] = {t: _member_type(t) for t in (ast.FunctionDef, ast.AsyncFunctionDef)}
_BASE_OF: dict[type, type] = {lazy: base for base, lazy in _LAZY_OF.items()}
_BASE_OF.update({lazy: base for base, lazy in _MEMBER_OF.items()})
LAZY = frozenset(_BASE_OF)
_MEMBER_KEY = "_hotswap_member"  # (text, start, stop, first line, plain, scan, postponed)
_NOTHING: Scanned = (frozenset(), frozenset())


def settle(node: Any) -> bool:
    """Give a lazy node its body (a plain node after); whether it was lazy."""
    if type(node) in _BASE_OF:
        _materialize(node)
        return True
    return False


def is_lazy(node: object) -> bool:
    return type(node) in _BASE_OF


def may_read(node: Any, names: set[str]) -> bool:
    """Whether the body of ``node`` (a lazy function) may read one of ``names``: False when no
    name (each part of a dotted one) occurs in its text, which a read needs (where identifiers
    are spelled as the parser names them: ``Outline.plain``); True otherwise, or when it is not
    lazy any more."""
    lazy = node.__dict__.get(_LAZY_KEY)
    if lazy is None or not lazy[5]:
        return True
    text, start, stop = lazy[0], lazy[1], lazy[2]
    find = text.find
    return any(all(find(part, start, stop) >= 0 for part in name.split(".")) for name in names)
