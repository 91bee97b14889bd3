"""A function that calls an edited helper only to build an exception it raises did not compute
anything with it at import time: what import-time code made by calling it stays (sympy's
``FunctionClass`` metaclass formats an error message with ``filldedent``; every class it made
was made again when ``filldedent`` was edited). Where the exception is caught in the same
function, the message is a result, and what kept it is computed again."""

from __future__ import annotations

import importlib

import hotswap
from conftest import Workspace

HELPER = "def fmt(s):\n    return s\n"
EDITED = "def fmt(s):\n    return s.upper()\n"


def _modules(workspace: Workspace, files: dict[str, str]) -> dict[str, str]:
    """Write ``files`` (``{h}``, ``{lib}``, ``{user}`` in names and texts stand for unique
    module names); the names."""
    names = {key: workspace.name() for key in ("h", "lib", "user")}
    for key, text in files.items():
        workspace.write(f"{names[key]}.py", text.format(**names))
    return names


def test_a_class_whose_metaclass_raises_with_the_helper_is_not_made_again(
    workspace: Workspace,
) -> None:
    """A metaclass whose ``__init__`` calls the helper only in ``raise TypeError(fmt(...))``:
    after the helper's body changes, the class it made is not made again (the metaclass ran
    once) and the metaclass's error message uses the new helper."""
    names = _modules(
        workspace,
        {
            "h": HELPER,
            "lib": "from {h} import fmt\n"
            "MADE = []\n"
            "class Meta(type):\n"
            "    def __init__(cls, name, bases, ns):\n"
            "        if 'bad' in ns:\n"
            "            raise TypeError(fmt('no bad'))\n"
            "        MADE.append(name)\n"
            "        super().__init__(name, bases, ns)\n",
            "user": "from {lib} import Meta\nclass K(metaclass=Meta):\n    pass\n",
        },
    )
    with hotswap.Reloader() as r:
        user = importlib.import_module(names["user"])
        lib = importlib.import_module(names["lib"])
        r.check()
        workspace.write(f"{names['h']}.py", EDITED)
        report = r.check()
    assert report.ok, report
    assert lib.MADE == ["K"]
    assert isinstance(user.K, lib.Meta)
    assert lib.fmt("x") == "X"


def test_a_value_made_by_a_function_that_raises_with_the_helper_stays(
    workspace: Workspace,
) -> None:
    """``TABLE = make(3)`` where ``make`` calls the helper only to raise: TABLE is the same
    object after the helper's body changes, in another module and in the helper's own."""
    names = _modules(
        workspace,
        {
            "h": HELPER
            + "def own(n):\n"
            "    if n < 0:\n"
            "        raise ValueError(fmt('negative'))\n"
            "    return [n]\n"
            "OWN = own(2)\n",
            "lib": "from {h} import fmt\n"
            "def make(n):\n"
            "    if n < 0:\n"
            "        raise ValueError(fmt('negative'))\n"
            "    return [n]\n",
            "user": "from {lib} import make\nTABLE = make(3)\n",
        },
    )
    with hotswap.Reloader() as r:
        user = importlib.import_module(names["user"])
        h = importlib.import_module(names["h"])
        table, own = user.TABLE, h.OWN
        r.check()
        workspace.write(
            f"{names['h']}.py",
            EDITED + "def own(n):\n"
            "    if n < 0:\n"
            "        raise ValueError(fmt('negative'))\n"
            "    return [n]\n"
            "OWN = own(2)\n",
        )
        report = r.check()
    assert report.ok, report
    assert user.TABLE is table and h.OWN is own


def test_a_message_caught_at_import_time_is_made_again_with_the_edited_helper(
    workspace: Workspace,
) -> None:
    """``MSG = describe()`` where ``describe`` raises with the helper and catches it, returning
    the message: MSG is what a fresh run computes, in another module and in the helper's own."""
    caught = (
        "def describe():\n"
        "    try:\n"
        "        raise ValueError(fmt('bad'))\n"
        "    except ValueError as exc:\n"
        "        return str(exc)\n"
    )
    names = _modules(
        workspace,
        {
            "h": HELPER + caught.replace("describe", "own") + "OWN = own()\n",
            "lib": "from {h} import fmt\n" + caught,
            "user": "from {lib} import describe\nMSG = describe()\n",
        },
    )
    with hotswap.Reloader() as r:
        user = importlib.import_module(names["user"])
        h = importlib.import_module(names["h"])
        r.check()
        workspace.write(
            f"{names['h']}.py", EDITED + caught.replace("describe", "own") + "OWN = own()\n"
        )
        report = r.check()
    assert report.ok, report
    assert user.MSG == "BAD" and h.OWN == "BAD"
