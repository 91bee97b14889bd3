"""Pairing old and new statements: a statement the re-parse shared pairs with its old self
only where pairing by name or key gives the same (``hotswap._engine.pairing``)."""

from __future__ import annotations

import copy
import dataclasses

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hotswap._detect.text import SourceError
from hotswap._engine.pairing import Step, pair
from hotswap._engine.parsing import parse_whole
from hotswap._engine.reparse import reparse
from hotswap._engine.source import ParsedSource, Statement

# Few shapes, so that identical statements (the same key) and definitions of one name repeat.
BLOCKS = [
    "x = 1\n",
    "x = 1\n",
    "y = x\n",
    "import os\n",
    "from m import a\n",
    "f()\n",
    "def f():\n    pass\n",
    "def f():\n    return 2\n",
    "class C:\n    pass\n",
    "x: int = 1\n",
    "x += 1\n",
    "\n",
]


@st.composite
def _saves(draw: st.DrawFn) -> tuple[str, str]:
    lines = "".join(draw(st.lists(st.sampled_from(BLOCKS), min_size=2, max_size=24)))
    edited = lines.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):  # one save, up to four places
        at = draw(st.integers(0, len(edited)))
        if draw(st.booleans()) or not edited:
            edited[at:at] = draw(st.sampled_from(BLOCKS)).splitlines(keepends=True)
        else:
            del edited[min(at, len(edited) - 1)]
    return lines, "".join(edited)


def _pairs(steps: list[Step], olds: list[Statement]) -> list[tuple[str, int | None]]:
    where = {id(s): i for i, s in enumerate(olds)}
    return [(s.status, None if s.old is None else where[id(s.old)]) for s in steps]


def _statements(parsed: ParsedSource) -> list[Statement]:
    return [parsed.statement(i) for i in range(len(parsed.objects))]


@settings(max_examples=200, deadline=None)
@given(_saves())
@example(("x = 1\nimport os\nx = 1\n", "x = 1\nx = 1\nimport os\nx = 1\n"))
@example(("def f():\n    pass\nx = 1\n", "def f():\n    return 2\ndef f():\n    pass\nx = 1\n"))
def test_statements_a_re_parse_shared_pair_as_their_names_and_keys_pair(
    case: tuple[str, str],
) -> None:
    """A save re-parsed from the source before it shares the statements it did not touch;
    pairing old and new pairs each such statement with its old self without a key only where
    the rule (n-th definition of a name with the n-th, n-th identical statement with the n-th)
    pairs it so: the pairs, their status and the old statements left over are what pairing
    copies of the new statements (no tree shared) gives. Lines identical to a shared one,
    inserted above it or left when one was deleted, are where the two could part."""
    old_text, new_text = case
    try:
        base = parse_whole(old_text, "m.py")
    except SourceError:
        return
    incremental = reparse(base, new_text, "m.py")
    if incremental is None:
        return
    olds, news = _statements(base), _statements(incremental)
    copies = [dataclasses.replace(s, node=copy.deepcopy(s.node)) for s in news]
    assert not {id(s.node) for s in copies} & {id(s.node) for s in olds}
    steps, dropped = pair(olds, news, len(news))
    by_keys, dropped_by_keys = pair(olds, copies, len(news))
    assert _pairs(steps, olds) == _pairs(by_keys, olds)
    assert [(olds.index(s), at) for s, at in dropped] == [
        (olds.index(s), at) for s, at in dropped_by_keys
    ]
