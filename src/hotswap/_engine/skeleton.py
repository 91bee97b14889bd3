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

from hotswap._detect.outline import Outline, no_collections, node_first

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
        head = lines[body - 1]
        indent = len(head) - len(head.lstrip(" \t\f"))
        lines[body - 1] = head[:indent] + "pass"
        lines[body:last] = [""] * (last - body)
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
    todo: list[tuple[list[ast.stmt], bool]] = [(tree.body, False)]
    while todo:
        body_list, member = todo.pop()
        for node in body_list:
            if isinstance(node, ast.ClassDef):
                end = ends.pop(node.lineno, None)
                if end is None:
                    return None
                node.end_lineno, node.end_col_offset = end
                todo.append((node.body, True))
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
    if blanked or ends:
        return None  # the outline names what the skeleton lacks: not this text's
    return tree


# -- lazy bodies -------------------------------------------------------------------------------

_ONE_AT_A_TIME = threading.Lock()
_LAZY_KEY = "_hotswap_lazy"  # (text, start, stop, first line, member?, Outline.plain)
_STAND_IN = "class _:\n"


def _materialize(node: Any) -> None:
    """Parse the function's own lines and give ``node`` its body; it is a plain node after."""
    state = node.__dict__
    if state.get(_LAZY_KEY) is None:
        node.__class__ = _BASE_OF.get(type(node), type(node))
        return
    with _ONE_AT_A_TIME:  # (a parse handed over by the preparer thread: one body list)
        lazy = state.get(_LAZY_KEY)
        if lazy is None:
            return
        text, start, stop, first, member, _plain = lazy
        own = text[start:stop]
        made: Any
        with no_collections():
            if member:
                tree = ast.parse("\n" * (first - 2) + _STAND_IN + own)
                made = tree.body[0].body[0]  # type: ignore[attr-defined]
            else:
                made = ast.parse("\n" * (first - 1) + own).body[0]
        body = made.body
        if made.lineno != node.lineno or type(made) is not _BASE_OF[type(node)]:
            raise AssertionError(f"lazy body of line {node.lineno} does not match its outline")
        state["body"] = body
        state.pop(_LAZY_KEY, None)
        node.__class__ = _BASE_OF.get(type(node), type(node))


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


_LAZY_OF: dict[type, type] = {t: _lazy_type(t) for t in (ast.FunctionDef, ast.AsyncFunctionDef)}
_BASE_OF: dict[type, type] = {lazy: base for base, lazy in _LAZY_OF.items()}
LAZY = frozenset(_BASE_OF)


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
