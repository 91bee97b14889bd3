"""Nested re-parse: the members of one large class that an edit touched, not the whole class.

:mod:`hotswap._engine.reparse` re-parses the top-level statements an edit touched. When that is one
``class`` statement (an edit inside a method of a 4,000-line class), parsing the class again
costs as much as parsing the file; this module parses only the class *members* the edit
touched and shares the others, the same way one level down:

1. The window is widened from the changed lines to member boundaries of the old class: from the
   last member that starts a line before the first changed line to just before the first member
   that starts a line after the last changed line (or to the class's last line). An edit that
   touches the class header, the lines above its first member or below its last line declines.
2. The new text of the window is parsed as the body of a stand-in ``class _:`` placed on the
   line above it, so positions are those of the whole file. It must give exactly one class
   whose members all sit at the column of the old members.
3. The new class statement shares the header and the untouched members. Members after the
   window lie behind by the edit's change in line count: recorded as ``members_behind`` runs on
   the :class:`~hotswap._engine.source.Statement` (nothing is copied; ``positioned`` moves them only
   when something compiles the whole class).

Why the result equals a whole parse: at a line where a member of a top-level class starts, the
tokenizer holds no open bracket, string or continuation, and its indentation stack is
``[0, c]`` with ``c`` the members' column. The text before the window is unchanged, so the new
text starts the window in that state; the stand-in header puts the tokenizer in the same state
(the first window line is the unchanged first line of a member, at column ``c``). A window that
parses as members at column ``c`` ends in the empty state at that column, and what follows it is
the old text after the window, which starts with a member at column ``c`` (or ends the class):
so from there the tokens, and the members, are those of the old source, moved. A window line at
another column than ``c`` at the window's level (a statement dedented out of the class, or an
unexpected indent) gives another shape than one class with members at ``c``: the caller then
parses the whole class.
"""

from __future__ import annotations

import ast
import bisect
import copy
from typing import TYPE_CHECKING

from hotswap._engine.scan import scan_member
from hotswap._engine.source import ParsedSource, Statement, make_statement, member_extra

if TYPE_CHECKING:
    from hotswap._engine.reparse import _Edit

_MAX_MEMBER_RUNS = 64  # runs of members behind by different amounts, before declining
_STAND_IN = "class _:\n"


def reparse_class(
    base: ParsedSource, k: int, edit: _Edit, path: str, postponed: bool
) -> Statement | None:
    """The new statement ``k`` (a top-level ``class``) of the edited text, its body re-parsed
    only where the edit touched it; None when that cannot be proven equal to parsing it."""
    stmt = base.statement(k)  # real lines (its node may lie behind: ``shift``)
    node = stmt.node
    if not isinstance(node, ast.ClassDef) or not node.body:
        return None
    body = node.body
    count = len(body)
    first_changed, last_changed = edit.head + 1, edit.old_lines - edit.tail
    if last_changed > stmt.last:
        return None  # below the class's last line: the top-level re-parse sees it
    begin = _member_before(stmt, first_changed)
    if begin < 0:
        return None  # the header, or the first member's first line: parse the class
    end = _member_after(stmt, last_changed)
    column = body[begin].col_offset
    top = stmt.member_first(begin)
    tree = None
    for _attempt in range(2):
        bottom = stmt.member_first(end) - 1 if end < count else stmt.last
        window = edit.new_window(top, bottom)
        if window is None or "__future__" in window or "__future__" in edit.old_window:
            return None
        try:
            tree = ast.parse("\n" * (top - 2) + _STAND_IN + window, filename=path)
            break
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            # A decorator added above an unchanged method: take the method into the window.
            if end >= count:
                return None
            end = _member_after(stmt, stmt.member_first(end))
    if tree is None or len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
        return None
    parsed = tree.body[0].body
    if any(member.col_offset != column for member in parsed):
        return None
    new_body = body[:begin] + parsed + body[end:]
    if not new_body:
        return None
    delta = edit.new_lines - edit.old_lines
    runs = _runs(stmt, begin, begin + len(parsed), end, delta)
    if len(runs) > _MAX_MEMBER_RUNS:
        return None  # edits all over the class: the caller parses it whole, exact again
    fresh = copy.copy(node)  # the header is shared; the body is a new list
    fresh.body = new_body
    last = new_body[-1]
    extra = member_extra(runs, len(new_body) - 1)
    fresh.end_lineno = (last.end_lineno or last.lineno) + extra
    # The parser ends a class after its last line's ``;``, if any, not at its last statement:
    # take the end from the window's class when the window reached the class's end, else
    # from the old class (its tail did not change).
    fresh.end_col_offset = tree.body[0].end_col_offset if end >= count else node.end_col_offset
    scans = stmt.member_scans  # (made with the class: ``make_statement``)
    if scans is None:
        scans = tuple(scan_member(member, postponed) for member in body)
    scans = scans[:begin] + tuple(scan_member(m, postponed) for m in parsed) + scans[end:]
    made = make_statement(fresh, k, postponed, scans)  # (the header scanned, with ``scans``)
    made.first, made.last = stmt.first, fresh.end_lineno + stmt.shift
    made.shift = stmt.shift
    made.members_behind = runs
    return made


def _runs(
    stmt: Statement, begin: int, window_end: int, end: int, delta: int
) -> tuple[tuple[int, int], ...]:
    """``members_behind`` of the new class: the old runs before the window, the window at its
    real lines (``-shift`` behind the header, which lies ``shift`` behind), the old runs from
    ``end`` on moved to their new positions and ``delta`` more lines behind."""
    old = stmt.members_behind
    runs = [(start, lines) for start, lines in old if start < begin]
    runs.append((begin, -stmt.shift))
    count = len(stmt.node.body)  # type: ignore[attr-defined]
    if end < count:
        offset = window_end - end
        runs.append((window_end, stmt.member_extra(end) + delta))
        runs.extend((start + offset, lines + delta) for start, lines in old if start > end)
    out: list[tuple[int, int]] = []
    for start, lines in runs:  # drop runs that say what the run before them says
        if out and out[-1][0] == start:
            out.pop()  # (an empty window: what follows starts where it started)
        if (out and out[-1][1] == lines) or (not out and lines == 0):
            continue
        out.append((start, lines))
    return tuple(out)


def _starts_line(stmt: Statement, i: int) -> bool:
    """Whether member ``i`` is the first on its line (not ``b`` in ``a = 1; b = 2``)."""
    return i == 0 or stmt.member_last(i - 1) < stmt.member_first(i)


def _member_before(stmt: Statement, line: int) -> int:
    """The last member starting a line before ``line`` (-1 if none)."""
    count = len(stmt.node.body)  # type: ignore[attr-defined]
    i = bisect.bisect_left(range(count), line, key=stmt.member_first) - 1
    while i > 0 and not _starts_line(stmt, i):
        i -= 1
    return i


def _member_after(stmt: Statement, line: int) -> int:
    """The first member starting a line after ``line`` (the member count if none)."""
    count = len(stmt.node.body)  # type: ignore[attr-defined]
    i = bisect.bisect_right(range(count), line, key=stmt.member_first)
    while i < count and not _starts_line(stmt, i):
        i += 1
    return i
