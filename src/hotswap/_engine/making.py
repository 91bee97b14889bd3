"""What a class's making set, for :mod:`hotswap._engine.classpatch`: the names recorded when
its module imported (:mod:`hotswap._detect.creation`) that the module's code outside functions
never assigns as an attribute, read off the parse of the source it executes."""

from __future__ import annotations

from hotswap._detect.creation import made_names
from hotswap._detect.text import SourceError
from hotswap._detect.tracker import TRACKER
from hotswap._engine.parsing import parse_fresh
from hotswap._engine.scan import attributes_set


def made_by(cls: type, module: str, path: str) -> frozenset[str]:
    """The members of ``cls`` (of ``module``, file ``path``) its making set."""
    return made_names(cls, _outside(module, path))


def _outside(module: str, path: str) -> frozenset[str] | None:
    """The attributes ``module``'s code outside functions assigns (``C.extra = 1``), read off
    the parse of the source it executes (kept per content); None when it cannot be parsed."""
    record = TRACKER.records.get(module)
    if record is None:
        return None
    found = _OUTSIDE.get(module)
    if found is not None and found[0] == record.digest:
        return found[1]
    parsed = record.parsed
    if parsed is None:
        text = record.text
        try:
            parsed = None if text is None else parse_fresh(text, path, record.executing_outline())
        except SourceError:
            return None
    if parsed is None:
        return None
    names = attributes_set([s.node for s in parsed.objects])
    _OUTSIDE[module] = (record.digest, names)
    return names


_OUTSIDE: dict[str, tuple[bytes | None, frozenset[str]]] = {}
