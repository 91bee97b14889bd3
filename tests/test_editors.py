"""How real editors and tools save files, each against a fresh-process oracle.

A save is rarely one ``write()``: editors write a temporary file and rename it over the old one
(atomic rename, JetBrains "safe write"), move the original away as a backup first (vim, emacs),
truncate and then write in chunks, formatters rewrite every line, files arrive with CRLF line
endings or a BOM, and git rewrites many files at once. A checkpoint can land between any two of
those operations. Each test here drives one pattern step by step, runs a checkpoint wherever one
could land, and then checks that:

- every intermediate checkpoint keeps the session whole: the module keeps its names and the
  references the session holds are still the module's own objects;
- once the save is complete, one more checkpoint settles the session in the state a fresh
  process importing the final files is in (the probes agree with the oracle);
- what the session held before the save is still what the module binds (identity kept), and an
  instance made before the save runs the new code.

The checkpoints are explicit calls, so the tests are deterministic: no watcher, no timing.
"""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import Workspace

import hotswap
from _oracle import fresh_probes
from _oracle import probe as probe_value

OLD = textwrap.dedent(
    '''\
    """Prices."""

    RATE = 2


    def price(x):
        return x * RATE


    class Cart:
        def __init__(self):
            self.items = [1, 2]

        def total(self):
            return sum(price(i) for i in self.items)


    def label():
        return "cart"
    '''
)

# Every kind of change at once: a constant, a function body, a new method, lines that move.
NEW = textwrap.dedent(
    '''\
    """Prices, with a fee."""

    RATE = 3
    FEE = 1


    def price(x):
        # one more line: everything below moves
        return x * RATE + FEE


    class Cart:
        def __init__(self):
            self.items = [1, 2]

        def total(self):
            return sum(price(i) for i in self.items)

        def count(self):
            return len(self.items)


    def label():
        return "cart"
    '''
)

SETUP = """
import {name} as m
from {name} import price, Cart, label
cart = Cart()
total = cart.total
"""

PROBES = (
    "price(2)",
    "cart.total()",
    "total()",
    "m.RATE",
    "getattr(m, 'FEE', None)",
    "label()",
    "cart.count() if hasattr(cart, 'count') else None",
    "sorted(n for n in vars(m) if not n.startswith('_'))",
    "m.price.__code__.co_firstlineno",
    "m.Cart.total.__code__.co_firstlineno",
    "m.label.__code__.co_firstlineno",
    "m.__doc__",
)

def _probe(ns: dict[str, Any]) -> list[str]:
    return [probe_value(expr, ns) for expr in PROBES]


def _oracle(root: Path, setup: str) -> list[str]:
    """The probes in a fresh interpreter importing the files as they are now."""
    return fresh_probes(root, setup, PROBES)


class Session:
    """A module imported the way a user does, a reloader, and the references the user holds."""

    def __init__(self, workspace: Workspace, reloader: Any, name: str) -> None:
        self.workspace = workspace
        self.reloader = reloader
        self.name = name
        self.setup = SETUP.format(name=name)
        self.ns: dict[str, Any] = {}
        exec(self.setup, self.ns)
        self.held = {key: self.ns[key] for key in ("price", "Cart", "label")}
        self.before = _probe(self.ns)

    @property
    def path(self) -> Path:
        return self.workspace.root / f"{self.name}.py"

    def checkpoint(self) -> hotswap.Report:
        """A checkpoint landing here: the session stays whole (its names, the held objects)."""
        report = self.reloader.check()
        module = sys.modules[self.name]
        for key, held in self.held.items():
            assert getattr(module, key) is held, f"{key} is no longer the object the session holds"
        assert isinstance(self.ns["cart"], module.Cart)
        return report

    def settle(self) -> None:
        """The save is complete: one checkpoint brings the session to the oracle's state, and a
        second one finds nothing left to do."""
        report = self.checkpoint()
        assert report.ok, str(report)
        assert _probe(self.ns) == _oracle(self.workspace.root, self.setup)
        assert not self.checkpoint().reloaded


def _run(workspace: Workspace, save: Callable[[Session], None], old: str = OLD) -> Session:
    name = workspace.name("ed")
    workspace.write(f"{name}.py", old)
    with hotswap.Reloader() as r:
        importlib.import_module(name)
        session = Session(workspace, r, name)
        save(session)
        session.settle()
    return session


