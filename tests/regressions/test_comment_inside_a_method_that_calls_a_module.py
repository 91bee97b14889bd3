"""A comment added inside a method that calls through a module imported at the top
(``os.getcwd()``) gives the method's lines as a fresh run has them.

Found checking out docutils 0.20.1 -> 0.21.2: ``ODFTranslator.setup_paper`` gained three
comment lines and its class moved up 8 lines, and the method kept its old lines (1064 where a
fresh run has 1053: tracebacks and breakpoints 11 lines off). hotswap gives such a method new
line numbers by compiling the old and the new member alone and pairing the running code with
the old one; CPython compiles ``os.getcwd()`` differently in a function compiled with its
module (where ``os`` is a known import) than alone, so the running code equalled neither and
was left as it was. Running code now pairs by qualified name and first line when it does not
equal the compiled old code."""

from __future__ import annotations

import importlib
import traceback

import hotswap
from conftest import Workspace

BEFORE = '''\
import os


class Spec:
    options = (
        "a",
        "b",
        "c",
    )


class Translator:
    def setup(self):
        where = os.getcwd()
        raise ValueError(where)

    def other(self):
        return 1
'''

AFTER = (
    BEFORE.replace('        "a",\n        "b",\n        "c",\n', '        "abc",\n')
    .replace("        where = os", "        # which directory\n        where = os")
    .replace("        return 1\n", "        return 2\n")
)


def test_a_comment_inside_a_method_calling_a_module(workspace: Workspace) -> None:
    """The traceback through ``setup`` points at its ``raise`` line in the new text."""
    name = workspace.name()
    workspace.write(f"{name}.py", BEFORE)
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        workspace.write(f"{name}.py", AFTER)
        assert r.check().ok
    fresh: dict[str, object] = {}
    exec(compile(AFTER, "fresh.py", "exec"), fresh)
    expected = fresh["Translator"].setup.__code__  # type: ignore[attr-defined]
    live = module.Translator.setup.__code__
    assert live.co_firstlineno == expected.co_firstlineno == 11
    # (The instructions may differ: compiled alone, ``os.getcwd()`` is another opcode.)
    assert {line for *_, line in live.co_lines()} == {line for *_, line in expected.co_lines()}
    try:
        module.Translator().setup()
    except ValueError as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
    assert frame.lineno == 14 and frame.line == "raise ValueError(where)"
    assert module.Translator().other() == 2
