"""``%load_ext hotswap`` in a real IPython ``InteractiveShell``: every form of the magics, output.

Each test loads the extension, runs real cells with ``run_cell``, edits real files between cells
and reads what the user would see on stdout/stderr. ``InteractiveShell`` is a process-wide
singleton: the ``ip`` fixture unloads the extension and removes the names a test added. Tests
that need IPython's own ``autoreload`` (which cannot be unloaded) run in a subprocess.
"""

from __future__ import annotations

import linecache
import logging
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import ExecutionResult, InteractiveShell
from traitlets.config import Config

import hotswap
from _ipython_support import ModuleDir, run_python, unique

# -- fixtures ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """What one cell printed and returned."""

    out: str
    err: str
    result: ExecutionResult

    @property
    def value(self) -> Any:
        return self.result.result

    @property
    def printed(self) -> str:
        """What was printed besides the ``Out[n]:`` line of the cell's value."""
        return "".join(
            line for line in self.out.splitlines(keepends=True) if not line.startswith("Out[")
        )

    @property
    def ok(self) -> bool:
        return bool(self.result.success)


class Session:
    """A real shell with the extension loaded; ``run`` executes one cell and captures output."""

    def __init__(self, shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
        self.shell = shell
        self._capsys = capsys

    def run(self, source: str) -> Cell:
        self._capsys.readouterr()
        result = self.shell.run_cell(textwrap.dedent(source), store_history=True)
        captured = self._capsys.readouterr()
        return Cell(captured.out, captured.err, result)

    def status(self) -> str:
        cell = self.run("%hotswap")
        assert cell.ok, cell.err
        return cell.out

    @property
    def magics(self) -> Any:
        return self.shell.magics_manager.registry.get("HotswapMagics")

    def our_callbacks(self, event: str) -> list[Any]:
        return [
            cb
            for cb in self.shell.events.callbacks[event]
            if type(getattr(cb, "__self__", None)).__name__ == "HotswapMagics"
        ]


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    if InteractiveShell.initialized():
        return InteractiveShell.instance()
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    config.InteractiveShell.colors = "nocolor"
    return InteractiveShell.instance(config=config)


@pytest.fixture
def mods(tmp_path: Path) -> Iterator[ModuleDir]:
    """A module directory on ``sys.path``; restores sys.path, sys.modules and linecache."""
    root = tmp_path / "src"
    saved_path = list(sys.path)
    saved_cache = dict(linecache.cache)
    sys.path.insert(0, str(root))
    yield ModuleDir(root)
    sys.path[:] = saved_path
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(root)):
            del sys.modules[name]
    linecache.cache.clear()
    linecache.cache.update(saved_cache)


@pytest.fixture
def ip(
    shell: InteractiveShell, mods: ModuleDir, capsys: pytest.CaptureFixture[str]
) -> Iterator[Session]:
    """The shell with ``%load_ext hotswap`` done; unloaded and cleaned after the test."""
    shell.colors = "nocolor"
    names_before = set(shell.user_ns)
    session = Session(shell, capsys)
    cell = session.run("%load_ext hotswap")
    assert cell.ok and cell.out.startswith("hotswap: on;") and cell.err == "", cell
    yield session
    shell.run_cell("%unload_ext hotswap")
    for name in set(shell.user_ns) - names_before:
        del shell.user_ns[name]


ONE = "def f():\n    return 1\n"
TWO = "def f():\n    return 2\n"


# -- loading turns reloading on ---------------------------------------------------------------


def test_load_ext_reloads_edited_module_before_next_cell(ip: Session, mods: ModuleDir) -> None:
    """After %load_ext hotswap alone, an edit shows up in the next cell; `f` is the same object."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\nfrom {name} import f\nkept = f").ok
    mods.edit(name, TWO)
    cell = ip.run(f"(f(), {name}.f(), kept is f is {name}.f)")
    assert cell.value == (2, 2, True)
    assert f"hotswap: reloaded {name}" in cell.out
    assert "patched f" in cell.out


def test_nothing_is_printed_when_nothing_changed(ip: Session, mods: ModuleDir) -> None:
    """Cells that follow no edit print nothing from hotswap, not even an empty line."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}").ok
    cell = ip.run("x = 1")
    assert (cell.out, cell.err) == ("", "")


