"""``hotswap.loop``: run ``state = step(state)`` until ``step`` returns ``hotswap.STOP``, each call
on the newest code.

A loop that is running keeps its own code until it returns (CPython cannot swap the code of a
running frame), so a long-running program written as a loop sees the edits of the functions it
calls but never of its own body. Written as a *step* function called by :func:`loop`, every
iteration is a new call: before each one a checkpoint applies what was saved, through the
same path every front-end uses (``Reloader.check``, or the running watchers' reloaders under
``hotswap run`` and ``hotswap.watch()``), so the call runs the newest code. The checkpoint costs
a poll of the file-event queue when nothing changed.

When ``step`` raises (``on_error="wait"``), the error is printed once, worded as every failure
(``_front.render.failure_lines``: file, line, source line, error), and the loop sleeps until the
next save that reloads something (the inotify descriptor of the tracker, or a reload made by a
watcher thread), then calls ``step`` again with the same state. Ctrl-C ends the loop and
returns the last state.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from hotswap._engine import frames as _frames
from hotswap._front.render import RED, failure_lines, note
from hotswap._report import Problem, Report

T = TypeVar("T")
_HOTSWAP_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_WAKE = 1.0  # seconds between looks at files without events (and at a watcher's reloads)


class _Stop:
    """The value a step returns to end :func:`hotswap.loop`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "hotswap.STOP"

    def __reduce__(self) -> str:
        return "STOP"


STOP: Any = _Stop()


def loop(
    step: Callable[[Any], Any],
    state: Any = None,
    *,
    on_error: Literal["wait", "raise"] = "wait",
) -> Any:
    """Call ``state = step(state)`` until ``step`` returns :data:`hotswap.STOP`; the last state.

    Before each call, saved edits are applied, so ``step`` always runs the newest code (its
    own body included) with the state the last call returned. With ``on_error="wait"`` an
    exception from ``step`` is printed once (file and line) and the loop waits for the next
    save, then retries the same call with the same state; ``on_error="raise"`` lets it
    propagate. Ctrl-C ends the loop; the last state is returned::

        def step(state):
            state["n"] += 1
            return state if state["n"] < 1000 else hotswap.STOP

        hotswap.loop(step, {"n": 0})
    """
    if on_error not in ("wait", "raise"):
        raise ValueError(f"on_error must be 'wait' or 'raise', not {on_error!r}")
    point = Checkpoint()
    try:
        while True:
            point.apply()
            try:
                result = step(state)
            except Exception as exc:
                if on_error == "raise":
                    raise
                note(_failure(step, exc), RED)
                point.wait_for_reload()
                continue
            if result is STOP:
                return state
            state = result
    except KeyboardInterrupt:
        return state
    finally:
        point.close()


class Checkpoint:
    """Applies saved edits before each step, through the watchers that run (``hotswap run``,
    ``hotswap.watch()``) or a :class:`Reloader` of its own, closed by :meth:`close`."""

    def __init__(self) -> None:
        from hotswap._front.watch import _ACTIVE

        self._watches = list(_ACTIVE)
        self._reloader = None
        if not self._watches:
            from hotswap._checkpoint.reloader import Reloader

            self._reloader = Reloader()

    def apply(self) -> Report | None:
        if self._reloader is not None:
            from hotswap._front.render import Show, print_report

            report = self._reloader.check()
            if report:
                print_report(report, Show())
            return report
        result: Report | None = None
        for watch in self._watches:
            if watch.running:
                report = watch.check_now()
                if result is None:
                    result = report
                else:
                    result.merge(report)
        return result

    def wait_for_reload(self) -> None:
        """Return after the next reload that changes something (ours or a watcher's)."""
        from hotswap._detect.tracker import TRACKER

        start = _frames.reloads()
        seen = TRACKER.events_seen()
        while True:
            if getattr(TRACKER.watcher, "fileno", None) is not None:
                TRACKER.wait_for_events(seen, _WAKE)
                seen = TRACKER.events_seen()
            else:
                with _frames.RELOADS:
                    _frames.RELOADS.wait_for(lambda: _frames.reloads() != start, _WAKE)
            self.apply()
            if _frames.reloads() != start:
                return

    def close(self) -> None:
        if self._reloader is not None:
            self._reloader.close()
            self._reloader = None


def _failure(step: Callable[[Any], Any], exc: BaseException) -> list[str]:
    """Lines saying that ``step`` raised, where (its innermost frame in the user's code),
    and that the loop waits for a save to call it again with the same state."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _ours(f.filename)]
    where = frames[-1] if frames else None
    name = getattr(step, "__qualname__", None) or repr(step)
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    problem = Problem(
        getattr(step, "__module__", "") or "",
        where.filename if where is not None else "",
        where.lineno if where is not None else None,
        message,
    )
    head = f"hotswap: {name}() failed; waiting for a save to call it again with the same state"
    return [head, *failure_lines(problem)[1:]]


def _ours(filename: str) -> bool:
    return filename.startswith(_HOTSWAP_DIR)
