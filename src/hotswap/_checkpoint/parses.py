"""The parses a checkpoint reads of each changed module: the executing source's (parsed once,
lazily or ahead by the preparer, then kept on the record), the saved text's, and the modules
each imports (the order of a save's walk).

Shared by the walk (:mod:`.apply`) and importer propagation (:mod:`.importers`), below both.
"""

from __future__ import annotations

import sys
import types

from hotswap._detect.text import SourceError, decode
from hotswap._detect.tracker import TRACKER, Changed, Record
from hotswap._engine.plan import dependencies
from hotswap._engine.source import ParsedSource, parse


def parsed_of(record: Record) -> ParsedSource | None:
    """The parsed executing source of a record (parsed lazily, or ahead when its save's event
    arrived (see _prepare), then cached)."""
    if record.parsed is None:
        return TRACKER.parsed(record, parse_executing)  # type: ignore[no-any-return]
    return record.parsed


def parse_executing(record: Record) -> ParsedSource | None:
    """``record``'s executing source parsed (None: unknown, or it does not parse)."""
    text = record.text
    if text is None:
        return None
    try:
        return parse(text, record.path)
    except SourceError:
        return None


def try_parse(item: Changed) -> ParsedSource | None:
    try:
        return parse(decode(item.data, item.record.path), item.record.path)
    except SourceError:
        return None


def module_dependencies(name: str, parsed: ParsedSource | None) -> set[str]:
    if parsed is None:
        return set()
    module = sys.modules.get(name)
    return dependencies(parsed, name, is_package(module))


def is_package(module: types.ModuleType | None) -> bool:
    return module is not None and hasattr(module, "__path__")
