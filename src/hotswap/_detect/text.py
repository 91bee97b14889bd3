"""Source bytes to text, as the import system decodes them, and the error for a source that
cannot be read, decoded or parsed. Apart from :mod:`hotswap._engine.source` (statements), so that
registering thousands of modules at ``%load_ext`` does not import the parser's machinery."""

from __future__ import annotations

import os
import re
from importlib.util import decode_source

from hotswap._errors import HotswapError


class SourceError(HotswapError):
    """The new source cannot be read, decoded or parsed; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def decode(data: bytes, path: str) -> str:
    """Bytes to text as the import system does it (BOM, coding cookie, universal newlines)."""
    if b"\0" in data:
        at = data[: data.index(b"\0")].count(b"\n") + 1
        raise SourceError("source code contains a null byte", at)
    try:
        return decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        line: int | None = getattr(exc, "lineno", None)
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
        elif line is None:
            line = _undecodable_line(data)
        raise SourceError(f"cannot decode {os.path.basename(path)}: {exc}", line) from None


def _undecodable_line(data: bytes) -> int:
    """The line of a bad coding cookie, else of the first byte that is not UTF-8."""
    for number, text in enumerate(data.splitlines()[:2], start=1):
        if re.match(rb"^[ \t\f]*#.*?coding[:=]", text):
            return number
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return 1
