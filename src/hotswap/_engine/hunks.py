"""Hunks: the places apart that one save edited, taken one at a time by the re-parse.

A save that edited several places apart (a line added at the top, a method changed further
down; a branch checkout edits one module in tens of places) is re-parsed one place at a time
(:func:`edit_steps`, used by :func:`hotswap._engine.reparse.reparse`): each step is one edit,
which the re-parse proves equal to a whole parse, and what lies between the places is reused.
The places are found from lines that occur once in each text (as in patience diff); places
that no statement or class member start separates lie in one window, and are one step.
"""

from __future__ import annotations

import bisect
from collections import Counter
from typing import TYPE_CHECKING

from hotswap._detect.text import common_prefix
from hotswap._engine.source import ParsedSource

if TYPE_CHECKING:
    from hotswap._engine.reparse import _Edit

# Places edited in one save, beyond which the edit is parsed as one window: each step costs a
# few copies of the text (a branch checkout edits one sympy module in up to 70 places).
_MAX_HUNKS = 64
_MAX_FOUND = 1024  # hunks looked for before merging those that share a window


def edit_steps(edit: _Edit, base: ParsedSource) -> list[str]:
    """The texts on the way from the old text to the new one, one edited place (hunk) at a
    time, when the edit touched several places apart; [] when it touched one."""
    old_lines = edit.old[edit.head_end : edit.tail_start].splitlines(keepends=True)
    stop = edit.tail_start + len(edit.new) - len(edit.old)
    new_lines = edit.new[edit.head_end : stop].splitlines(keepends=True)
    if len(old_lines) < 3 or len(new_lines) < 3:
        return []
    hunks = _hunks(old_lines, new_lines)
    if not hunks or len(hunks) > _MAX_FOUND:
        return []
    hunks = _by_window(hunks, base, edit.head + 1)
    if not 2 <= len(hunks) <= _MAX_HUNKS:
        return []
    prefix, suffix = edit.old[: edit.head_end], edit.old[edit.tail_start :]
    steps = []
    for _i, end_old, _j, end_new in hunks:
        steps.append(prefix + "".join(new_lines[:end_new] + old_lines[end_old:]) + suffix)
    return steps if steps[-1] == edit.new else []


def _hunks(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """Where two line lists differ, as ``(old start, old end, new start, new end)`` hunks in
    order; what lies between two hunks is the same in both. A hunk ends at the next line that
    occurs once in each list (an anchor, as in patience diff), less the lines before the anchor
    that are the same in both.

    Compared at C speed (slices, ``list.index``): a line added at the top of a 3,000-line
    module and a method changed far below it cost 1.5-1.7 ms walked line by line."""
    hunks: list[tuple[int, int, int, int]] = []
    unique = _Unique(old, new)
    i = j = 0
    while True:
        same = common_prefix(old, new, min(len(old) - i, len(new) - j), i, j)
        i, j = i + same, j + same
        if i == len(old) and j == len(new):
            return hunks
        anchor = next(((at, k) for k in range(j, len(new)) if (at := unique.at(new[k])) >= i), None)
        if anchor is None:
            hunks.append((i, len(old), j, len(new)))
            return hunks
        end_i, end_j = anchor
        while end_i > i and end_j > j and old[end_i - 1] == new[end_j - 1]:
            end_i, end_j = end_i - 1, end_j - 1
        hunks.append((i, end_i, j, end_j))
        if len(hunks) > _MAX_FOUND:
            return hunks
        i, j = anchor


def _by_window(
    hunks: list[tuple[int, int, int, int]], base: ParsedSource, first: int
) -> list[tuple[int, int, int, int]]:
    """``hunks`` (indices into lines from line ``first`` of the old text on) with those that
    no statement or member start separates taken as one: they lie in one window, which one
    step parses once (four places edited in one 200-line sympy method were four parses of it).
    Only how many steps there are depends on this, not what they give."""
    out = [hunks[0]]
    for hunk in hunks[1:]:
        _i, end_i, _j, _end_j = out[-1]
        # A start after the last line this hunk changed and before the next hunk begins.
        if _starts_between(base, first + end_i, first + hunk[0] - 1):
            out.append(hunk)
        else:
            out[-1] = (out[-1][0], hunk[1], out[-1][2], hunk[3])
    return out


def _starts_between(base: ParsedSource, low: int, high: int) -> bool:
    """Whether a statement of ``base``, or a member of one of its classes, starts on a line
    from ``low`` to ``high`` (what the window of an edited place is widened to: see
    ``reparse._reparse_one``). Bisections: a save edits a 1,000-statement module in two places
    as fast as in one."""
    count = len(base.objects)
    k = bisect.bisect_left(range(count), low, key=base.first_of)
    if k < count and base.first_of(k) <= high:
        return True
    if k == 0 or not base.objects[k - 1].is_class:
        return False
    stmt = base.statement(k - 1)  # the class the lines lie in: its members' starts
    members = len(stmt.node.body)  # type: ignore[attr-defined]
    i = bisect.bisect_left(range(members), low, key=stmt.member_first)
    return i < members and stmt.member_first(i) <= high


class _Unique:
    """Where a line stands in ``old`` when it occurs once in each list (-1 otherwise): the
    first lines asked about are looked up with ``list.index``, then both lists are counted
    (the next unique line usually follows an edit closely; blank lines do not count)."""

    LOOKUPS = 32

    def __init__(self, old: list[str], new: list[str]) -> None:
        self.old, self.new = old, new
        self.asked = 0
        self.counted: tuple[Counter[str], Counter[str], dict[str, int]] | None = None

    def at(self, line: str) -> int:
        if self.counted is None:
            self.asked += 1
            if self.asked <= self.LOOKUPS:
                return _once(self.old, line) if _once(self.new, line) >= 0 else -1
            old, new = self.old, self.new
            where = dict(zip(old, range(len(old)), strict=True))  # (a line's last index)
            self.counted = (Counter(old), Counter(new), where)
        count_old, count_new, where_old = self.counted
        if count_new[line] == 1 and count_old[line] == 1:
            return where_old[line]
        return -1


def _once(lines: list[str], line: str) -> int:
    """The index of ``line`` in ``lines`` if it occurs there once, else -1."""
    try:
        first = lines.index(line)
    except ValueError:
        return -1
    try:
        lines.index(line, first + 1)
    except ValueError:
        return first
    return -1
