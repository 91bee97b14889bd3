"""Requests in progress and a save being applied never overlap.

A server under the runner serves requests on its own threads (or event loop) while the watcher
thread applies a save. Without a gate, a request could run its first function from the old code
and its second from the new. With it, a save waits until the requests in progress have finished
and holds new requests back while it applies (a few milliseconds); every request is served
entirely by the old code or entirely by the new.

The integrations wrap each framework's request entry (``Flask.wsgi_app``, ``Starlette.__call__``
for HTTP, Django's ``WSGIHandler.__call__``) with :meth:`Gate.enter`/:meth:`Gate.leave` (or
:meth:`Gate.aenter` in an event loop); the watcher applies inside :meth:`Gate.applying`. A
request that runs longer than ``patience`` (a stream, a long poll) does not hold a save back for
ever: the save is applied anyway and says so. A save started from inside a request
(``hotswap.checkpoint()`` in a view) does not wait for that request.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # (asyncio is 40 ms to import; a request in an event loop has it already)
    import asyncio

_INSIDE: contextvars.ContextVar[int] = contextvars.ContextVar("hotswap_request", default=0)


class Gate:
    def __init__(self, patience: float = 5.0) -> None:
        self.patience = patience
        self._cond = threading.Condition()
        self._active = 0  # requests in progress
        self._applying = False
        self._sleepers: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    # -- requests --------------------------------------------------------------------------------

    def enter(self) -> None:
        """A request starts (thread servers): waits while a save applies."""
        with self._cond:
            while self._applying:
                self._cond.wait()
            self._active += 1
        _INSIDE.set(_INSIDE.get() + 1)

    async def aenter(self) -> None:
        """A request starts (an event loop): waits, without blocking the loop, while a save
        applies."""
        while True:
            with self._cond:
                if not self._applying:
                    self._active += 1
                    break
                import asyncio

                loop = asyncio.get_running_loop()
                woken: asyncio.Future[None] = loop.create_future()
                self._sleepers.append((loop, woken))
            await woken
        _INSIDE.set(_INSIDE.get() + 1)

    def leave(self) -> None:
        _INSIDE.set(max(0, _INSIDE.get() - 1))
        with self._cond:
            self._active -= 1
            if self._active <= 0:
                self._active = 0
                self._cond.notify_all()

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    # -- the save --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def applying(self, say: Callable[[list[str]], Any]) -> Iterator[None]:
        """Wait for the requests in progress to end (holding new ones back), then apply."""
        mine = 1 if _INSIDE.get() else 0  # a checkpoint made from inside a request
        with self._cond:
            self._applying = True
            started = time.monotonic()
            told = False
            while self._active > mine:
                waited = time.monotonic() - started
                if waited >= self.patience:
                    say([f"hotswap: applying the save while {self._active - mine} request(s) "
                         f"still run (waited {self.patience:g} s)"])
                    break
                if waited >= 0.2 and not told:
                    told = True
                    say([f"hotswap: waiting for {self._active - mine} request(s) in progress "
                         "before applying the save"])
                self._cond.wait(0.2 if not told else self.patience - waited)
        try:
            yield
        finally:
            with self._cond:
                self._applying = False
                sleepers, self._sleepers = self._sleepers, []
                self._cond.notify_all()
            for loop, woken in sleepers:
                with contextlib.suppress(RuntimeError):  # that loop has closed
                    loop.call_soon_threadsafe(_wake, woken)


def gate_wsgi(
    cls: type, name: str, gate: Gate, seen: Callable[[Any], None] | None = None
) -> Callable[[], None]:
    """Wrap the WSGI entry ``cls.<name>`` (called as ``(self, environ, start_response)``) so
    that each request runs inside ``gate``; return the undo. ``seen`` is told each instance
    that serves a request (an app no module holds, made by a factory inside the server)."""
    original = getattr(cls, name)

    def entry(self: Any, environ: Any, start_response: Any) -> Any:
        with gate.request():  # (inside: a save never iterates what ``seen`` adds to)
            if seen is not None:
                seen(self)
            return original(self, environ, start_response)

    setattr(cls, name, entry)
    return lambda: setattr(cls, name, original)


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)


GATE = Gate()
