"""What hotswap knows about one watched module, and how a file's state is told apart.

A :class:`Record` holds a module's file, the fingerprint ``(mtime_ns, ctime_ns, size, inode)``
and a content digest of the bytes the module was executed from (and their text, parsed lazily).
A fingerprint that moved says "look again"; only a different digest says "changed".

The executed bytes of a module never edited are compressed (zlib; a project's sources shrink
about fourfold) and written to the spill file (:mod:`hotswap._detect.spill`), out of the process
heap; the record keeps their address, and decodes them only when asked, after checking them
against its digest. A module that reloaded keeps its text decoded (and parsed), as it is likely
to be edited again.

Two judgements on a file's state live here too: whether new content looks like a save caught
half-written (:func:`half_written`), and which symbolic links lead to a directory
(:func:`resolve_directory`), as a watch must follow them.
"""

from __future__ import annotations

import os
import re
import sys
import time
import zlib
from collections.abc import Callable
from types import CodeType
from typing import TYPE_CHECKING, Any, NamedTuple

from hotswap._detect.spill import SPILL
from hotswap._detect.text import SourceError, decode
from hotswap._report import Problem

if TYPE_CHECKING:
    from hotswap._detect.outline import Facts, Outline
    from hotswap._detect.reads import Reads
    from hotswap._engine.source import ParsedSource

