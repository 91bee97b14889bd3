"""What the import hook saw each module run, and the early reader of the sources cached bytecode
ran (see :mod:`hotswap._detect.capture`).

An entry is ``[name, path as the finder gave it, the code object, what ran]``. What ran is
``(fingerprint of the read, the bytes read)``; for a module run from cached bytecode, the stat
that validated the cache, until the early reader replaces it by the bytes it read, when the
fingerprint of its read is that stat's (one store into the list, from the reader's thread).
Otherwise the entry stays as it was: the record made of it at the next checkpoint reads its
baseline later, and finds it lost if the file changed (``Record.lost``).

The early reader waits until no module came for :data:`EARLY_AFTER` seconds: reading beside an
import made the import twice as slow (the two threads handing the GIL back and forth at every
system call). So the import is over, or waits, when it reads; an edit made then (the person
switched to the editor after the cell that imported) is compared with what ran.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from types import CodeType
from typing import Any

from hotswap._detect.record import Fingerprint, read_file

EARLY_AFTER = 0.02  # seconds without an import before the early reader reads sources

Captured = list[Any]


class Sources:
    """The entries the import hook made since the last checkpoint took them (``captured``),
    and the early reader of those that ran cached bytecode: a thread started with the first
    Reloader (:meth:`start`, never inside an import: starting a thread waits for it to run,
    a tenth of a millisecond of a small project's import), woken by the first such entry."""

    def __init__(self) -> None:
        self.captured: deque[Captured] = deque()
        self._early: deque[Captured] = deque()
        self._reader: threading.Thread | None = None
        self._wake = threading.Event()
        self._busy = False  # reading a batch (see ``read``)
        self._count = 0  # entries captured (a count that moves, not exact: see ``quiet``)
        if hasattr(os, "register_at_fork"):  # a forked child has no reader thread: start one
            os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._reader = None
        self._wake = threading.Event()
        self._busy = False  # (started again by the child's first import from a cache)

    def start(self) -> None:
        """Start the early reader, if it is not running."""
        reader = self._reader
        if reader is None or not reader.is_alive():
            self._reader = threading.Thread(
                target=self._read_early, name="hotswap-sources", daemon=True
            )
            self._reader.start()

    def capture(
        self,
        name: str,
        path: str,
        fingerprint: Fingerprint | os.stat_result,
        data: bytes | None,
        code: CodeType,
    ) -> None:
        """The import hook's sink (any thread): the bytes a module is about to execute and the
        fingerprint of their read, or None and the stat that validated its cached bytecode
        (the early reader reads that source in a moment); and the code it runs."""
        if data is not None:
            self.captured.append([name, path, code, (fingerprint, data)])
            self._count += 1
            return
        entry = [name, path, code, fingerprint]
        self.captured.append(entry)
        self._early.append(entry)
        self._count += 1
        if not self._wake.is_set():
            self._wake.set()
            if self._reader is None:  # (a forked child's first import)
                self.start()

    def _read_early(self) -> None:
        early = self._early
        while True:
            self._wake.wait()
            self.quiet()  # until no module came for a moment
            self._busy = True
            self._wake.clear()  # (an entry captured from now on wakes it again)
            while early:
                try:
                    entry = early.popleft()
                except IndexError:
                    break
                stat = entry[3]
                if isinstance(stat, os.stat_result):
                    try:
                        data, fingerprint = read_file(entry[1])
                    except OSError:
                        continue
                    if fingerprint == Fingerprint.of(stat):
                        entry[3] = (fingerprint, data)
            self._busy = False

    def quiet(self, seconds: float = EARLY_AFTER) -> None:
        """Return once no module was imported for ``seconds`` (a thread that would take the
        GIL from an import waits here first)."""
        count = -1
        while count != self._count:
            count = self._count
            time.sleep(seconds)

    def read(self, timeout: float) -> bool:
        """Wait until the early reader has read what it was given (tests); True when so."""
        deadline = time.monotonic() + timeout
        while self._early or self._busy or self._wake.is_set():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True
