"""Who imports what, known without parsing: the importer index.

When module ``a`` rebinds a name or changes a function's code, the modules that hold its values
(``from a import X``) or reach it through ``import a`` must follow
(:mod:`hotswap._engine.propagate`).
Finding them must cost what they number, not what the project holds, so the tracker keeps an
:class:`ImportIndex`: for each watched module, the imports its text contains, and for each
module, which watched modules import from it. A module's entry is made from a scan of its text
with regular expressions when its baseline is read (off the import path) and again when a reload
gives it a new text; the scan finds every import statement the parser would find (and possibly
more: imports inside strings or functions, which the caller checks against the module's live
names), so the index is a superset of what a parse would give.

What an importer's top-level code reads while it is imported is :mod:`hotswap._detect.reads`'s.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from collections.abc import Iterable, Iterator
from typing import NamedTuple

__all__ = ["ImportIndex", "Imports", "resolve", "scan"]

STAR = "*"


class Imports(NamedTuple):
    """The imports a module's text contains (sources resolved to absolute module names), held
    flat to stay small: a project's modules hold tens of thousands of imported names."""

    froms: tuple[str, ...]  # (source, name, alias) triples, flat; name "*" for a star import
    # ``import a.b as x``: ("x", "a.b"); ``import a.b``: ("a.b", "a.b"), flat pairs
    modules: tuple[str, ...]

    def from_items(self) -> list[tuple[str, str, str]]:
        flat = self.froms
        return list(zip(flat[0::3], flat[1::3], flat[2::3], strict=True))

    def module_items(self) -> list[tuple[str, str]]:
        flat = self.modules
        return list(zip(flat[0::2], flat[1::2], strict=True))

    def sources(self) -> set[str]:
        """The modules this one imports from or names (``import a.b`` names ``a`` and
        ``a.b``); ``from p import s`` names ``p`` only: see :meth:`ImportIndex.importers`."""
        out = set(self.froms[0::3])
        for module in self.modules[1::2]:
            parts = module.split(".")
            out.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
        return out

    def aliases(self) -> dict[str, str]:
        """How code in the module names other modules (``_engine.plan.module_aliases``' meaning):
        ``import a.b`` -> {"a": "a", "a.b": "a.b"}, ``import a.b as x`` -> {"x": "a.b"},
        ``from p import s`` -> {"s": "p.s"}."""
        out: dict[str, str] = {}
        for alias, module in self.module_items():
            if alias != module:
                out[alias] = module
            else:
                parts = module.split(".")
                for end in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:end])
                    out[prefix] = prefix
        for source, name, alias in self.from_items():
            if name != STAR:
                out.setdefault(alias, f"{source}.{name}")
        return out


def resolve(module: str | None, level: int, importer: str, is_package: bool) -> str | None:
    """The absolute name ``from <dots><module> import`` names in ``importer`` (None: outside)."""
    if level == 0:
        return module
    parts = importer.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    if module:
        return f"{base}.{module}" if base else module
    return base or None


# Blanks between tokens: spaces, tabs, form feeds, and backslash-newline continuations. A
# parenthesised name list may also hold newlines and comments.
_B = r"(?:[ \t\f]|\\\r?\n)"
_NAME = r"[^\W\d]\w*"
_DOTTED = rf"{_NAME}(?:{_B}*\.{_B}*{_NAME})*"
# A list's comments and the list itself are matched possessively (``*+``): a list that never
# closes (a docstring's ``from a import (b,``) then fails at once, where backtracking tried
# every split of every comment in it (5 comment lines: 10 s; a few more: never ends). A list
# that closes matches as before: the first ``)`` outside a comment ends it.
_FROM = re.compile(  # starts with a literal: the engine skips to each "from" at C speed
    rf"from\b{_B}*(?P<dots>(?:\.{_B}*)*)(?P<module>{_DOTTED})?{_B}*\bimport\b{_B}*"
    rf"(?:\((?P<paren>(?:[^)#]|#[^\n]*+)*+)\)|(?P<plain>(?:[^\n;#\\]|\\\r?\n)*))"
)
_IMPORT = re.compile(r"import\b(?P<plain>(?:[^\n;#\\]|\\\r?\n)*)")
_BLANKS = re.compile(rf"{_B}+")
_COMMENT = re.compile(r"#[^\n]*")
_ITEM = re.compile(rf"^(?P<name>{_DOTTED}|\*)(?:\s+as\s+(?P<alias>{_NAME}))?$")


@functools.lru_cache(maxsize=512)  # (a few hundred KiB at most)
def _items(text: str) -> tuple[tuple[str, str], ...]:
    """``a as b, c`` -> (("a", "b"), ("c", "c")) (dotted names kept, blanks removed). Kept per
    text: a module scanned again after a save has the same import lists (sympy's ``expr.py``
    has 191 import statements, most inside methods: its scan takes 1.5 ms instead of 4-14)."""
    out = []
    for piece in _COMMENT.sub("", text).replace("\\\n", " ").split(","):
        part = piece.strip()
        if not part:
            continue
        match = _ITEM.match(" ".join(part.split()))
        if match is None:
            continue
        name = re.sub(r"\s+", "", match["name"])
        out.append((name, match["alias"] or name))
    return tuple(out)