def test_autoreload_2_after_loading_changes_nothing(ip: Session, mods: ModuleDir) -> None:
    """Typing `%autoreload 2` from habit prints nothing and leaves the state as it was."""
    before = ip.status()
    cell = ip.run("%autoreload 2")
    assert (cell.out, cell.err) == ("", "")
    assert ip.status() == before
    assert "mode all" in before and "strategy: incremental" in before


def test_status_magic_shows_mode_strategy_modules_and_failures(
    ip: Session, mods: ModuleDir
) -> None:
    """%hotswap names the mode, strategy, watched count, exclusions, failures and last report."""
    good, bad = mods.write(ONE), mods.write(ONE)
    assert ip.run(f"import {good}, {bad}\n%aimport -{good}").ok
    mods.edit(bad, "def f(:\n")
    ip.run("pass")
    out = ip.status()
    assert "mode all" in out
    assert "strategy: incremental" in out
    watched = next(line for line in out.splitlines() if "watched modules:" in line)
    assert int(watched.rsplit(":", 1)[1]) >= 1
    assert f"excluded: {good}" in out
    assert "waiting for a fix:" in out and bad in out.split("waiting for a fix:")[1]
    assert "last report:" in out


# -- %autoreload: modes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "mode"),
    [
        ("0", "off"),
        ("off", "off"),
        ("OFF", "off"),
        ("1", "explicit"),
        ("explicit", "explicit"),
        ("2", "all"),
        ("all", "all"),
        ("3", "complete"),
        ("Complete", "complete"),
    ],
)
def test_every_mode_spelling_sets_that_mode(ip: Session, word: str, mode: str) -> None:
    """`%autoreload <word>` accepts IPython's numbers and names, in any case."""
    cell = ip.run(f"%autoreload {word}")
    assert cell.ok and cell.err == ""
    assert f"mode {mode}" in ip.status()


def test_mode_off_stops_reloading(ip: Session, mods: ModuleDir) -> None:
    """After %autoreload 0 an edit is not applied before the next cell."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload 0").ok
    mods.edit(name, TWO)
    cell = ip.run(f"{name}.f()")
    assert cell.value == 1
    assert cell.printed == ""


@pytest.mark.parametrize("form", ["%autoreload", "%autoreload now", "%autoreload NOW"])
def test_now_reloads_at_once_even_when_off(ip: Session, mods: ModuleDir, form: str) -> None:
    """`%autoreload` / `now` reloads changed modules right away and keeps the mode (here off)."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload off").ok
    mods.edit(name, TWO)
    cell = ip.run(form)
    assert f"hotswap: reloaded {name}" in cell.out
    assert ip.run(f"{name}.f()").value == 2
    assert "mode off" in ip.status()


def test_explicit_mode_reloads_only_aimported_modules(ip: Session, mods: ModuleDir) -> None:
    """In %autoreload 1, only modules named with %aimport follow their edits."""
    chosen, other = mods.write(ONE), mods.write(ONE)
    assert ip.run(f"import {other}\n%autoreload 1\n%aimport {chosen}").ok
    mods.edit(chosen, TWO)
    mods.edit(other, TWO)
    cell = ip.run(f"({chosen}.f(), {other}.f())")
    assert cell.value == (2, 1)
    assert f"reloaded {chosen}" in cell.out and other not in cell.out


def test_complete_mode_adds_names_where_user_star_imported(ip: Session, mods: ModuleDir) -> None:
    """In mode 3, a function added to m appears after `from m import *`, not after `import m`."""
    star, plain = mods.write(ONE), mods.write(ONE)
    assert ip.run(f"%autoreload 3\nfrom {star} import *\nimport {plain}").ok
    mods.edit(star, ONE + "def g_star():\n    return 'new'\n")
    mods.edit(plain, ONE + "def g_plain():\n    return 'new'\n")
    cell = ip.run("g_star()")
    assert cell.value == "new"
    assert "g_plain" not in ip.shell.user_ns
    assert ip.run(f"{plain}.g_plain()").value == "new"


