"""Who imports what, known without parsing: the importer index and import-time reads.

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

:func:`import_time_reads` gives the names a module's top-level code reads while it is imported
(module body, class bodies, comprehensions; not function bodies), from its code object: the
capturing import hook computes it, so that an importer whose import-time code never reads a
changed name needs neither a parse nor a transaction.
"""

from __future__ import annotations

import contextlib
import functools
import opcode
import re
import sys
from types import CodeType
from typing import NamedTuple

__all__ = ["ImportIndex", "Imports", "import_time_reads", "resolve", "scan"]

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

    def names_from(self, source: str, name: str) -> bool:
        """Whether it has ``from source import name``."""
        flat = self.froms
        return (source, name) in zip(flat[0::3], flat[1::3], strict=True)  # at C speed

    def aliases(self) -> dict[str, str]:
        """How code in the module names other modules (``_plan.module_aliases``' meaning):
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
_FROM = re.compile(  # starts with a literal: the engine skips to each "from" at C speed
    rf"from\b{_B}*(?P<dots>(?:\.{_B}*)*)(?P<module>{_DOTTED})?{_B}*\bimport\b{_B}*"
    rf"(?:\((?P<paren>(?:[^)#]|#[^\n]*)*)\)|(?P<plain>(?:[^\n;#\\]|\\\r?\n)*))"
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
    for part in _COMMENT.sub("", text).replace("\\\n", " ").split(","):
        part = part.strip()
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
        for match in _FROM.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] in "_."):
                continue  # ``datafrom import``, ``x.from``: not the keyword
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
    for match in _IMPORT.finditer(text):
        # ``import`` starts a statement: only blanks since the line start, ``;`` or ``:``.
        start = match.start()
        before = start - 1
        while before >= 0 and text[before] in " \t\f":
            before -= 1
        if before >= 0 and text[before] not in "\n;:":
            continue
        for name, alias in _items(match["plain"]):
            if name != STAR:
                modules[intern(alias), intern(name)] = None
    return Imports(
        tuple(part for item in froms for part in item),
        tuple(part for item in modules for part in item),
    )


class ImportIndex:
    """For each watched module, what it imports; for each module, who imports from it."""

    def __init__(self) -> None:
        self.of: dict[str, Imports] = {}
        self._by_source: dict[str, list[str]] = {}
        self._memo: dict[str, frozenset[str]] = {}  # answers, until the index changes
        self._aliases: dict[str, dict[str, str]] = {}
        self._grouped: dict[str, dict[str, list[tuple[str, str]]]] = {}
        # source -> its importers by imported name ("*": star imports; "": those naming the
        # module itself), until the index changes (see :meth:`holders`)
        self._holders: dict[str, dict[str, frozenset[str]]] = {}

    def update(self, importer: str, imports: Imports) -> None:
        old = self.of.get(importer)
        if old == imports:
            return
        if old is not None:
            self._unlink(importer, old)
        self._memo.clear()
        self._holders.clear()
        self._aliases.pop(importer, None)
        self._grouped.pop(importer, None)
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
            self._memo.clear()
            self._holders.clear()
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
        """``(name, alias)`` of the from-imports of ``source`` in ``importer`` (kept until its
        entry changes or :meth:`trim`)."""
        grouped = self._grouped.get(importer)
        if grouped is None:
            grouped = self._grouped[importer] = {}
            for src, name, alias in self.of[importer].from_items():
                grouped.setdefault(src, []).append((name, alias))
        return grouped.get(source, [])

    def trim(self) -> None:
        """Drop what queries kept (a propagation is over: the session holds the index only)."""
        self._grouped.clear()
        self._aliases.clear()

    def aliases(self, importer: str) -> dict[str, str]:
        """:meth:`Imports.aliases` of ``importer`` (kept until its entry changes)."""
        found = self._aliases.get(importer)
        if found is None:
            found = self._aliases[importer] = self.of[importer].aliases()
        return found

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
        found: dict[str, set[str]] = {}
        for importer in self.importers(source):
            if importer not in self.of:
                continue
            for name, _alias in self.from_source(importer, source):
                found.setdefault(name, set()).add(importer)
            if source in self.aliases(importer).values():
                found.setdefault("", set()).add(importer)
        return {name: frozenset(users) for name, users in found.items()}

    def _importers(self, source: str) -> set[str]:
        out = set(self._by_source.get(source, ()))
        parent, dot, last = source.rpartition(".")
        if dot:
            of = self.of
            out.update(
                name
                for name in self._by_source.get(parent, ())
                if name in of and of[name].names_from(parent, last)
            )
        return out


# -- import-time reads ---------------------------------------------------------------------------

_OPS = opcode.opmap
_EXTENDED = _OPS["EXTENDED_ARG"]
_LOAD_NAME, _LOAD_GLOBAL = _OPS["LOAD_NAME"], _OPS["LOAD_GLOBAL"]
# (opcode, shift of its argument to get the index into co_names)
_LOADS = [(bytes([_LOAD_NAME]), 0), (bytes([_LOAD_GLOBAL]), 1)]
if "LOAD_FROM_DICT_OR_GLOBALS" in _OPS:  # 3.12+: class bodies reading a global
    _LOADS.append((bytes([_OPS["LOAD_FROM_DICT_OR_GLOBALS"]]), 0))
_BUILD_CLASS = bytes([_OPS["LOAD_BUILD_CLASS"]])
_LOAD_CONST = _OPS["LOAD_CONST"]
_CALLS = frozenset(_OPS[name] for name in ("CALL", "PRECALL") if name in _OPS)
_SKIPPED = frozenset({_OPS["CACHE"], _EXTENDED})
_CACHE = _OPS["CACHE"]
_PUSH_NULL = _OPS["PUSH_NULL"]
_NULL_AFTER = sys.version_info >= (3, 13)  # 3.13 pushes the NULL after the callable
_METHOD_LOADS = frozenset(_OPS[n] for n in ("LOAD_METHOD",) if n in _OPS)
_LOAD_ATTR = _OPS["LOAD_ATTR"]
_KEYWORD_USES = frozenset(
    _OPS[n] for n in ("BUILD_CONST_KEY_MAP", "CALL_KW", "KW_NAMES") if n in _OPS
)
_METHOD_ATTR = sys.version_info >= (3, 12)  # LOAD_ATTR's low bit: a method load
# What may follow a load that uses the value (never a callee, never a decorator).
_VALUE_NEXT = frozenset(
    _OPS[n]
    for n in (
        "STORE_NAME", "STORE_GLOBAL", "STORE_ATTR", "STORE_SUBSCR", "BUILD_TUPLE", "BUILD_LIST",
        "BUILD_SET", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "LIST_APPEND", "SET_ADD", "MAP_ADD",
        "CALL", "PRECALL", "KW_NAMES", "CALL_KW", "LIST_EXTEND", "COMPARE_OP", "IS_OP",
        "CONTAINS_OP", "BINARY_OP", "BINARY_SUBSCR", "RETURN_VALUE", "POP_TOP",
    )
    if n in _OPS
)
_NAME_LOADS = frozenset({_LOAD_NAME, _LOAD_GLOBAL})
_CO_OPTIMIZED = 0x1
_RUN_AT_ONCE = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})


class Reads(NamedTuple):
    """What a module's import-time code reads: ``names``, every name it loads; ``called``,
    what it may call, a name or an attribute chain from one (``K.m``): every load but those
    it provably uses as a value (an annotation, an argument, an item of a tuple, list or
    dict, a value stored away); and ``bases``, the names
    it uses as plain base classes (``class D(B):``), which run code of theirs while a class
    is made only through ``__init_subclass__``."""

    names: frozenset[str]
    called: frozenset[str]
    bases: frozenset[str]


def _arg(raw: bytes, ops: bytes, at: int) -> int:
    """The argument of the instruction at code unit ``at`` (with its EXTENDED_ARG prefixes)."""
    arg = raw[2 * at + 1]
    back, bits = at - 1, 8
    while back >= 0 and ops[back] == _EXTENDED:
        arg |= raw[2 * back + 1] << bits
        back, bits = back - 1, bits + 8
    return arg


def _class_loads(code: CodeType, raw: bytes, ops: bytes) -> tuple[set[int], set[int]]:
    """Code units that load a name as an argument of a class statement (after
    ``LOAD_BUILD_CLASS``, the body's function and the class name, up to the call): as plain
    bases (only name loads, no keywords), and the others (a ``metaclass=M`` is called)."""
    bases: set[int] = set()
    others: set[int] = set()
    at = ops.find(_BUILD_CLASS)
    while at >= 0:
        unit, end = at + 1, min(len(ops), at + 24)
        while unit < end and not (
            ops[unit] == _LOAD_CONST and isinstance(code.co_consts[_arg(raw, ops, unit)], str)
        ):
            unit += 1
        loads = []
        unit += 1
        while unit < len(ops) and (ops[unit] in _NAME_LOADS or ops[unit] in _SKIPPED):
            if ops[unit] in _NAME_LOADS:
                loads.append(unit)
            unit += 1
        if unit < len(ops) and ops[unit] in _CALLS:
            bases.update(loads)
        else:
            others.update(loads)  # keywords follow (or dotted bases): taken as called
        at = ops.find(_BUILD_CLASS, at + 1)
    return bases, others


def _next_instruction(ops: bytes, unit: int) -> int:
    """The code unit of the instruction after the one at ``unit`` (caches and prefixes
    skipped)."""
    unit += 1
    while unit < len(ops) and ops[unit] in _SKIPPED:
        unit += 1
    return unit


def _chain(code: CodeType, raw: bytes, ops: bytes, at: int, name: str) -> str:
    """``a.b.c`` for a load of ``a`` at code unit ``at`` followed by reads of ``b``, ``c``."""
    after = _next_instruction(ops, at)
    while after < len(ops) and (ops[after] == _LOAD_ATTR or ops[after] in _METHOD_LOADS):
        arg = _arg(raw, ops, after)
        name += "." + code.co_names[arg >> 1 if _METHOD_ATTR and ops[after] == _LOAD_ATTR else arg]
        after = _next_instruction(ops, after)
    return name


def _called_as(code: CodeType, raw: bytes, ops: bytes, at: int, load: int) -> str | None:
    """What the name load at code unit ``at`` may call: None when it provably uses the value
    (see :class:`Reads`), else the name, or the attribute chain read from it (``K.m`` for
    ``K.m(...)`` or ``@K.m``). A callee is told by its NULL (``PUSH_NULL`` beside it,
    ``LOAD_GLOBAL``'s low bit) or a method load after it; a decorator is never followed by
    what ``_VALUE_NEXT`` holds nor by a run of loads ending in a call."""
    name = code.co_names[_arg(raw, ops, at) >> (1 if load == _LOAD_GLOBAL else 0)]
    if load == _LOAD_GLOBAL and _arg(raw, ops, at) & 1:
        return name
    start = at
    while start > 0 and ops[start - 1] == _EXTENDED:
        start -= 1
    before = start - 1
    while before >= 0 and ops[before] == _CACHE:
        before -= 1
    after = _next_instruction(ops, at)
    following = ops[after] if after < len(ops) else -1
    if _NULL_AFTER and following == _PUSH_NULL:
        return name
    # A NULL before it: the call is of it, or of the end of the attribute chain read from it
    # (``PUSH_NULL; LOAD_NAME a; LOAD_ATTR f; ...; CALL`` for ``a.f(...)``).
    called = not _NULL_AFTER and before >= 0 and ops[before] == _PUSH_NULL
    # ``x.a.b``: what follows the attribute chain decides (``x.m(...)`` calls x.m).
    chain = name
    while following == _LOAD_ATTR or following in _METHOD_LOADS:
        arg = _arg(raw, ops, after)
        method = following in _METHOD_LOADS or (_METHOD_ATTR and arg & 1)
        chain += "." + code.co_names[arg >> 1 if _METHOD_ATTR else arg]
        if method:
            return chain
        after = _next_instruction(ops, after)
        following = ops[after] if after < len(ops) else -1
    if called:
        return chain
    if following in _VALUE_NEXT:
        return None
    if following == _LOAD_CONST or following in _NAME_LOADS:
        # ``f(a, b)``: a run of name loads, then the call; ``def f(*, k=A)``: the keyword
        # names, then the dict (a decorator's run ends in the function or class it makes).
        if following in _NAME_LOADS and chain == name:
            index = _arg(raw, ops, after) >> (1 if following == _LOAD_GLOBAL else 0)
            if code.co_names[index] == "__annotations__":
                return None  # ``x: T`` at module or class level
        if (
            following == _LOAD_CONST
            and before >= 0
            and ops[before] == _LOAD_CONST
            and isinstance(code.co_consts[_arg(raw, ops, before)], str)
            and isinstance(code.co_consts[_arg(raw, ops, after)], str)
        ):
            return None  # an annotation of a def: ``'x', T, 'return', T``, then a tuple
        last = following
        while following in _NAME_LOADS or following == _LOAD_CONST:
            last = following
            after = _next_instruction(ops, after)
            following = ops[after] if after < len(ops) else -1
            if last == _LOAD_CONST:
                break
        if following in _KEYWORD_USES or (last != _LOAD_CONST and following in _CALLS):
            return None
    return chain


def import_time_reads(code: CodeType) -> Reads:
    """Names read by the code that runs when the module is imported: the module body, class
    bodies (not the functions they define) and comprehensions (3.11 makes them functions)."""
    names: set[str] = set()
    called: set[str] = set()
    as_base: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        raw = current.co_code
        ops = raw[::2]  # 3.11+: every code unit is (opcode, arg); caches read as opcode 0
        co_names = current.co_names
        bases, class_args = (
            _class_loads(current, raw, ops) if _BUILD_CLASS in ops else (set(), set())
        )
        for op, shift in _LOADS:
            at = ops.find(op)
            while at >= 0:
                index = _arg(raw, ops, at) >> shift
                if index < len(co_names):
                    name = co_names[index]
                    if at in bases:
                        as_base.add(name)
                    else:
                        names.add(name)
                        if at in class_args:  # a metaclass, a dotted base: called
                            called.add(_chain(current, raw, ops, at, name))
                        else:
                            target = _called_as(current, raw, ops, at, op[0])
                            if target is not None:
                                called.add(target)
                at = ops.find(op, at + 1)
        for const in current.co_consts:
            if type(const) is CodeType and (
                not const.co_flags & _CO_OPTIMIZED or const.co_name in _RUN_AT_ONCE
            ):
                stack.append(const)
    return Reads(frozenset(names | as_base), frozenset(called), frozenset(as_base))
