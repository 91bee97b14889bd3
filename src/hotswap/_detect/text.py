"""Source bytes to text, as the import system decodes them, and the error for a source that
cannot be read, decoded or parsed. Apart from :mod:`hotswap._engine.source` (statements), so that
registering thousands of modules at ``%load_ext`` does not import the parser's machinery."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib.util import decode_source
from typing import Any, TypeVar

from hotswap._errors import HotswapError

_Seq = TypeVar("_Seq", bound=Sequence[Any])  # a text, or a list of its lines


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


def common_prefix(a: _Seq, b: _Seq, n: int, at_a: int = 0, at_b: int = 0) -> int:
    """How many items (characters, lines) agree from ``a[at_a]`` and ``b[at_b]`` on, at most
    ``n``: galloping, then a binary search, on slice comparisons (in C; the cost follows the
    length found, not ``n``)."""
    if n <= 0 or a[at_a] != b[at_b]:
        return 0
    lo, step = 1, 1  # a[at_a:at_a+lo] == b[at_b:at_b+lo]
    while True:
        hi = min(lo + step, n)
        if a[at_a + lo : at_a + hi] != b[at_b + lo : at_b + hi]:
            break
        lo = hi
        if lo == n:
            return n
        step *= 2
    while hi - lo > 1:  # the first lo agree, the first hi do not
        mid = (lo + hi) // 2
        if a[at_a + lo : at_a + mid] == b[at_b + lo : at_b + mid]:
            lo = mid
        else:
            hi = mid
    return lo


def common_suffix(a: str, b: str, n: int) -> int:
    """Length of the longest common suffix, at most ``n``."""
    la, lb = len(a), len(b)
    if n == 0 or a[la - n :] == b[lb - n :]:
        return n
    lo, hi = 0, n  # suffixes of length lo match, of length hi do not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid
    return lo
