"""A class member named like a read-only property of the class's metaclass can be removed,
added and changed by a save.

Found checking out sympy 1.13.3 -> 1.14.0: ``Wavefunction`` (metaclass ``FunctionClass``, which
has a ``free_symbols`` property without setter or deleter) lost its own ``free_symbols``
property. A class statement stores the member in the class's own dict past the metaclass's
descriptor, but removing it with ``delattr`` goes through that descriptor: "property
'free_symbols' of 'FunctionClass' object has no deleter", the save of ``state.py`` failed and
eight modules that import it were held back."""

from __future__ import annotations

import importlib

import pytest

import hotswap
from conftest import Workspace

BEFORE = """\
class Meta(type):
    @property
    def free_symbols(cls):
        return "from the metaclass"


class Wave(metaclass=Meta):
{body}
"""

OWN = """\
    @property
    def free_symbols(self):
        return {value!r}
"""

OTHER = """\
    def other(self):
        return 1
"""


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (OWN.format(value="own") + OTHER, OTHER, None),
        (OTHER, OWN.format(value="own") + OTHER, "own"),
        (OWN.format(value="own") + OTHER, OWN.format(value="new") + OTHER, "new"),
    ],
    ids=["removed", "added", "changed"],
)
def test_member_named_like_a_metaclass_property(
    workspace: Workspace, before: str, after: str, expected: str | None
) -> None:
    """The save applies; an instance sees the class's own member, or none, as in a fresh run;
    the class itself still reads the metaclass's property."""
    name = workspace.name("wave")
    workspace.write(f"{name}.py", BEFORE.format(body=before))
    with hotswap.Reloader() as r:
        module = importlib.import_module(name)
        wave = module.Wave()
        workspace.write(f"{name}.py", BEFORE.format(body=after))
        report = r.check()
        assert report.ok, report
        assert getattr(wave, "free_symbols", None) == expected
        assert module.Wave.free_symbols == "from the metaclass"