def test_complete_mode_respects_from_import_lists(ip: Session, mods: ModuleDir) -> None:
    """After `from m import f`, mode 3 updates f but does not push a new name g into the session."""
    name = mods.write(ONE)
    assert ip.run(f"%autoreload complete\nfrom {name} import f").ok
    mods.edit(name, TWO + "def g():\n    return 3\n")
    assert ip.run("f()").value == 2
    assert "g" not in ip.shell.user_ns


def test_complete_mode_follows_an_import_cell_run_again(ip: Session, mods: ModuleDir) -> None:
    """A notebook's import cell run again records nothing twice, and a new import cell is
    still recorded: mode 3 updates ``f``, then the constant imported under another name
    (``lim``, which only the recorded import statement ties to ``LIMIT``), and pushes no
    other name."""
    name = mods.write("LIMIT = 1\n" + ONE)
    assert ip.run(f"%autoreload complete\nfrom {name} import f").ok
    assert ip.run(f"from {name} import f").ok
    mods.edit(name, "LIMIT = 1\n" + TWO)
    assert ip.run("f()").value == 2
    assert "LIMIT" not in ip.shell.user_ns
    assert ip.run(f"from {name} import LIMIT as lim").ok
    mods.edit(name, "LIMIT = 5\n" + TWO)
    assert ip.run("lim").value == 5


def test_complete_mode_never_overwrites_user_variables(ip: Session, mods: ModuleDir) -> None:
    """A name the user rebound after `from m import *` keeps the user's value when m changes."""
    name = mods.write("LIMIT = 1\n" + ONE)
    assert ip.run(f"%autoreload 3\nfrom {name} import *\nLIMIT = 'mine'").ok
    mods.edit(name, "LIMIT = 5\n" + TWO)
    cell = ip.run("(LIMIT, f())")
    assert cell.value == ("mine", 2)


# -- %autoreload: strategy and flags ----------------------------------------------------------

STATEFUL = """\
STATE = []
def f():
    return {value}
"""


@pytest.mark.parametrize("form", ["%autoreload 2-", "%autoreload --full", "%autoreload all-"])
def test_full_strategy_reruns_whole_module(ip: Session, mods: ModuleDir, form: str) -> None:
    """With a trailing `-` or --full the whole module re-runs: module state starts afresh."""
    name = mods.write(STATEFUL.format(value=1))
    assert ip.run(f"import {name}\n{name}.STATE.append('x')\n{form}").ok
    assert "strategy: full" in ip.status()
    mods.edit(name, STATEFUL.format(value=2))
    assert ip.run(f"({name}.f(), {name}.STATE)").value == (2, [])


def test_incremental_strategy_keeps_module_state(ip: Session, mods: ModuleDir) -> None:
    """By default only the edited function is updated: module state survives the reload."""
    name = mods.write(STATEFUL.format(value=1))
    assert ip.run(f"import {name}\n{name}.STATE.append('x')").ok
    mods.edit(name, STATEFUL.format(value=2))
    assert ip.run(f"({name}.f(), {name}.STATE)").value == (2, ["x"])


def test_each_call_resets_the_flags_it_does_not_name(ip: Session, mods: ModuleDir) -> None:
    """`%autoreload 2 -q` hides the line, a later plain `%autoreload 2` brings it back."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload 2 -q --full").ok
    mods.edit(name, TWO)
    assert ip.run("pass").out == ""
    assert ip.run("%autoreload 2").ok
    assert "strategy: incremental" in ip.status()
    mods.edit(name, ONE)
    assert f"hotswap: reloaded {name}" in ip.run("pass").out


@pytest.mark.parametrize("flag", ["-q", "--quiet", "--qui"])
def test_quiet_hides_the_success_line(ip: Session, mods: ModuleDir, flag: str) -> None:
    """-q/--quiet (or a unique prefix) hides the success line; the reload still happens."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload 2 {flag}").ok
    mods.edit(name, TWO)
    cell = ip.run(f"{name}.f()")
    assert cell.value == 2
    assert cell.printed == ""


@pytest.mark.parametrize("flag", ["-p", "--print"])
def test_print_flag_lists_every_changed_object(ip: Session, mods: ModuleDir, flag: str) -> None:
    """-p prints the module line and one line per changed object, with where it is."""
    name = mods.write(ONE + "def g():\n    return 1\n")
    assert ip.run(f"import {name}\n%autoreload 2 {flag}").ok
    mods.edit(name, TWO + "def g():\n    return 2\n")
    out = ip.run("pass").out
    assert f"hotswap: reloaded {name}" in out
    assert f"patched {name}.f" in out and f"patched {name}.g" in out