def _bump(session: Session, path: Path) -> None:
    session.workspace.bump(path)


def test_an_in_place_save_applies_at_the_next_checkpoint(workspace: Workspace) -> None:
    """The simplest save (``open(path, "w").write(text)``): the next checkpoint gives what a fresh
    run of the new file gives, through every reference the session holds."""

    def save(s: Session) -> None:
        s.path.write_text(NEW)
        _bump(s, s.path)

    s = _run(workspace, save)
    assert s.ns["cart"].count() == 2


def test_a_checkpoint_after_the_truncation_of_an_in_place_save_loses_nothing(
    workspace: Workspace,
) -> None:
    """Truncate, checkpoint (the file is empty), write: the checkpoint in between applies
    nothing, and the next one applies the whole new file."""

    def save(s: Session) -> None:
        with s.path.open("w") as f:
            f.flush()
            _bump(s, s.path)
            s.checkpoint()
            assert _probe(s.ns) == s.before
            f.write(NEW)
        _bump(s, s.path)

    _run(workspace, save)


def test_a_checkpoint_after_the_first_chunk_of_a_save_loses_nothing(workspace: Workspace) -> None:
    """A save written in two chunks, the first ending inside a statement: the checkpoint that
    sees the half file applies nothing (it waits for the rest of the save), the session is as
    it was; the checkpoint after the second chunk applies the whole file."""
    cut = NEW.index("x * RATE + FEE") + 3  # "return x *": a syntax error

    def save(s: Session) -> None:
        with s.path.open("w") as f:
            f.write(NEW[:cut])
            f.flush()
            _bump(s, s.path)
            report = s.checkpoint()
            assert not report.reloaded
            assert _probe(s.ns) == s.before
            f.write(NEW[cut:])
        _bump(s, s.path)

    _run(workspace, save)


def test_an_atomic_rename_save_applies_once_the_rename_lands(workspace: Workspace) -> None:
    """Write ``.name.py.tmp``, then ``os.replace`` it over the file (VS Code, Sublime, most
    libraries' "atomic write"): a checkpoint before the rename sees the old file (the temporary
    one is no module), the one after sees the new file under a new inode."""

    def save(s: Session) -> None:
        tmp = s.path.with_name(f".{s.path.name}.tmp")
        tmp.write_text(NEW)
        _bump(s, tmp)
        assert not s.checkpoint().reloaded
        os.replace(tmp, s.path)

    _run(workspace, save)


def test_a_jetbrains_safe_write_with_checkpoints_between_its_renames(
    workspace: Workspace,
) -> None:
    """PyCharm's safe write: write ``name.py___jb_tmp___``, rename the file to
    ``name.py___jb_old___``, rename the temporary file to ``name.py``, delete the old one. A
    checkpoint between the two renames finds no file at all: it keeps the module as it is."""

    def save(s: Session) -> None:
        tmp = s.path.with_name(s.path.name + "___jb_tmp___")
        old = s.path.with_name(s.path.name + "___jb_old___")
        tmp.write_text(NEW)
        _bump(s, tmp)
        s.checkpoint()
        os.replace(s.path, old)
        s.checkpoint()
        assert _probe(s.ns) == s.before
        os.replace(tmp, s.path)
        s.checkpoint()
        old.unlink()

    _run(workspace, save)


def test_a_vim_save_with_its_backup_dance(workspace: Workspace) -> None:
    """vim with ``writebackup`` (the default): it probes the directory with a file named
    ``4913``, renames the file to ``name.py~``, writes a new ``name.py`` (created empty, then
    filled), and deletes the backup. Checkpoints land after each step."""

    def save(s: Session) -> None:
        probe = s.path.with_name("4913")
        probe.write_text("")
        probe.unlink()
        backup = s.path.with_name(s.path.name + "~")
        os.replace(s.path, backup)
        s.checkpoint()
        assert _probe(s.ns) == s.before
        s.path.write_text("")
        _bump(s, s.path)
        s.checkpoint()
        assert _probe(s.ns) == s.before
        with s.path.open("a") as f:
            f.write(NEW)
        _bump(s, s.path)
        s.checkpoint()
        backup.unlink()

    _run(workspace, save)


