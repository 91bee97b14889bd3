"""A checkpoint's batch: heap work gathered from its transactions and done once at its end.

A whole-heap scan (``gc.get_referrers``, or a pass over ``gc.get_objects()``) costs 0.1-0.4 s
with a large project loaded; a branch checkout applies hundreds of modules, and each used to
scan twice or more for itself (83% of a 506 s sympy 1.13.3 -> 1.14.0 checkout). While a
checkpoint is open (:func:`checkpoint`, around ``_checkpoint.apply``'s walk), each transaction
hands over the holders it needs redirected (``_engine.redirect.redirect_many``) and the inner
codes whose closures need the new code (:func:`retarget_closures`), and what it does with the
live instances of its classes (:func:`on_instances`: forgetting stale ``cached_property``
values, counting the instances a replaced class leaves behind); a transaction that rolls back
takes them back (an undo record in its journal). When every module of the save has applied,
one scan finds the instances, one retargets the closures and one (two with the wrappers around
old objects) redirects.

What a module later in the same save computed, at import time, by calling through such a
holder before the scan used the old object; holders it made (a copy of a registry) are found by
the scan like any other. A framework integration's ``after`` hook gets its module's at once
(it reads its registries).

For a save of :data:`MANY` modules or more, full collections of the garbage collector wait
until it has applied, and the modules' parses are let go (:func:`let_go_of_parses`).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import traceback
import types
from collections.abc import Callable, Iterator
from typing import Any

from hotswap._detect.tracker import TRACKER, Record
from hotswap._engine.functions import remember_users
from hotswap._engine.journal import Journal
from hotswap._engine.redirect import Redirect, redirect_many, referrers
from hotswap._report import Problem, Report


@contextlib.contextmanager
def checkpoint(report: Report, modules: int) -> Iterator[list[str]]:
    """Gather the heap work of the transactions run inside; do it at the end, in one scan
    each, and report its warnings (and errors: none expected) in ``report``. Yields the list
    the caller fills with the modules that applied; for a save of :data:`MANY` modules or
    more, full collections wait and their parses are let go (:func:`let_go_of_parses`)."""
    many = modules >= MANY
    succeeded: list[str] = []
    with one_scan() as batch, full_collections_put_off(many):
        try:
            yield succeeded
            if many:
                let_go_of_parses(succeeded)
        finally:
            warnings, failures = batch.flush()
            for module, path, line, message in warnings:
                report.warnings.append(Problem(module, path, line, message))
            for module, path, exc in failures:
                message = (
                    f"internal error (a bug in hotswap): {type(exc).__name__}: {exc}; the module "
                    "was reloaded, references to its replaced objects held elsewhere may not follow"
                )
                report.errors.append(Problem(module, path, None, message))


Nested = dict[int, tuple[types.CodeType, types.CodeType]]  # id(old inner code) -> (old, new)
InstanceWork = tuple[
    str, str, int | None, frozenset[type], Callable[[list[Any], Journal], str | None]
]


class Batch:
    """The redirections and closure retargets of the transactions one checkpoint committed,
    made in one scan each when it ends. A transaction that rolls back takes its own back
    (its journal's undo record)."""

    def __init__(self) -> None:
        # (module, path, its redirections, what must live as long: ids in ``skip`` name them)
        self.entries: list[tuple[str, str, list[Redirect], object]] = []
        # (module, path, its inner codes, ids of the functions replaced: not "stuck")
        self.closures: list[tuple[str, str, Nested, frozenset[int]]] = []
        # (module, path, line, classes, what to do with their live instances: on_instances)
        self.instance_work: list[InstanceWork] = []

    def flush(
        self,
    ) -> tuple[list[tuple[str, str, int | None, str]], list[tuple[str, str, Exception]]]:
        """Make every gathered retarget and redirection (a scan for each); the warnings of
        closures left with old code (module, path, line, message), and the modules whose
        work failed (none expected: each is a bug in hotswap), with the error. A failure
        undoes it all."""
        entries, self.entries = self.entries, []
        closures, self.closures = self.closures, []
        work, self.instance_work = self.instance_work, []
        redirects = [r for _module, _path, mine, _keep in entries for r in mine]
        journal = Journal()
        stuck: dict[types.CodeType, int] = {}
        warnings: list[tuple[str, str, int | None, str]] = []
        try:
            if work:
                every = frozenset().union(*(classes for _m, _p, _l, classes, _then in work))
                found = live_instances(every)
                for module, path, line, classes, then in work:
                    message = then([obj for obj in found if type(obj) in classes], journal)
                    if message:
                        warnings.append((module, path, line, message))
                del found
            if closures:
                nested: Nested = {}
                followed: set[int] = set()
                for _module, _path, mine, replaced in closures:
                    nested.update(mine)
                    followed |= replaced
                stuck = retarget_closures(nested, frozenset(followed), journal)
            redirect_many(redirects, journal)
        except Exception as exc:
            journal.rollback()
            named = [(m, p) for m, p, _r, _k in entries] + [(m, p) for m, p, _n, _f in closures]
            named += [(m, p) for m, p, _l, _c, _t in work]
            return [], [(module, path, exc) for module, path in dict.fromkeys(named)]
        journal.commit()
        for module, path, mine, _replaced in closures:
            for _old, code in mine.values():
                if code in stuck:
                    message = stuck_message(code, stuck.pop(code))
                    warnings.append((module, path, code.co_firstlineno, message))
        return warnings, []


_OPEN: list[Batch] = []  # a stack: a checkpoint run by code a checkpoint runs is its own


@contextlib.contextmanager
def one_scan() -> Iterator[Batch]:
    """While open, :func:`redirect_after_commit` gathers redirections in the batch (the caller
    flushes it); a checkpoint opens one around its transactions."""
    batch = Batch()
    _OPEN.append(batch)
    try:
        yield batch
    finally:
        _OPEN.remove(batch)


def redirect_after_commit(
    redirects: list[Redirect],
    journal: Journal,
    module: str,
    path: str,
    keep: object = None,
    now: bool = False,
) -> None:
    """``redirect_many(redirects, journal)``, at the end of the checkpoint when one is open.

    Holders made later in the checkpoint (a module of the same save copying a registry at
    import time) are found by that one scan as well; what a later module of the save computed
    meanwhile by calling through such a holder used the old object. ``keep``: objects whose
    ids ``skip`` tests, kept alive until the scan (a freed id could name another object by
    then); ``now``: made at once all the same. ``redirects`` is emptied (they are taken)."""
    if not redirects:
        return
    if now or not _OPEN:
        redirect_many(redirects, journal)
    else:
        entries = _OPEN[-1].entries
        entry = (module, path, list(redirects), keep)
        journal.on_rollback(functools.partial(_withdraw, entries, entry))  # (record first)
        entries.append(entry)
    redirects.clear()


def on_instances(
    classes: frozenset[type],
    then: Callable[[list[Any], Journal], str | None],
    journal: Journal,
    module: str,
    path: str,
    line: int | None = None,
) -> str | None:
    """``then(instances, journal)`` with the live instances of ``classes`` (the objects whose
    type is one of them): at the end of the checkpoint when one is open, one heap scan for
    every such request (a scan costs 0.2 s with sympy loaded; a branch checkout asked six
    times), else now. What ``then`` returns is a warning: returned when it ran now, reported
    by the checkpoint (with ``module``, ``path`` and ``line``) otherwise. Withdrawn if the
    transaction of ``journal`` rolls back."""
    if not _OPEN:
        return then(live_instances(classes), journal)
    work = _OPEN[-1].instance_work
    entry = (module, path, line, classes, then)
    journal.on_rollback(functools.partial(_withdraw, work, entry))  # (record first)
    work.append(entry)
    return None


def live_instances(classes: frozenset[type]) -> list[Any]:
    """The live objects whose type is one of ``classes`` (heap-type instances refer to their
    class: one ``gc.get_referrers`` scan)."""
    return [obj for obj in gc.get_referrers(*classes) if type(obj) in classes]


def retarget_after_commit(
    nested: Nested, replaced: frozenset[int], journal: Journal, module: str, path: str
) -> dict[types.CodeType, int] | None:
    """:func:`retarget_closures` now, or at the end of the checkpoint when one is open (then
    None: the checkpoint reports what is stuck). Functions of the same save running an old
    inner code get the new one when the save has applied."""
    if not _OPEN:
        return retarget_closures(nested, replaced, journal)
    closures = _OPEN[-1].closures
    entry = (module, path, dict(nested), replaced)
    journal.on_rollback(functools.partial(_withdraw, closures, entry))  # (record first)
    closures.append(entry)
    return None


def retarget_closures(
    nested: Nested,
    followed: frozenset[int],
    journal: Journal,
    users: list[types.FunctionType] | None = None,
) -> dict[types.CodeType, int]:
    """Give the functions that run an old inner code (closures made before the edit,
    ``inc = make_adder(1)``) its new code, as a fresh run would have made them; how many
    could not take it, by new code (their free variables changed, so their cells cannot
    run it; those in ``followed``, ids of functions replaced, are left to their holders).
    A function refers to its code: they are its referrers (one scan), unless ``users`` are
    all of them (``functions.known_users``: found by an earlier scan)."""
    stuck: dict[types.CodeType, int] = {}
    if users is None:
        found: list[Any] = referrers(tuple(old for old, _new in nested.values()))
    else:
        found = list(users)
    moved: dict[types.CodeType, list[types.FunctionType]] = {}
    for obj in found:
        if type(obj) is not types.FunctionType:
            continue
        entry = nested.get(id(obj.__code__))
        if entry is None or entry[0] is not obj.__code__:
            continue
        if entry[1].co_freevars == obj.__code__.co_freevars:
            journal.setattr(obj, "__code__", entry[1])
            moved.setdefault(entry[1], []).append(obj)
        elif id(obj) not in followed:  # cells are fixed at creation: the new code can't run
            stuck[entry[1]] = stuck.get(entry[1], 0) + 1
    for code, functions in moved.items():
        remember_users(code, functions)  # the next save that moves them needs no scan
    return stuck


def stuck_message(code: types.CodeType, number: int) -> str:
    return (
        f"{code.co_qualname}: {number} function(s) made before the edit keep the old code (the"
        " variables it uses from the enclosing function changed); make them again"
    )


def _withdraw(entries: list[Any], entry: Any) -> None:
    """Undo record of :func:`redirect_after_commit` (by identity: ``==`` on the tuples would
    compare user objects)."""
    for i, found in enumerate(entries):
        if found is entry:
            del entries[i]
            return


# gc's last threshold: how many young (generation 1) collections may pass before a full one.
_NO_FULL = 1 << 30
MANY = 16  # modules in one save (a checkout) for which full collections wait


@contextlib.contextmanager
def full_collections_put_off(many: bool) -> Iterator[None]:
    """CPython's collector runs a full collection once the objects that survived young ones
    reach a quarter of the long-lived ones (``long_lived_pending``, gcmodule.c): a checkpoint
    that parses and runs hundreds of modules sets off several, each walking the whole heap
    of a large project (seconds each with sympy loaded). For ``many`` modules, young
    collections go on as usual and the full one waits until the next young collection after
    the checkpoint (the count of young ones is past the threshold by then). Not for a few:
    a session that mostly reloads would then hardly ever collect fully (its garbage would
    grow). Left alone when the collector is off, and when code that ran changed the
    thresholds."""
    before = gc.get_threshold()
    if not many or not gc.isenabled() or before[0] == 0:
        yield
        return
    ours = (before[0], before[1], _NO_FULL)
    gc.set_threshold(*ours)
    try:
        yield
    finally:
        if gc.get_threshold() == ours:
            gc.set_threshold(*before)


def let_go_of_parses(names: list[str]) -> None:
    """After a save of many modules (a checkout), their parses are let go: the syntax trees
    of hundreds of modules are millions of objects (sympy: over a million nodes for 300
    files), which every heap scan at the end of the checkpoint would walk, and which stay in
    memory. The next edit of one parses it again (ahead of the checkpoint, on its file event:
    see _prepare), as a first edit does."""
    for name in names:
        record = TRACKER.records.get(name)
        if record is not None:
            record.parsed = None


class Guard:
    """Around one step of the checkpoint: a bug in hotswap becomes a reported error of the
    module (naming the place in hotswap that failed), never an exception out of ``check()``.
    ``applied``: the module's own transaction committed already (its importers may lag)."""

    def __init__(self, record: Record, report: Report, applied: bool = False) -> None:
        self.record, self.report, self.applied = record, report, applied

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if not isinstance(exc, Exception):
            return False  # done, or KeyboardInterrupt / SystemExit: those are the user's
        record, report = self.record, self.report
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = (
            f"internal error (a bug in hotswap, at {os.path.basename(where.filename)}:"
            f"{where.lineno}): {type(exc).__name__}: {exc}"
        )
        if self.applied:
            message += "; the module was reloaded, modules importing from it may not follow"
        report.errors.append(Problem(record.name, record.path, None, message))
        if record.name not in report.failed:
            report.failed.append(record.name)
        return True
