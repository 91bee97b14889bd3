"""A reload that edits no import keeps its module's entry in the importer index.

The index (``hotswap._detect.imports``) knows what each module imports from a scan of its text.
A reload gave the module a new text, and the next question about importers (a save that adds or
changes a name asks who imports it) scanned that text whole again: 1.5-2.4 ms for a 4,000-line
module, at every such save. ``hotswap._detect.edited_imports.same_imports`` decides from the
lines that differ whether the scan would find the same; these tests hold it to never saying so
when a whole scan differs.
"""

from __future__ import annotations

import importlib
import random

import pytest

import hotswap
import hotswap._detect.indexing as indexing
from conftest import Workspace
from hotswap._detect.edited_imports import same_imports
from hotswap._detect.imports import Imports, scan
from hotswap._detect.tracker import TRACKER
from test_import_cache import TRICKY

BODY = """\
def g(x):
    return (x, 1)  # a comment with ) and ( in it


class C:
    def m(self):
        return 1
"""


def _same(before: str, after: str) -> bool:
    """``same_imports``, held to the whole scans: it may say "maybe not", never a wrong yes."""
    said = same_imports(before, after, "pkg.mod", False)
    if said:
        assert scan(before, "pkg.mod", False) == scan(after, "pkg.mod", False), after
    return said


def test_a_reload_that_edits_no_import_is_not_scanned_again(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user edits a method and adds a top-level name (the save asks who imports that name):
    the module's imports are known without scanning its text again, and a later save that adds
    an import is scanned, so the index then knows the new import."""
    scanned: list[str] = []

    def counting(text: str, importer: str, is_package: bool) -> Imports:
        scanned.append(importer)
        return scan(text, importer, is_package)

    monkeypatch.setattr(indexing, "scan", counting)
    helper = workspace.name()
    workspace.write(f"{helper}.py", "H = 1\n")
    name = workspace.name()
    text = f"import os\nfrom {helper} import H\n\n\n{BODY}"
    workspace.write(f"{name}.py", text)
    with hotswap.Reloader() as reloader:
        module = importlib.import_module(name)
        instance = module.C()
        reloader.check()
        record = TRACKER.records[name]
        assert TRACKER.imports_of(record) == scan(text, name, False)
        edited = text.replace("return 1", "return 2") + "\nADDED = 3\n"
        workspace.write(f"{name}.py", edited)
        scanned.clear()
        report = reloader.check()
        assert report.reloaded == [name] and instance.m() == 2 and module.ADDED == 3
        assert name not in scanned and name not in TRACKER._unindexed
        assert TRACKER.index.of[name] == scan(edited, name, False)
        more = edited.replace("import os\n", "import os\nimport json\n")
        workspace.write(f"{name}.py", more)
        assert reloader.check().reloaded == [name] and module.json.dumps(1) == "1"
        assert TRACKER.imports_of(record) == scan(more, name, False) and name in scanned
        assert TRACKER.imports_of(record).module_items()[-1] == ("json", "json")


def test_edits_next_to_imports_are_told_apart_from_edits_of_imports() -> None:
    """Edits beside an import written over several lines (a parenthesised list with a comment
    holding ``)``, a backslash continuation) or inside it: an edit that changes what the module
    imports is never taken for one that does not."""
    text = TRICKY + "\n\n" + BODY
    inside_list = text.replace("    two as deux,\n", "    two as deux,\n    three,\n")
    assert not _same(text, inside_list)
    after_comment = text.replace("    one,   # a comment with ) in it\n", "    one,   # ) (\n")
    assert _same(text, after_comment)
    continued = text.replace("    z\n", "    z, zz\n")
    assert not _same(text, continued)
    below_list = text.replace("from x.y import", "X = 1\nfrom x.y import")
    assert _same(text, below_list)
    body = text.replace("return (x, 1)", "return (x, 2)")
    assert _same(text, body)
    top = text.replace("from __future__", "N = 0\nfrom __future__")
    assert _same(text, top)
    assert not _same(text, text.replace("import late;", "import later;"))


def test_no_edit_is_taken_for_one_that_keeps_the_imports_when_a_whole_scan_differs() -> None:
    """Thousands of random edits (lines added, removed or cut into, with pieces of import
    statements among them) around imports of every shape: whenever the lines that differ say
    the imports stay, a whole scan of both texts agrees; and most edits away from imports are
    decided without one."""
    pieces = [
        "import os\n",
        "from a import (b,\n",
        "    c)\n",
        "from . import x\n",
        "x = 1\n",
        "\\\n",
        "# from q import (\n",
        ")\n",
        "(",
        ")",
        "#",
        "import",
        " from z import w;",
        "    pass\n",
    ]
    text = TRICKY + "\n" + BODY * 3
    lines = text.splitlines(keepends=True)
    rng = random.Random(11)
    fast = 0
    for _ in range(3000):
        new = list(lines)
        at = rng.randrange(len(new))
        choice = rng.random()
        if choice < 0.3:
            new.insert(at, rng.choice(pieces))
        elif choice < 0.5:
            del new[at]
        else:
            cut = rng.randrange(len(new[at]) + 1)
            new[at] = new[at][:cut] + rng.choice(pieces) + new[at][cut:]
        if rng.random() < 0.5:  # a second place edited, as a save of two places does
            new.insert(rng.randrange(len(new) + 1), rng.choice(pieces))
        fast += _same(text, "".join(new))
    assert fast > 1000


def test_a_save_that_adds_a_line_at_the_top_and_edits_a_method_keeps_the_imports() -> None:
    """A line added under the imports at the top of a module and a method edited far below in
    the same save: two places apart, decided from each one's lines."""
    imports = "".join(f"from pkg.m{k} import name{k}\n" for k in range(30))
    text = f"from __future__ import annotations\n\n{imports}\n\n{BODY * 40}"
    edited = text.replace(imports, "ADDED = 1\n" + imports, 1)
    edited = edited[: len(edited) // 2] + edited[len(edited) // 2 :].replace(
        "return 1", "return 2", 1
    )
    assert _same(text, edited)
    assert not _same(text, edited.replace("import name29", "import name29, more"))


def test_an_import_list_that_never_closes_is_scanned_at_once() -> None:
    """A docstring or a half-written save holds ``from a import (b,`` with comments after it
    and no ``)``: the scan finds no import there and the ones after it (backtracking through
    every way to split each comment never ended)."""
    text = "from a import (b,\n" + "    x,  # a comment\n" * 40 + "import os\n"
    assert scan(text, "m", False).module_items() == [("os", "os")]
    assert scan(text, "m", False).from_items() == []