def test_an_emacs_save_with_its_lock_link_and_backup(workspace: Workspace) -> None:
    """emacs: a lock (a dangling symlink ``.#name.py``) appears with the first change, the first
    save renames the file to ``name.py~`` and writes a new one, and the lock goes. The dangling
    link and the backup are no modules and break nothing."""

    def save(s: Session) -> None:
        lock = s.path.with_name(".#" + s.path.name)
        os.symlink("user@host.1234:1700000000", lock)
        s.checkpoint()
        backup = s.path.with_name(s.path.name + "~")
        os.replace(s.path, backup)
        s.checkpoint()
        s.path.write_text(NEW)
        _bump(s, s.path)
        s.checkpoint()
        lock.unlink()

    _run(workspace, save)


def test_a_formatter_rewriting_every_line_only_moves_code(workspace: Workspace) -> None:
    """A formatter (black, ruff format) rewrites every line without changing what the code does:
    quotes, spacing, wrapped calls. After the checkpoint the functions report the lines of the
    new file, as in a fresh run, and still return what they did."""
    formatted = (
        NEW.replace('"cart"', "'cart'")
        .replace("x * RATE + FEE", "(\n        x * RATE\n        + FEE\n    )")
        .replace(
            "sum(price(i) for i in self.items)",
            "sum(\n            price(i) for i in self.items\n        )",
        )
    )

    def save(s: Session) -> None:
        s.path.write_text(NEW)
        _bump(s, s.path)
        s.checkpoint()
        s.path.write_text(formatted)
        _bump(s, s.path)

    _run(workspace, save)


def test_a_save_with_crlf_line_endings(workspace: Workspace) -> None:
    """An editor on Windows (or with ``fileformat=dos``) saves CRLF line endings: the code and
    its line numbers are what a fresh run of the file gives."""

    def save(s: Session) -> None:
        s.path.write_bytes(NEW.replace("\n", "\r\n").encode())
        _bump(s, s.path)

    _run(workspace, save)


def test_a_save_that_adds_a_byte_order_mark(workspace: Workspace) -> None:
    """Some editors write UTF-8 with a BOM: the file still decodes as Python would decode it."""

    def save(s: Session) -> None:
        s.path.write_bytes(b"\xef\xbb\xbf" + NEW.encode())
        _bump(s, s.path)

    _run(workspace, save)


def test_a_save_that_changes_only_line_endings_changes_no_behaviour(workspace: Workspace) -> None:
    """``dos2unix`` in reverse: the same text with CRLF endings. Nothing behaves differently."""

    def save(s: Session) -> None:
        s.path.write_bytes(OLD.replace("\n", "\r\n").encode())
        _bump(s, s.path)

    s = _run(workspace, save)
    assert _probe(s.ns) == s.before


def test_a_save_that_restores_the_old_mtime_is_still_seen(workspace: Workspace) -> None:
    """Tools that keep timestamps (``rsync -t``, ``cp -p``, an editor restoring mtime): the new
    text arrives with the old mtime and the same size; the checkpoint still applies it."""
    same_size = OLD.replace("RATE = 2", "RATE = 5")

    def save(s: Session) -> None:
        before = s.path.stat()
        s.path.write_text(same_size)
        os.utime(s.path, ns=(before.st_atime_ns, before.st_mtime_ns))

    s = _run(workspace, save)
    assert s.ns["price"](2) == 10


# -- git: many files at once ---------------------------------------------------------------

PKG_OLD = {
    "__init__.py": "from .core import VERSION\n",
    "core.py": "VERSION = 1\n\n\ndef base():\n    return 'base'\n",
    "util.py": (
        "from .core import VERSION\n\n\ndef shout(s):\n    return s.upper() + str(VERSION)\n"
    ),
    "api.py": (
        "from .core import base\nfrom .util import shout\n\n\n"
        "class Api:\n    def hello(self):\n        return shout(base())\n"
    ),
}
PKG_NEW = {
    "__init__.py": "from .core import VERSION\nfrom .extra import more\n",
    "core.py": "VERSION = 2\n\n\ndef base():\n    return 'base!'\n",
    "util.py": (
        "from .core import VERSION\n\n\n"
        "def shout(s):\n    return s.upper() + '-' + str(VERSION)\n"
    ),
    "api.py": (
        "from .core import base\nfrom .util import shout\n\n\n"
        "class Api:\n    def hello(self):\n        return shout(base())\n\n"
        "    def bye(self):\n        return 'bye'\n"
    ),
    "extra.py": "def more():\n    return 'more'\n",
}
PKG_SETUP = """
import {name}
from {name}.api import Api
from {name}.util import shout
api = Api()
"""
PKG_PROBES = (
    "api.hello()",
    "shout('x')",
    "{name}.VERSION",
    "api.bye() if hasattr(api, 'bye') else None",
    "{name}.more() if hasattr({name}, 'more') else None",
)