@pytest.mark.parametrize("flag", ["-l", "--log"])
def test_log_flag_sends_the_report_to_the_hotswap_logger(
    ip: Session, mods: ModuleDir, caplog: pytest.LogCaptureFixture, flag: str
) -> None:
    """-l sends the reload line to the `hotswap` logger (and still prints it)."""
    caplog.set_level(logging.INFO, logger="hotswap")
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload {flag} 2").ok
    mods.edit(name, TWO)
    out = ip.run("pass").out
    messages = [r.getMessage() for r in caplog.records if r.name == "hotswap"]
    assert any(f"hotswap: reloaded {name}" in m for m in messages), messages
    assert f"hotswap: reloaded {name}" in out


def test_log_flag_logs_failures_unless_errors_are_hidden(
    ip: Session, mods: ModuleDir, caplog: pytest.LogCaptureFixture
) -> None:
    """With -l a failed reload is one ERROR record; with -l --hide-errors there is none."""
    caplog.set_level(logging.INFO, logger="hotswap")
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload 2 -l").ok
    mods.edit(name, "def f(:\n")
    ip.run("pass")
    errors = [r for r in caplog.records if r.name == "hotswap" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "kept the previous version" in errors[0].getMessage()
    caplog.clear()
    assert ip.run("%autoreload 2 -l --hide-errors").ok
    mods.edit(name, "def f(::\n")
    cell = ip.run(f"{name}.f()")
    assert cell.value == 1 and cell.printed == ""
    assert [r for r in caplog.records if r.name == "hotswap"] == []


def test_combined_short_flags(ip: Session, mods: ModuleDir) -> None:
    """`%autoreload -pq 2` combines short flags as argparse does: -p wins over -q."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload -pq 2").ok
    assert "quiet, print" in ip.status()
    mods.edit(name, TWO)
    assert f"patched {name}.f" in ip.run("pass").out


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("7", "unrecognized mode '7'"),
        ("sometimes", "unrecognized mode 'sometimes'"),
        ("2 3", "expected one mode"),
        ("--bogus", "unknown option --bogus"),
        ("-x 2", "unknown option -x"),
    ],
)
def test_wrong_argument_is_a_one_line_error_that_changes_nothing(
    ip: Session, line: str, expected: str
) -> None:
    """A bad %autoreload line prints one UsageError line and leaves mode and flags alone."""
    assert ip.run("%autoreload 3 -q").ok
    before = ip.status()
    cell = ip.run(f"%autoreload -p --full {line}")
    assert not cell.ok
    assert cell.out == ""
    assert cell.err.count("\n") == 1
    assert cell.err.startswith("UsageError: %autoreload: ")
    assert expected in cell.err
    assert ip.status() == before


def test_question_mark_shows_readable_help(ip: Session) -> None:
    """`%autoreload?` shows every mode and flag in plain words, no argparse debris."""
    out = ip.run("%autoreload?").out
    for text in ("0 or off", "1 or explicit", "2 or all", "3 or complete", "now", "--print",
                 "--log", "--quiet", "--hide-errors", "--full", '"%autoreload 2-"'):
        assert text in out, text
    assert "{'" not in out and "%(" not in out


def test_help_flag_prints_the_help(ip: Session) -> None:
    """`%autoreload --help` prints the same help instead of failing as IPython does."""
    cell = ip.run("%autoreload --help")
    assert cell.ok and "1 or explicit" in cell.out


# -- %aimport --------------------------------------------------------------------------------


def test_aimport_without_argument_lists_included_and_excluded(ip: Session, mods: ModuleDir) -> None:
    """`%aimport` alone prints IPython's two lists: what is reloaded and what is skipped."""
    a, b = mods.write(ONE), mods.write(ONE)
    assert ip.run(f"%aimport -{b}").ok
    assert ip.run("%aimport").out == (
        f"Modules to reload:\nall-except-skipped\n\nModules to skip:\n{b}\n"
    )
    assert ip.run(f"%autoreload 1\n%aimport {a}").ok
    assert ip.run("%aimport").out == f"Modules to reload:\n{a}\n\nModules to skip:\n{b}\n"


def test_aimport_lists_aimported_modules_while_reloading_is_off(
    ip: Session, mods: ModuleDir
) -> None:
    """After `%autoreload 0`, `%aimport` still lists the modules marked with `%aimport`, as
    IPython does (they are what `%autoreload 1` will reload)."""
    a = mods.write(ONE)
    assert ip.run(f"%autoreload 0\n%aimport {a}").ok
    assert ip.run("%aimport").out == f"Modules to reload:\n{a}\n\nModules to skip:\n\n"


def test_aimport_imports_binds_and_includes(ip: Session, mods: ModuleDir) -> None:
    """`%aimport m` imports m, binds the name in the session and marks it for mode explicit."""
    name = mods.write(ONE)
    assert ip.run(f"%autoreload 1\n%aimport {name}").ok
    assert ip.shell.user_ns[name] is sys.modules[name]
    mods.edit(name, TWO)
    assert ip.run(f"{name}.f()").value == 2


def test_aimport_takes_a_comma_separated_list(ip: Session, mods: ModuleDir) -> None:
    """`%aimport a, b` includes and binds both."""
    a, b = mods.write(ONE), mods.write(ONE)
    assert ip.run(f"%autoreload explicit\n%aimport {a}, {b}").ok
    mods.edit(a, TWO)
    mods.edit(b, TWO)
    assert ip.run(f"({a}.f(), {b}.f())").value == (2, 2)


def test_aimport_minus_excludes_in_mode_all(ip: Session, mods: ModuleDir) -> None:
    """`%aimport -m` keeps m as it is even in mode all; the module need not be imported."""
    name = mods.write(ONE)
    assert ip.run(f"%aimport -{name}\nimport {name}").ok
    mods.edit(name, TWO)
    cell = ip.run(f"{name}.f()")
    assert cell.value == 1 and cell.printed == ""
    assert name in ip.run("%aimport").out


def test_aimport_mixed_exclude_and_include(ip: Session, mods: ModuleDir) -> None:
    """`%aimport -a, b` excludes a and includes b in one line, as in IPython."""
    a, b = mods.write(ONE), mods.write(ONE)
    assert ip.run(f"import {a}\n%autoreload 1\n%aimport -{a}, {b}").ok
    mods.edit(a, TWO)
    mods.edit(b, TWO)
    assert ip.run(f"({a}.f(), {b}.f())").value == (1, 2)
    assert ip.run("%aimport").out.endswith(f"Modules to skip:\n{a}\n")


def test_aimport_include_undoes_exclude(ip: Session, mods: ModuleDir) -> None:
    """Excluding then including a module reloads it again."""
    name = mods.write(ONE)
    assert ip.run(f"%aimport -{name}\n%aimport {name}").ok
    mods.edit(name, TWO)
    assert ip.run(f"{name}.f()").value == 2


def test_aimport_as_alias_binds_the_module(ip: Session, mods: ModuleDir) -> None:
    """`%aimport m as alias` binds m under the alias only."""
    name = mods.write(ONE)
    assert ip.run(f"%aimport {name} as short").ok
    assert ip.shell.user_ns["short"] is sys.modules[name]
    assert name not in ip.shell.user_ns
    mods.edit(name, TWO)
    assert ip.run("short.f()").value == 2


def test_aimport_dotted_as_alias_binds_the_submodule(ip: Session, mods: ModuleDir) -> None:
    """`%aimport pkg.sub as s` binds the submodule (IPython binds the package by mistake)."""
    pkg = mods.package(unique(), sub=ONE)
    assert ip.run(f"%aimport {pkg}.sub as s").ok
    assert ip.shell.user_ns["s"] is sys.modules[f"{pkg}.sub"]
    assert pkg not in ip.shell.user_ns


def test_aimport_dotted_without_alias_binds_the_package(ip: Session, mods: ModuleDir) -> None:
    """`%aimport pkg.sub` binds `pkg`, like `import pkg.sub`."""
    pkg = mods.package(unique(), sub=ONE)
    assert ip.run(f"%aimport {pkg}.sub").ok
    assert ip.shell.user_ns[pkg] is sys.modules[pkg]
    assert ip.run(f"{pkg}.sub.f()").value == 1


def test_aimport_package_covers_submodules(ip: Session, mods: ModuleDir) -> None:
    """In mode explicit, `%aimport pkg` also reloads pkg.sub (IPython's issue #10395)."""
    pkg = mods.package(unique(), sub=ONE)
    assert ip.run(f"import {pkg}.sub\n%autoreload 1\n%aimport {pkg}").ok
    mods.edit(f"{pkg}.sub", TWO)
    assert ip.run(f"{pkg}.sub.f()").value == 2


def test_aimport_exclude_package_covers_submodules(ip: Session, mods: ModuleDir) -> None:
    """`%aimport -pkg` also keeps pkg.sub as it is."""
    pkg = mods.package(unique(), sub=ONE)
    assert ip.run(f"import {pkg}.sub\n%aimport -{pkg}").ok
    mods.edit(f"{pkg}.sub", TWO)
    assert ip.run(f"{pkg}.sub.f()").value == 1


@pytest.mark.parametrize("line", ["{good}, hs_missing_{tag}", "hs_missing_{tag}"])
def test_aimport_missing_module_is_one_line_and_changes_nothing(
    ip: Session, mods: ModuleDir, line: str
) -> None:
    """A module that does not exist is a one-line error; nothing is bound or included."""
    good = mods.write(ONE)
    assert ip.run("%autoreload 1").ok
    before = ip.run("%aimport").out
    cell = ip.run("%aimport " + line.format(good=good, tag=unique()))
    assert cell.err.startswith("UsageError: %aimport: no module named 'hs_missing_")
    assert cell.err.count("\n") == 1
    assert good not in ip.shell.user_ns
    assert ip.run("%aimport").out == before


@pytest.mark.parametrize("line", ["m as", "m as 1x", "a b", "-m as x", ".rel"])
def test_aimport_malformed_line_is_a_usage_error(ip: Session, line: str) -> None:
    """Malformed %aimport lines are one-line usage errors."""
    cell = ip.run(f"%aimport {line}")
    assert cell.err.startswith("UsageError: %aimport: ") and cell.err.count("\n") == 1


# -- output of failures -----------------------------------------------------------------------


def test_failed_reload_prints_one_block_once_and_keeps_old_code(
    ip: Session, mods: ModuleDir
) -> None:
    """A syntax error prints one block (module, file, line, error, kept) once, on stderr where
    IPython prints its own errors; fixing the file reloads."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}").ok
    path = mods.edit(name, "def f():\n    return (2\n")
    cell = ip.run(f"{name}.f()")
    assert cell.value == 1
    assert "hotswap" not in cell.out
    assert cell.err.count("kept the previous version") == 1
    assert f"hotswap: reloading {name} failed; kept the previous version" in cell.err
    assert f'File "{path}", line' in cell.err
    assert "SyntaxError" in cell.err
    again = ip.run("pass")
    assert (again.out, again.err) == ("", "")  # no repetition before every later cell
    mods.edit(name, TWO)
    fixed = ip.run(f"{name}.f()")
    assert fixed.value == 2
    assert f"hotswap: reloaded {name}" in fixed.out and "failed" not in fixed.out


def test_failure_block_shows_the_failing_line_of_a_runtime_error(
    ip: Session, mods: ModuleDir
) -> None:
    """An exception while the new code runs names the file, line, source line and error."""
    name = mods.write("LIMIT = 1\n" + ONE)
    assert ip.run(f"import {name}").ok
    path = mods.edit(name, "LIMIT = 1 // 0\n" + TWO)
    cell = ip.run(f"({name}.f(), {name}.LIMIT)")
    assert cell.value == (1, 1)
    assert f'File "{path}", line 1' in cell.err
    assert "LIMIT = 1 // 0" in cell.err
    assert "ZeroDivisionError" in cell.err


def test_hide_errors_hides_the_failure_block(ip: Session, mods: ModuleDir) -> None:
    """With --hide-errors a failed reload prints nothing; the previous version is still kept."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%autoreload 2 --hide-errors").ok
    mods.edit(name, "def f(:\n")
    cell = ip.run(f"{name}.f()")
    assert cell.value == 1
    assert (cell.printed, cell.err) == ("", "")


