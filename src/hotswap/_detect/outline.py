"""Outlines of large sources: where function bodies and class ends lie, for a skeleton parse.

Made in idle time by the background reader (:mod:`hotswap._detect.baselines`) from a whole parse
of the source a large module executes, kept on its record, and read by the first parse of that
source (:mod:`hotswap._engine.skeleton`, which says why the result equals a whole parse). With
the engine's facts about function headers (``_engine.parsing.header_facts``, handed over by
:mod:`hotswap._detect.prepare`), top-level functions and methods are outlined whole.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import itertools
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from typing import Any

_DEFS = ast.FunctionDef | ast.AsyncFunctionDef


# A method a skeleton left unparsed keeps its first line (decorators included) here, so that
# finding members by line parses none of them (see ``_engine.skeleton``).
FIRST = "_hotswap_first"


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
    """Where the function bodies and class ends of one source lie (see the module docstring and
    :mod:`hotswap._engine.skeleton`). Lines count from 1; offsets are characters of the text,
    ``start..stop`` a function's own text (decorators included, its last line's end excluded).

    - ``defs``: ``(def line, body's first line, last line, end column, start, stop, body's
      start, body's column)`` for each function whose body a skeleton blanks (its header kept);
    - ``wholes``: ``(def line, first line, last line, end column, column * 4 + async? * 2 +
      member?, start, stop, body's start)`` for each function a skeleton blanks whole, header
      and decorators too (the body's start -1 when it cannot be blanked alone: on the header's
      line): the methods of top-level classes (``member``) and the top-level
      functions. ``names`` holds their names (joined by spaces, in that order), ``facts`` what
      the engine's parse asks of their headers (see ``Facts``; by def line, where not empty),
      worked out with ``postponed`` (``from __future__ import annotations``);
    - ``classes``: ``(class line, last line, end column)`` for each class reached.

    An outline is kept for every large module a program imported (sympy: 354 of them), so it
    is kept in arrays and strings: 1.0 MiB for all of sympy's (0.3 MiB when it held only
    where bodies lie).
    """

    __slots__ = ("classes", "defs", "digest", "facts", "names", "plain", "postponed", "wholes")

    def __init__(self, digest: bytes | None, plain: bool, postponed: bool) -> None:
        self.digest = digest
        # Every identifier is spelled as the parser names it (no character that NFKC changes
        # could be part of one): a name's absence from the text then proves it is not read.
        self.plain = plain
        self.postponed = postponed
        self.defs: array[int] = array("i")
        self.wholes: array[int] = array("i")
        self.classes: array[int] = array("i")
        self.names = ""
        self.facts = ""  # "line\x01field\x01field\x02line...": each field names joined by spaces

    def known(self) -> dict[int, tuple[Any, ...]]:
        """``facts`` by def line: tuples of fields, each a tuple of names but a
        ``decorators_key`` (a top-level function's fourth)."""
        out: dict[int, tuple[Any, ...]] = {}
        if not self.facts:
            return out
        for entry in self.facts.split("\x02"):
            line, *fields = entry.split("\x01")
            named = [tuple(field.split(" ")) if field else () for field in fields[:3]]
            out[int(line)] = (*named, *fields[3:])
        return out


# What the engine's parse asks of a function's header (``_engine.parsing.header_facts``):
# called with the node, ``postponed``, and whether it is a method of a top-level class; gives
# tuples of names (and a top-level function's ``decorators_key`` last), empty when nothing.
Facts = Callable[[ast.stmt, bool, bool], tuple[Any, ...]]


def outline(text: str, digest: bytes | None = None, facts: Facts | None = None) -> Outline | None:
    """The outline of ``text`` (None when it does not parse, or has nothing to blank).
    ``facts`` (from the engine): methods of top-level classes and top-level functions are
    blanked whole too."""
    if "\r" in text or len(text) >= 2**31:
        return None  # lines are "\n"-separated (decode_source makes them so); offsets: 32 bits
    try:
        with no_collections():
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    made = Outline(digest, text.isascii() or _plain(text), _postponed(tree))
    names: list[str] = []
    known: list[str] = []

    def starts_line(first: int, column: int) -> bool:
        return not lines[first - 1].encode()[:column].strip()  # (col_offset counts UTF-8 bytes)

    todo: list[tuple[list[ast.stmt], int]] = [(tree.body, 0)]  # (body, depth)
    while todo:
        body, depth = todo.pop()
        for node in body:
            if isinstance(node, ast.ClassDef):
                made.classes.extend((node.lineno, node.end_lineno or 0, node.end_col_offset or 0))
                todo.append((node.body, depth + 1))
                continue
            if not isinstance(node, _DEFS):
                continue
            last = node.end_lineno or node.lineno
            continued = lines[last - 1].endswith("\\")  # (its logical line goes on after it)
            first = node_first(node)
            start, stop = starts[first - 1], starts[last] - 1
            end = node.end_col_offset or 0
            inner = node.body[0]
            begins = node_first(inner)  # a decorated statement starts at its decorators
            # Not a body on its header's line; not a body whose last line ends with a
            # backslash: then the body can be blanked (``pass``) and its header parsed alone.
            blanks = begins > node.lineno and starts_line(begins, inner.col_offset)
            body_at = starts[begins - 1] if blanks and not continued else -1
            whole = facts is not None and depth <= 1 and not continued
            if whole and starts_line(first, node.col_offset):
                assert facts is not None
                found = facts(node, made.postponed, depth == 1)
                flags = node.col_offset * 4 + isinstance(node, ast.AsyncFunctionDef) * 2 + depth
                made.wholes.extend((node.lineno, first, last, end, flags, start, stop, body_at))
                names.append(node.name)
                if found:
                    fields = [" ".join(f) if isinstance(f, tuple) else f for f in found]
                    known.append("\x01".join([str(node.lineno), *fields]))
                continue
            if body_at >= 0:
                made.defs.extend(
                    (node.lineno, begins, last, end, start, stop, body_at, inner.col_offset)
                )
    if not made.defs and not made.wholes:
        return None
    made.names = " ".join(names)
    made.facts = "\x02".join(known)
    return made


def _postponed(tree: ast.Module) -> bool:
    """Whether the module postpones annotations (``from __future__ import annotations`` in
    its leading block, after an optional docstring)."""
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            if any(alias.name == "annotations" for alias in node.names):
                return True
        elif not (index == 0 and isinstance(node, ast.Expr)):
            return False
    return False


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
    first = node.__dict__.get(FIRST)
    if first is not None:
        return first  # type: ignore[no-any-return]  # (a method a skeleton left unparsed)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and (
        node.decorator_list
    ):
        return min(node.lineno, *(d.lineno for d in node.decorator_list))
    return node.lineno