def _write_package(workspace: Workspace, name: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = workspace.root / name / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        workspace.bump(path)


def _package_run(
    workspace: Workspace,
    steps: list[dict[str, str | None]],
    final: dict[str, str],
    setup: str = PKG_SETUP,
    probes: tuple[str, ...] = PKG_PROBES,
) -> dict[str, Any]:
    """A package imported with from-imports; each step writes (or deletes, ``None``) files and
    a checkpoint follows; then the probes are compared with a fresh run of ``final``."""
    name = workspace.name("git")
    _write_package(workspace, name, PKG_OLD)
    setup = setup.format(name=name)
    probes = tuple(p.format(name=name) for p in probes)
    with hotswap.Reloader() as r:
        ns: dict[str, Any] = {}
        exec(setup, ns)
        api_class = ns["Api"]
        for files in steps:
            for rel, text in files.items():
                path = workspace.root / name / rel
                if text is None:
                    path.unlink()
                else:
                    path.write_text(text)
                    workspace.bump(path)
            r.check()
            assert sys.modules[f"{name}.api"].Api is api_class
        report = r.check()
        assert report.ok, str(report)
        live = [probe_value(expr, ns) for expr in probes]
    assert {p.name for p in (workspace.root / name).glob("*.py")} == set(final)
    assert live == fresh_probes(workspace.root, setup, probes)
    return ns


def test_a_git_checkout_of_many_files_applies_in_dependency_order(workspace: Workspace) -> None:
    """``git checkout`` rewrites every file of the package and adds one that ``__init__`` now
    imports, all before one checkpoint: the session agrees with a fresh run of the new commit."""
    steps: list[dict[str, str | None]] = [dict(PKG_NEW)]
    ns = _package_run(workspace, steps, PKG_NEW)
    assert ns["api"].bye() == "bye"


def test_a_checkpoint_in_the_middle_of_a_git_checkout_settles(workspace: Workspace) -> None:
    """A checkpoint lands while git is half way through the files (in git's order: by path).
    The half-new state may not import cleanly; once git is done, the next checkpoint gives what
    a fresh run of the new commit gives."""
    ordered = sorted(PKG_NEW)
    first = {rel: PKG_NEW[rel] for rel in ordered[:2]}
    rest = {rel: PKG_NEW[rel] for rel in ordered[2:]}
    _package_run(workspace, [first, rest], PKG_NEW)


def test_a_git_stash_and_pop_round_trip(workspace: Workspace) -> None:
    """Edit two files, ``git stash`` (the files go back to the commit), ``git stash pop`` (the
    edits come back): each state is the oracle's, and the stash brings back the old code."""
    edited = {"core.py": PKG_NEW["core.py"], "util.py": PKG_NEW["util.py"]}
    original = {rel: PKG_OLD[rel] for rel in edited}
    final = dict(PKG_OLD, **edited)
    _package_run(workspace, [edited, dict(original), edited], final)


def test_a_git_merge_that_adds_and_deletes_modules(workspace: Workspace) -> None:
    """A merge brings a new module, deletes one (its function moves into its importer) and
    rewrites the rest: the session agrees with a fresh run of the merged files."""
    merged: dict[str, str | None] = dict(PKG_NEW)
    merged["util.py"] = None
    merged["api.py"] = (
        "from .core import base\n\n\n"
        "def shout(s):\n    return s.upper()\n\n\n"
        "class Api:\n    def hello(self):\n        return shout(base())\n\n"
        "    def bye(self):\n        return 'bye'\n"
    )
    final = {rel: text for rel, text in merged.items() if text is not None}
    setup = "import {name}\nfrom {name}.api import Api\napi = Api()\n"
    probes = ("api.hello()", "{name}.VERSION", "api.bye()", "{name}.more()")
    _package_run(workspace, [merged], final, setup, probes)