def test_traceback_from_reloaded_code_shows_new_lines(ip: Session, mods: ModuleDir) -> None:
    """An error raised by reloaded code shows the new source line at its new line number."""
    name = mods.write("def f():\n    return 1\n")
    assert ip.run(f"import {name}").ok
    new = "# a comment\n# another\n\ndef f():\n    x = 0\n    return 10 // x  # new line\n"
    path = mods.edit(name, new)
    cell = ip.run(f"{name}.f()")
    assert not cell.ok
    assert "ZeroDivisionError" in cell.out
    assert str(path) in cell.out
    assert "return 10 // x  # new line" in cell.out
    assert "line 6" in cell.out or "----> 6" in cell.out


# -- lifecycle --------------------------------------------------------------------------------


def test_unload_removes_hooks_and_magics(ip: Session, mods: ModuleDir) -> None:
    """After %unload_ext hotswap the magics are gone and edits are no longer applied."""
    name = mods.write(ONE)
    assert ip.run(f"import {name}\n%unload_ext hotswap").ok
    assert ip.our_callbacks("pre_run_cell") == [] and ip.our_callbacks("post_run_cell") == []
    assert ip.magics is None
    mods.edit(name, TWO)
    assert ip.run(f"{name}.f()").value == 1
    for magic in ("aimport", "hotswap"):
        cell = ip.run(f"%{magic}")
        assert f"Line magic function `%{magic}` not found" in cell.err
    assert ip.run("%load_ext hotswap").ok  # and it loads again afterwards


