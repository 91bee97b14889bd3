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

The top-level functions and the methods of top-level classes are blanked whole, decorators
and header too (``pass`` on the first line): their headers were most of what a skeleton still
parsed (sympy's ``expr.py``: 147 of them, 4-5 ms; more-itertools' ``more.py``: 166). Such a
function is a *lazy function*: it knows its name, lines and columns (``node_first`` reads its
first line without parsing it), and what the engine's parse asks of its header, which the
outline worked out in idle time with the engine's own code (``_engine.parsing.header_facts``):
for a method, what it reads and calls while the class body runs (a class statement reads its
members' together; the nested re-parse of one method keeps the others'); for a top-level
function, its statement's names bound, read and called and its decorators' key. A first parse
makes the statements from those (``_engine.parsing._from_tree``). Any other field parses the
function's own lines (a method in the stand-in class) and the node becomes a plain one; read
off the node's class, a field is what the plain class gives (``ast.dump`` leaves out an
optional field that is None by that). A copy of a lazy node is of the plain node.

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
import copy
import threading
from typing import Any

from hotswap._detect.outline import FIRST, Outline, no_collections, node_first
from hotswap._engine.scan import MemberScans, scan_member

_DEFS = ast.FunctionDef | ast.AsyncFunctionDef


def parse_skeleton(text: str, path: str, found: Outline) -> ast.Module | None:
    """``text`` parsed with the bodies ``found`` names blanked and made lazy (module docstring);
    None when the skeleton does not check out (the caller then parses the whole text)."""
    if "\r" in text:
        return None
    # (start, stop, column, lines): the text a ``pass`` stands in for, from the start of a
    # line to the end of one (its line breaks kept: as many as the lines it spans, less one)
    blanks = []
    wholes, defs = found.wholes, found.defs
    for k in range(0, len(wholes), 8):
        lines = wholes[k + 2] - wholes[k + 1]
        blanks.append((wholes[k + 5], wholes[k + 6], wholes[k + 4] >> 2, lines))
    for k in range(0, len(defs), 8):
        blanks.append((defs[k + 6], defs[k + 5], defs[k + 7], defs[k + 2] - defs[k + 1]))
    blanks.sort()
    pieces = []
    at = 0
    for start, stop, column, lines in blanks:
        pieces.append(text[at : start + column])
        pieces.append("pass" + "\n" * lines)
        at = stop
    pieces.append(text[at:])
    try:
        tree = ast.parse("".join(pieces), filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree if _make_lazy(tree, text, found) else None


def _make_lazy(tree: ast.Module, text: str, found: Outline) -> bool:
    """Give the skeleton's classes their ends and put lazy functions where ``found`` says;
    False when the skeleton is not what the outline describes."""
    defs = found.defs
    blanked = {}  # def line -> (body's first line, last line, end column, start, stop)
    for k in range(0, len(defs), 8):
        blanked[defs[k]] = defs[k + 1 : k + 6]
    wholes = found.wholes
    whole = {}  # first line -> position in ``wholes``
    for k in range(0, len(wholes), 8):
        whole[wholes[k + 1]] = k
    ends = {}
    classes = found.classes
    for k in range(0, len(classes), 3):
        ends[classes[k]] = (classes[k + 1], classes[k + 2])
    names, known = found.names.split(" "), found.known()
    todo: list[tuple[list[ast.stmt], int]] = [(tree.body, 0)]  # (body, depth)
    while todo:
        body_list, depth = todo.pop()
        for position, node in enumerate(body_list):
            if isinstance(node, ast.ClassDef):
                end = ends.pop(node.lineno, None)
                if end is None:
                    return False
                node.end_lineno, node.end_col_offset = end
                todo.append((node.body, depth + 1))
            elif type(node) is ast.Pass and node.lineno in whole:
                k = whole.pop(node.lineno)
                entry, facts = wholes[k : k + 8], known.get(wholes[k], ())
                made = _lazy_whole(node, depth, entry, names[k // 8], facts, text, found)
                if made is None:
                    return False
                body_list[position] = made
            elif isinstance(node, _DEFS):
                spot = blanked.pop(node.lineno, None)
                if spot is None:
                    continue  # a one-line def, or a body on its header's line: parsed whole
                if not _lazy_body(node, spot, depth > 0, text, found.plain):
                    return False
    return not (blanked or ends or whole)  # else the outline names what the skeleton lacks


def _lazy_whole(
    node: ast.Pass, depth: int, entry: Any, name: str, facts: Any, text: str, found: Outline
) -> Any:
    """The lazy function in place of the skeleton's ``pass`` for ``entry`` (of
    ``found.wholes``, with its ``name`` and ``facts``; None if it is not where that says)."""
    line, first, last, end, flags, start, stop, body = entry
    member = flags & 1
    if depth > 1 or member != depth or node.col_offset != flags >> 2:
        return None
    lazy: Any = _WHOLE_OF[ast.AsyncFunctionDef if flags & 2 else ast.FunctionDef]
    made = lazy.__new__(lazy)
    state = made.__dict__
    state["name"] = name
    state["lineno"], state["col_offset"] = line, node.col_offset
    state["end_lineno"], state["end_col_offset"] = last, end
    state[FIRST] = first
    plain, postponed = found.plain, found.postponed
    state[_WHOLE_KEY] = (text, start, stop, first, bool(member), plain, facts, postponed, body)
    return made


def _lazy_body(node: Any, spot: Any, member: bool, text: str, plain: bool) -> bool:
    """Make ``node``'s blanked body lazy (``spot``: its outlined body line, last line, end
    column and text); False if the skeleton's stand-in is not where that says."""
    body, last, column, start, stop = spot
    stand_in = node.body
    if len(stand_in) != 1 or type(stand_in[0]) is not ast.Pass or stand_in[0].lineno != body:
        return False
    node.end_lineno, node.end_col_offset = last, column
    state = node.__dict__
    del state["body"]
    state[_LAZY_KEY] = (text, start, stop, node_first(node), member, plain)
    node.__class__ = _LAZY_OF[type(node)]
    return True


def class_scans(node: ast.ClassDef, postponed: bool) -> MemberScans:
    """What each member of a top-level class reads and calls while the class body runs
    (``scan_member``): a method the skeleton left unparsed has its scan from the outline."""
    scans = []
    for member in node.body:
        lazy = member.__dict__.get(_WHOLE_KEY)
        if lazy is not None and lazy[7] == postponed:
            known = lazy[6]
            scans.append((frozenset(known[0]), frozenset(known[1])) if known else _NOTHING)
        else:
            scans.append(scan_member(member, postponed))
    return tuple(scans)


def whole_facts(node: ast.stmt, postponed: bool) -> tuple[Any, ...] | None:
    """The outline's facts of a top-level function the skeleton left unparsed whole (see
    ``_engine.parsing.header_facts``); None for any other node."""
    lazy = node.__dict__.get(_WHOLE_KEY)
    if lazy is None or lazy[4] or lazy[7] != postponed:
        return None
    return lazy[6]  # type: ignore[no-any-return]


# -- lazy bodies -------------------------------------------------------------------------------

_ONE_AT_A_TIME = threading.Lock()
_LAZY_KEY = "_hotswap_lazy"  # (text, start, stop, first line, member?, Outline.plain)
_STAND_IN = "class _:\n"


def _materialize(node: Any) -> None:
    """Parse the function's own lines and give ``node`` its body (or, a method left unparsed
    whole, every field); it is a plain node after."""
    state = node.__dict__
    if state.get(_LAZY_KEY) is None and state.get(_WHOLE_KEY) is None:
        node.__class__ = _BASE_OF.get(type(node), type(node))
        return
    with _ONE_AT_A_TIME:  # (a parse handed over by the preparer thread: one body list)
        whole = state.get(_WHOLE_KEY)
        lazy = whole if whole is not None else state.get(_LAZY_KEY)
        if lazy is None:
            return
        text, start, stop, first, member = lazy[:5]
        made = _parse_at(text[start:stop], first, member)
        base: Any = _BASE_OF[type(node)]
        if made.lineno != node.lineno or type(made) is not base:
            raise AssertionError(f"lazy body of line {node.lineno} does not match its outline")
        if whole is not None:
            _take_header(node, made, first)
        state["body"] = made.body
        state.pop(_LAZY_KEY, None)
        node.__class__ = base


def _parse_at(own: str, first: int, member: bool) -> Any:
    """The one statement of ``own`` (a function's text; a method's, in the stand-in class)
    parsed at line ``first``: after that many empty lines, or, when that costs more than
    moving the tree's lines after a parse at line 1 (the tokenizer reads an empty line in about
    a third of the time the move takes per character: a header deep in a large file), so."""
    above = first - 2 if member else first - 1
    head = _STAND_IN if member else ""
    shift = len(own) * 4 < above
    with no_collections():
        tree = ast.parse(head + own if shift else "\n" * above + head + own)
        if shift:
            ast.increment_lineno(tree, above)
    made: Any = tree.body[0]
    return made.body[0] if member else made


def _parse_header(node: Any) -> None:
    """Give a function left unparsed whole its header: parsed with its body blanked, it
    becomes a function with a lazy body (the state a skeleton's other functions start in: a
    class run again reads every method's header and keeps their live code, see ``reuse``).
    Whole when its body cannot be blanked (on the header's line)."""
    state = node.__dict__
    whole = state.get(_WHOLE_KEY)
    if whole is None or whole[8] < 0:
        _materialize(node)
        return
    with _ONE_AT_A_TIME:
        whole = state.get(_WHOLE_KEY)
        if whole is None:
            return
        text, start, stop, first, member, plain = whole[:6]
        body = whole[8]
        column = body
        while text[column] in " \t\f":
            column += 1
        lines = text.count("\n", start, body)  # (from the first line to the body's)
        # (no line breaks for the body's other lines: the header is what is taken, its ends
        # are the outline's)
        own = text[start:column] + "pass\n"
        made = _parse_at(own, first, member)
        base: Any = _BASE_OF[type(node)]
        stand_in = made.body
        if (
            type(made) is not base
            or made.lineno != node.lineno
            or len(stand_in) != 1
            or stand_in[0].lineno != first + lines
        ):
            raise AssertionError(f"def at line {node.lineno} does not match its outline")
        _take_header(node, made, first)
        state[_LAZY_KEY] = (text, start, stop, first, member, plain)
        node.__class__ = _LAZY_OF[base]


def _take_header(node: Any, made: Any, first: int) -> None:
    """Give ``node``, a function left unparsed whole, the fields of ``made`` (its parse) but
    its body, once its name and first line are checked: it is no longer unparsed whole."""
    state = node.__dict__
    if made.name != state["name"] or node_first(made) != first:
        raise AssertionError(f"def at line {node.lineno} does not match its outline")
    for name in made._fields:
        if name != "body":
            state[name] = getattr(made, name, None)
    state.pop(FIRST, None)
    state.pop(_WHOLE_KEY, None)


def _get_body(node: Any) -> list[ast.stmt]:
    _materialize(node)
    return node.__dict__["body"]  # type: ignore[no-any-return]


def _set_body(node: Any, value: list[ast.stmt]) -> None:
    state = node.__dict__
    state["body"] = value
    state.pop(_LAZY_KEY, None)
    node.__class__ = _BASE_OF[type(node)]


def _copy(node: Any) -> Any:
    _materialize(node)  # (a plain node now)
    return copy.copy(node)


def _deepcopy(node: Any, memo: dict[int, Any]) -> Any:
    _materialize(node)
    return copy.deepcopy(node, memo)


def _reduce_ex(node: Any, protocol: Any) -> Any:
    _materialize(node)
    return node.__reduce_ex__(protocol)


# A copy (or pickle) of a lazy node is of the plain node: the copy protocol makes a node of
# the class with no fields, then fills its dictionary, which would skip (3.13: trip over) what
# the lazy class does with a field.
_COPYING = {"__copy__": _copy, "__deepcopy__": _deepcopy, "__reduce_ex__": _reduce_ex}


def _lazy_type(base: type) -> type:
    # Same name: ``ast.dump`` names a node by its class (after reading the fields, by then the
    # plain class anyway). No slots of its own, so that ``__class__`` may be assigned both ways.
    body = property(_get_body, _set_body)
    made = type(base.__name__, (base,), {"__slots__": (), "body": body, **_COPYING})
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
        name = self.name
        if name == "body":
            _materialize(node)
        else:
            _parse_header(node)  # (the body stays unparsed)
        return node.__dict__[name]

    def __set__(self, node: Any, value: Any) -> None:
        _materialize(node)
        node.__dict__[self.name] = value


def _whole_type(base: Any) -> type:
    # Every field but ``name`` (kept from the outline) parses the method when first used.
    fields = {name: _Field(base, name) for name in base._fields if name != "name"}
    made = type(base.__name__, (base,), {"__slots__": (), **fields, **_COPYING})
    made.__module__ = "ast"
    return made


_LAZY_OF: dict[type, type] = {t: _lazy_type(t) for t in (ast.FunctionDef, ast.AsyncFunctionDef)}
_WHOLE_OF: dict[type, type] = {t: _whole_type(t) for t in (ast.FunctionDef, ast.AsyncFunctionDef)}
_BASE_OF: dict[type, type] = {lazy: base for base, lazy in _LAZY_OF.items()}
_BASE_OF.update({lazy: base for base, lazy in _WHOLE_OF.items()})
LAZY = frozenset(_BASE_OF)
# (text, start, stop, first line, member?, Outline.plain, facts, postponed, body's start or -1)
_WHOLE_KEY = "_hotswap_whole"
_NOTHING: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


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
    state = node.__dict__
    lazy = state.get(_LAZY_KEY) or state.get(_WHOLE_KEY)
    if lazy is None or not lazy[5]:
        return True
    text, start, stop = lazy[0], lazy[1], lazy[2]
    find = text.find
    return any(all(find(part, start, stop) >= 0 for part in name.split(".")) for name in names)
