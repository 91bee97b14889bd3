"""Parsing a module source: re-parsed from the last parse of its file, from a skeleton, or whole.

A source becomes a :class:`~hotswap._engine.source.ParsedSource`. :func:`parse` re-parses an edit
from the parse of the file it keeps (:mod:`hotswap._engine.reparse`), else parses the text anew:
its skeleton when an outline of it was made in idle time (:mod:`hotswap._engine.skeleton`), else
the whole text. All three give the statements a whole parse gives.
"""

from __future__ import annotations
import __future__

import ast
import bisect
import weakref
from typing import TYPE_CHECKING, Any

from hotswap._detect.outline import no_collections, node_first
from hotswap._detect.text import SourceError
from hotswap._engine.scan import scan_member
from hotswap._engine.skeleton import class_scans, parse_skeleton, whole_facts
from hotswap._engine.source import ParsedSource, Statement, make_statement

if TYPE_CHECKING:
    from hotswap._detect.outline import Outline


# The latest parsed source of each path that is still referenced (by a record or a running
# transaction): the base an edit of that file is re-parsed from. Weak, so it holds nothing alive.
_BASES: weakref.WeakValueDictionary[str, ParsedSource] = weakref.WeakValueDictionary()


def parse(text: str, path: str, outline: Outline | None = None) -> ParsedSource:
    """Parse a module source; raise :class:`SourceError` with the line of a syntax error.

    When a parsed source of the same path is still alive, only the statements an edit touched
    are parsed again and the others are reused (moved); :func:`hotswap._engine.reparse.reparse` does
    that only where it can prove the result equal to a whole parse, and declines otherwise.
    Else ``outline`` (made from this very text: see :mod:`hotswap._engine.skeleton`) lets it
    parse a skeleton of the text.
    """
    base = _BASES.get(path)
    parsed = None
    with no_collections():
        if base is not None:
            from hotswap._engine.reparse import reparse

            parsed = reparse(base, text, path)
        if parsed is None:
            parsed = parse_fresh(text, path, outline)
    if parsed.global_statements:
        _check_whole_compile(text, path, parsed.future_flags)
    _BASES[path] = parsed
    return parsed


def parse_fresh(text: str, path: str, outline: Outline | None = None) -> ParsedSource:
    """Parse a source with no earlier parse to start from: its skeleton when ``outline`` was
    made from it (function bodies parsed when first read), else whole."""
    if outline is not None:
        tree = parse_skeleton(text, path, outline)
        if tree is not None:
            return _from_tree(tree, text)
    return parse_whole(text, path)


def _check_whole_compile(text: str, path: str, flags: int) -> None:
    """Module-level ``global`` after a use of the name is an error only the whole-module
    symbol table sees (each statement compiles alone); compile the whole text in that case."""
    try:
        compile(text, path, "exec", flags=flags, dont_inherit=True)
    except SyntaxError as exc:
        raise SourceError(f"SyntaxError: {exc.msg}", exc.lineno) from None


def parse_whole(text: str, path: str) -> ParsedSource:
    """Parse a whole module source; raise :class:`SourceError` with the line of a syntax error."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise SourceError(f"{type(exc).__name__}: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SourceError(f"{type(exc).__name__}: {exc}") from None
    return _from_tree(tree, text)


def _from_tree(tree: ast.Module, text: str) -> ParsedSource:
    """The statements of a parsed module (raises :class:`SourceError` for a misplaced
    ``from __future__`` import, which ``ast.parse`` lets through)."""
    flags = 0
    statements = []
    postponed = False
    leading = True  # still in the docstring / __future__ block at the top
    # The lines that name ``global`` (a statement without one holds no ``global``: its walk
    # for one was a fifth of rich's ``console.py``, whose text has the word in a docstring).
    global_lines = _lines_naming(text, "global")
    for index, node in enumerate(tree.body):
        is_future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if is_future and not leading:
            message = "SyntaxError: from __future__ imports must occur at the beginning of the file"
            raise SourceError(message, node.lineno)
        docstring = (
            index == 0
            and isinstance(node, ast.Expr)
            and isinstance(getattr(node, "value", None), ast.Constant)
        )
        leading = leading and (is_future or docstring)
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            for alias in node.names:
                feature = getattr(__future__, alias.name, None)
                if feature is not None:
                    flags |= feature.compiler_flag
                if alias.name == "annotations":
                    postponed = True
        known = whole_facts(node, postponed)
        if known is not None:  # (a function a skeleton left unparsed whole)
            statements.append(_unparsed_statement(node, index, known))
            continue
        scans = class_scans(node, postponed) if isinstance(node, ast.ClassDef) else None
        may_declare_global = _any_between(global_lines, node.lineno, node.end_lineno or node.lineno)
        statements.append(make_statement(node, index, postponed, scans, may_declare_global))
    return ParsedSource(text, statements, flags)


def _lines_naming(text: str, word: str) -> list[int]:
    """The numbers of the lines of ``text`` where ``word`` occurs, ascending."""
    out: list[int] = []
    at = text.find(word)
    line, counted = 1, 0
    while at >= 0:
        line += text.count("\n", counted, at)
        counted = at
        if not out or out[-1] != line:
            out.append(line)
        at = text.find(word, at + len(word))
    return out


def _any_between(lines: list[int], first: int, last: int) -> bool:
    """Whether one of the ascending ``lines`` lies in ``first..last``."""
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= last


def header_facts(node: ast.stmt, postponed: bool, member: bool) -> tuple[Any, ...]:
    """What a parse asks of the header of a function a skeleton blanks whole (the outline
    keeps it: see :mod:`hotswap._engine.skeleton`): for a method of a top-level class, the
    names it reads and calls while the class body runs; for a top-level function, the names its
    statement binds, reads and calls and its ``decorators_key``. Empty when that is nothing
    (most functions: the outlines of sympy's 354 large modules keep 4,000 of 22,000), and as
    tuples, not sets: an outline is kept for every large module."""
    if member:
        reads, calls = scan_member(node, postponed)
        return (tuple(reads), tuple(calls)) if reads or calls else ()
    made = make_statement(node, 0, postponed)
    if made.binds == {made.name} and not (made.reads or made.calls or made.decorators_key):
        return ()
    return (tuple(made.binds), tuple(made.reads), tuple(made.calls), made.decorators_key)


def _unparsed_statement(node: ast.stmt, index: int, known: tuple[Any, ...]) -> Statement:
    """The statement of a top-level function left unparsed whole, from its outlined facts."""
    name: str = node.name  # type: ignore[attr-defined]
    binds, reads, calls, decorators_key = known or ((name,), (), (), "")
    return Statement(
        node=node,
        index=index,
        first=node_first(node),
        last=node.end_lineno or node.lineno,
        binds=frozenset(binds),
        reads=frozenset(reads),
        calls=frozenset(calls),
        name=name,
        decorators_key=decorators_key,
        body_reads=None,  # (read off the body when first asked: ``reads_in_body``)
    )