def test_reload_ext_and_loading_twice_keep_one_hook(ip: Session, mods: ModuleDir) -> None:
    """%reload_ext and a second %load_ext leave one hook: an edit is reported once."""
    name = mods.write(ONE)
    for line in ("%reload_ext hotswap", "%reload_ext hotswap", "%load_ext hotswap",
                 "%load_ext hotswap.ipython"):
        assert ip.run(line).ok
    assert len(ip.our_callbacks("pre_run_cell")) == 1
    assert len(ip.our_callbacks("post_run_cell")) == 1
    assert ip.run(f"import {name}").ok
    mods.edit(name, TWO)
    cell = ip.run(f"{name}.f()")
    assert cell.value == 2
    assert cell.out.count("hotswap: reloaded") == 1


def test_extension_and_plain_api_give_the_same_report(ip: Session, mods: ModuleDir) -> None:
    """The extension drives a hotswap.Reloader: the same edit gives the same changes both ways."""
    source_before = "X = 1\ndef f():\n    return X\nclass C:\n    def m(self):\n        return 1\n"
    source_after = "X = 2\ndef f():\n    return X + 1\nclass C:\n    def m(self):\n" \
        "        return 2\ndef g():\n    return 0\n"
    in_shell, in_api = mods.write(source_before), mods.write(source_before)
    assert ip.run(f"import {in_shell}\n%aimport -{in_api}").ok
    __import__(in_api)
    namespace: dict[str, Any] = {}
    with hotswap.Reloader(namespace=namespace) as plain:
        plain.exclude(in_shell)
        mods.edit(in_shell, source_after)
        mods.edit(in_api, source_after)
        assert ip.run("pass").ok
        api_report = plain.check()
    shell_report = ip.magics.reloader.last_report

    def shape(report: hotswap.Report, module: str) -> list[tuple[str, str]]:
        return sorted((c.qualname, c.action) for c in report.changes if c.module == module)

    assert shape(shell_report, in_shell) == shape(api_report, in_api)
    assert shape(api_report, in_api)
    assert str(shell_report).replace(in_shell, "M") == str(api_report).replace(in_api, "M")


