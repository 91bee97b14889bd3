"""From a built wheel to a working session: what a user who runs ``pip install`` gets.

The wheel is built from this checkout and installed with its ``ipython`` extra into a fresh
virtual environment (nothing from the development venv leaks in); then the README's quickstart
lines run there as a user would type them: the console script, ``%load_ext hotswap`` in IPython,
``hotswap.install()`` in ``python``, and ``python -m hotswap run``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

# Building the wheel and a fresh venv with IPython takes 30-60 s on an idle machine and passed
# the suite's 120 s per test (setup included) under load: each step has its own TIMEOUT.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(4 * 300)]

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["NO_COLOR"] = "1"
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
        check=False, env=env,
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ``bin`` directory of a fresh venv holding the wheel built from this checkout."""
    base = tmp_path_factory.mktemp("install")
    dist = base / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        base,
    )
    wheels = list(dist.glob("hotswap-*.whl"))
    assert len(wheels) == 1, wheels
    venv.create(base / "venv", with_pip=True)
    bin_dir = base / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", f"{wheels[0]}[ipython]"], base)
    yield bin_dir


def _project(root: Path) -> Path:
    """A user's module and the edit they will save."""
    root.mkdir(exist_ok=True)
    (root / "shapes.py").write_text("def area(side):\n    return side * side\n")
    return root


_EDIT = textwrap.dedent(  # the save, as the session's own code (IPython runs it in a cell)
    """
    import os
    def save(text):
        t = os.stat("shapes.py").st_mtime_ns + 2_000_000_000
        with open("shapes.py", "w") as f:
            f.write(text)
        os.utime("shapes.py", ns=(t, t))
    """
)


def test_console_script_and_demo_work_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    """`hotswap --version` names the package and `hotswap demo` passes, from the wheel alone."""
    script = str(installed / "hotswap")
    assert _run([script, "--version"], tmp_path).stdout.startswith("hotswap ")
    assert "All 5 steps behaved as shown" in _run([script, "demo"], tmp_path).stdout


def test_load_ext_in_ipython_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    """`%load_ext hotswap` in IPython (installed by the `ipython` extra) says it is on, and the
    next cell after a save runs the new code."""
    root = _project(tmp_path / "user")
    cells = [
        "%load_ext hotswap",
        "from shapes import area",
        _EDIT + "save('def area(side):\\n    return side * side + 1\\n')",
        "print('area', area(2))",
    ]
    script = "\n".join(f"get_ipython().run_cell({cell!r}, store_history=True)" for cell in cells)
    done = _run([str(installed / "ipython"), "--no-banner", "--colors=nocolor", "-c", script], root)
    assert "hotswap: on;" in done.stdout
    assert "hotswap: reloaded shapes: patched area" in done.stdout
    assert "area 5" in done.stdout


def test_install_in_python_and_run_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    """`import hotswap; hotswap.install()` typed in `python` (under a pty) reloads before the
    next statement, and `python -m hotswap run` runs a program."""
    root = _project(tmp_path / "user")
    python = str(installed / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    child = pexpect.spawn(python, ["-q"], cwd=str(root), env={**env, "NO_COLOR": "1"},
                          encoding="utf-8", timeout=60)
    try:
        child.expect(">>> ")
        child.sendline("import hotswap; hotswap.install()")
        child.expect("hotswap: on;")
        child.expect(">>> ")
        child.sendline("from shapes import area")
        child.expect(">>> ")
        save = "def area(side):\n    return 0\n"
        (root / "shapes.py").write_text(save)
        stamp = (root / "shapes.py").stat().st_mtime_ns + 2_000_000_000
        os.utime(root / "shapes.py", ns=(stamp, stamp))
        child.sendline("print('area', area(2))")
        child.expect(r"area (\d+)")
        assert child.match.group(1) == "0"
        child.sendline("raise SystemExit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    (root / "app.py").write_text("from shapes import area\nprint('app', area(3))\n")
    assert _run([python, "-m", "hotswap", "run", "app.py"], root).stdout == "app 0\n"
