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
    and the early reader of those that ran cached bytecode."""

    def __init__(self) -> None:
        self.captured: deque[Captured] = deque()
        self._early: deque[Captured] = deque()
        self._reader: threading.Thread | None = None
        self._count = 0  # entries given to the early reader (a count that moves, not exact)
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):  # a forked child has no reader thread: start one
            os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self._reader = None
        self._lock = threading.Lock()

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
            return
        entry = [name, path, code, fingerprint]
        self.captured.append(entry)
        self._early.append(entry)
        self._count += 1
        if self._reader is None:
            with self._lock:
                if self._reader is None:
                    self._reader = threading.Thread(
                        target=self._read_early, name="hotswap-sources", daemon=True
                    )
                    self._reader.start()

    def _read_early(self) -> None:
        early = self._early
        while True:
            count = -1
            while count != self._count:  # until no module came for a moment
                count = self._count
                time.sleep(EARLY_AFTER)
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
            with self._lock:
                if not early:
                    self._reader = None
                    return

    def read(self, timeout: float | None = None) -> bool:
        """Wait for the early reader (tests); True when it is done."""
        reader = self._reader
        if reader is not None:
            reader.join(timeout)
            return not reader.is_alive()
        return True
