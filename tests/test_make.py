"""``make demo`` on a machine with any supported Python, and a clear message on one with none.

The Makefile is run in a copy of the checkout's build files with the interpreter search result
replaced (``FOUND_PYTHONS=...``), as on machines that have only Python 3.12 or 3.13, or none.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _make(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_demo_uses_the_only_python_found_and_installs_the_package_alone(tmp_path: Path) -> None:
    """With one supported Python (here the one running the tests, standing for a machine with
    only 3.12 or 3.13), `make demo` builds .venv with it, installs the package without the dev
    tools, and runs the demo."""
    done = _make(tmp_path, "-n", "demo", f"FOUND_PYTHONS={sys.executable}")
    assert done.returncode == 0, done.stderr
    assert f"{sys.executable} -m venv .venv" in done.stdout
    assert "pip install -q -e .\n" in done.stdout
    assert "[dev]" not in done.stdout
    assert done.stdout.rstrip().endswith(".venv/bin/python -m hotswap demo")


def test_no_supported_python_says_what_to_install(tmp_path: Path) -> None:
    """Without Python 3.11-3.13, `make demo` stops before doing anything and says which
    versions it looked for and how to get one."""
    done = _make(tmp_path, "demo", "FOUND_PYTHONS=")
    assert done.returncode != 0
    assert "hotswap needs Python 3.11, 3.12 or 3.13, and none was found" in done.stdout
    assert "pyenv install 3.13" in done.stdout
    assert not (tmp_path / ".venv").exists()


def test_says_which_python_it_uses() -> None:
    """`make python` names the interpreter and its version."""
    done = subprocess.run(
        ["make", "--no-print-directory", "-s", "python"], cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Using ") and "(Python 3.1" in done.stdout
