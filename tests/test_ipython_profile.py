"""``c.InteractiveShellApp.extensions = ["hotswap"]`` in a profile, run as ``ipython -c``.

Each test writes a profile directory with an ``ipython_config.py`` to a temp dir and starts the
venv's ``ipython`` script in a subprocess with ``--profile-dir``. The ``-c`` code drives further
cells with ``get_ipython().run_cell`` so that the checks before each cell happen as they would
at the prompt.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from _ipython_support import ModuleDir, edit_snippet, run_python

pytestmark = pytest.mark.slow

IPYTHON = str(Path(sys.executable).with_name("ipython"))


def _profile(tmp_path: Path, config: str) -> Path:
    profile = tmp_path / "profile_hotswap"
    profile.mkdir()
    (profile / "ipython_config.py").write_text(textwrap.dedent(config))
    return profile


def _ipython(tmp_path: Path, profile: Path, code: str) -> str:
    done = run_python(
        "",
        tmp_path,
        executable=IPYTHON,
        args=(f"--profile-dir={profile}", "--no-banner", "--colors=nocolor", "-c", code),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr
    return done.stdout


def _cells(*cells: str) -> str:
    """``-c`` code that runs each source as a cell of its own (so pre_run_cell fires)."""
    return "\n".join(f"get_ipython().run_cell({cell!r})" for cell in cells)


def test_profile_extension_line_loads_hotswap(tmp_path: Path) -> None:
    """With the profile line, reloading is on from the first cell, in mode all, and IPython
    starts without a word from hotswap (the profile asked for it)."""
    modules = ModuleDir(tmp_path)
    name = modules.write("def f():\n    return 1\n")
    config = 'c = get_config()\nc.InteractiveShellApp.extensions = ["hotswap"]\n'
    profile = _profile(tmp_path, config)
    out = _ipython(
        tmp_path,
        profile,
        _cells(
            f"import {name}",
            edit_snippet(modules.path(name), "def f():\n    return 2\n"),
            f"print('value', {name}.f())",
            "%hotswap",
            "print('owner', type(get_ipython().find_magic('autoreload').__self__).__name__)",
        ),
    )
    assert f"hotswap: reloaded {name}" in out
    assert "value 2" in out
    assert "hotswap: mode all" in out
    assert "owner HotswapMagics" in out
    assert "hotswap: on" not in out


def test_profile_with_exec_lines_autoreload_3(tmp_path: Path) -> None:
    """The habitual config (extension plus `exec_lines = ["%autoreload 3"]`) sets mode complete."""
    profile = _profile(
        tmp_path,
        """
        c = get_config()
        c.InteractiveShellApp.extensions = ["hotswap"]
        c.InteractiveShellApp.exec_lines = ["%autoreload 3"]
        """,
    )
    out = _ipython(tmp_path, profile, "%hotswap")
    assert "hotswap: mode complete" in out


def test_profile_listing_ipython_autoreload_too(tmp_path: Path) -> None:
    """A profile that loads both autoreload and hotswap: hotswap takes over quietly (the profile
    asked for both, so no notice at every start) and a module reloads once."""
    modules = ModuleDir(tmp_path)
    counted = "RUNS = globals().get('RUNS', 0) + 1\ndef f():\n    return {}\n"
    name = modules.write(counted.format(1))
    profile = _profile(
        tmp_path,
        """
        c = get_config()
        c.InteractiveShellApp.extensions = ["autoreload", "hotswap"]
        c.InteractiveShellApp.exec_lines = ["%autoreload 2"]
        """,
    )
    out = _ipython(
        tmp_path,
        profile,
        _cells(
            f"import {name}",
            edit_snippet(modules.path(name), counted.format(2)),
            f"print('value', {name}.f(), {name}.RUNS)",
        ),
    )
    assert "autoreload" not in out.replace("%autoreload", "")
    assert "hotswap: on" not in out
    assert "value 2 1" in out