try:  # CPython's built-in BLAKE2: importing hashlib would also load OpenSSL (milliseconds)
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b as _blake2b

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
    return _blake2b(data, digest_size=16).digest()


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_file(path: str) -> tuple[bytes, Fingerprint]:
    """The file's bytes and the fingerprint of exactly those bytes (fstat of the open file).

    With ``os.open``/``os.read``, not ``open()``: the import hook reads the source of every
    module it imports, and a buffered file object cost 17 us a module where these system
    calls and the fingerprint cost 10 (120 small modules: 2.1 -> 1.3 ms of a 14 ms import)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        st = os.fstat(fd)
        want = st.st_size + 1
        data = os.read(fd, want)
        if len(data) == want:  # it grew since the fstat: read on to its end
            parts = [data]
            while chunk := os.read(fd, 1 << 20):
                parts.append(chunk)
            data = b"".join(parts)
        # (A shorter read of a regular file ends at its end: POSIX read(2).)
        return data, Fingerprint.of(st)
    finally:
        os.close(fd)


# Records whose last content failed (``Record.fail``), in the order they failed: retried when
# a module they import reloads (``_checkpoint.apply``).
FAILED: dict[Record, None] = {}


class Record:
    """What hotswap knows about one watched module.

    ``digest``/``text`` are None when the executed source is unknown (the module predates
    tracking and its file changed before it was read). A *pending* record has not been read yet:
    its baseline is the file as it was when it was registered, read on first use of ``text``
    (see :meth:`Tracker.resolve`).
    """

    # Reads a pending baseline (the tracker's ``resolve``; set when the tracker is made).
    resolver: Callable[[Record], None] | None = None

    __slots__ = (
        "_bytes", "_reads", "_text", "bound", "digest", "failed_data", "failed_digest",
        "failed_needs", "failure", "fingerprint", "gone", "held", "name", "outline", "parsed",
        "path", "pending", "racy", "real", "removed",
    )

    def __init__(
        self,
        name: str,
        path: str,
        fingerprint: Fingerprint | None,
        digest: bytes | None,
        text: str | None,
        parsed: ParsedSource | None = None,
    ) -> None:
        self.name = name
        self.path = path
        self.fingerprint = fingerprint
        self.digest = digest
        self._text = text
        # The executed bytes when ``_detect.text`` is not decoded: (compressed?, bytes), or the
        # address of the compressed bytes in the spill file; one slot, so that the background
        # packer swaps them at once.
        self._bytes: tuple[bool, bytes] | int | None = None
        self.parsed = parsed
        # Where the function bodies of a large executing source lie, made in idle time (see
        # ``_detect.outline``): its first parse parses a skeleton. Checked by its digest.
        self.outline: Outline | None = None
        # What the module's import-time code reads (from the code object the import hook saw;
        # see ``reads``), held as tuples: a frozenset of a few names takes five times the room.
        self._reads: tuple[tuple[str, ...], ...] | CodeType | None = None
        self.racy = False
        # The file last seen looking half-written (an in-place save caught between its
        # truncation and its write, or between two chunks; see ``_detect.record.half_written``):
        # applied only if a later checkpoint sees it again.
        self.held: Fingerprint | None = None
        self.gone = False  # the file was missing at the last poll (said once)
        # The file's path with its directory resolved, when symbolic links lead to it (the
        # path that is watched; see ``Tracker._through_links``).
        self.real: str | None = None
        self.pending = False  # baseline not read yet (see the module docstring)
        self.failed_digest: bytes | None = None  # content that failed: not retried unchanged
        self.failed_data: bytes | None = None  # ...but retried when a dependency changes
        self.failed_needs: set[str] | None = None  # the modules it imports (once known)
        self.failure: Problem | None = None
        # Definitions earlier reloads removed, by qualified name (see _graves); made at the
        # first reload, as most modules are never edited.
        self.removed: dict[str, Any] | None = None
        # The names its executed code bound, kept when that code's source was lost before it
        # was read (``lost``): what a reload with no old source removes if no longer bound.
        self.bound: tuple[str, ...] | None = None

    @property
    def reads(self) -> Reads | None:
        """What the module's import-time code reads; None when unknown (then the parse tells,
        see ``_checkpoint.apply``)."""
        self.work_out_reads()
        held = self._reads
        if held is None:
            return None
        assert not isinstance(held, CodeType)
        from hotswap._detect.reads import Reads

        names, called, bases = held
        return Reads(frozenset(names), frozenset(called), frozenset(bases))

    @reads.setter
    def reads(self, value: Reads | None) -> None:
        if value is None:
            self._reads = None
            return
        # Attribute chains (``K.m``) are made by concatenation: shared between modules once
        # interned; plain names come from ``co_names``, which the compiler interns already.
        intern = sys.intern
        self._reads = (
            tuple(value.names),
            tuple(map(intern, value.called)),
            tuple(value.bases),
        )

    def calls(self) -> tuple[str, ...] | None:
        """What :attr:`reads` says its import-time code calls, without making sets (None
        when unknown)."""
        self.work_out_reads()
        held = self._reads
        return None if held is None or isinstance(held, CodeType) else held[1]

    def read_later(self, code: CodeType) -> None:
        """What ``code`` (the module's, as the import hook saw it run) reads is worked out when
        first asked, by the background reader or a reload: 15 microseconds a module that the
        import no longer pays."""
        self._reads = code

    def work_out_reads(self) -> None:
        """Turn the code held by :meth:`read_later` into what it reads (any thread; twice is
        harmless)."""
        held = self._reads
        if isinstance(held, CodeType):
            from hotswap._detect.reads import import_time_reads

            if self.pending:  # (the code is all that is known of it until it is read)
                self.lost()
            self.reads = import_time_reads(held)

    def lost(self) -> None:
        """Its baseline will not be read (the file changed before it was), or may not be (its
        code is about to be dropped before the read): keep what its executed code bound, if
        that code is at hand (see ``bound``)."""
        held = self._reads
        if isinstance(held, CodeType):
            from hotswap._detect.reads import import_time_binds

            self.bound = import_time_binds(held)

    def graves(self) -> dict[str, Any]:
        """The module's kept removed definitions (see :mod:`hotswap._engine.graves`)."""
        if self.removed is None:
            self.removed = {}
        return self.removed

    def __repr__(self) -> str:
        return f"<Record {self.name} {self.path}>"

    @property
    def text(self) -> str | None:
        """The source the module executes (None if unknown or undecodable)."""
        if self.pending and Record.resolver is not None:
            Record.resolver(self)
        text = self._text
        if text is None and self._bytes is not None:
            data = self._executed()
            text = None if data is None else decode_or_none(data, self.path)
        return text

    @text.setter
    def text(self, value: str | None) -> None:
        self._text = value
        self._bytes = None

    def _executed(self) -> bytes | None:
        """The held executed bytes; read back from the spill file and checked against the
        digest, else from the module's file if it still holds them, else None (then the
        executed source is unknown from now on: see :mod:`hotswap._detect.spill`)."""
        held = self._bytes
        if isinstance(held, tuple):
            zipped, data = held
            return zlib.decompress(data) if zipped else data
        if held is None:
            return None
        packed = SPILL.get(held)
        if packed is not None:
            try:
                data = zlib.decompress(packed)
            except zlib.error:
                pass
            else:
                if digest(data) == self.digest:
                    return data
        try:
            data, _fingerprint = read_file(self.path)
        except OSError:
            data = b""
        found = digest(data) == self.digest
        if self._bytes is held:  # not replaced meanwhile (a reload)
            self._bytes = (False, data) if found else None
        return data if found else None

    def pack(self) -> None:
        """Compress the held baseline bytes and spill them out of the heap (the background
        reader does it, off the session's critical path: ``zlib`` releases the GIL while it
        works); kept compressed in memory if the spill cannot take them."""
        held = self._bytes
        if isinstance(held, tuple) and not held[0]:
            packed = zlib.compress(held[1], 6)
            address = SPILL.put(packed)
            if self._bytes is held:  # not replaced meanwhile
                self._bytes = (True, packed) if address is None else address

    def keep(self, data: bytes, fingerprint: Fingerprint, hashed: bytes = b"") -> None:
        """``data`` is what the module executes; hold the bytes, decode them when asked."""
        self.settle(data, fingerprint, None, hashed)
        self._text = None
        self._bytes = (False, data)
        self.parsed = None

    def seen(self, fingerprint: Fingerprint) -> None:
        """The file at ``fingerprint`` has been looked at; stat it again only when it moves."""
        self.fingerprint = fingerprint
        self.racy = time.time_ns() - fingerprint.mtime_ns < RACY_NS
        self.gone = False

    def settle(
        self, data: bytes, fingerprint: Fingerprint, text: str | None, hashed: bytes = b""
    ) -> None:
        """``data`` is now what the module executes (``hashed``: its digest, if known)."""
        self.seen(fingerprint)
        self.digest = hashed or digest(data)
        self.bound = None
        self.failed_digest = self.failed_data = self.failed_needs = None
        FAILED.pop(self, None)
        self.failure = None  # also when a broken save is undone back to the executing text
        if text is not None:
            self._text = text
            self._bytes = None
            self.parsed = None
        if self.outline is not None and self.outline.digest != self.digest:
            self.outline = None

    def wants_outline(self) -> bool:
        """Whether the executing bytes it holds (not packed yet) are a large source: one the
        background reader outlines once the imports settled (see ``_detect.outline``)."""
        from hotswap._detect.outline import LARGE

        held = self._bytes
        return isinstance(held, tuple) and not held[0] and len(held[1]) >= LARGE

    def executing_outline(self) -> Outline | None:
        """The outline of the source it executes, if one was made from it."""
        outline = self.outline
        return outline if outline is not None and outline.digest == self.digest else None

    def make_outline(self, facts: Facts | None = None) -> None:
        """Outline the executing source (idle time: a whole parse of it, kept small); ``facts``:
        the engine's (see ``_detect.outline.outline``)."""
        from hotswap._detect.outline import outline

        digest = self.digest
        text = self.text
        if text is None or digest is None:
            return
        made = outline(text, digest, facts)
        if made is not None and self.digest == digest:  # (not reloaded meanwhile)
            self.outline = made

    def fail(self, data: bytes, fingerprint: Fingerprint, hashed: bytes = b"") -> None:
        self.seen(fingerprint)
        self.failed_digest = hashed or digest(data)
        self.failed_data = data
        self.failed_needs = None
        FAILED[self] = None


class Pushed:
    """A module's source of truth given as text (``Reloader.apply_sources``), not its file.

    ``stale`` is the digest of the file's content when the text was applied (or imported): that
    copy is not an edit. None until the module runs the text.
    """

    __slots__ = ("data", "stale")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.stale: bytes | None = None


class Changed(NamedTuple):
    record: Record
    data: bytes
    fingerprint: Fingerprint
    hashed: bytes = b""  # digest of ``data`` when detection computed it


class Unreadable(NamedTuple):
    """A watched file that could not be taken as the module's new source now."""

    record: Record
    reason: str
    waiting: bool = False  # nothing failed: the file is kept, and looked at again later


def decode_or_none(data: bytes, path: str) -> str | None:
    """The text of ``data`` as the import system would decode it, or None if it cannot."""
    try:
        return decode(data, path)
    except SourceError:
        return None


def resolve_directory(directory: str) -> tuple[str, tuple[str, ...]]:
    """``directory`` resolved, and the symbolic links among its parts (one ``realpath`` and
    one ``lstat`` per part, once per directory: a project has few)."""
    real = os.path.realpath(directory)
    if real == directory:
        return real, ()
    links = []
    prefix = ""
    for part in directory.split(os.sep)[1:]:
        prefix = prefix + os.sep + part
        if os.path.islink(prefix):
            links.append(prefix)
    return real, tuple(links)


_DEFINITION = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+(\w+)", re.MULTILINE)


def half_written(record: Record, data: bytes) -> str | None:
    """Why ``data``, the new content of ``record``'s file, looks like a save caught while it
    was being written, or None. The rule (README, "What is reloaded"): the file is empty while
    it had content; or it ends in the middle of a line (a save's first chunk is cut at a byte
    count, while editors end a file at a line) and either does not compile or lost more than
    half of its top-level definitions (two at least)."""
    if not data.strip():
        was = record.fingerprint
        return "file is empty" if was is not None and was.size else None
    if data.endswith((b"\n", b"\r")):
        return None
    text = decode_or_none(data, record.path)
    if text is None:
        return None
    import ast  # here: a checkpoint that finds nothing never needs it

    try:
        compile(text, record.path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"file ends in the middle of a statement (line {exc.lineno})"
    except ValueError:  # null bytes: not a save being written
        return None
    old = record.text
    if old is None:
        return None
    before = set(_DEFINITION.findall(old))
    lost = before - set(_DEFINITION.findall(text))
    if len(lost) >= 2 and 2 * len(lost) > len(before):
        return (
            f"file lost {len(lost)} of its {len(before)} top-level definitions and ends "
            "in the middle of a line"
        )
    return None
