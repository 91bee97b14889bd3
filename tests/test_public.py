"""The public surface says what is true: what ``hotswap`` exports exists, and every type that
presents itself as ``hotswap.X`` (in its repr and docs) is ``hotswap.X``."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import hotswap

SOURCE = Path(hotswap.__file__).parent
PACKAGE = SOURCE.name


def _presented_as_public() -> dict[str, Path]:
    """Classes whose body sets ``__module__ = "hotswap"``, with the file that defines them."""
    found: dict[str, Path] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "__module__" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                    and stmt.value.value == "hotswap"
                ):
                    found[node.name] = path
    return found


def test_every_exported_name_exists() -> None:
    """``from hotswap import *`` and ``dir(hotswap)`` give only names that resolve."""
    for name in hotswap.__all__:
        assert getattr(hotswap, name) is not None, name


def test_types_that_say_they_are_hotswap_types_are_exported() -> None:
    """A repr or a help page that reads ``hotswap.Watch`` means ``hotswap.Watch`` exists and is
    that class (and is in ``__all__``)."""
    presented = _presented_as_public()
    assert presented, "no public types found"
    for name, path in presented.items():
        assert name in hotswap.__all__, f"{name} ({path.name}) says it is hotswap.{name}"
        assert getattr(hotswap, name).__name__ == name
        assert getattr(hotswap, name).__module__ == "hotswap"


def _raised_or_emitted() -> set[str]:
    """Names of classes the package raises (``raise X(...)``) or emits as a warning category
    (``warnings.warn(..., X, ...)``), and the bases of those it raises that it defines."""
    used: set[str] = set()
    bases: dict[str, list[str]] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
            elif isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name):
                    used.add(exc.id)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "warn"
            ):
                used.update(a.id for a in node.args[1:2] if isinstance(a, ast.Name))
                used.update(
                    k.value.id
                    for k in node.keywords
                    if k.arg == "category" and isinstance(k.value, ast.Name)
                )
    todo = list(used)
    while todo:
        for base in bases.get(todo.pop(), []):
            if base not in used:
                used.add(base)
                todo.append(base)
    return used


def test_exported_error_and_warning_types_are_raised_or_emitted() -> None:
    """An exported error or warning type is raised or emitted somewhere in the package (an
    exported type nothing raises promises a failure mode that does not exist)."""
    used = _raised_or_emitted()
    for name in hotswap.__all__:
        value = getattr(hotswap, name)
        if isinstance(value, type) and issubclass(value, Exception | Warning):
            assert name in used, f"hotswap.{name} is exported but never raised or emitted"


# The engine, and the checkpoint's modules that only apply changes (loaded with it).
ENGINE = (
    f"{PACKAGE}._engine.",
    *(f"{PACKAGE}._checkpoint.{m}" for m in ("apply", "importers", "follow", "parses")),
)


def test_checkpoints_with_nothing_changed_leave_the_engine_to_idle_time(
    tmp_path: Path,
) -> None:
    """``import hotswap`` in a profile, and a Reloader whose checkpoints find nothing changed,
    cost what detection costs: the engine (parsing, diffing, patching) is imported neither by
    ``import hotswap`` nor on a checkpoint's thread, only by the background reader once the
    imports have settled (so that a first save, even with the cell run the instant after it,
    does not pay for it)."""
    import subprocess
    import sys

    (tmp_path / "usermod.py").write_text("X = 1\n")
    script = textwrap.dedent(
        """
        import sys, threading
        sys.path.insert(0, sys.argv[1])
        where = {}
        def audit(event, args):
            if event == "import" and args[0].startswith(ENGINE):
                where.setdefault(args[0], threading.current_thread().name)
        sys.addaudithook(audit)
        import hotswap
        print(sorted(where))
        r = hotswap.Reloader(); import usermod; r.check(); r.check()
        from hotswap._detect.tracker import TRACKER
        assert TRACKER.baselines_read(60)
        r.check()
        print(sorted(set(where.values())))
        print("hotswap._engine.transaction" in sys.modules)
        """
    ).replace("ENGINE", repr(ENGINE))
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.splitlines() == ["[]", "['hotswap-baselines']", "True"], done.stderr