# -- IPython's own autoreload (in a subprocess: it cannot be unloaded) ------------------------

_DRIVER = """
import os, pathlib, sys
from traitlets.config import Config
from IPython.core.interactiveshell import InteractiveShell
c = Config(); c.HistoryManager.hist_file = ":memory:"; c.InteractiveShell.colors = "nocolor"
ip = InteractiveShell.instance(config=c)
path = pathlib.Path({path!r})
def edit(text):
    t = path.stat().st_mtime_ns + 2_000_000_000
    path.write_text(text)
    os.utime(path, ns=(t, t))
def cell(src):
    print("<<" + src.splitlines()[0] + ">>")
    ip.run_cell(src, store_history=True)  # as the terminal and a kernel run a user's cell
{steps}
"""

COUNTED = "RUNS = globals().get('RUNS', 0) + 1\ndef f():\n    return {value}\n"


def _drive(tmp_path: Path, name: str, steps: str) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(COUNTED.format(value=1))
    code = _DRIVER.format(path=str(path), steps=textwrap.dedent(steps))
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_ipython_autoreload_loaded_first_is_taken_over(tmp_path: Path) -> None:
    """Loading hotswap after IPython's autoreload says so once; a module is reloaded once."""
    name = unique()
    out = _drive(tmp_path, name, f"""
        cell("%load_ext autoreload")
        cell("%autoreload 2")
        cell("import {name}")
        cell("%load_ext hotswap")
        edit({COUNTED.format(value=2)!r})
        cell("print('result', {name}.f(), {name}.RUNS)")
        edit({COUNTED.format(value=3)!r})
        cell("print('result', {name}.f(), {name}.RUNS)")
        cell("%hotswap")
    """)
    assert out.count("hotswap: handles %autoreload now; IPython's autoreload is switched off") == 1
    # IPython's reloader re-runs the whole module (RUNS would grow); hotswap runs only f.
    assert "result 2 1" in out and "result 3 1" in out
    assert "IPython's autoreload: switched off by hotswap" in out


