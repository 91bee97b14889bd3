"""A save with bytes that are not valid in the file's encoding must be reported with the line
that holds them, as Python's own import reports it (``SyntaxError: (unicode error) ...`` at that
line). Seen by the fuzzer: with the bad byte on line 1 (where Python looks for a coding cookie)
the error said ``cannot decode m.py: invalid or missing encoding declaration`` and named no
line; further down the line is named."""

from __future__ import annotations

import importlib

import pytest

import hotswap
from conftest import Workspace


@pytest.mark.parametrize("line", [1, 2, 3])
def test_an_undecodable_byte_is_reported_at_its_line(workspace: Workspace, line: int) -> None:
    """A 0xff byte on line ``line`` of a UTF-8 file: the error names that line; the module is
    kept as it was."""
    name = workspace.name()
    path = workspace.write(f"{name}.py", "def f():\n    return 1\n")
    with hotswap.Reloader() as r:
        mod = importlib.import_module(name)
        lines = [b"def f():", b"    return 2", b"X = 1"]
        lines.insert(line - 1, b"TEXT = '\xff'")
        path.write_bytes(b"\n".join(lines) + b"\n")
        workspace.bump(path)
        report = r.check()
    assert not report.ok
    assert report.errors[0].path == str(path)
    assert report.errors[0].line == line
    assert mod.f() == 1