def scan(text: str, importer: str, is_package: bool) -> Imports:
    """The imports in ``text`` (a superset of the top-level ones a parse would find)."""
    intern = sys.intern
    froms: dict[tuple[str, str, str], None] = {}
    if "from" in text:
        for match in _statements(_FROM, text):
            level = match["dots"].count(".")
            module = _BLANKS.sub("", match["module"]) if match["module"] else None
            if not level and not module:
                continue
            source = resolve(module, level, importer, is_package)
            if source is None:
                continue
            names = match["paren"] if match["paren"] is not None else match["plain"]
            for name, alias in _items(names):
                if "." in name:
                    continue
                froms[intern(source), intern(name), intern(alias)] = None
    modules: dict[tuple[str, str], None] = {}
    for match in _statements(_IMPORT, text):
        for name, alias in _items(match["plain"]):
            if name != STAR:
                modules[intern(alias), intern(name)] = None
    return Imports(
        tuple(part for item in froms for part in item),
        tuple(part for item in modules for part in item),
    )


_GROUP_FROM = 3 * 64  # flat entries (64 from-imports) from which an importer is grouped


def _statements(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` (which starts with its keyword) that can begin a statement:
    only blanks since the line's start, a ``;`` or a ``:`` before the keyword. Not
    ``>>> from a import b`` in a docstring (sympy's ``codegen.matrix_nodes`` holds one, and the
    index took it for an import cycle), nor ``# from a import (b,`` commented out, whose match
    ran to the ``)`` of the real import below it and hid that one (pip's vendored chardet). A
    match left out is searched again from just after its keyword."""
    search, at = pattern.search, 0
    while True:
        match = search(text, at)
        if match is None:
            return
        start = before = match.start()
        before -= 1
        while before >= 0 and text[before] in " \t\f":
            before -= 1
        if before < 0 or text[before] in "\n;:":
            yield match
            at = match.end()
        else:
            at = start + 4  # (past "from", into "import": neither starts a keyword again)


def _positions(flat: tuple[str, ...], source: str) -> Iterator[int]:
    """The indices of the triples of ``flat`` (``source, name, alias`` after one another) whose
    source is ``source`` (a name or alias spelled the same is not one)."""
    return _found(flat, source, 0)


def _has(flat: tuple[str, ...], source: str, name: str) -> bool:
    """Whether ``flat`` holds ``from source import name``: looked up by the name, which few
    triples share (a package's importers repeat its name in every triple; 22,871 of these
    for sympy's 541 sources)."""
    return any(flat[at - 1] == source for at in _found(flat, name, 1))


def _found(flat: tuple[str, ...], value: str, part: int) -> Iterator[int]:
    """Where ``value`` stands in ``flat`` as part ``part`` of a triple (0 source, 1 name),
    found with ``tuple.index`` at C speed."""
    at = 0
    index = flat.index
    while True:
        try:
            at = index(value, at)
        except ValueError:
            return
        if at % 3 == part:
            yield at
        at += 1


class ImportIndex:
    """For each watched module, what it imports; for each module, who imports from it."""

    def __init__(self) -> None:
        self.of: dict[str, Imports] = {}
        self._by_source: dict[str, list[str]] = {}
        self._memo: dict[str, frozenset[str]] = {}  # answers, until the index changes
        self._aliases: dict[str, dict[str, str]] = {}
        # source -> its importers by imported name, until the index changes (see ``holders``)
        self._holders: dict[str, dict[str, frozenset[str]]] = {}
        # A large importer's from-imports by source (positions in its flat triples), made when
        # a propagation first asks about it and dropped when it ends (see ``_at``).
        self._grouped: dict[str, dict[str, list[int]]] = {}

    def update(self, importer: str, imports: Imports) -> None:
        old = self.of.get(importer)
        if old == imports:
            return
        if old is not None:
            self._unlink(importer, old)
        self._forget_derived(importer, imports, *([old] if old is not None else []))
        self.of[importer] = imports
        by_source = self._by_source
        for source in imports.sources():
            users = by_source.get(source)
            if users is None:
                by_source[source] = [importer]
            else:
                users.append(importer)

    def forget(self, importer: str) -> None:
        old = self.of.pop(importer, None)
        if old is not None:
            self._unlink(importer, old)
            self._forget_derived(importer, old)

    def _forget_derived(self, importer: str, *imports: Imports) -> None:
        """What was worked out from ``importer``'s ``imports`` (before and after): the answers
        for the modules it names or names the package of (``from p import s``: ``p.s``; see
        :meth:`_importers`). Not all of them: a checkout updates hundreds of entries between
        the queries of a propagation, each of which rebuilt its sources' tables."""
        named = set().union(*(i.sources() for i in imports))
        for table in (self._memo, self._holders):
            for source in [s for s in table if s in named or s.rpartition(".")[0] in named]:
                del table[source]
        self._aliases.pop(importer, None)
        self._grouped.pop(importer, None)

    def _unlink(self, importer: str, imports: Imports) -> None:
        for source in imports.sources():
            users = self._by_source.get(source)
            if users is not None:
                with contextlib.suppress(ValueError):
                    users.remove(importer)
                if not users:
                    del self._by_source[source]

    def from_source(self, importer: str, source: str) -> list[tuple[str, str]]:
        """``(name, alias)`` of the from-imports of ``source`` in ``importer``: found in its
        flat triples with ``tuple.index`` (at C speed; a package's ``__init__`` holds
        thousands, and a save asks for one source of each importer it follows)."""
        flat = self.of[importer].froms
        return [(flat[at + 1], flat[at + 2]) for at in self._at(importer, source)]

    def _at(self, importer: str, source: str) -> Iterable[int]:
        """Where ``source`` stands in ``importer``'s flat triples. A large importer (a package
        ``__init__`` that re-exports hundreds of names) is grouped by source once per
        propagation: each source a first save reaches asked it again, a scan of all of it."""
        flat = self.of[importer].froms
        if len(flat) < _GROUP_FROM:
            return _positions(flat, source)
        grouped = self._grouped.get(importer)
        if grouped is None:
            grouped = self._grouped[importer] = {}
            for at in range(0, len(flat), 3):
                grouped.setdefault(flat[at], []).append(at)
        return grouped.get(source, ())

    def _names(self, importer: str, source: str, name: str) -> bool:
        """Whether ``importer`` has ``from source import name``."""
        flat = self.of[importer].froms
        if len(flat) < _GROUP_FROM:
            return _has(flat, source, name)
        return any(flat[at + 1] == name for at in self._at(importer, source))

    def trim(self) -> None:
        """Drop what queries kept (a propagation is over: the session holds the index only)."""
        self._aliases.clear()
        self._grouped.clear()

    def aliases(self, importer: str) -> dict[str, str]:
        """:meth:`Imports.aliases` of ``importer`` (kept until its entry changes)."""
        found = self._aliases.get(importer)
        if found is None:
            found = self._aliases[importer] = self.of[importer].aliases()
        return found

    def naming(self, source: str) -> list[str]:
        """The modules whose text names ``source`` in an import statement (``from source
        import ...``, ``import source``): :meth:`importers` but those that import it from its
        package, with no table made."""
        return self._by_source.get(source, [])

    def importers(self, source: str) -> frozenset[str]:
        """The modules whose text imports from ``source`` or names it with ``import``, or
        imports it from its package (``from p import s`` for ``p.s``)."""
        found = self._memo.get(source)
        if found is None:
            found = self._memo[source] = frozenset(self._importers(source))
        return found

    def holders(self, source: str, names: set[str]) -> set[str]:
        """The importers of ``source`` (:meth:`importers`) that import one of ``names`` from it,
        star-import it, or name the module itself (``import source``, ``from p import s``): the
        only ones a change of those names of ``source`` can reach. Kept per source until the
        index changes, so a save costs what its names' importers number."""
        by_name = self._holders.get(source)
        if by_name is None:
            by_name = self._holders[source] = self._by_imported_name(source)
        out = set(by_name.get(STAR, ()))
        out.update(by_name.get("", ()))
        for name in names:
            out.update(by_name.get(name, ()))
        return out

    def _by_imported_name(self, source: str) -> dict[str, frozenset[str]]:
        """``source``'s importers by the name they import from it ("*": a star import; "":
        they name the module itself), read off each importer's flat import list in one pass
        (grouping every importer's imports first cost sympy's first save 33 ms)."""
        found: dict[str, set[str]] = {}
        parent, _dot, last = source.rpartition(".")
        below = source + "."
        of = self.of
        for importer in self.importers(source):
            imports = of.get(importer)
            if imports is None:
                continue
            flat = imports.froms
            # Where ``source`` (and ``parent``) stand in the flat triples (``_at``), not every
            # triple walked in Python: a package's ``__init__`` imports from hundreds of modules,
            # and each source a first save asks about walked all of them.
            for at in self._at(importer, source):
                found.setdefault(flat[at + 1], set()).add(importer)
            if parent and self._names(importer, parent, last):
                found.setdefault("", set()).add(importer)  # ``from parent import last``
            modules = imports.modules
            for alias, module in zip(modules[0::2], modules[1::2], strict=True):
                if module == source or (alias == module and module.startswith(below)):
                    found.setdefault("", set()).add(importer)  # ``import source(.x)``
        return {name: frozenset(users) for name, users in found.items()}

    def _importers(self, source: str) -> set[str]:
        out = set(self._by_source.get(source, ()))
        parent, dot, last = source.rpartition(".")
        if dot:
            of = self.of
            out.update(
                name
                for name in self._by_source.get(parent, ())
                if name in of and self._names(name, parent, last)
            )
        return out
