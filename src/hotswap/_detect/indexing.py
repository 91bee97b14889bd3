"""The tracker's glue to the importer index: which records import what, kept current.

:class:`~hotswap._detect.imports.ImportIndex` knows who imports what from a scan of each
record's text. A record whose text changed since its last scan (it was just captured, or a
reload gave it a new text) waits in ``_unindexed``: the background reader scans it, or else the
first query that needs it does; so a propagation never misses an importer, and a session that
never propagates pays for the scans off its critical path.
"""

from __future__ import annotations

import threading

from hotswap._detect.edited_imports import same_imports
from hotswap._detect.imports import ImportIndex, Imports, scan
from hotswap._detect.record import Record
from hotswap._detect.routes import Routes


class Indexing(Routes):
    """Who imports what among the records (see :mod:`hotswap._detect.imports`)."""

    def __init__(self) -> None:
        super().__init__()
        # Who imports what (see _imports); records whose text changed since they were last
        # scanned wait in ``_unindexed`` (the background reader scans them, else the next query).
        self.index = ImportIndex()
        self._unindexed: dict[str, None] = {}
        self._index_lock = threading.Lock()

    def forget(self, name: str) -> None:
        with self._index_lock:
            self.index.forget(name)
            self._unindexed.pop(name, None)
        record = self.records.pop(name, None)
        if record is not None:
            self._unroute(record)
        self._dirty.discard(name)
        self._polled.pop(name, None)

    def holders(self, source: str, names: set[str]) -> list[Record]:
        """Records whose text imports from module ``source`` one of ``names``, star-imports it
        or names it by ``import`` (``ImportIndex.holders``): a superset of those a parse would
        say; the caller checks their live bindings. Records not scanned yet (their text changed,
        or the background reader has not reached them) are scanned first."""
        self._index_waiting()
        records = self.records
        return [records[n] for n in sorted(self.index.holders(source, names)) if n in records]

    def naming(self, source: str) -> list[Record]:
        """Records whose text names module ``source`` in an import statement
        (``ImportIndex.naming``; records not scanned yet are scanned first)."""
        self._index_waiting()
        records = self.records
        return [records[n] for n in self.index.naming(source) if n in records]

    def _index_waiting(self) -> None:
        """Scan the records whose text changed since their last scan (see ``_unindexed``)."""
        if self._unindexed:
            for name in list(self._unindexed):
                self._index(name)

    def imports_of(self, record: Record) -> Imports | None:
        """What ``record``'s text imports (None when its text is unknown)."""
        if record.name in self._unindexed:
            self._index(record.name)
        return self.index.of.get(record.name)

    def changed_text(self, record: Record, before: str | None = None) -> None:
        """``record`` executes a new text now (a reload; ``before``: the text it executed until
        then): its imports are scanned again when the index is next asked, unless the lines
        that differ show the scan would find the same (:func:`same_imports`)."""
        name = record.name
        if before is not None and record.text is not None:
            with self._index_lock:
                if name not in self._unindexed and name in self.index.of:
                    package = record.path.endswith("__init__.py")
                    if same_imports(before, record.text, name, package):
                        return
        self._unindexed[name] = None

    def _index(self, name: str) -> None:
        """Scan the imports of record ``name`` into the index (any thread)."""
        with self._index_lock:
            if self._unindexed.pop(name, False) is False and name in self.index.of:
                return
            record = self.records.get(name)
            text = record.text if record is not None else None  # (reads a pending baseline)
            if text is None or record is None:
                self.index.forget(name)
            else:
                self.index.update(name, scan(text, name, record.path.endswith("__init__.py")))
