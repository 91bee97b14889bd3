"""Helpers shared by the IPython, Jupyter kernel and profile tests: a directory of real modules.

``ModuleDir`` writes modules under a temp dir that is on ``sys.path`` (or on a subprocess's
``PYTHONPATH``), gives each one a unique name and bumps the file's mtime explicitly after every
edit, so a change is never hidden by a coarse filesystem clock.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from uuid import uuid4

_TWO_SECONDS_NS = 2_000_000_000


def unique(prefix: str = "hs") -> str:
    """A module name no other test uses."""
    return f"{prefix}_{uuid4().hex[:8]}"


class ModuleDir:
    """Real source files in ``root``; ``write`` creates, ``edit`` changes and bumps the mtime."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        """The file of module ``name`` (``pkg.sub`` -> ``pkg/sub.py``; a package's __init__)."""
        parts = name.split(".")
        package_init = self.root.joinpath(*parts, "__init__.py")
        if package_init.exists():
            return package_init
        return self.root.joinpath(*parts[:-1], parts[-1] + ".py")

    def write(self, source: str, name: str | None = None) -> str:
        """Create module ``name`` (a fresh unique name by default) and return its name."""
        name = name or unique()
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()  # a FileFinder may have listed the directory already
        return name

    def package(self, name: str, init: str = "", **submodules: str) -> str:
        """Create package ``name`` with ``__init__.py`` and the given submodules."""
        directory = self.root / name
        directory.mkdir(parents=True)
        (directory / "__init__.py").write_text(textwrap.dedent(init), encoding="utf-8")
        for sub, source in submodules.items():
            (directory / f"{sub}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()
        return name

    def edit(self, name: str, source: str) -> Path:
        """Replace module ``name``'s source and move its mtime two seconds later than before."""
        path = self.path(name)
        before = path.stat().st_mtime_ns
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        later = before + _TWO_SECONDS_NS
        os.utime(path, ns=(later, later))
        return path


def edit_snippet(path: Path, source: str) -> str:
    """Python code that, run inside a shell or kernel, edits ``path`` like ``ModuleDir.edit``."""
    text = textwrap.dedent(source)
    return (
        "import os as _os, pathlib as _pl\n"
        f"_p = _pl.Path({str(path)!r})\n"
        "_t = _p.stat().st_mtime_ns + 2_000_000_000\n"
        f"_p.write_text({text!r}, encoding='utf-8')\n"
        "_os.utime(_p, ns=(_t, _t))\n"
        "del _os, _pl, _p, _t\n"
    )


def run_python(
    code: str, cwd: Path, *, args: tuple[str, ...] = (), executable: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (or ``executable`` with ``args``) in a fresh process with ``cwd`` importable.

    ``IPYTHONDIR`` points into ``cwd`` so that no test reads or writes the user's profile.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(cwd), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        "IPYTHONDIR": str(cwd / ".ipython"),
        "NO_COLOR": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [executable, *args] if executable else [sys.executable, "-c", code]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=100, check=False
    )
