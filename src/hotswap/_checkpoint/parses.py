"""The parses a checkpoint reads of each changed module: the executing source's (parsed once,
lazily or ahead by the preparer, then kept on the record), the saved text's, and the modules
each imports (the order of a save's walk).

Shared by the walk (:mod:`.apply`) and importer propagation (:mod:`.importers`), below both;
with them, the ``linecache`` entry of the source each module executes (:func:`update_linecache`).
"""

from __future__ import annotations

import linecache
import sys
import types

from hotswap._detect.text import SourceError, decode
from hotswap._detect.tracker import TRACKER, Changed, Record
from hotswap._engine.parsing import parse
from hotswap._engine.plan import dependencies
from hotswap._engine.source import ParsedSource


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
    try:  # (a large module's first parse: its skeleton, when it was outlined)
        return parse(text, record.path, record.executing_outline())
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


def update_linecache(path: str, text: str, parsed: ParsedSource | None = None) -> None:
    """Make ``linecache`` (tracebacks, ``inspect.getsource``) hold the source that is executing.

    The entry's mtime is None, which ``linecache.checkcache`` leaves alone: after a failed
    reload the file on disk holds code that is not running, and tracebacks must show the
    lines of the code that is. When ``parsed`` was re-parsed from an edit, the entry's lines
    around the edit are reused (and checked to make up ``text`` exactly) instead of splitting
    the whole text again.
    """
    lines = None
    edit = parsed.line_edit if parsed is not None else None
    entry = linecache.cache.get(path)
    if edit is not None and entry is not None and len(entry) == 4 and entry[1] is None:
        head, tail, head_end, tail_start = edit
        before: list[str] = entry[2]
        if head + tail <= len(before):
            middle = text[head_end:tail_start].splitlines(keepends=True)
            candidate = before[:head] + middle + before[len(before) - tail :]
            if "".join(candidate) == text:
                lines = candidate
    if lines is None:
        lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[path] = (len(text), None, lines, path)
