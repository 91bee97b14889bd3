"""The commit replay (``make replay``, ``benchmarks/replay.py``) on a small generated project.

A real replay reads other people's repositories and takes many minutes; this slice builds a
three-commit git repository of its own (a class-heavy package: a dataclass, an Enum, a
registering decorator, a subclass in another module, a constant imported by name, and tests
for each commit) and replays it with hotswap and with no reload at all. It checks that the
harness runs end to end, that hotswap agrees with the fresh oracle on every test outcome, and
that the comparison has teeth: the interpreter that never reloads disagrees where the commits
changed behaviour.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPLAY = ROOT / "benchmarks" / "replay.py"

BASE = {
    "pyproject.toml": """
        [project]
        name = "shapes-demo"
        version = "0"
        [tool.pytest.ini_options]
        testpaths = ["tests"]
    """,
    "src/shapes/__init__.py": """
        from shapes.core import SCALE, Color, Square, registry
    """,
    "src/shapes/core.py": """
        import dataclasses
        import enum

        SCALE = 1
        registry = {}


        def register(cls):
            registry[cls.__name__] = cls
            return cls


        class Color(enum.Enum):
            RED = "red"


        @register
        @dataclasses.dataclass
        class Square:
            side: int

            def area(self):
                return self.side * self.side * SCALE
    """,
    "src/shapes/extra.py": """
        from shapes.core import SCALE, Square, register


        @register
        class Cube(Square):
            def volume(self):
                return self.area() * self.side

            def scale(self):
                return SCALE
    """,
    "tests/test_shapes.py": """
        from shapes import Color, Square, registry
        from shapes.extra import Cube


        def test_area():
            assert Square(2).area() == 4


        def test_volume():
            assert Cube(2).volume() == 8


        def test_registry():
            assert sorted(registry) == ["Cube", "Square"]


        def test_colors():
            assert [c.value for c in Color] == ["red"]
    """,
}

BASE = {rel: textwrap.dedent(text).lstrip("\n") for rel, text in BASE.items()}

# Commit 2: a method body, a new method with its test, a new Enum member.
SECOND = {
    "src/shapes/core.py": BASE["src/shapes/core.py"]
    .replace('RED = "red"', 'RED = "red"\n    BLUE = "blue"')
    .replace(
        "return self.side * self.side * SCALE",
        "return self.side * self.side * SCALE\n\n"
        "    def perimeter(self):\n        return 4 * self.side",
    ),
    "tests/test_shapes.py": BASE["tests/test_shapes.py"].replace('["red"]', '["red", "blue"]')
    + textwrap.dedent(
        """

        def test_perimeter():
            assert Square(3).perimeter() == 12
        """
    ),
}

# Commit 3: a constant imported by name elsewhere, a dataclass field with a default.
THIRD = {
    "src/shapes/core.py": SECOND["src/shapes/core.py"]
    .replace("SCALE = 1", "SCALE = 10")
    .replace("    side: int\n", "    side: int\n    label: str = 'sq'\n"),
    "tests/test_shapes.py": SECOND["tests/test_shapes.py"]
    .replace("== 4\n", "== 40\n")
    .replace("== 8\n", "== 80\n")
    + textwrap.dedent(
        """

        def test_scale_seen_by_importer():
            assert Cube(1).scale() == 10


        def test_new_field():
            assert Square(1).label == "sq"
        """
    ),
}


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _commit(repo: Path, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="the replay reads history with git")
def test_replaying_three_commits_agrees_with_fresh_runs_and_no_reload_does_not(
    tmp_path: Path,
) -> None:
    """``replay.py REPO --commits 2`` replays a project's last two source commits in one live
    interpreter: with hotswap every test outcome equals a fresh ``pytest`` run of the same
    commit (exit status 0), while an interpreter that never reloads fails the tests of code it
    did not pick up."""
    repo = tmp_path / "shapes-demo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _commit(repo, BASE, "base")
    _commit(repo, SECOND, "perimeter, blue")
    _commit(repo, THIRD, "scale, label")
    out = tmp_path / "replay.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPLAY),
            str(repo),
            "--commits",
            "2",
            "--variants",
            "hotswap,none",
            "--json",
            str(out),
            "--keep",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (result,) = json.loads(out.read_text())
    assert result["packages"] == ["src/shapes"]
    steps = result["steps"]
    assert [s["tests"] for s in steps] == [4, 5, 7]
    for step in steps:
        assert step["variants"]["hotswap"]["diverged"] == []
    assert "| shapes-demo | 2 | hotswap | 12 | 12 | 0 | 100.00% |" in proc.stdout
    stale = {d["test"].split("::")[1] for d in steps[2]["variants"]["none"]["diverged"]}
    assert stale == {
        "test_area",
        "test_colors",
        "test_volume",
        "test_perimeter",
        "test_scale_seen_by_importer",
        "test_new_field",
    }
    reloaded = steps[2]["variants"]["hotswap"]["checkpoint"]["reloaded"]
    assert "shapes.core" in reloaded
    assert steps[2]["variants"]["hotswap"]["checkpoint"]["identity"]["lost"] == []
