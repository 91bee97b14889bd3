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
from collections.abc import Callable, Iterator

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
    """Where the function bodies and class ends of one source lie (see the module docstring):
    ``defs`` holds ``(def line, body's first line, last line, end column)`` for each function a
    skeleton blanks, ``classes`` ``(class line, last line, end column)`` for each class reached.

    ``members``: the methods of top-level classes a skeleton blanks whole, header and decorators
    too, as ``(def line, first line, last line, end column, async?)``, with their ``names`` and
    what each reads and calls while the class body runs (``scans``, by def line: the non-empty
    ones; a class statement's reads are its members' together), worked out with
    ``postponed`` (``from __future__ import annotations``): see :mod:`hotswap._engine.skeleton`.
    """

    __slots__ = ("classes", "defs", "digest", "members", "names", "plain", "postponed", "scans")

    def __init__(
        self, digest: bytes | None, defs: array[int], classes: array[int], plain: bool
    ) -> None:
        self.digest = digest
        self.defs = defs
        self.classes = classes
        # Every identifier is spelled as the parser names it (no character that NFKC changes
        # could be part of one): a name's absence from the text then proves it is not read.
        self.plain = plain
        self.members: array[int] = array("i")
        self.names: tuple[str, ...] = ()
        self.scans: dict[int, Scanned] = {}
        self.postponed = False


# What a class member reads and calls while its class body runs (``_engine.scan.scan_member``).
Scanned = tuple[frozenset[str], frozenset[str]]
MemberScan = Callable[[ast.stmt, bool], Scanned]


def outline(
    text: str, digest: bytes | None = None, scan: MemberScan | None = None
) -> Outline | None:
    """The outline of ``text`` (None when it does not parse, or has nothing to blank).
    ``scan`` (the engine's member scan): methods of top-level classes are outlined whole too."""
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
    members: array[int] = array("i")
    names: list[str] = []
    scans: dict[int, Scanned] = {}
    postponed = _postponed(tree)
    todo: list[tuple[list[ast.stmt], bool]] = [(tree.body, True)]
    while todo:
        body, top = todo.pop()
        for node in body:
            if isinstance(node, ast.ClassDef):
                classes.extend((node.lineno, node.end_lineno or 0, node.end_col_offset or 0))
                todo.append((node.body, False))
                if top and scan is not None:
                    whole = _whole_members(node, lines)
                    for member in whole:
                        first, last = node_first(member), member.end_lineno or member.lineno
                        members.extend(
                            (member.lineno, first, last, member.end_col_offset or 0,
                             isinstance(member, ast.AsyncFunctionDef))
                        )  # fmt: skip
                        names.append(member.name)
                        scanned = scan(member, postponed)
                        if scanned[0] or scanned[1]:
                            scans[member.lineno] = scanned
                    if whole:  # (their bodies are blanked with them)
                        blanked = set(map(id, whole))
                        rest = [m for m in node.body if id(m) not in blanked]
                        todo[-1] = (rest, False)
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
    if not defs and not members:
        return None
    made = Outline(digest, defs, classes, text.isascii() or _plain(text))
    made.members, made.names, made.scans, made.postponed = members, tuple(names), scans, postponed
    return made


def _whole_members(node: ast.ClassDef, lines: list[str]) -> list[ast.stmt]:
    """The methods of class ``node`` a skeleton may blank whole: each starts its own line (a
    compound statement does) and its last line does not end with a backslash (its logical
    line would go on through the comment line after it)."""
    whole: list[ast.stmt] = []
    for member in node.body:
        if isinstance(member, _DEFS):
            last = member.end_lineno or member.lineno
            head = lines[node_first(member) - 1].encode()  # (col_offset counts UTF-8 bytes)
            if not head[: member.col_offset].strip() and not lines[last - 1].endswith("\\"):
                whole.append(member)
    return whole


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
