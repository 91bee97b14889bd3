"""Which watched files changed: fingerprints, content hashes, and the source-capturing import hook.

Each watched module has a :class:`Record`: its file, the fingerprint ``(mtime_ns, ctime_ns, size,
inode)`` and a content digest of the bytes it was executed from. ``Tracker.poll`` stats each
record's file; a fingerprint that differs (or one still *racy*: taken less than two seconds after
the file's mtime, when a second save in the same timestamp tick would leave it equal) makes it
read and hash the file, and only a different digest counts as a change. So a touch never
reloads, and an edit that restores the old mtime is still seen (ctime and inode move).

The exact bytes a module was executed from are captured at import time by a meta-path finder that
the first :class:`hotswap.Reloader` installs (and the last one removes): it wraps the plain
``SourceFileLoader`` of user modules so that ``get_code`` reads the file once, remembers those
bytes with their fingerprint, and compiles exactly them. An edit made right after an import is
therefore never mistaken for the baseline.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import CodeType, ModuleType
from typing import Any, NamedTuple

from hotswap._report import Problem
from hotswap._scope import is_user_file, library_roots, source_file, watched_modules
from hotswap._source import ParsedSource

RACY_NS = 2_000_000_000


class Fingerprint(NamedTuple):
    mtime_ns: int
    ctime_ns: int
    size: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> Fingerprint:
        return cls(st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def read_file(path: str) -> tuple[bytes, Fingerprint]:
    """The file's bytes and the fingerprint of exactly those bytes (fstat of the open file)."""
    with open(path, "rb") as handle:
        st = os.fstat(handle.fileno())
        return handle.read(), Fingerprint.of(st)


@dataclass(eq=False)
class Record:
    """What hotswap knows about one watched module."""

    name: str
    path: str
    fingerprint: Fingerprint | None
    digest: bytes | None  # None: the executed source is unknown (module predates tracking)
    text: str | None
    parsed: ParsedSource | None = None
    racy: bool = False
    gone: bool = False  # the file was missing at the last poll (said once)
    failed_digest: bytes | None = None  # content that failed to reload: not retried unchanged
    failed_data: bytes | None = None  # ...but retried when a dependency changes
    failure: Problem | None = None

    def seen(self, fingerprint: Fingerprint) -> None:
        """The file at ``fingerprint`` has been looked at; stat it again only when it moves."""
        self.fingerprint = fingerprint
        self.racy = time.time_ns() - fingerprint.mtime_ns < RACY_NS
        self.gone = False

    def settle(self, data: bytes, fingerprint: Fingerprint, text: str | None) -> None:
        """``data`` is now what the module executes."""
        self.seen(fingerprint)
        self.digest = digest(data)
        self.failed_digest = self.failed_data = None
        if text is not None:
            self.text = text
            self.parsed = None

    def fail(self, data: bytes, fingerprint: Fingerprint) -> None:
        self.seen(fingerprint)
        self.failed_digest = digest(data)
        self.failed_data = data


class Changed(NamedTuple):
    record: Record
    data: bytes
    fingerprint: Fingerprint


class Unreadable(NamedTuple):
    record: Record
    reason: str


class Tracker:
    """Records of watched modules, shared by every Reloader in the process."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.captured: dict[str, tuple[str, Fingerprint, bytes]] = {}
        self._lock = threading.Lock()
        self._users = 0
        self._finder: _CaptureFinder | None = None
        self._scanned = False

    # -- the import hook ---------------------------------------------------------------------

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._finder is None:
                library_roots()  # computed now: sysconfig cannot be asked from inside an import
                self._finder = _CaptureFinder(self)
                sys.meta_path.insert(0, self._finder)

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users <= 0 and self._finder is not None:
                with contextlib.suppress(ValueError):  # someone else removed it
                    sys.meta_path.remove(self._finder)
                self._finder = None
                self._users = 0

    # -- records -----------------------------------------------------------------------------

    def scan(self) -> None:
        """Register every user module already loaded (once per process, or on demand)."""
        for name, (module, path) in watched_modules().items():
            if name not in self.records or self.records[name].path != path:
                self.register(name, module, path)
        self._scanned = True

    def ensure_scanned(self) -> None:
        if not self._scanned:
            self.scan()

    def discover(self) -> None:
        """Register modules the import hook saw being executed since the last call."""
        if not self.captured:
            return
        with self._lock:
            captured, self.captured = self.captured, {}
        for name, (path, fingerprint, data) in captured.items():
            module = sys.modules.get(name)
            if module is None or source_file(module) != path:
                continue  # the import failed, or the module replaced itself
            record = Record(name, path, None, None, None)
            record.settle(data, fingerprint, _decode_or_none(data, path))
            self.records[name] = record

    def register(self, name: str, module: ModuleType, path: str) -> Record:
        """Track a module imported without the hook: its file now is taken as the baseline."""
        try:
            data, fingerprint = read_file(path)
        except OSError:
            record = Record(name, path, None, None, None)
        else:
            record = Record(name, path, None, None, None)
            record.settle(data, fingerprint, _decode_or_none(data, path))
        self.records[name] = record
        return record

    def forget(self, name: str) -> None:
        self.records.pop(name, None)

    def poll(self, names: Sequence[str]) -> tuple[list[Changed], list[Unreadable]]:
        """The records among ``names`` whose file content differs from what is executing."""
        changed: list[Changed] = []
        unreadable: list[Unreadable] = []
        for name in names:
            record = self.records.get(name)
            if record is None:
                continue
            try:
                st = os.stat(record.path)
            except FileNotFoundError:
                if not record.gone:
                    record.gone = True
                    unreadable.append(Unreadable(record, "file was deleted"))
                continue
            except OSError as exc:
                unreadable.append(Unreadable(record, f"cannot stat: {exc.strerror or exc}"))
                continue
            if Fingerprint.of(st) == record.fingerprint and not record.racy:
                continue
            try:
                data, fingerprint = read_file(record.path)
            except IsADirectoryError:
                if not record.gone:
                    record.gone = True
                    unreadable.append(Unreadable(record, "the file was replaced by a directory"))
                continue
            except OSError as exc:
                unreadable.append(Unreadable(record, f"cannot read: {exc.strerror or exc}"))
                continue
            current = digest(data)
            if current == record.digest:
                record.settle(data, fingerprint, None)  # touched, or a failed edit undone
                continue
            if current == record.failed_digest:
                record.seen(fingerprint)  # the same broken content: wait for the next edit
                continue
            changed.append(Changed(record, data, fingerprint))
        return changed, unreadable


def _decode_or_none(data: bytes, path: str) -> str | None:
    from hotswap._source import SourceError, decode

    try:
        return decode(data, path)
    except SourceError:
        return None


TRACKER = Tracker()


class _CapturingLoader(importlib.machinery.SourceFileLoader):
    """Executes exactly the bytes it read, and hands them to the tracker."""

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        data, fingerprint = read_file(path)
        TRACKER.captured[fullname] = (os.path.abspath(path), fingerprint, data)
        code: CodeType = self.source_to_code(data, path)
        return code


class _CaptureFinder:
    """First on ``sys.meta_path``: asks the other finders, wraps the loader of user modules."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, _CaptureFinder):
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is None:
                continue
            loader = spec.loader
            try:
                if (
                    type(loader) is importlib.machinery.SourceFileLoader
                    and isinstance(spec.origin, str)
                    and is_user_file(os.path.abspath(spec.origin))
                ):
                    spec.loader = _CapturingLoader(loader.name, loader.path)
            except Exception:
                pass
            return spec
        return None

    def invalidate_caches(self) -> None:
        pass
