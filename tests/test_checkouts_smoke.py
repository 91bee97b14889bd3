"""The checkout comparison (``make checkouts``, ``benchmarks/checkouts.py``) on generated
releases of a small package, as ``--old DIR --new DIR``: no network, no third-party code.

It checks that the harness runs end to end and agrees where hotswap does (functions, a class,
a constant, a module added, one removed, an import moved under ``if TYPE_CHECKING:``), and that
the comparison has teeth: a value that differs between any two interpreters is reported, with
exit status 1.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKOUTS = ROOT / "benchmarks" / "checkouts.py"

OLD = {
    "pk/__init__.py": "from pk.core import Shape, area\n",
    "pk/core.py": """
        import sys

        if sys.version_info >= (3, 0):
            from collections import OrderedDict

        SCALE = 2


        def area(side):
            return side * side * SCALE


        class Shape:
            def __init__(self, side):
                self.side = side

            def area(self):
                return area(self.side)
    """,
    "pk/gone.py": "def old():\n    return 0\n",
}
NEW = {
    "pk/__init__.py": "from pk.core import Shape, area\nfrom pk.extra import double\n",
    "pk/core.py": """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from collections import OrderedDict

        SCALE = 3


        def area(side):
            return side * side * SCALE


        class Shape:
            def __init__(self, side):
                self.side = side

            def perimeter(self):
                return 4 * self.side

            def area(self):
                return area(self.side)
    """,
    "pk/extra.py": "def double(x):\n    return 2 * x\n",
}


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def _run(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECKOUTS), "--old", str(old), "--new", str(new), "--package", "pk"],
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_a_checkout_that_hotswap_applies_as_a_fresh_run_would(tmp_path: Path) -> None:
    """Every module agrees with a fresh import of the new release; exit status 0."""
    done = _run(_tree(tmp_path / "old", OLD), _tree(tmp_path / "new", NEW))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pk: 4 files changed" in done.stdout  # (gone.py deleted: kept, and said so)
    assert "modules differing: 0" in done.stdout


def test_a_difference_from_the_fresh_run_is_reported(tmp_path: Path) -> None:
    """A module whose value differs between two interpreters (a process id): the report names
    the module and the name, and the exit status is 1."""
    new = dict(NEW)
    new["pk/extra.py"] = NEW["pk/extra.py"] + "\nimport os\n\nPID = os.getpid()\n"
    done = _run(_tree(tmp_path / "old", OLD), _tree(tmp_path / "new", new))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "differs: pk.extra: PID" in done.stdout
    assert "modules differing: 1" in done.stdout