def test_ipython_autoreload_loaded_later_is_taken_over(tmp_path: Path) -> None:
    """Loading IPython's autoreload after hotswap: %autoreload stays hotswap's, one reload."""
    name = unique()
    out = _drive(tmp_path, name, f"""
        cell("%load_ext hotswap")
        cell("import {name}")
        cell("%load_ext autoreload")
        cell("%autoreload 2")
        edit({COUNTED.format(value=2)!r})
        cell("print('result', {name}.f(), {name}.RUNS)")
        cell("print('owner', type(get_ipython().find_magic('autoreload').__self__).__name__)")
        cell("%unload_ext hotswap")
        cell("print('owner', type(get_ipython().find_magic('autoreload').__self__).__name__)")
    """)
    assert out.count("hotswap: handles %autoreload now; IPython's autoreload is switched off") == 1
    assert "result 2 1" in out
    assert "owner HotswapMagics" in out
    assert "owner AutoreloadMagics" in out  # unloading hotswap gives %autoreload back


def test_load_ext_typed_in_a_cell_says_it_is_on(tmp_path: Path) -> None:
    """``%load_ext hotswap`` typed in a cell prints one short line saying reloading is on and
    how to turn it off; the second ``%load_ext`` prints nothing."""
    name = unique()
    out = _drive(tmp_path, name, """
        cell("%load_ext hotswap")
        cell("%load_ext hotswap")
    """)
    assert out.count("hotswap: on; edited modules reload before each cell") == 1
    line = next(x for x in out.splitlines() if x.startswith("hotswap: on"))
    assert "%autoreload off" in line and len(line) <= 100


# -- a save caught while it is being written (issue 13, family 3) -----------------------------


def test_a_save_caught_half_written_waits_for_the_next_cell(ip: Session, mods: ModuleDir) -> None:
    """A cell that runs between the two chunks of an in-place save does not apply the first
    chunk (it is cut inside a statement): it says so once and runs on the old code; the next
    cell, after the save completed, applies it."""
    name = mods.write("def f():\n    return 1\n\ndef g():\n    return 'g'\n")
    assert ip.run(f"import {name}\nfrom {name} import f").ok
    mods.edit(name, "def f():\n    return 2\n\ndef g(")  # the first chunk, then a cell
    cell = ip.run("f()")
    assert cell.value == 1 and "reloaded" not in cell.out + cell.err
    said = [line for line in (cell.out + cell.err).splitlines() if "still being written" in line]
    assert len(said) == 1 and "file ends in the middle of a statement" in said[0]
    mods.edit(name, "def f():\n    return 2\n\ndef g():\n    return 'g'\n")
    cell = ip.run("f()")
    assert cell.value == 2 and f"hotswap: reloaded {name}: patched f" in cell.out
    assert "still being written" not in cell.out + cell.err
