"""The dataflow state of one walk: which names changed so far, which functions behave anew.

A statement that did not change runs again when it reads a name an earlier step rebound to
another object (``dirty``), or calls a function whose behaviour changed (``recoded``, and the
module's functions that call one: :meth:`Dataflow.affected`). The walk fills this state as it
goes; a walk that starts again (see ``_Replan``) starts from a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotswap._engine.skeleton import is_lazy, may_read
from hotswap._engine.source import ParsedSource, Statement


@dataclass
class Dataflow:
    """What one walk has changed so far, as the statements after it see it."""

    # Names rebound to other objects (by this walk, or by other modules: given).
    dirty: set[str]
    # Names of functions whose code changed: statements that call them at import time
    # (``TABLE = build()``) re-run, as a fresh run would compute them with the new code.
    recoded: set[str]
    # Names of classes whose body ran again (patched in place: not dirty, but what later
    # statements set on them must be set again).
    rebuilt: set[str] = field(default_factory=set)
    ran: set[int] = field(default_factory=set)  # indexes of the new statements that ran
    needed: set[int] = field(default_factory=set)  # statements it should have run: start again
    bound_now: dict[str, int] = field(default_factory=dict)  # name -> the statement that bound it
    _affected_for: set[str] = field(default_factory=set)
    _affected_names: set[str] = field(default_factory=set)

    def reached(self, stmt: Statement, new: ParsedSource) -> bool:
        """Whether ``stmt`` reads a name a re-run rebound, or calls a function whose behaviour
        changed (so it computes something else now)."""
        return self.sees_change(stmt.reads, stmt.calls, new)

    def sees_change(self, reads: frozenset[str], calls: frozenset[str], new: ParsedSource) -> bool:
        """Whether code reading ``reads`` and calling ``calls`` computes something else now."""
        return not reads.isdisjoint(self.dirty) or bool(
            calls and not calls.isdisjoint(self.affected(new))
        )

    def affected(self, new: ParsedSource) -> set[str]:
        """Functions whose behaviour changed: recoded ones and, transitively, module functions
        whose body refers to one (``X = compute()`` re-runs when ``compute``'s helper changed)."""
        # A function reading a global that was rebound behaves differently too.
        seeds = self.recoded | self.dirty
        if self._affected_for == seeds:
            return self._affected_names
        affected = set(seeds)
        functions = new.functions
        while True:
            # The functions whose body reads an affected name (a body a skeleton parse left
            # unparsed is parsed only if its text names one: see ``_body_reads``).
            more = {
                s.name for s in functions if s.name not in affected and _body_reads(s, affected)
            }
            if not more:
                break
            affected |= more  # type: ignore[arg-type]
        affected -= self.dirty - self.recoded  # plain values are dirty, not "called"
        affected |= {n for n in self.recoded}
        self._affected_for = seeds
        self._affected_names = affected
        return affected

    def tail_reached(self, tail: list[Statement], new: ParsedSource) -> bool:
        """Whether :meth:`reached` holds for any of ``tail`` (one pass over their name sets)."""
        if not tail or not (self.dirty or self.recoded):
            return False
        reads = frozenset().union(*[s.reads for s in tail])
        return self.sees_change(reads, frozenset().union(*[s.calls for s in tail]), new)


def _body_reads(stmt: Statement, names: set[str]) -> bool:
    """Whether ``stmt``'s body reads one of ``names``; a body a skeleton parse left unparsed
    (see :mod:`hotswap._engine.skeleton`) is parsed only if its text holds one of them."""
    reads = stmt.body_reads
    if reads is None:
        # (For a few names: a checkout's hundreds would cost a search each, in every body.)
        if len(names) <= _FEW and is_lazy(stmt.node) and not may_read(stmt.node, names):
            return False
        reads = stmt.reads_in_body()
    return not reads.isdisjoint(names)


_FEW = 8  # names a body's text is searched for before it is parsed for its reads
