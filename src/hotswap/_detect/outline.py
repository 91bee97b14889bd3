"""Outlines of large sources: where function bodies and class ends lie, for a skeleton parse.

Made in idle time by the background reader (:mod:`hotswap._detect.baselines`) from a whole parse
of the source a large module executes, kept on its record, and read by the first parse of that
source (:mod:`hotswap._engine.skeleton`, which says why the result equals a whole parse).
"""

from __future__ import annotations

import ast
import contextlib
import gc
import re
import unicodedata
from array import array
from collections.abc import Iterator

_DEFS = ast.FunctionDef | ast.AsyncFunctionDef


# Sources at least this long (characters) get an outline: a whole parse of them costs 3 ms and
# more; below it, what the outline saves is less than the bookkeeping.
LARGE = 20_000


@contextlib.contextmanager
def no_collections() -> Iterator[None]:
    """No garbage collection while a parse runs, and what the parse made goes straight to the
    oldest generation after it. A syntax tree is tens of thousands of new containers, and has
    no cycles: the young collections it sets off find nothing, and walk it once in each young
    generation before it gets there (put off to the parse's end, young collections were still
    1.3 s of a 21 s sympy branch checkout: 2,552 of them). The collector is on again after,
    if it was on before.

    The tree moves with ``gc.freeze()`` then ``gc.unfreeze()`` at once: every tracked object
    goes to the permanent generation and back into the oldest one (two list splices), so
    nothing is hidden from ``gc.get_objects()`` or a heap scan. Cyclic garbage young then
    waits for the next full collection. Not when objects are frozen already (a server that
    froze before it forked; CPython 3.12 starts with a few hundred tuples frozen): the
    unfreeze would thaw them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        gc.enable()


class Outline:
    """Where the function bodies and class ends of one source lie (see the module docstring):
    ``defs`` holds ``(def line, body's first line, last line, end column)`` for each function a
    skeleton blanks, ``classes`` ``(class line, last line, end column)`` for each class reached."""

    __slots__ = ("classes", "defs", "digest", "plain")

    def __init__(
        self, digest: bytes | None, defs: array[int], classes: array[int], plain: bool
    ) -> None:
        self.digest = digest
        self.defs = defs
        self.classes = classes
        # Every identifier is spelled as the parser names it (no character that NFKC changes
        # could be part of one): a name's absence from the text then proves it is not read.
        self.plain = plain


def outline(text: str, digest: bytes | None = None) -> Outline | None:
    """The outline of ``text`` (None when it does not parse, or has nothing to blank)."""
    if "\r" in text:
        return None  # lines below are "\n"-separated (decode_source makes them so)
    try:
        with no_collections():
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = text.split("\n")
    defs: array[int] = array("i")
    classes: array[int] = array("i")
    todo: list[list[ast.stmt]] = [tree.body]
    while todo:
        for node in todo.pop():
            if isinstance(node, ast.ClassDef):
                classes.extend((node.lineno, node.end_lineno or 0, node.end_col_offset or 0))
                todo.append(node.body)
            elif isinstance(node, _DEFS):
                first = node.body[0]
                start = node_first(first)  # a decorated statement starts at its decorators
                line = lines[start - 1].encode()  # (col_offset counts UTF-8 bytes)
                last = node.end_lineno or node.lineno
                # Not a body on its header's line; not a body whose last line ends with a
                # backslash (its logical line goes on through the comment line after it).
                if (
                    start > node.lineno
                    and not line[: first.col_offset].strip()
                    and not lines[last - 1].endswith("\\")
                ):
                    defs.extend((node.lineno, start, last, node.end_col_offset or 0))
    if not defs:
        return None
    return Outline(digest, defs, classes, text.isascii() or _plain(text))


def _plain(text: str) -> bool:
    """Whether no character of ``text`` that may stand in an identifier is changed by NFKC
    (which the parser applies to identifiers: ``ﬁle`` names ``file``)."""
    for char in set(_NON_ASCII.findall(text)):
        if ("a" + char).isidentifier() and unicodedata.normalize("NFKC", char) != char:
            return False
    return True


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def node_first(node: ast.stmt) -> int:
    """The first line of a statement as parsed, its decorators included."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and (
        node.decorator_list
    ):
        return min(node.lineno, *(d.lineno for d in node.decorator_list))
    return node.lineno
