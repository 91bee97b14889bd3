"""Which watched files changed: the records of watched modules, events, fingerprints, hashes.

Each watched module has a :class:`~hotswap._detect.record.Record`: its file, the fingerprint
``(mtime_ns, ctime_ns, size, inode)`` and a content digest of the bytes it was executed from.

The :class:`Tracker` is one object shared by every Reloader in the process, made of parts with
one job each, in a line of bases: :mod:`~hotswap._detect.routes` (its state, and how file
events reach records), :mod:`~hotswap._detect.indexing` (the importer index kept current),
:mod:`~hotswap._detect.baselines` (what each module executes) and
:mod:`~hotswap._detect.polling` (what changed, at a checkpoint). This module adds the import
hook's lifetime (the first Reloader installs it, the last removes it) and the hand-over of the
parses the preparer thread (:mod:`hotswap._detect.prepare`) made ahead of a checkpoint.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from typing import Any

from hotswap._detect.baselines import EAGER_BASELINES
from hotswap._detect.capture import CaptureFinder
from hotswap._detect.events import default_watcher
from hotswap._detect.polling import Polling
from hotswap._detect.prepare import AT_ONCE
from hotswap._detect.record import (
    RACY_NS,
    Changed,
    Fingerprint,
    Record,
    Unreadable,
    digest,
    read_file,
)
from hotswap._detect.scope import library_roots

__all__ = [
    "EAGER_BASELINES",
    "RACY_NS",
    "TRACKER",
    "Changed",
    "Fingerprint",
    "Record",
    "Tracker",
    "Unreadable",
    "digest",
    "read_file",
]


class Tracker(Polling):
    """Records of watched modules, shared by every Reloader in the process."""

    def __init__(self) -> None:
        super().__init__()
        self._users = 0
        self._finder: CaptureFinder | None = None
        # Parses the preparer thread made ahead of a checkpoint (name -> (digest, parse)),
        # handed over under ``_preparing`` (see ``parsed``).
        self._preparing = threading.Lock()
        self._prepared: dict[str, tuple[bytes, Any]] = {}

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._finder is None:
                library_roots()  # computed now: sysconfig cannot be asked from inside an import
                self._finder = CaptureFinder(self.sources.capture, self.pushed)
                self.sources.start()  # (here, not on the first import: see ``Sources``)
                sys.meta_path.insert(0, self._finder)
                self._start_watcher(default_watcher())

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users <= 0 and self._finder is not None:
                with contextlib.suppress(ValueError):  # someone else removed it
                    sys.meta_path.remove(self._finder)
                self._finder = None
                self._users = 0
                self._unread = []  # the reader thread ends at its next look
                # Unread baselines cannot be proven without events: the next Reloader
                # registers those modules again, with the file as it is then.
                for name in [n for n, r in self.records.items() if r.pending]:
                    self.forget(name)
                self._start_watcher(None)

    def prepare(self, record: Record, parse: Callable[[Record], Any]) -> bool:
        """Parse ``record``'s executing source for its coming reload, if its file now holds
        something else (the preparer's thread); True when a parse was handed over."""
        if record.pending or record.parsed is not None or record.digest is None:
            return False
        if self._prepared.get(record.name, (None,))[0] == record.digest:
            return False
        try:
            data, _fingerprint = read_file(record.path)
        except OSError:
            return False
        if digest(data) == record.digest:
            return False  # touched, or saved back: nothing to reload
        with self._preparing:
            token = record.digest
            if record.parsed is not None or token is None:
                return False  # the checkpoint came first
            parsed = parse(record)
            if parsed is None:
                return False
            while len(self._prepared) >= AT_ONCE:
                del self._prepared[next(iter(self._prepared))]
            self._prepared[record.name] = (token, parsed)
        return True

    def parsed(self, record: Record, parse: Callable[[Record], Any]) -> Any:
        """``record.parsed``, taken from the preparer when it parsed the text the module still
        executes, else parsed now; under the lock the preparer parses under, so that a text is
        never parsed twice at once."""
        with self._preparing:
            if record.parsed is None:
                token, parsed = self._prepared.pop(record.name, (None, None))
                if token is None or token != record.digest:
                    parsed = parse(record)
                record.parsed = parsed
            return record.parsed


TRACKER = Tracker()
Record.resolver = TRACKER.resolve
